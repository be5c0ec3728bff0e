"""Parametric models (S/sqrt(B) as an input) on a synthetic zoo whose answers are known.

The zoo holds spin1_offshell's grid models at 0.5 and 2 (output F, the upper-pT fraction),
the multimodel grid models at the same points, and the two parametric models:
`parametric-spin1_offshell` answers x / (1 + x) with x = snr exp(8 (F - 1/2)), the multimodel
`parametric` the same with 4 in place of 8.
"""

import json
import math

import numpy as np
import pytest
from _synthetic_zoo import build, edit, parametric_probability

import dmzoo
from dmzoo import lookup
from dmzoo.cli import main
from dmzoo.errors import InvalidParameterError, ModelNotFoundError, ZooIntegrityError
from dmzoo.inference import Model
from dmzoo.registry import Zoo, make_id, parse_id

COUNTS = np.zeros((30, 30))
COUNTS[:15, :] = 1.0  # 450 events in the lower pT half
COUNTS[15:, :10] = 2.0  # 300 in the upper: F = 0.4
# by hand at F = 0.4, S/sqrt(B) = 1.2: x = 1.2 e^-0.8 = 0.539195, x / (1 + x)
AT_1P2 = 0.350310
AT_1P2_MULTIMODEL = 0.445794  # x = 1.2 e^-0.4 = 0.804384
# the parametric table's rows at 1 and 1.5, interpolated in log S/sqrt(B) to 1.2
T = math.log(1.2) / math.log(1.5)


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    root = tmp_path_factory.mktemp("parametric") / "zoo"
    return build(root, kinds=("binary", "multimodel_binary", "parametric"))


@pytest.fixture
def fresh(tmp_path):
    """A zoo of its own, for tests that damage it."""
    return build(tmp_path / "zoo", kinds=("binary", "multimodel_binary", "parametric"))


def test_ids_have_no_snr():
    assert make_id("parametric", "spin1_offshell", None) == "parametric-spin1_offshell"
    assert make_id("parametric", None, None) == "parametric"
    assert parse_id("parametric-spin1_offshell") == ("parametric", "spin1_offshell", None)
    assert parse_id("parametric") == ("parametric", None, None)


def test_the_model_takes_snr_and_answers_the_hand_computed_value(zoo):
    model = Zoo(zoo).model(Zoo(zoo).get("parametric-spin1_offshell"))
    assert model.parametric and model.snr_range == (0.1, 10.0)
    assert model.input_names == ["histogram", "snr"]
    assert model.predict(COUNTS, snr=1.2) == pytest.approx(AT_1P2, abs=1e-6)
    batch = np.stack([COUNTS, COUNTS])
    # one S/sqrt(B) per histogram: x = 0.5 e^-0.8 and 2 e^-0.8
    assert model.predict(batch, snr=[0.5, 2.0]).tolist() == pytest.approx(
        [0.183450, 0.473312], abs=1e-6
    )
    assert model.predict(batch, snr=10.0).tolist() == pytest.approx([0.817960] * 2, abs=1e-6)


@pytest.mark.parametrize(
    ("snr", "match"),
    [
        (None, r"needs S/sqrt\(B\); call predict\(counts, snr=\.\.\.\)"),
        (0.05, r"S/sqrt\(B\) 0.05 is outside the range the model was trained on, 0.1 to 10"),
        (10.5, r"10.5 is outside the range .* give one inside it, or use a grid model"),
        (float("nan"), "finite and positive"),
        ("1.2", "one S/sqrt"),
        ([1.0, 2.0, 3.0], r"one per histogram \(1\)"),
    ],
)
def test_a_bad_snr_is_refused(zoo, snr, match):
    model = Zoo(zoo).model(Zoo(zoo).get("parametric-spin1_offshell"))
    with pytest.raises(InvalidParameterError, match=match):
        model.predict(COUNTS, snr=snr)


def test_the_range_edges_pass_through_float32(zoo):
    model = Zoo(zoo).model(Zoo(zoo).get("parametric-spin1_offshell"))
    edge = float(np.float32(0.1))  # 0.10000000149
    assert model.predict(COUNTS, snr=edge) == pytest.approx(
        parametric_probability(COUNTS[None], 0.1)[0], abs=1e-6
    )


def test_a_grid_model_takes_no_snr(zoo):
    model = Zoo(zoo).model(Zoo(zoo).get("binary-spin1_offshell-snr2"))
    assert not model.parametric and model.snr_range is None
    with pytest.raises(InvalidParameterError, match=r"trained at S/sqrt\(B\) = 2.0, takes no snr"):
        model.predict(COUNTS, snr=2.0)


def test_score_uses_the_parametric_model_at_the_exact_snr(zoo):
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=1.2, zoo=zoo, toys=0)
    assert (r.model, r.model_kind, r.kind) == ("parametric-spin1_offshell", "parametric", "binary")
    assert r.snr_model == 1.2 and r.score == pytest.approx(AT_1P2, abs=1e-6)
    assert not any("nearest" in n for n in r.notes)
    # from auc_parametric.csv, between its rows at 1 (0.7) and 1.5 (0.8)
    assert r.auc == pytest.approx(0.7 + T * 0.1) and r.auc_method.startswith("interpolated")
    assert r.auc_optimal == pytest.approx(0.72 + T * 0.1)
    d = r.to_dict()
    assert (d["model_kind"], d["model"], d["snr_model"]) == (
        "parametric",
        "parametric-spin1_offshell",
        1.2,
    )


def test_grid_forces_the_nearest_grid_model(zoo):
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=1.2, zoo=zoo, toys=0, grid=True)
    # 1.2 is nearer 2 than 0.5 in log S/sqrt(B); the grid models answer F itself
    assert (r.model, r.model_kind, r.snr_model) == ("binary-spin1_offshell-snr2", "grid", 2.0)
    assert r.score == pytest.approx(0.4, abs=1e-6)
    # from auc_individual.csv: 0.6 at 0.5, 0.9 at 2
    assert r.auc == pytest.approx(0.6 + 0.3 * math.log(1.2 / 0.5) / math.log(4.0))
    assert "no model at S/sqrt(B) = 1.2; used the nearest, 2" in r.notes


def test_multimodel_uses_the_multimodel_parametric_model(zoo):
    r = dmzoo.score(
        COUNTS, benchmark="spin1_offshell", snr=1.2, zoo=zoo, kind="multimodel_binary", toys=0
    )
    assert (r.model, r.model_kind) == ("parametric", "parametric")
    assert r.score == pytest.approx(AT_1P2_MULTIMODEL, abs=1e-6)
    # auc_parametric_multimodel.csv: 0.58 at 0.5, 0.88 at 2
    assert r.auc == pytest.approx(0.58 + 0.3 * math.log(1.2 / 0.5) / math.log(4.0))
    g = dmzoo.score(
        COUNTS,
        benchmark="spin1_offshell",
        snr=1.2,
        zoo=zoo,
        kind="multimodel_binary",
        toys=0,
        grid=True,
    )
    assert (g.model, g.model_kind, g.score) == (
        "multimodel_binary-snr2",
        "grid",
        pytest.approx(0.4),
    )


def test_the_pseudo_experiments_feed_the_same_snr(zoo, monkeypatch):
    fed = []
    predict = Model.predict

    def spy(self, counts, snr=None):
        fed.append((len(counts), snr))  # scoring always passes a batch [k, 30, 30]
        return predict(self, counts, snr=snr)

    monkeypatch.setattr(Model, "predict", spy)
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=1.2, zoo=zoo, toys=300)
    assert {snr for _, snr in fed} == {1.2}
    assert sum(n for n, _ in fed) == 1 + 2 * 300  # the observed histogram and every toy
    # SM-only toys of 750 events: F = Binomial(750, 1/2) / 750, so the median toy has
    # F = 1/2 and scores 1.2 / 2.2 = 0.5455 at the S/sqrt(B) fed
    assert r.calibration.sm_quantiles["0.5"] == pytest.approx(1.2 / 2.2, abs=0.03)
    assert r.calibration.signal_median > r.calibration.sm_quantiles["0.84"]


def test_outside_the_trained_range_score_feeds_the_edge_with_a_warning(zoo):
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=20.0, zoo=zoo, toys=50)
    assert r.snr_requested == 20.0 and r.snr_model == 10.0
    assert r.score == pytest.approx(parametric_probability(COUNTS[None], 10.0)[0], abs=1e-6)
    assert any(
        "outside the range the parametric model was trained on (0.1 to 10)" in w for w in r.warnings
    )
    assert r.auc == 0.9 and r.auc_method == "outside the grid (lower bound)"
    # the signal toys still hold S = 20 sqrt(B)
    assert r.calibration.s_signal == round(20 * math.sqrt(r.calibration.b_signal))


def test_the_shipped_zoo_scores_with_its_parametric_networks():
    r = dmzoo.score(np.full((30, 30), 50.0), benchmark="spin1_offshell", snr=1.2, toys=0)
    assert (r.model, r.model_kind, r.snr_model) == ("parametric-spin1_offshell", "parametric", 1.2)
    g = dmzoo.score(np.full((30, 30), 50.0), benchmark="spin1_offshell", snr=1.2, toys=0, grid=True)
    assert (g.model, g.model_kind, g.snr_model) == ("binary-spin1_offshell-snr1", "grid", 1.0)
    a = lookup.auc("spin1_offshell", 1.2)
    assert (a.model_kind, a.model, a.auc_grid) == (
        "parametric",
        "parametric-spin1_offshell",
        0.83976,
    )
    assert a.table == "tables/auc_parametric.csv"
    m = dmzoo.score(
        np.full((30, 30), 50.0), benchmark="alp", snr=1.2, toys=0, kind="multimodel_binary"
    )
    assert (m.model, m.model_kind) == ("parametric", "parametric")
    # the multimodel grid network beside the multimodel parametric one, on the same histograms
    beside = lookup.auc("alp", 1.2, kind="multimodel")
    assert beside.model == "parametric" and 0.5 < beside.auc_grid < beside.auc_optimal


def test_auc_reads_the_parametric_table_with_the_grid_beside(zoo):
    a = lookup.auc("spin1_offshell", 1.2, zoo=zoo)
    assert (a.model_kind, a.model, a.table) == (
        "parametric",
        "parametric-spin1_offshell",
        "tables/auc_parametric.csv",
    )
    assert a.auc == pytest.approx(0.7 + T * 0.1)
    assert a.auc_grid == pytest.approx(0.68 + T * 0.11)
    assert a.auc_optimal == pytest.approx(0.72 + T * 0.1)
    assert a.snr_grid == (0.5, 2.0) and a.bound is None
    g = lookup.auc("spin1_offshell", 1.2, zoo=zoo, grid=True)
    assert (g.model_kind, g.table, g.auc_grid) == ("grid", "tables/auc_individual.csv", None)
    m = lookup.auc("spin1_offshell", 2.0, zoo=zoo, kind="multimodel")
    assert (m.model, m.auc, m.auc_grid, m.method) == ("parametric", 0.88, 0.9, "grid point")


def test_auc_kind_all_answers_each_kind_with_its_model(zoo):
    answers, notes = lookup.auc_all("spin1_offshell", 1.2, zoo=zoo)
    assert [(a.kind, a.model_kind) for a in answers] == [
        ("individual", "parametric"),
        ("multimodel", "parametric"),
        ("multiclass", "grid"),
    ]
    assert notes == []


def test_cli_score_json_says_which_model(zoo, tmp_path, capsys):
    from _inputs import write_tree

    path = write_tree(
        tmp_path / "e.root",
        "Events",
        "Jet_pt",
        "Jet_eta",
        pt=[[150.0]] * 30 + [[1500.0]] * 10,  # F = 1/4
        eta=[[0.0]] * 40,
    )
    args = ["score", str(path), "--benchmark", "spin1_offshell", "--snr", "1.2", "--zoo", str(zoo)]
    assert main([*args, "--toys", "0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["model_kind"], data["model"], data["snr_model"]) == (
        "parametric",
        "parametric-spin1_offshell",
        1.2,
    )
    x = 1.2 * math.exp(-2.0)  # F = 1/4
    assert data["score"] == pytest.approx(x / (1 + x), abs=1e-6)
    assert main([*args, "--toys", "0", "--json", "--grid"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["model_kind"], data["model"], data["score"]) == (
        "grid",
        "binary-spin1_offshell-snr2",
        pytest.approx(0.25),
    )
    assert main([*args, "--toys", "0"]) == 0
    out = capsys.readouterr().out
    assert (
        "model parametric-spin1_offshell (zoo test) for S/sqrt(B) = 1.2, parametric, fed 1.2" in out
    )


def test_cli_auc_shows_the_grid_beside(zoo, capsys):
    args = ["auc", "--benchmark", "spin1_offshell", "--snr", "1.2", "--zoo", str(zoo)]
    assert main(args) == 0
    assert capsys.readouterr().out == (
        "spin1_offshell, individual, parametric-spin1_offshell, S/sqrt(B) = 1.2: "
        f"AUC {0.7 + T * 0.1:.3f} +- 0.010 (interpolated in log S/sqrt(B)), likelihood-ratio "
        f"limit {0.72 + T * 0.1:.3f}; nearest grid model {0.68 + T * 0.11:.3f} [zoo test]\n"
    )
    assert main([*args, "--grid", "--json"]) == 0
    (answer,) = json.loads(capsys.readouterr().out)["answers"]
    assert (answer["model_kind"], answer["table"]) == ("grid", "tables/auc_individual.csv")


def test_list_and_info_show_parametric_models(zoo, capsys):
    assert main(["list", "--kind", "parametric", "--zoo", str(zoo)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == [
        "parametric-spin1_offshell",
        "parametric",
        "against",
        "spin1_offshell,",
        "S/sqrt(B)",
        "as",
        "an",
        "input",
    ]
    assert out[2].split()[:3] == ["parametric", "parametric", "multimodel,"]
    assert main(["info", "parametric", "--zoo", str(zoo), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["inputs"] == ["histogram", "snr"] and data["snr_range"] == [0.1, 10.0]
    assert data["snr"] is None and data["benchmark"] is None
    assert data["metadata"]["snr"] == {"min": 0.1, "max": 10.0}


def test_grid_without_a_grid_model_says_drop_it(tmp_path):
    root = build(tmp_path / "zoo", kinds=("parametric",))
    with pytest.raises(
        ModelNotFoundError, match="only the parametric parametric-spin1_offshell; drop --grid"
    ):
        dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=1.2, zoo=root, grid=True)
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=1.2, zoo=root, toys=0)
    assert r.model == "parametric-spin1_offshell"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"metadata": {"snr": "1.5"}}, r"metadata snr must be its trained range"),
        ({"metadata": {"snr": '{"min": 2, "max": 1}'}}, "0 < min < max"),
        ({"metadata": {"kind": "binary"}}, "kind binary takes one input"),
        ({"entry": {"snr": 1.2}}, r"the manifest disagrees \(parametric spin1_offshell at 1.2\)"),
        ({"entry": {"benchmark": "spin1_onshell"}}, "the manifest disagrees"),
        ({"entry": {"kind": "binary"}}, "the manifest disagrees"),
    ],
)
def test_a_parametric_model_that_breaks_the_contract_is_refused(fresh, change, match):
    edit(fresh, "parametric-spin1_offshell", **change)
    zoo = Zoo(fresh)
    with pytest.raises(ZooIntegrityError, match=match):
        zoo.model(zoo.get("parametric-spin1_offshell"))


def test_a_one_input_model_marked_parametric_is_refused(fresh):
    edit(
        fresh,
        "binary-spin1_offshell-snr2",
        metadata={"kind": "parametric", "snr": '{"min": 0.1, "max": 10}'},
        entry={"kind": "parametric", "snr": None},
    )
    zoo = Zoo(fresh)
    with pytest.raises(
        ZooIntegrityError, match="takes inputs histogram and snr, this one histogram"
    ):
        zoo.model(zoo.get("binary-spin1_offshell-snr2"))


def test_cli_refuses_a_broken_parametric_model_in_one_line(fresh, nanoaod_like, capsys):
    edit(fresh, "parametric-spin1_offshell", metadata={"snr": "1.5"})
    args = ["--benchmark", "spin1_offshell", "--snr", "1", "--zoo", str(fresh)]
    assert main(["score", str(nanoaod_like), *args]) == 3
    err = capsys.readouterr().err
    assert err == (
        "Error: parametric-spin1_offshell.onnx: a parametric model's metadata snr must be its "
        'trained range {"min": ..., "max": ...} with 0 < min < max, not 1.5; re-export it\n'
    )
    assert main(["score", str(nanoaod_like), *args, "--grid", "--toys", "0"]) == 0


def test_a_zoo_with_the_model_but_not_its_table(fresh):
    manifest = json.loads((fresh / "manifest.json").read_text())
    del manifest["files"]["tables/auc_parametric.csv"]
    (fresh / "manifest.json").write_text(json.dumps(manifest))
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=1.2, zoo=fresh, toys=0)
    assert r.model_kind == "parametric" and r.auc is None
    assert "zoo test has no tables/auc_parametric.csv; no expected AUC" in r.notes
    with pytest.raises(ZooIntegrityError, match="holds parametric-spin1_offshell but not"):
        lookup.auc("spin1_offshell", 1.2, zoo=fresh)
    assert lookup.auc("spin1_offshell", 1.2, zoo=fresh, grid=True).model_kind == "grid"


def test_an_unknown_benchmark_lists_those_with_only_a_parametric_model(tmp_path):
    root = build(tmp_path / "zoo", kinds=("parametric",))
    with pytest.raises(ModelNotFoundError, match="did you mean spin1_offshell.*available: spin1"):
        dmzoo.score(COUNTS, benchmark="spin1_offshel", snr=1.2, zoo=root)


def test_the_summary_plot_draws_the_parametric_curve(zoo, tmp_path, monkeypatch, capsys):
    from _inputs import write_tree

    from dmzoo import plots

    read = []
    original = plots.tables.read_table
    monkeypatch.setattr(
        plots.tables, "read_table", lambda path, *a: read.append(path.name) or original(path, *a)
    )
    path = write_tree(
        tmp_path / "e.root", "Events", "Jet_pt", "Jet_eta", pt=[[150.0]] * 40, eta=[[0.0]] * 40
    )
    out = tmp_path / "summary.png"
    args = ["score", str(path), "--benchmark", "spin1_offshell", "--snr", "1.2", "--toys", "20"]
    assert main([*args, "--zoo", str(zoo), "--plot", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert set(read) == {"auc_parametric.csv"}  # the expected AUC and the curve, not the grid


def test_snr_and_reach_read_the_parametric_table(zoo):
    from dmzoo import sensitivity

    lumi = 139000.0
    # AUC 0.75 lies halfway, in log S/sqrt(B), between the parametric rows at 1 (0.70) and
    # 1.5 (0.80); the limit's rows 0.72 and 0.82 reach it 30% of the way
    (a,), _ = sensitivity.reach("spin1_offshell", lumi, target_auc=0.75, zoo=zoo)
    assert (a.model_kind, a.model, a.table) == (
        "parametric",
        "parametric-spin1_offshell",
        "tables/auc_parametric.csv",
    )
    assert a.classifier.snr == pytest.approx(math.sqrt(1.5))
    assert a.likelihood_ratio.snr == pytest.approx(1.5**0.3)
    (g,), _ = sensitivity.reach("spin1_offshell", lumi, target_auc=0.75, zoo=zoo, grid=True)
    assert (g.model_kind, g.model, g.table) == ("grid", None, "tables/auc_individual.csv")
    assert g.classifier.snr != pytest.approx(a.classifier.snr)

    # forward: the S/sqrt(B) that cross section gives back reads the same table
    (row,) = sensitivity.snr(
        a.signal_pb, lumi, efficiency=1.0, benchmark="spin1_offshell", zoo=zoo
    ).rows
    assert row.snr == pytest.approx(math.sqrt(1.5))
    (found,) = row.auc
    assert (found.model, found.auc) == ("parametric-spin1_offshell", pytest.approx(0.75))
    (row,) = sensitivity.snr(
        a.signal_pb, lumi, efficiency=1.0, benchmark="spin1_offshell", zoo=zoo, grid=True
    ).rows
    assert row.auc[0].model_kind == "grid"


def test_cli_reach_names_the_parametric_model(zoo, capsys):
    args = ["reach", "--benchmark", "spin1_offshell", "--lumi", "139/fb", "--auc", "0.75"]
    assert main([*args, "--zoo", str(zoo)]) == 0
    assert capsys.readouterr().out.startswith(
        "spin1_offshell, individual, AUC 0.75 at 139 fb^-1, parametric-spin1_offshell (zoo test)"
    )
    assert main([*args, "--zoo", str(zoo), "--grid", "--json"]) == 0
    (answer,) = json.loads(capsys.readouterr().out)["answers"]
    assert (answer["model_kind"], answer["table"]) == ("grid", "tables/auc_individual.csv")


def test_snr_and_reach_answer_a_kind_from_its_parametric_table_alone(tmp_path):
    from dmzoo import sensitivity

    root = build(tmp_path / "zoo", kinds=("binary", "parametric"))
    manifest = json.loads((root / "manifest.json").read_text())
    del manifest["files"]["tables/auc_multimodel_binary.csv"]
    (root / "tables" / "auc_multimodel_binary.csv").unlink()
    (root / "manifest.json").write_text(json.dumps(manifest))
    zoo = Zoo(root)
    # the multimodel parametric rows at 0.5 (0.58) and 2 (0.88): AUC 0.73 halfway in log
    (a,), notes = sensitivity.reach(
        "spin1_offshell", 139000.0, target_auc=0.73, kind="multimodel", zoo=zoo
    )
    assert notes == [] and (a.model, a.table) == (
        "parametric",
        "tables/auc_parametric_multimodel.csv",
    )
    assert a.classifier.snr == pytest.approx(1.0)
    with pytest.raises(ModelNotFoundError, match="has no multimodel table"):
        sensitivity.reach("spin1_offshell", 139000.0, kind="multimodel", zoo=zoo, grid=True)
    (row,) = sensitivity.snr(
        a.signal_pb,
        139000.0,
        efficiency=1.0,
        benchmark="spin1_offshell",
        kind="multimodel",
        zoo=zoo,
    ).rows
    assert row.auc[0].auc == pytest.approx(0.73) and row.auc[0].model == "parametric"
