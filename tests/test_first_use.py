"""What a first-time user ran into: each answer as it should be, through the CLI or the API."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest

import dmzoo
from dmzoo import calibration, scoring
from dmzoo.cli import main
from dmzoo.errors import BinningError, InvalidParameterError
from dmzoo.registry import shipped_zoo_path

SM_ONLY = str(shipped_zoo_path() / "examples" / "sm_only.root")
SCORE = ["--benchmark", "spin1_offshell", "--snr", "1"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- numbers past any scale ------------------------------------------------------------------


def test_snr_far_above_the_grid_draws_signal_only():
    """sqrt(B) from the stable form: no overflow, and B + S = N still holds."""
    assert calibration.split_events(51_006, 1e300) == (0, 51_006)
    assert calibration.split_events(51_006, 1e6) == (0, 51_006)
    assert calibration.split_events(50_000, 1e-300) == (50_000, 0)


def test_score_at_an_absurd_snr_calibrates(capsys):
    code, out, _ = run(
        capsys, "score", SM_ONLY, "--benchmark", "spin1_offshell", "--snr", "1e300",
        "--toys", "20", "--json",
    )  # fmt: skip
    assert code == 0
    cal = json.loads(out)["calibration"]
    assert (cal["b_signal"], cal["s_signal"], cal["n_events"]) == (0, 51006, 51006)


@pytest.mark.parametrize("scale", [1e30, 1e300])
def test_api_refuses_absurd_counts(scale):
    counts = np.full((30, 30), 50.0) * scale
    with pytest.raises(BinningError, match="more than any collider records"):
        dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=0)


def test_api_refuses_too_many_toys():
    with pytest.raises(InvalidParameterError, match="at most 1,000,000, not 1,000,001"):
        dmzoo.score(SM_ONLY, benchmark="spin1_offshell", snr=1.0, toys=1_000_001)


def test_huge_signal_is_printed_in_scientific_notation(capsys):
    code, out, _ = run(
        capsys, "snr", "--sigma-signal", "1e300fb", "--lumi", "139/fb",
        "--benchmark", "spin1_offshell",
    )  # fmt: skip
    assert code == 0
    assert "S = 6.396e+301, S/sqrt(B) = 2.653e+298" in out
    assert "= 5,811,312 events" in out  # ordinary numbers keep their separators


# -- Ctrl-C --------------------------------------------------------------------------------------


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scoring, "score", interrupted)
    code, out, err = run(capsys, "score", SM_ONLY, *SCORE)
    assert (code, out, err) == (130, "", "Interrupted.\n")


# -- weights and normalised histograms -------------------------------------------------------


def test_unit_area_histogram_gets_no_p_value(capsys):
    """Its sum is no number of events: the score, but no pseudo-experiments, and why."""
    counts = np.full((30, 30), 1.0 / 900)
    result = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=100)
    assert result.calibration is None and result.n_selected == pytest.approx(1.0)
    assert any(
        "not whole numbers (normalised?): the pseudo-experiments need" in w for w in result.warnings
    )
    whole = dmzoo.score(np.full((30, 30), 50.0), benchmark="spin1_offshell", snr=1.0, toys=20)
    assert whole.calibration is not None
    assert not any("event counts" in w for w in whole.warnings)


# -- degenerate answers ----------------------------------------------------------------------


def test_powerless_model_says_so():
    """At S/sqrt(B) 0.1 the table's AUC is 0.545 (limit 0.547): the score says next to nothing."""
    result = dmzoo.score(SM_ONLY, benchmark="spin1_offshell", snr=0.1, toys=0)
    assert any("no power" in w and "AUC 0.545" in w for w in result.warnings)


def test_saturated_score_and_too_few_toys_are_named():
    counts = np.zeros((30, 30))
    counts[29, 0] = 100.0  # every event at the highest pT: the model saturates at 1
    result = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.5, toys=20)
    assert result.score > 0.9999
    text = " ".join(result.warnings)
    assert "the score is saturated at 1.0000" in text
    assert "20 pseudo-experiments leave fewer than 10 beyond the 90% threshold" in text


# -- quieter stderr, output files --------------------------------------------------------------


def test_quiet_silences_notes_and_warnings(capsys):
    code, out, err = run(capsys, "-q", "score", SM_ONLY, "--benchmark", "spin1_offshell",
                         "--snr", "1e6", "--toys", "0")  # fmt: skip
    assert code == 0 and out and err == ""


def test_tables_say_once_which_kinds_are_missing(tmp_path, capsys):
    from test_lookup import copy_zoo

    code, _, err = run(capsys, "tables")
    assert code == 0 and err == ""  # the shipped zoo has every kind
    zoo = copy_zoo(tmp_path)  # without the multimodel and multiclass tables
    code, _, err = run(capsys, "tables", "--zoo", str(zoo.root))
    assert code == 0
    assert err == "Note: zoo 0.1.0 has no multimodel or multiclass table yet\n"


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_written_tables_honour_the_umask(tmp_path, capsys, mask):
    before = os.umask(mask)
    try:
        assert main(["tables", "-o", str(tmp_path / "auc.csv")]) == 0
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "auc.csv").stat().st_mode) == 0o666 & ~mask


def test_api_list_of_two_arrays_says_pass_a_tuple():
    pt, eta = np.array([250.0, 300.0]), np.array([0.1, -0.2])
    with pytest.raises(TypeError, match=r"pass the arrays as a tuple \(pt, eta\)"):
        dmzoo.score([pt, eta], benchmark="spin1_offshell", snr=1.0)


# -- S and B from one simulation -------------------------------------------------------------


def test_zoo_sm_background_uses_the_zoo_sample():
    """284.98 pb x 0.2066104 at 139/fb: the tester's hand calculation, S/sqrt(B) 1.118."""
    from dmzoo import sensitivity

    r = sensitivity.snr(0.05, 139_000.0, backgrounds="zoo_sm", benchmark="spin1_offshell")
    assert r.background.processes == ["zoo_sm"]
    assert r.background.events == pytest.approx(284.98 * 0.2066104 * 139_000, rel=1e-4)
    assert round(r.rows[0].snr, 3) == 1.118
    assert not any("two simulations" in n for n in r.notes)
    default = sensitivity.snr(0.05, 139_000.0, benchmark="spin1_offshell")
    assert round(default.rows[0].snr, 3) == 1.327  # the default is unchanged
    assert any("two simulations" in n and "--background zoo_sm" in n for n in default.notes)


def test_zoo_sm_background_on_the_command_line(capsys):
    code, out, err = run(
        capsys, "snr", "--sigma-signal", "50fb", "--lumi", "139/fb",
        "--benchmark", "spin1_offshell", "--background", "zoo_sm",
    )  # fmt: skip
    assert code == 0
    assert "B = 139 fb^-1 x (zoo SM 58.88 pb) = 8,184,434 events [zoo SM sample" in out
    assert "S = 3,198.1, S/sqrt(B) = 1.118" in out


def test_weighted_histogram_with_whole_sums_gets_no_p_value():
    """Weights of 2 sum to whole numbers; the variances still tell them from counts."""
    import hist

    pt, eta = np.full(300, 250.0), np.linspace(-3.0, 3.0, 300)
    weighted = hist.Hist.new.Reg(30, 130, 2000).Reg(30, -4, 4).Weight()
    weighted.fill(pt, eta, weight=2.0)
    result = dmzoo.score(weighted, benchmark="spin1_offshell", snr=1.0, toys=20)
    assert result.calibration is None and result.n_selected == 600
    assert any("its variances differ from its contents" in n for n in result.notes)
    assert any("bin contents are sums of weights" in w for w in result.warnings)
    counted = hist.Hist.new.Reg(30, 130, 2000).Reg(30, -4, 4).Double()
    counted.fill(pt, eta)
    assert dmzoo.score(counted, benchmark="spin1_offshell", snr=1.0, toys=20).calibration
