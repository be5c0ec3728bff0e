"""Fixtures: input files the runtime tests write themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _inputs import write_tree


@pytest.fixture
def nanoaod_like(tmp_path) -> Path:
    return write_tree(tmp_path / "nano.root", "Events", "Jet_pt", "Jet_eta")


@pytest.fixture
def delphes_like(tmp_path) -> Path:
    return write_tree(tmp_path / "delphes.root", "Delphes", "Jet.PT", "Jet.Eta")


@pytest.fixture
def flat_scalar(tmp_path) -> Path:
    import uproot

    path = tmp_path / "flat.root"
    with uproot.recreate(path) as f:
        f.mktree("ntuple", {"jet_pt": np.float64, "jet_eta": np.float64})
        f["ntuple"].extend(
            {
                "jet_pt": np.array([150.0, np.nan, 500.0, 90.0]),
                "jet_eta": np.array([0.0, 1.0, -3.0, 0.0]),
            }
        )
    return path


@pytest.fixture
def sample_events() -> tuple[np.ndarray, np.ndarray]:
    """Leading jets of 20k events spread over the histogram, with some outside it."""
    rng = np.random.default_rng(7)
    pt = 100.0 + rng.exponential(250.0, size=20_000)
    eta = rng.normal(0.0, 1.8, size=20_000)
    return pt, eta
