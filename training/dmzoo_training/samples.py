"""Event samples as the pools see them: the SM stitched from its two generations.

`sm` covers the whole selection from pTHat > 75 GeV; `sm_tail`, generated from pTHat > 400 GeV,
holds many times more events above the stitching edge (the ninth pT bin edge, 628.67 GeV).
The SM pool takes `sm` below the edge and `sm_tail` above it, each event weighted by its
sample's cross section per generated event, in units of an `sm` event (so `sm` events weigh 1
and a pseudo-count of half an event means the same below the edge as before). The edge lies on
a bin edge, so every bin is filled by one sample and its events share one weight.

The tail sample's cut is checked by `validate --what threshold-tail`: the events above the edge
that come from pTHat < 400 GeV are the ones it misses. Without `sm_tail` (the test fixtures,
an early checkout) the SM is `sm` alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo_training import histograms, storage
from dmzoo_training.benchmarks import SM_STITCH_PT
from dmzoo_training.histograms import seed_of

STITCH_BIN = int(np.searchsorted(binning.PT_EDGES, SM_STITCH_PT - 1e-6))


def summary(sample_dir: Path) -> dict:
    return json.loads((sample_dir / "sample.json").read_text())


def tail_weight(events_dir: Path) -> float | None:
    """The weight of an `sm_tail` event relative to an `sm` event (None without the tail)."""
    tail = events_dir / "sm_tail"
    if not (tail / "sample.json").exists():
        return None
    return per_event_pb(tail) / per_event_pb(events_dir / "sm")


def split_parts(
    name: str, events_dir: Path, branches=("jet_pt", "jet_eta")
) -> dict[str, dict[str, np.ndarray]]:
    """Each part (train, val, test) of a sample's pool: the branches and each event's weight."""
    if name == "sm":
        return _sm_parts(events_dir, branches)
    ev = storage.read_sample(events_dir / name, branches)
    return _split(name, ev, 1.0)


def _split(name: str, ev: dict[str, np.ndarray], weight: float, keep=None) -> dict:
    n = len(ev["jet_pt"])
    out = {}
    for part, idx in histograms.split_indices(n, seed_of("split", name)).items():
        if keep is not None:
            idx = idx[keep[idx]]
        out[part] = {b: values[idx] for b, values in ev.items()}
        out[part]["weight"] = np.full(len(idx), weight)
    return out


def _sm_parts(events_dir: Path, branches) -> dict:
    main = storage.read_sample(events_dir / "sm", branches)
    w_tail = tail_weight(events_dir)
    if w_tail is None:
        return _split("sm", main, 1.0)
    low = _split("sm", main, 1.0, keep=main["jet_pt"] < SM_STITCH_PT)
    tail = storage.read_sample(events_dir / "sm_tail", branches)
    high = _split("sm_tail", tail, w_tail, keep=tail["jet_pt"] >= SM_STITCH_PT)
    return {
        part: {k: np.concatenate([low[part][k], high[part][k]]) for k in low[part]} for part in low
    }


def unit_weights(name: str, events_dir: Path) -> np.ndarray | None:
    """Per bin, the weight one event of the bin carries; None for an unweighted sample."""
    w_tail = tail_weight(events_dir) if name == "sm" else None
    if w_tail is None:
        return None
    w = np.ones((binning.N_BINS, binning.N_BINS))
    w[STITCH_BIN:] = w_tail
    return w


FULL_SM = ("sm", "w_lnu", "ttbar")  # the `full` SM: Z(->nunu)+jet and the Table 3 backgrounds
MONOJET_BRANCHES = ("met", "dphi_min")


def monojet_pass(ev: dict[str, np.ndarray]) -> np.ndarray:
    """Which background events pass the runtime's default monojet MET and dphi cuts.

    Without them W+jet and ttbar with a 130 GeV jet outnumber Z(->nunu)+jet several times
    over (a lost lepton is rare; most such events simply have little MET), which is no monojet
    search's background; with them their rates fall to the size of the paper's Table 3. The
    Z(->nunu)+jet sample stores no MET: its MET is the Z's pT, which balances the jets, so it
    is taken to pass (the zoo's SM template has the paper's rule alone).
    """
    from dmzoo.selection import Selection

    cuts = Selection()
    return (ev["met"] > cuts.met_min) & (ev["dphi_min"] > cuts.dphi_min)


def full_sm_test(events_dir: Path) -> dict[str, np.ndarray] | None:
    """The test part of the `full` SM: the stitched SM's and the background samples', each
    event weighted by its sample's cross section per generated event in units of an `sm`
    event; None until every background sample exists.

    The backgrounds' lepton veto was applied when they were generated, their MET and dphi cuts
    here (`monojet_pass`); Z(->nunu)+jet has no lepton to veto. Their test parts are split like
    every pool, so no event serves twice.
    """
    if not all((events_dir / n / "sample.json").exists() for n in FULL_SM):
        return None
    per_sm_event = per_event_pb(events_dir / "sm")
    parts = [split_parts("sm", events_dir)["test"]]
    for name in FULL_SM[1:]:
        test = split_parts(name, events_dir, ("jet_pt", "jet_eta", *MONOJET_BRANCHES))["test"]
        passed = monojet_pass(test)
        test = {k: v[passed] for k, v in test.items()}
        test["weight"] = test["weight"] * per_event_pb(events_dir / name) / per_sm_event
        parts.append(test)
    return {k: np.concatenate([p[k] for p in parts]) for k in ("jet_pt", "jet_eta", "weight")}


def per_event_pb(sample_dir: Path) -> float:
    """A sample's generated cross section per generated event (pb)."""
    found = summary(sample_dir)
    return found["sigma_generated_pb"] / found["n_generated"]
