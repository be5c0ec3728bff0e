"""Small synthetic event samples written like the generator's, for tests without Pythia."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dmzoo_training import storage


def synthetic_events(n: int, slope: float, eta_width: float, seed: int) -> dict[str, np.ndarray]:
    """Falling pT spectra (harder for smaller slope) and Gaussian eta, inside the selection."""
    rng = np.random.default_rng(seed)
    pt = 130.0 + rng.exponential(slope, size=n)
    eta = rng.normal(0.0, eta_width, size=n)
    keep = (pt <= 2000) & (np.abs(eta) <= 4)
    return {
        "jet_pt": pt[keep],
        "jet_eta": eta[keep],
        "jet_phi": rng.uniform(-np.pi, np.pi, keep.sum()),
    }


def with_monojet_record(events: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """The events with a MET (0.5 to 1.2 times the jet's pT) and a minimum dphi (uniform), as a
    background sample stores them: some pass the monojet cuts, some do not."""
    rng = np.random.default_rng(seed)
    n = len(events["jet_pt"])
    return {
        **events,
        "met": events["jet_pt"] * rng.uniform(0.5, 1.2, n),
        "met_phi": rng.uniform(-np.pi, np.pi, n),
        "dphi_min": rng.uniform(0.0, np.pi, n),
    }


def write_sample(root: Path, name: str, events: dict[str, np.ndarray]) -> None:
    d = root / name
    d.mkdir(parents=True)
    storage.write_round(
        d / "round-000.root",
        events,
        {
            "sample": name,
            "n_generated": len(events["jet_pt"]),
            "n_selected": len(events["jet_pt"]),
            "generator": "synthetic",
        },
    )
    (d / "sample.json").write_text(
        json.dumps(
            {
                "sample": name,
                "generator": "synthetic",
                "n_selected": len(events["jet_pt"]),
                "n_generated": len(events["jet_pt"]),
                "selection_efficiency": 1.0,
                "sigma_generated_pb": 1.0,
                "m_med_gev": None,
                "m_dm_gev": None,
                "spin": None,
            }
        )
    )
