"""The two example inputs that ship in zoo/examples/, made from the test parts of the pools.

`sm_only.root` holds B + S SM events and `sm_plus_spin1_offshell_snr4.5.root` B SM events plus
S = round(4.5 sqrt(B)) = 1006 spin1_offshell events, B = 50k, as flat ntuples (`events`: jet_pt,
jet_eta, jet_phi), so the README's first command scores a file that comes with the project.
Events come from the test parts, which no classifier saw in training.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from dmzoo_training import histograms, paths, storage

B = histograms.B_DEFAULT
SNR = 4.5  # a grid point, so the README's command uses that model as it is


def _test_events(name: str, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    ev = storage.read_sample(paths.EVENTS / name, branches=("jet_pt", "jet_eta", "jet_phi"))
    test = histograms.split_indices(len(ev["jet_pt"]), histograms.seed_of("split", name))["test"]
    pick = np.sort(rng.choice(test, size=n, replace=False))
    return {k: v[pick] for k, v in ev.items()}


def _write(path: Path, events: dict[str, np.ndarray], title: str) -> None:
    import uproot

    tmp = path.with_name(f".{path.name}.tmp")
    with uproot.recreate(tmp, compression=uproot.LZMA(9)) as f:
        f.mktree("events", {k: np.float32 for k in events}, title=title)
        f["events"].extend({k: v.astype(np.float32) for k, v in events.items()})
    os.replace(tmp, path)


def write_examples(out: Path = paths.ZOO / "examples") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    s = histograms.n_signal(SNR, B)
    rng = np.random.default_rng(histograms.seed_of("examples"))
    sm = _test_events("sm", B + s, rng)
    sig = _test_events("spin1_offshell", s, rng)
    mixed = {k: np.concatenate([sm[k][:B], sig[k]]) for k in sm}
    order = rng.permutation(B + s)
    mixed = {k: v[order] for k, v in mixed.items()}
    files = [out / "sm_only.root", out / "sm_plus_spin1_offshell_snr4.5.root"]
    _write(files[0], sm, f"{B + s} SM Z(nunu)+jet events (dmzoo test pool)")
    _write(files[1], mixed, f"{B} SM + {s} spin1_offshell events, S/sqrt(B) = {SNR:g}")
    return files
