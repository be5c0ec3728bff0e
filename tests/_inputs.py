"""Inputs for the runtime tests: shipped files and writers for the ones the tests make."""

from __future__ import annotations

from pathlib import Path

import awkward as ak

DATA = Path(__file__).resolve().parent / "data"
NANOAOD = DATA / "nanoAOD_2015_CMS_Open_Data_ttbar.root"
HEPDATA = DATA / "uproot-hepdata-example.root"

# Five events: unsorted jets, a NaN jet, an event with no jet, one outside the histogram.
JETS_PT = [[40.0, 250.0, 60.0], [float("nan"), 180.0], [], [100.0], [2500.0, 300.0], [1999.0]]
JETS_ETA = [[0.5, -1.2, 3.0], [0.0, 2.5], [], [0.3], [0.1, -0.5], [3.99]]
# Leading jets after the rules: (250, -1.2), (180, 2.5), none, 100 and 2500 (outside),
# (1999, 3.99).
EXPECTED = {"n_events": 6, "n_selected": 3, "n_no_jet": 1, "n_out_of_range": 2}


def write_tree(path: Path, name: str, pt_branch: str, eta_branch: str, pt=None, eta=None) -> Path:
    import uproot

    pt = ak.Array(JETS_PT if pt is None else pt)
    eta = ak.Array(JETS_ETA if eta is None else eta)
    with uproot.recreate(path) as f:
        f.mktree(name, {pt_branch: "var * float32", eta_branch: "var * float32"})
        f[name].extend({pt_branch: pt, eta_branch: eta})
    return path


def write_soft_and_hard(path: Path) -> Path:
    """A NanoAOD-like tree of 30 soft (150 GeV) and 10 hard (1500 GeV) central jets: a
    quarter of its events in the upper pT half of the histogram."""
    return write_tree(
        path, "Events", "Jet_pt", "Jet_eta", pt=[[150.0]] * 30 + [[1500.0]] * 10, eta=[[0.0]] * 40
    )


def write_tree_and_th2(path: Path, pt, eta) -> Path:
    """One jet per event as a NanoAOD-like tree `Events`, plus their zoo-binned TH2 `h`."""
    import uproot

    from dmzoo import binning

    write_tree(
        path,
        "Events",
        "Jet_pt",
        "Jet_eta",
        pt=[[float(x)] for x in pt],
        eta=[[float(x)] for x in eta],
    )
    with uproot.update(path) as f:
        f["h"] = (binning.fill(pt, eta), binning.PT_EDGES, binning.ETA_EDGES)
    return path
