"""Trees with the branches of the monojet selection, each event built to stop at one cut."""

from __future__ import annotations

from pathlib import Path

import awkward as ak
import numpy as np

# One event per line: (jets as (pt, eta, phi, jetId), MET, MET phi, electrons, muons, photons)
# with leptons and photons as (pt, eta, id). The comment says where the monojet selection
# stops it.
EVENTS = [
    ([(400.0, 0.5, 0.0, 6)], 400.0, 3.0, [], [], []),  # passes every cut
    ([(100.0, 0.5, 0.0, 6)], 400.0, 3.0, [], [], []),  # leading jet below the histogram
    ([(30.0, 0.1, 1.0, 6), (300.0, -1.0, 0.0, 0)], 300.0, 3.0, [], [], []),  # leading fails ID
    ([(300.0, 1.0, 0.0, 6)], 120.0, 3.0, [], [], []),  # MET below 130
    ([(300.0, 1.0, 0.0, 6)], 300.0, 3.0, [(25.0, 1.0, 4)], [], []),  # an electron
    ([(300.0, 1.0, 0.0, 6)], 300.0, 3.0, [(25.0, 2.7, 4)], [], []),  # electron beyond 2.5: kept
    ([(300.0, 1.0, 0.0, 6)], 300.0, 3.0, [(25.0, 1.0, 0)], [], []),  # electron failing ID: kept
    ([(300.0, 1.0, 0.0, 6)], 300.0, 3.0, [], [(15.0, -2.0, True)], []),  # a muon
    ([(300.0, 1.0, 0.0, 6)], 300.0, 3.0, [], [(8.0, 0.0, True)], []),  # a soft muon: kept
    ([(300.0, 1.0, 0.0, 6)], 300.0, 3.0, [], [], [(50.0, 0.0, 1)]),  # a photon
    # A 40 GeV jet 0.1 from the MET (wrapping across pi): the dphi cut removes it.
    ([(300.0, 1.0, 0.0, 6), (40.0, 0.0, -3.1, 6)], 300.0, 3.08, [], [], []),
    # The same jet at 25 GeV is below the dphi cut's 30 GeV: kept.
    ([(300.0, 1.0, 0.0, 6), (25.0, 0.0, -3.1, 6)], 300.0, 3.08, [], [], []),
    # The fifth jet near the MET: only four leading jets count, kept.
    (
        [(300.0, 1.0, 0.0, 6)] + [(100.0 - k, 0.0, 1.5, 6) for k in range(3)] + [(50, 0, 3.0, 6)],
        300.0,
        3.08,
        [],
        [],
        [],
    ),
]
# Events after each cut: read, leading_jet, jet_id, met, electron, muon, photon, dphi.
NANOAOD_CUTFLOW = [13, 12, 11, 10, 9, 8, 7, 6]
# Delphes: no jet ID (the ID-failing event stays), no lepton or photon ID (events 6 and 8:
# the ID-failing electron now counts; the soft muon never did).
DELPHES_CUTFLOW = [13, 12, 12, 11, 9, 8, 7, 6]
PASSING_PT = [400.0, 300.0, 300.0, 300.0, 300.0, 300.0]  # NanoAOD's six


def _column(rows, index: int, dtype) -> ak.Array:
    """One value per object, typed even where every list is empty."""
    flat = np.asarray([obj[index] for row in rows for obj in row], dtype=dtype)
    return ak.unflatten(flat, [len(row) for row in rows])


def write_nanoaod(path: Path, events=EVENTS) -> Path:
    import uproot

    jets, met, met_phi, ele, mu, pho = (list(col) for col in zip(*events, strict=True))
    data = {
        "Jet_pt": _column(jets, 0, np.float32),
        "Jet_eta": _column(jets, 1, np.float32),
        "Jet_phi": _column(jets, 2, np.float32),
        "Jet_jetId": _column(jets, 3, np.int32),
        "MET_pt": np.asarray(met, dtype=np.float32),
        "MET_phi": np.asarray(met_phi, dtype=np.float32),
        "Electron_pt": _column(ele, 0, np.float32),
        "Electron_eta": _column(ele, 1, np.float32),
        "Electron_cutBased": _column(ele, 2, np.int32),
        "Muon_pt": _column(mu, 0, np.float32),
        "Muon_eta": _column(mu, 1, np.float32),
        "Muon_looseId": _column(mu, 2, np.bool_),
        "Photon_pt": _column(pho, 0, np.float32),
        "Photon_eta": _column(pho, 1, np.float32),
        "Photon_cutBased": _column(pho, 2, np.int32),
    }
    with uproot.recreate(path) as f:
        f.mktree("Events", {k: _type(v) for k, v in data.items()})
        f["Events"].extend(data)
    return path


def write_delphes(path: Path, events=EVENTS) -> Path:
    """Delphes' names (`Jet.PT`, `MissingET.MET` as a one-entry collection), no ID flags."""
    import uproot

    jets, met, met_phi, ele, mu, pho = (list(col) for col in zip(*events, strict=True))
    data = {
        "Jet.PT": _column(jets, 0, np.float32),
        "Jet.Eta": _column(jets, 1, np.float32),
        "Jet.Phi": _column(jets, 2, np.float32),
        "MissingET.MET": ak.values_astype(ak.Array([[m] for m in met]), np.float32),
        "MissingET.Phi": ak.values_astype(ak.Array([[p] for p in met_phi]), np.float32),
        "Electron.PT": _column(ele, 0, np.float32),
        "Electron.Eta": _column(ele, 1, np.float32),
        "Muon.PT": _column(mu, 0, np.float32),
        "Muon.Eta": _column(mu, 1, np.float32),
        "Photon.PT": _column(pho, 0, np.float32),
        "Photon.Eta": _column(pho, 1, np.float32),
    }
    with uproot.recreate(path) as f:
        f.mktree("Delphes", {k: _type(v) for k, v in data.items()})
        f["Delphes"].extend(data)
    return path


def _type(values):
    if isinstance(values, np.ndarray):
        return values.dtype
    return "var * " + str(values.type.content.content)
