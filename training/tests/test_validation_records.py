"""The recorded validation runs (`dmzoo-train validate`) support the generation method."""

import json
import math

import pytest

from dmzoo_training import validate

RECORDS = validate.OUT


def _load(name: str) -> dict:
    path = RECORDS / f"{name}.json"
    assert path.exists(), f"{path.name} is not recorded; run dmzoo-train validate --what all"
    return json.loads(path.read_text())


def _compatible(c: dict, sigmas: float = 3.0) -> bool:
    diff = abs(c["mean_pt"][0] - c["mean_pt"][1])
    return diff < sigmas * math.hypot(*c["mean_pt_error"])


def test_mixture_reproduces_pythias_own_resonance():
    c = _load("mixture_closure")
    assert _compatible(c)
    assert c["ks_pt_pvalue"] > 1e-3 and c["ks_eta_pvalue"] > 1e-3


def test_each_regime_depends_on_one_mass_only():
    for label, c in _load("one_mass_per_regime").items():
        assert _compatible(c), label
        assert c["ks_pt_pvalue"] > 1e-3, label


def test_spin0_rate_carries_the_finite_top_loop():
    rows = {r["m"]: r for r in _load("spin0_top_loop")["rows"]}
    # Smooth through 2 m_top against the full loop, far off against the heavy-top limit.
    assert rows[345]["ratio_to_full_loop"] == pytest.approx(
        rows[360]["ratio_to_full_loop"], rel=0.02
    )
    assert rows[4000]["ratio_to_heavy_top"] < 0.02


def test_mpi_moves_the_leading_jet_little():
    c = _load("mpi_effect")
    assert abs(c["mean_pt"][1] - c["mean_pt"][0]) < 5.0  # GeV


def test_generation_cut_does_not_bias_the_threshold():
    cut = _load("generation_threshold")
    assert cut["n_selected"] > 3000
    assert cut["fraction_first_pt_bin_below_cut"] < 0.002
