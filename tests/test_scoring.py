"""The Python API: every kind of input gives the same answer for the same events."""

import numpy as np
import pytest
from _inputs import write_tree_and_th2

import dmzoo
from dmzoo import binning
from dmzoo.errors import InvalidParameterError, ModelNotFoundError
from dmzoo.registry import shipped_zoo_path

EXAMPLES = shipped_zoo_path() / "examples"


def test_tree_th2_arrays_and_hist_give_the_same_score(tmp_path, sample_events):
    import hist

    pt, eta = sample_events
    path = write_tree_and_th2(tmp_path / "e.root", pt, eta)
    counts = binning.fill(pt, eta)
    h = hist.Hist.new.Reg(30, 130, 2000).Reg(30, -4, 4).Double()
    h.fill(pt, eta)
    results = [
        dmzoo.score(f"{path}:Events", benchmark="spin1_offshell", snr=2.2),
        dmzoo.score(f"{path}:h", benchmark="spin1_offshell", snr=2.2),
        dmzoo.score((pt, eta), benchmark="spin1_offshell", snr=2.2),
        dmzoo.score(h, benchmark="spin1_offshell", snr=2.2),
        dmzoo.score(counts, benchmark="spin1_offshell", snr=2.2),
    ]
    assert len({r.score for r in results}) == 1
    assert {r.n_selected for r in results} == {int(counts.sum())}
    assert results[0].n_events == 20_000


def test_result_fields_and_warnings():
    r = dmzoo.score(np.full((30, 30), 2.0), benchmark="spin1_offshell", snr=0.8)
    d = r.to_dict()
    for key in (
        "file",
        "benchmark",
        "snr_requested",
        "snr_model",
        "model",
        "n_events",
        "n_selected",
        "score",
        "auc",
    ):
        assert key in d
    # the parametric network, fed 0.8 itself; its table has a row at 0.8
    assert r.snr_model == 0.8 and r.model == "parametric-spin1_offshell"
    assert r.model_kind == "parametric" and r.auc_method == "grid point"
    g = dmzoo.score(np.full((30, 30), 2.0), benchmark="spin1_offshell", snr=0.8, grid=True)
    assert g.snr_model == 0.67 and g.model == "binary-spin1_offshell-snr0.67"
    assert g.model_kind == "grid" and g.auc_method == "interpolated in log S/sqrt(B)"
    assert any("1800 events" in w for w in r.warnings)


@pytest.mark.parametrize("snr", [0.0, -1.0, float("inf"), float("nan")])
def test_snr_must_be_finite_and_positive(snr):
    with pytest.raises(InvalidParameterError):
        dmzoo.score(np.ones((30, 30)), benchmark="spin1_offshell", snr=snr)


def test_unknown_benchmark_suggests_names():
    with pytest.raises(ModelNotFoundError, match="did you mean spin1_offshell"):
        dmzoo.score(np.ones((30, 30)), benchmark="spin1-offshell", snr=1.0)


def test_shipped_examples_score_as_expected():
    signal = dmzoo.score(
        str(EXAMPLES / "sm_plus_spin1_offshell_snr4.5.root"), benchmark="spin1_offshell", snr=4.5
    )
    sm = dmzoo.score(str(EXAMPLES / "sm_only.root"), benchmark="spin1_offshell", snr=4.5)
    assert signal.n_events == sm.n_events == 51_006
    assert signal.score > 0.9 > 0.5 > sm.score
    assert signal.warnings == [] and sm.warnings == []


def test_public_api_is_pinned():
    assert dir(dmzoo) == ["ScoreResult", "Zoo", "__version__", "score"]


def test_shipped_examples_are_calibrated():
    signal = dmzoo.score(
        str(EXAMPLES / "sm_plus_spin1_offshell_snr4.5.root"), benchmark="spin1_offshell", snr=4.5
    )
    cal = signal.calibration
    assert (cal.n_toys, cal.seed, cal.n_events) == (1000, 0, 51_006)
    assert (cal.b_signal, cal.s_signal) == (50_000, 1006)  # as the example was made
    assert cal.p_value == 0.0 and cal.p_value_text.startswith("< 0.001")
    assert all(d.observed_above for d in cal.decisions)
    assert [d.power for d in cal.decisions] == pytest.approx([1.0, 0.99], abs=0.01)
    sm = dmzoo.score(str(EXAMPLES / "sm_only.root"), benchmark="spin1_offshell", snr=4.5)
    assert sm.calibration.p_value > 0.1
    assert not any(d.observed_above for d in sm.calibration.decisions)


def test_calibration_is_deterministic_for_a_seed():
    counts = binning.fill(
        *np.random.default_rng(1).normal([400.0, 0.0], [150.0, 1.5], (45_000, 2)).T
    )
    a = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=300, seed=7)
    b = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=300, seed=7)
    c = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=300, seed=8)
    assert a.to_dict() == b.to_dict() and a.calibration != c.calibration
    assert dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=0).calibration is None


@pytest.mark.parametrize(("toys", "seed"), [(-1, 0), (1.5, 0), (True, 0), (10, -3), (10, "a")])
def test_toys_and_seed_must_be_non_negative_integers(toys, seed):
    with pytest.raises(InvalidParameterError, match="non-negative integer"):
        dmzoo.score(np.ones((30, 30)), benchmark="spin1_offshell", snr=1.0, toys=toys, seed=seed)


def test_readme_api_example_runs():
    """The README's Python example, run as a doctest from the repository root."""
    import doctest
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text(encoding="utf-8")
    block = text.split("```pycon\n", 1)[1].split("```", 1)[0]
    test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test)
    finally:
        os.chdir(cwd)
    assert result.attempted >= 5 and result.failed == 0


def test_a_stated_collision_energy_is_checked_against_the_models():
    counts = np.full((30, 30), 50.0)
    same = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=0, sqrt_s=14)
    assert same.sqrt_s_gev == {"model": 14000.0, "data": 14000.0}
    assert not any("TeV" in w for w in same.warnings)
    lower = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=0, sqrt_s=13.6)
    assert lower.sqrt_s_gev == {"model": 14000.0, "data": 13600.0}
    (said,) = [w for w in lower.warnings if "TeV" in w]
    assert said.startswith("the data are at 13.6 TeV (--sqrt-s)") and "at 14 TeV" in said
    unsaid = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=0)
    assert unsaid.sqrt_s_gev == {"model": 14000.0, "data": None}
    assert unsaid.to_dict()["sqrt_s_gev"] == {"model": 14000.0, "data": None}


@pytest.mark.parametrize("sqrt_s", [0, -13, 13000, float("nan"), True, "13"])
def test_collision_energy_must_be_tev(sqrt_s):
    with pytest.raises(InvalidParameterError, match=r"sqrt_s \(--sqrt-s\) is the collision"):
        dmzoo.score(np.full((30, 30), 50.0), benchmark="spin1_offshell", snr=1.0, sqrt_s=sqrt_s)


def test_exactly_enough_toys_raise_no_warning():
    """100 toys leave 10 beyond the 90% threshold: enough, despite 100 x 0.1 < 10 in floats."""
    r = dmzoo.score(np.full((30, 30), 50.0), benchmark="spin1_offshell", snr=1.0, toys=100)
    assert not any("90% threshold" in w for w in r.warnings)


def test_a_jet_energy_scale_shift_scales_every_jet_before_the_histogram(tmp_path, sample_events):
    from dmzoo.selection import Selection

    pt, eta = sample_events
    path = write_tree_and_th2(tmp_path / "e.root", pt, eta)
    up = Selection("leading-jet", jes=0.03)
    shifted = dmzoo.score(f"{path}:Events", benchmark="spin1_offshell", snr=1.0, selection=up)
    by_hand = binning.fill(pt * 1.03, eta)
    assert np.array_equal(shifted.counts, by_hand)
    assert shifted.selection["thresholds"]["jes"] == 0.03
    arrays = dmzoo.score((pt, eta), benchmark="spin1_offshell", snr=1.0, selection=up)
    assert arrays.score == shifted.score
    # the user's background stands for the nominal SM: it is not shifted with the data
    with_bkg = dmzoo.score(
        f"{path}:Events",
        benchmark="spin1_offshell",
        snr=1.0,
        selection=up,
        background=f"{path}:Events",
        toys=50,
    )
    assert with_bkg.background["n_events"] == int(binning.fill(pt, eta).sum())
    with pytest.raises(InvalidParameterError, match="a histogram; --jes shifts the pT"):
        dmzoo.score(f"{path}:h", benchmark="spin1_offshell", snr=1.0, selection=up)


@pytest.mark.parametrize("jes", [2.0, -0.6, float("inf")])
def test_jes_is_a_fraction(jes):
    from dmzoo.selection import Selection

    with pytest.raises(InvalidParameterError, match=r"jes \(--jes\) is a relative shift"):
        Selection(jes=jes)
