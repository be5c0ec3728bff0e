"""Event samples on disk: one compressed ROOT file per generation round, plus JSON records.

A sample lives in `data/events/<name>/`: `round-NNN.root` holds a TTree `events` with the
selected events' leading jet (`jet_pt`, `jet_eta`, `jet_phi`, float32; `m_pair`, the invisible
system's mass, for mediator mixtures; `met`, `met_phi` and `dphi_min` for the W+jet and ttbar
backgrounds) and `round-NNN.json` records how it was made. Rounds are
written once (temporary name, then rename) and never rewritten, so git keeps one copy of each.
The branch names are the runtime's flat-ntuple defaults: `dmzoo score round-000.root` works.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

BRANCHES = ("jet_pt", "jet_eta", "jet_phi", "m_pair")
# what the background samples beside Z(->nunu)+jet add (pythia_run.monojet_record)
MONOJET_BRANCHES = ("met", "met_phi", "dphi_min")


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_round(path: Path, arrays: dict[str, np.ndarray], record: dict) -> None:
    """Write one round's events and its JSON record, each atomically."""
    import uproot

    branches = {
        k: np.asarray(arrays[k], dtype=np.float32)
        for k in (*BRANCHES, *MONOJET_BRANCHES)
        if k in arrays
    }
    tmp = path.with_name(f".{path.name}.tmp")
    with uproot.recreate(tmp, compression=uproot.LZMA(9)) as f:
        f.mktree("events", {k: np.float32 for k in branches}, title="leading jet per event")
        f["events"].extend(branches)
    os.replace(tmp, path)
    atomic_write_text(path.with_suffix(".json"), json.dumps(record, indent=1, sort_keys=True))


def round_files(sample_dir: Path) -> list[Path]:
    return sorted(sample_dir.glob("round-*.root"))


def read_sample(sample_dir: Path, branches=("jet_pt", "jet_eta")) -> dict[str, np.ndarray]:
    """All rounds of a sample concatenated in round order."""
    import uproot

    parts: dict[str, list[np.ndarray]] = {b: [] for b in branches}
    for path in round_files(sample_dir):
        with uproot.open(path) as f:
            got = f["events"].arrays(list(branches), library="np")
        for b in branches:
            parts[b].append(got[b])
    if not parts[branches[0]]:
        raise FileNotFoundError(f"no event rounds in {sample_dir}; run `dmzoo-train generate`")
    return {b: np.concatenate(v) for b, v in parts.items()}


def read_records(sample_dir: Path) -> list[dict]:
    return [json.loads(p.with_suffix(".json").read_text()) for p in round_files(sample_dir)]
