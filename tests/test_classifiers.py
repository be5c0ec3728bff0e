"""Multimodel and multiclass scoring on a synthetic zoo whose models' answers are known."""

import json
import math

import numpy as np
import pytest
from _synthetic_zoo import LABELS, build, multiclass_probabilities, upper_fraction

import dmzoo
from dmzoo import binning
from dmzoo.cli import main
from dmzoo.errors import ModelNotFoundError, ZooIntegrityError

COUNTS = np.zeros((30, 30))
COUNTS[:15, :] = 1.0  # 450 events in the lower pT half
COUNTS[15:, :10] = 2.0  # 300 in the upper: F = 0.4


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    return build(tmp_path_factory.mktemp("synthetic") / "zoo")


def test_multimodel_scores_the_probability_of_new_physics(zoo):
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=1.8, zoo=zoo, kind="multimodel_binary")
    assert r.kind == "multimodel_binary" and r.model == "multimodel_binary-snr2"
    assert r.score == pytest.approx(0.4, abs=1e-6)
    assert r.classes is None
    # the multimodel table's row for spin1_offshell, interpolated in log S/sqrt(B)
    t = math.log(1.8 / 0.5) / math.log(2.0 / 0.5)
    assert r.auc == pytest.approx(0.6 + t * 0.3) and r.auc_method.startswith("interpolated")
    # SM-only toys of 750 events: F = Binomial(750, 1/2) / 750 is at least 0.4 almost surely
    cal = r.calibration
    assert cal.n_events == 750 and cal.p_value == 1.0
    assert (cal.b_signal, cal.s_signal) == (702, 48)  # 48 = round(1.8 sqrt(702))


def test_multiclass_gives_eight_probabilities_and_the_papers_rule(zoo):
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=0.5, zoo=zoo, kind="multiclass")
    expected = multiclass_probabilities(COUNTS[None])[0]
    assert list(r.classes.probabilities) == list(LABELS.values())
    assert list(r.classes.probabilities.values()) == pytest.approx(expected.tolist(), abs=1e-6)
    assert r.score == pytest.approx(1.0 - expected[0], abs=1e-6)
    # logits at F = 0.4: sm 0.8, spin1_offshell -0.8, the rest 0; e^0.8 / (e^0.8 + e^-0.8 + 6)
    assert r.classes.top_class == "sm" and r.classes.top_probability == pytest.approx(
        0.25655, abs=1e-5
    )
    assert r.classes.identified == "sm"  # top, and above 0.25
    assert r.auc == 0.55 and r.model == "multiclass-snr0.5"


@pytest.mark.parametrize(
    ("upper", "top", "identified"),
    [(0.0, "sm", "sm"), (0.5, "sm", None), (1.0, "spin1_offshell", "spin1_offshell")],
)
def test_a_class_counts_only_when_top_and_above_a_quarter(zoo, upper, top, identified):
    counts = np.zeros((30, 30))
    counts[15:, :] = upper * 100.0
    counts[:15, :] = (1.0 - upper) * 100.0
    r = dmzoo.score(counts, benchmark="spin1_offshell", snr=2.0, zoo=zoo, kind="multiclass", toys=0)
    # at F = 1/2 every logit is 0: all eight classes at 1/8, none identified
    assert r.classes.top_class == top and r.classes.identified == identified
    assert r.calibration is None


def test_a_held_out_benchmark_is_calibrated_without_an_expected_auc(zoo):
    r = dmzoo.score(
        COUNTS, benchmark="spin1_onshell", snr=2.0, zoo=zoo, kind="multiclass", toys=200
    )
    assert r.auc is None and r.auc_method == "not in the table"
    assert any("no row for spin1_onshell" in n for n in r.notes)
    assert r.calibration.signal_median > r.calibration.sm_quantiles["0.5"]


def test_multiclass_toys_score_one_minus_p_sm(zoo):
    r = dmzoo.score(
        COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=zoo, kind="multiclass", toys=400
    )
    # signal toys hold more upper-half events, so P(sm) falls and the score rises
    assert r.calibration.signal_median > r.calibration.sm_quantiles["0.84"]


def test_output_of_shape_n_by_1_is_accepted(tmp_path):
    root = build(tmp_path / "zoo", kinds=("multimodel_binary",), output_shape="N,1")
    r = dmzoo.score(
        COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=root, kind="multimodel_binary", toys=10
    )
    assert r.score == pytest.approx(0.4, abs=1e-6)


def test_output_of_another_shape_is_refused(tmp_path):
    root = build(tmp_path / "zoo", kinds=("multimodel_binary",), output_shape="N,3")
    with pytest.raises(ZooIntegrityError, match=r"output shape \(1, 3\).*re-export"):
        dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=root, kind="multimodel_binary")


@pytest.mark.parametrize(
    "labels",
    [{**LABELS, "0": "background"}, {k: v for k, v in LABELS.items() if k != "7"}],
)
def test_multiclass_labels_must_follow_the_contract(tmp_path, labels):
    root = build(tmp_path / "zoo", kinds=("multiclass",), labels=labels)
    with pytest.raises(ZooIntegrityError, match="label"):
        dmzoo.score(
            COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=root, kind="multiclass", toys=0
        )


def test_a_zoo_without_the_kind_says_so(tmp_path):
    root = build(tmp_path / "zoo", kinds=("multimodel_binary",))
    with pytest.raises(ModelNotFoundError, match="has no multiclass model.*drop --multiclass"):
        dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=root, kind="multiclass")


def test_unknown_benchmark_for_multimodel_suggests_names(zoo):
    with pytest.raises(ModelNotFoundError, match="did you mean spin1_offshell"):
        dmzoo.score(COUNTS, benchmark="spin1_offshel", snr=2.0, zoo=zoo, kind="multimodel_binary")


@pytest.mark.parametrize(
    ("example", "top", "probability"),
    [("sm_only", "sm", 0.99786), ("sm_plus_spin1_offshell_snr4.5", "spin1_offshell", 0.91277)],
)
def test_the_shipped_multiclass_network_names_the_shipped_examples(
    capsys, example, top, probability
):
    from dmzoo.registry import shipped_zoo_path

    path = shipped_zoo_path() / "examples" / f"{example}.root"
    args = ["score", str(path), "--benchmark", "spin1_offshell", "--snr", "4.5", "--json"]
    assert main([*args, "--multiclass", "--toys", "0"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["model"] == "multiclass-snr4.5" and doc["classes"]["top_class"] == top
    assert doc["classes"]["probabilities"][top] == pytest.approx(probability, abs=1e-5)
    assert sum(doc["classes"]["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)


def test_a_zoo_with_only_the_parametric_multimodel_says_drop_grid(tmp_path):
    root = build(tmp_path / "zoo", kinds=("binary", "parametric"))
    with pytest.raises(ModelNotFoundError, match="drop --grid"):
        dmzoo.score(
            COUNTS,
            benchmark="spin1_offshell",
            snr=1.0,
            zoo=root,
            kind="multimodel_binary",
            grid=True,
        )


def test_cli_multiclass_json_and_summary(zoo, tmp_path, capsys):
    from _inputs import write_soft_and_hard

    path = write_soft_and_hard(tmp_path / "e.root")  # F = 0.25
    args = [
        "score",
        str(path),
        "--benchmark",
        "spin1_offshell",
        "--snr",
        "2",
        "--multiclass",
        "--zoo",
        str(zoo),
        "--toys",
        "100",
    ]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "multiclass" and data["classes"]["top_class"] == "sm"
    counts = binning.fill(np.array([150.0] * 30 + [1500.0] * 10), np.zeros(40))
    assert upper_fraction(counts[None])[0] == 0.25
    assert data["score"] == pytest.approx(
        1 - multiclass_probabilities(counts[None])[0, 0], abs=1e-6
    )
    assert data["calibration"]["n_toys"] == 100 and "toys" not in data
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "classes: sm " in out and "the paper's rule identifies sm" in out
    assert "1 - P(sm)" in out and "p-value under SM only" in out
