"""Several files of each tree flavour, with the awkward cases the jet rules must handle."""

from __future__ import annotations

from pathlib import Path

import awkward as ak
import numpy as np
from _inputs import write_tree

# Leading jets on the histogram's edges (the upper ones fall outside), tied pT with two etas,
# a NaN jet, an empty event.
EDGE_PT = [[130.0], [2000.0], [1999.9], [500.0], [300.0, 300.0], [float("nan"), 200.0], []]
EDGE_ETA = [[0.0], [0.0], [-4.0], [4.0], [2.0, -1.0], [0.0, 1.0], []]


def random_jets(seed: int, n: int) -> tuple[ak.Array, ak.Array]:
    """n events of 0-4 jets in no particular order, some outside the histogram, edge cases first."""
    rng = np.random.default_rng(seed)
    per_event = rng.integers(0, 5, n)
    total = int(per_event.sum())
    pt = ak.unflatten(60.0 + rng.exponential(300.0, total), per_event)
    eta = ak.unflatten(rng.normal(0.0, 2.2, total), per_event)
    return ak.concatenate([ak.Array(EDGE_PT), pt]), ak.concatenate([ak.Array(EDGE_ETA), eta])


def write_flat(path: Path, seed: int, n: int) -> Path:
    """A flat ntuple with one (leading) jet per entry, float64, NaN and edge values included."""
    import uproot

    pt, eta = random_jets(seed, n)
    lead = ak.argmax(pt, axis=1, keepdims=True)
    flat_pt = ak.to_numpy(ak.fill_none(ak.firsts(pt[lead]), np.nan)).astype(np.float64)
    flat_eta = ak.to_numpy(ak.fill_none(ak.firsts(eta[lead]), np.nan)).astype(np.float64)
    with uproot.recreate(path) as f:
        f.mktree("ntuple", {"jet_pt": np.float64, "jet_eta": np.float64})
        f["ntuple"].extend({"jet_pt": flat_pt, "jet_eta": flat_eta})
    return path


def write_flavours(folder: Path, n: int = 400) -> dict[str, list[Path]]:
    """Three Delphes-like, three NanoAOD-like and two flat files, each with its own events."""
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, list[Path]] = {"delphes": [], "nanoaod": [], "flat": []}
    for k in range(3):
        pt, eta = random_jets(10 + k, n)
        made["delphes"].append(
            write_tree(folder / f"delphes_{k}.root", "Delphes", "Jet.PT", "Jet.Eta", pt, eta)
        )
        pt, eta = random_jets(20 + k, n + 50 * k)
        made["nanoaod"].append(
            write_tree(folder / f"nano_{k}.root", "Events", "Jet_pt", "Jet_eta", pt, eta)
        )
    for k in range(2):
        made["flat"].append(write_flat(folder / f"flat_{k}.root", 30 + k, n))
    return made
