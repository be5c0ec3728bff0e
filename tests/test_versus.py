"""Model-against-model scoring (`score --versus`) on a synthetic zoo whose answers are known.

The pair `alp_vs_spin1_offshell` outputs F, the upper-pT-half fraction, as the probability of
label 1, spin1_offshell; the alp template fills the lower half, spin1_offshell's the upper.
"""

import json
import math

import numpy as np
import pytest
from _synthetic_zoo import build

import dmzoo
from dmzoo.cli import main
from dmzoo.errors import InvalidParameterError, ModelNotFoundError

COUNTS = np.zeros((30, 30))
COUNTS[:15, :] = 10.0  # 4500 events in the lower pT half
COUNTS[15:, :] = 12.0  # 5400 in the upper: F = 5400 / 9900
F = 5400 / 9900


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    return build(tmp_path_factory.mktemp("versus") / "zoo", kinds=("binary", "model_vs_model"))


def test_the_score_is_the_probability_of_the_benchmark_asked_about(zoo):
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", versus="alp", snr=1.8, zoo=zoo, toys=0)
    assert (r.kind, r.model, r.versus) == (
        "model_vs_model",
        "model_vs_model-alp_vs_spin1_offshell-snr2",
        "alp",
    )
    assert r.score == pytest.approx(F, abs=1e-6)
    flipped = dmzoo.score(
        COUNTS, benchmark="alp", versus="spin1_offshell", snr=1.8, zoo=zoo, toys=0
    )
    assert flipped.score == pytest.approx(1 - F, abs=1e-6)
    # the pair's table row, whichever side was asked about
    t = math.log(1.8 / 0.5) / math.log(2.0 / 0.5)
    assert r.auc == flipped.auc == pytest.approx(0.7 + t * 0.25)


def test_the_p_value_tests_sm_plus_the_other_benchmark(zoo):
    r = dmzoo.score(
        COUNTS, benchmark="spin1_offshell", versus="alp", snr=2.0, zoo=zoo, toys=400, seed=3
    )
    cal = r.calibration
    # 9900 events: B = 9703, S = 197 = round(2 sqrt(9703)). The null (SM + alp) puts half of
    # B in the upper half and none of S: F = 4851.5 / 9900 = 0.4901; the alternative (SM +
    # spin1_offshell, all of S up) 5048.5 / 9900 = 0.5099, with binomial spread about 0.005
    assert (cal.b_signal, cal.s_signal) == (9703, 197)
    assert cal.sm_quantiles["0.5"] == pytest.approx(4851.5 / 9900, abs=0.002)
    assert cal.signal_median == pytest.approx(5048.5 / 9900, abs=0.002)
    # the observed F = 0.545 lies far above both: SM + alp is rejected
    assert cal.p_value < 0.01


def test_versus_refuses_what_it_cannot_answer(zoo, tmp_path):
    with pytest.raises(InvalidParameterError, match="is the benchmark itself"):
        dmzoo.score(COUNTS, benchmark="alp", versus="alp", snr=1.0, zoo=zoo, toys=0)
    with pytest.raises(InvalidParameterError, match="drop --multiclass"):
        dmzoo.score(
            COUNTS, benchmark="alp", versus="spin1_offshell", snr=1.0, zoo=zoo, kind="multiclass"
        )
    with pytest.raises(ModelNotFoundError, match="it holds alp vs spin1_offshell"):
        dmzoo.score(COUNTS, benchmark="alp", versus="spin1_onshell", snr=1.0, zoo=zoo, toys=0)
    plain = build(tmp_path / "zoo", kinds=("binary",))
    with pytest.raises(ModelNotFoundError, match="no model-vs-model classifier"):
        dmzoo.score(COUNTS, benchmark="alp", versus="spin1_offshell", snr=1.0, zoo=plain)


def test_cli_says_which_question_it_answered(zoo, tmp_path, capsys):
    from _inputs import write_soft_and_hard

    path = write_soft_and_hard(tmp_path / "e.root")  # F = 0.25
    args = ["score", str(path), "--zoo", str(zoo), "--benchmark", "spin1_offshell"]
    args += ["--versus", "alp", "--selection", "leading-jet"]
    assert main([*args, "--snr", "2", "--toys", "100"]) == 0
    out = capsys.readouterr().out
    assert "probability that the signal is spin1_offshell rather than alp" in out
    assert "p-value under SM + alp" in out
    assert main([*args, "--snr", "2", "--toys", "0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kind"], data["versus"], data["score"]) == (
        "model_vs_model",
        "alp",
        pytest.approx(0.25, abs=1e-6),
    )


def test_the_null_toys_hold_exactly_b_and_s_as_the_signal_toys_do(zoo):
    # 100 events at S/sqrt(B) = 5: B = 61, S = 39. Drawing the null as one multinomial of the
    # mixture would let the other signal's count vary and widen its spread: with B and S
    # fixed both toy sets have the binomial spread of F (sqrt(61 / 4) / 100 = 0.039)
    r = dmzoo.score(
        _hundred(), benchmark="spin1_offshell", versus="alp", snr=5.0, zoo=zoo, toys=20000, seed=1
    )
    cal = r.calibration
    assert (cal.b_signal, cal.s_signal) == (61, 39)
    # one multinomial of the mixture would give sqrt(100 p (1 - p)) / 100 = 0.046, p = 0.305
    assert np.std(r.toys.sm) == pytest.approx(np.sqrt(61 / 4) / 100, rel=0.03)
    assert np.std(r.toys.signal) == pytest.approx(np.sqrt(61 / 4) / 100, rel=0.03)
    assert r.null == "SM + alp"


def _hundred():
    counts = np.zeros((30, 30))
    counts[0, :25] = 2.0  # 50 events in the lowest pT row
    counts[29, :25] = 2.0  # and 50 in the highest
    return counts


def test_kind_and_versus_must_agree(zoo):
    with pytest.raises(InvalidParameterError, match="give the other one, versus="):
        dmzoo.score(COUNTS, benchmark="alp", snr=1.0, zoo=zoo, kind="model_vs_model", toys=0)
    with pytest.raises(InvalidParameterError, match="drop kind='bogus'"):
        dmzoo.score(
            COUNTS, benchmark="alp", versus="spin1_offshell", snr=1.0, zoo=zoo, kind="bogus"
        )
