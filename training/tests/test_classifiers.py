"""The multimodel, multiclass and model-vs-model classifiers: synthesis, training, export, tables."""

import json
from pathlib import Path

import numpy as np
import pytest

from dmzoo_training import classifiers, histograms

pytest.importorskip("tensorflow")

from dmzoo_training import export, grid, zoo_build  # noqa: E402
from dmzoo_training.train import (  # noqa: E402
    TrainConfig,
    load_pools,
    train_one,
    train_parametric,
)

TINY = TrainConfig(b=5000, n_train=256, n_val=128, n_test=200, max_epochs=2, patience=1)


def _templates(names):
    rng = np.random.default_rng(0)
    probs = {}
    for n in ("sm", *names):
        p = rng.random((30, 30))
        probs[n] = p / p.sum()
    return histograms.Templates(probs, {n: 10_000 for n in probs})


def test_specs_follow_the_papers_table_1():
    mc = classifiers.multiclass()
    assert mc.labels == {
        "0": "sm",
        "1": "alp",
        "2": "spin0_offshell",
        "3": "spin0_onshell",
        "4": "spin1_offshell",
        "5": "spin1_offshell_ps",
        "6": "spin2_onshell",
        "7": "spin2_offshell_ps",
    }
    assert mc.n_outputs == 8 and mc.model_id(1.0) == "multiclass-snr1"
    assert classifiers.HELD_OUT == ("spin0_offshell_ps", "spin1_onshell", "spin2_offshell")
    mm = classifiers.multimodel_binary()
    assert mm.n_outputs == 1 and mm.classes[1] == classifiers.LABELLED
    pairs = [s.benchmark for s in classifiers.all_model_vs_model()]
    assert len(pairs) == 6 and "alp_vs_spin0_onshell" in pairs
    for spec in (mc, mm, classifiers.model_vs_model("alp", "spin2_onshell")):
        assert classifiers.from_id(spec.model_id(0.45)) == spec


def test_multimodel_histograms_take_the_seven_models_in_turn():
    spec = classifiers.multimodel_binary()
    t = _templates(classifiers.LABELLED)
    x, y = t.draw(spec.classes, 5000, 70, 70, np.random.default_rng(1))
    assert x.shape == (140, 30, 30) and y.tolist() == [1.0] * 70 + [0.0] * 70
    assert set(x.reshape(140, -1).sum(axis=1)) == {5070.0}


def test_multiclass_histograms_carry_eight_labels():
    spec = classifiers.multiclass()
    t = _templates(classifiers.LABELLED)
    x, y = t.draw(spec.classes, 5000, 70, 10, np.random.default_rng(2))
    assert x.shape == (80, 30, 30)
    assert y.tolist() == [float(k) for k in [*range(1, 8), 0] for _ in range(10)]


def test_binary_draw_is_what_the_first_zoo_drew():
    """The generalised synthesis reproduces the binary histograms draw for draw."""
    t = _templates(["spin1_offshell"])
    x, y = t.draw(((), ("spin1_offshell",)), 5000, 71, 4, np.random.default_rng(3))
    rng = np.random.default_rng(3)
    sig = rng.multinomial(5000, t.probs["sm"].ravel(), size=4)
    sig += rng.multinomial(71, t.probs["spin1_offshell"].ravel(), size=4)
    only = rng.multinomial(5071, t.probs["sm"].ravel(), size=4)
    assert np.array_equal(x.reshape(8, -1), np.concatenate([sig, only]))


@pytest.fixture(scope="module")
def trained_all(all_events_dir, tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs-all")
    specs = [
        (classifiers.binary("alp"), 3.3),
        (classifiers.multimodel_binary(), 3.3),
        (classifiers.multiclass(), 3.3),
        (classifiers.model_vs_model("alp", "spin2_onshell"), 3.3),
        (classifiers.binary("alp"), 1.0),
        (classifiers.binary("spin2_onshell"), 3.3),
        (classifiers.parametric("alp"), None),
    ]
    results = {}
    for spec, snr in specs:
        pools = load_pools([s for s in spec.pool_samples if s != "sm"], all_events_dir)
        out = grid.run_dir(spec, snr, 0, runs)
        if spec.conditioned:
            res = train_parametric(pools, spec, 0, TINY, out)
        else:
            res = train_one(pools, spec, snr, 0, TINY, out)
        results.setdefault(spec.kind, res)
    return results, runs


def test_multimodel_is_measured_on_all_ten(trained_all):
    res = trained_all[0]["multimodel_binary"]
    per = res["per_benchmark"]
    assert sorted(per) == sorted(classifiers.BENCHMARKS)
    assert [b for b, m in per.items() if not m["trained_on"]] == sorted(classifiers.HELD_OUT)
    # the same test histograms as the binary alp network: the same likelihood-ratio limit
    assert per["alp"]["auc_optimal"] == pytest.approx(trained_all[0]["binary"]["auc_optimal"])


def test_multiclass_limits_and_frequencies(trained_all):
    res = trained_all[0]["multiclass"]
    assert sorted(res["per_class"]) == sorted(["sm", *classifiers.LABELLED])
    for m in res["per_class"].values():
        assert 0.5 <= m["auc_optimal"] <= 1.0
    freq = res["frequencies"]
    assert sorted(freq) == sorted(["sm", *classifiers.BENCHMARKS])
    for row in freq.values():
        assert sum(row.values()) == pytest.approx(1.0)


def test_model_vs_model_has_a_limit(trained_all):
    res = trained_all[0]["model_vs_model"]
    assert res["id"] == "model_vs_model-alp_vs_spin2_onshell-snr3.3"
    assert 0.5 < res["auc_optimal"] <= 1.0 and 0.5 < res["auc_asymptotic"] <= 1.0


def test_export_and_tables_of_every_kind(trained_all, all_events_dir, tmp_path):
    import onnx

    _, runs = trained_all
    zoo = tmp_path / "zoo"
    tables = zoo_build.write_tables(zoo=zoo, runs=runs)
    assert sorted(p.name for p in tables) == [
        "auc_individual.csv",
        "auc_model_vs_model.csv",
        "auc_multiclass.csv",
        "auc_multimodel_binary.csv",
        "multiclass_frequencies.csv",
    ]
    manifest = zoo_build.export_all(zoo=zoo, runs=runs, events_dir=all_events_dir)
    kinds = sorted({m["kind"] for m in manifest["models"]})
    assert kinds == ["binary", "model_vs_model", "multiclass", "multimodel_binary", "parametric"]
    # Exported again in the same process (tf2onnx's name counters have moved on): every kind
    # comes out byte for byte the same, the parametric one's port-suffixed names included.
    again = zoo_build.export_all(zoo=tmp_path / "again", runs=runs, events_dir=all_events_dir)
    assert [m["sha256"] for m in again["models"]] == [m["sha256"] for m in manifest["models"]]
    assert "tables/auc_multiclass.csv" in manifest["files"]
    mc = next(m for m in manifest["models"] if m["kind"] == "multiclass")
    assert mc["benchmark"] is None and mc["id"] == "multiclass-snr3.3"
    proto = onnx.load(zoo / mc["path"])
    meta = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(meta["labels"])["4"] == "spin1_offshell" and "benchmark" not in meta
    x = np.random.default_rng(4).poisson(20.0, size=(3, 30, 30)).astype(np.float32)
    out = export.onnx_predict(zoo / mc["path"], x)
    assert out.shape == (3, 8) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    mm_rows = (zoo / "tables" / "auc_multimodel_binary.csv").read_text().splitlines()
    assert mm_rows[0].startswith("benchmark,snr,auc,auc_std,n_trainings,auc_optimal,")
    assert len(mm_rows) == 11  # header and the ten benchmarks
    alp = next(r for r in mm_rows if r.startswith("alp,"))
    header = mm_rows[0].split(",")
    assert alp.split(",")[header.index("auc_individual")] != ""  # the binary alp ran too
    from dmzoo_training import crosscheck, plots

    rows = crosscheck.wrong_model(runs=runs, events_dir=all_events_dir, config=TINY)
    zoo_build.write_table(zoo, "auc_wrong_model", rows)
    drawn = plots.figures(zoo / "tables", zoo / "figures")
    assert sorted(p.name for p in drawn) == [
        "auc_individual.png",
        "auc_model_vs_model.png",
        "auc_multiclass.png",
        "auc_multimodel_binary.png",
        "auc_wrong_model.png",
        "multiclass_frequencies.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in drawn)


def test_grid_runs_on_dask_and_resumes(events_dir, tmp_path):
    runs = tmp_path / "runs"
    jobs = [grid.Job("binary-spin1_offshell-snr2.2", 2.2, r) for r in range(2)]
    first = grid.run_jobs(jobs, TINY, workers=1, events_dir=events_dir, runs=runs, progress=False)
    assert [r["repeat"] for r in first] == [0, 1]
    assert first[0]["seed"] != first[1]["seed"]
    # Everything is finished: no cluster starts, the stored results come back.
    again = grid.run_jobs(
        jobs, TINY, scheduler="tcp://127.0.0.1:9", events_dir=events_dir, runs=runs
    )
    assert [r["auc"] for r in again] == [r["auc"] for r in first]
    # Only the chosen repeat keeps its network; the other still counts as finished.
    grid.keep_chosen_networks({jobs[0].model_id}, runs)
    kept = sorted(p.parent.name for p in (runs / jobs[0].model_id).glob("*/model.keras"))
    best = grid.chosen(first)["repeat"]
    assert kept == [f"repeat-{best}"]
    pruned = grid.finished(runs / jobs[0].model_id / f"repeat-{1 - best}", TINY)
    assert pruned["model_pruned"] and pruned["auc"] == first[1 - best]["auc"]
    assert len(zoo_build.collect(runs)[jobs[0].model_id]) == 2
    # A choice that falls on a pruned repeat trains it again, from its own seed. (TensorFlow's
    # shuffling also depends on what the worker process ran before, so the network can differ
    # within the test set's error.)
    (runs / jobs[0].model_id / f"repeat-{best}" / "model.keras").unlink()
    again = grid.retrain_pruned_choices({jobs[0].model_id}, runs)
    assert again == [jobs[best]]
    [redone] = grid.run_jobs(again, TINY, workers=1, events_dir=events_dir, runs=runs)
    assert redone["seed"] == first[best]["seed"] and redone["repeat"] == best
    assert redone["auc"] == pytest.approx(first[best]["auc"], abs=2 * first[best]["auc_error"])


def test_the_chosen_repeat_is_the_typical_one_not_the_luckiest():
    def runs(*val):
        return [{"repeat": k, "val_auc_best": v} for k, v in enumerate(val)]

    # Four repeats stayed at their start (to 1e-6); one drifted up on validation noise.
    drifted = runs(0.564920, 0.573402, 0.564921, 0.564920, 0.564920)
    assert grid.chosen(drifted)["repeat"] == 2  # the best of the typical ones
    assert grid.chosen(runs(0.70, 0.60, 0.65))["repeat"] == 2  # the median
    assert grid.chosen(runs(0.60, 0.65))["repeat"] == 1  # the upper median of two
    assert grid.chosen(runs(0.6))["repeat"] == 0


def test_networks_on_the_wrong_snr_and_the_wrong_model(trained_all, all_events_dir):
    from dmzoo_training import crosscheck

    _, runs = trained_all
    rows = crosscheck.wrong_snr(["alp"], runs=runs, events_dir=all_events_dir, config=TINY)
    assert len(rows) == 4  # trained at 1 and 3.3, each tested at both
    for r in rows:
        if r["snr_train"] == r["snr_test"]:
            assert r["auc"] == r["auc_matched"] and r["ratio_to_matched"] == 1.0
    # the matched entry is the AUC the training measured on the same test histograms
    at33 = next(r for r in rows if r["snr_train"] == r["snr_test"] == 3.3)
    assert at33["auc"] == pytest.approx(trained_all[0]["binary"]["auc"])
    rows = crosscheck.wrong_model(runs=runs, events_dir=all_events_dir, config=TINY)
    pairs = {(r["trained_on"], r["tested_on"]) for r in rows}
    assert pairs == {
        ("alp", "alp"),
        ("alp", "spin2_onshell"),
        ("spin2_onshell", "alp"),
        ("spin2_onshell", "spin2_onshell"),
    }


def test_parametric_network_is_measured_everywhere_and_takes_snr(
    trained_all, all_events_dir, tmp_path
):
    from dmzoo_training import crosscheck, evaluate

    res = trained_all[0]["parametric"]
    assert res["id"] == "parametric-alp" and res["snr"] is None
    snrs = [p["snr"] for p in res["points"]]
    assert snrs == sorted((*classifiers.SNR_GRID, *evaluate.BETWEEN))
    # at S/sqrt(B) = 3.3 the parametric and the binary alp network see the same histograms
    at33 = next(p for p in res["points"] if p["snr"] == 3.3)
    assert at33["auc_optimal"] == pytest.approx(trained_all[0]["binary"]["auc_optimal"])
    _, runs = trained_all
    rows = crosscheck.parametric_vs_grid(runs=runs, events_dir=all_events_dir, config=TINY)
    assert len(rows) == len(snrs)
    row = next(r for r in rows if r["snr"] == 1.2)
    assert row["snr_grid"] == 1.0 and 0.0 <= row["auc_grid"] <= 1.0
    assert next(r for r in rows if r["snr"] == 3.3)["auc_grid"] == pytest.approx(
        trained_all[0]["binary"]["auc"]
    )
    zoo = tmp_path / "zoo"
    from dmzoo_training import plots

    zoo_build.write_table(zoo, "auc_parametric", rows)
    drawn = plots.figures(zoo / "tables", zoo / "figures")
    assert [p.name for p in drawn] == ["auc_parametric.png"]
    manifest = zoo_build.export_all(zoo=zoo, runs=runs, events_dir=all_events_dir)
    entry = next(m for m in manifest["models"] if m["kind"] == "parametric")
    assert entry["snr"] is None and entry["benchmark"] == "alp"
    import onnx
    import onnxruntime as ort

    proto = onnx.load(zoo / entry["path"])
    meta = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(meta["snr"]) == {"min": 0.1, "max": 10.0}
    sess = ort.InferenceSession(str(zoo / entry["path"]), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["histogram", "snr"]
    x = np.random.default_rng(6).poisson(20.0, size=(2, 30, 30)).astype(np.float32)
    snr = np.array([[0.5], [5.0]], np.float32)
    out = sess.run(None, {"histogram": x, "snr": snr})[0]
    assert out.shape == (2,) and np.all((out >= 0) & (out <= 1))
    import keras

    best = max(zoo_build.collect(runs)["parametric-alp"], key=lambda r: r["val_auc_best"])
    net = keras.saving.load_model(Path(best["_dir"]) / "model.keras")
    assert np.allclose(out, net.predict([x, snr], verbose=0).ravel(), atol=1e-6)


@pytest.mark.parametrize("signals", [("a",), ("a", "b", "c")])
def test_parametric_network_starts_at_the_exact_likelihood_ratio(signals):
    """Logit = ln((1/K) sum_k L_k / L_0) at any S/sqrt(B), for one model or a mixture of K."""
    from dmzoo_training.model import Architecture, build_parametric

    b = 5000
    t = _templates(signals).probs
    arch = Architecture(normalization="sum", linear_skip=True)
    model = build_parametric(arch, n_models=len(signals), b=b)
    ratios = np.stack([np.log(t[n] / t["sm"]).ravel() for n in signals], axis=1)
    offset = np.zeros((900, 1), "float32")
    model.get_layer("likelihood_ratio").set_weights([ratios.astype("float32"), offset])
    rng = np.random.default_rng(2)
    for snr in (0.2, 3.0):
        s = histograms.n_signal(snr, b)
        x = rng.multinomial(b + s, t["sm"].ravel(), size=6).reshape(6, 30, 30)
        p = model.predict([x.astype("float32"), np.full((6, 1), snr, "float32")], verbose=0)
        logit = np.log(p / (1 - p)).ravel()
        # The graph takes S = snr sqrt(B) unrounded and N = B + S; the histograms hold B +
        # round(S) events, so the counts are rescaled to N before comparing.
        s_graph = snr * np.sqrt(b)
        scaled = x * (b + s_graph) / (b + s)
        per_model = np.stack(
            [
                histograms.log_likelihood_ratio(
                    scaled, t["sm"], histograms.mixture(t, n, b, s_graph)
                )
                for n in signals
            ],
            axis=1,
        )
        expected = np.log(np.exp(per_model).mean(axis=1))
        assert np.allclose(logit, expected, atol=1e-3), (snr, logit, expected)


def test_changed_settings_train_again_and_stale_runs_go(events_dir, tmp_path):
    import dataclasses

    runs = tmp_path / "runs"
    job = grid.Job("binary-spin1_offshell-snr2.2", 2.2, 0)
    first = grid.run_jobs([job], TINY, workers=1, events_dir=events_dir, runs=runs, progress=False)
    other = dataclasses.replace(TINY, max_epochs=1)
    assert grid.finished(runs / job.model_id / "repeat-0", TINY) is not None
    assert grid.finished(runs / job.model_id / "repeat-0", other) is None
    # a repeat the new settings do not ask for would be averaged with the new ones: refused
    stale = runs / job.model_id / "repeat-3"
    stale.mkdir()
    for name in ("result.json", "model.keras"):
        (stale / name).write_bytes((runs / job.model_id / "repeat-0" / name).read_bytes())
    again = grid.run_jobs([job], other, workers=1, events_dir=events_dir, runs=runs, progress=False)
    assert again[0]["config"]["max_epochs"] == 1 and first[0]["config"]["max_epochs"] == 2
    with pytest.raises(ValueError, match="trained with different settings"):
        zoo_build.collect(runs)
    grid.prune_stale({job.model_id}, other, runs)
    assert not stale.exists() and (runs / job.model_id / "repeat-0").exists()
    assert len(zoo_build.collect(runs)[job.model_id]) == 1


@pytest.mark.parametrize("spec", [classifiers.binary("alp"), classifiers.multiclass()])
def test_grid_network_starts_at_the_class_likelihoods(spec):
    """Binary: logit = ln(L_1 / L_0); multiclass: logits = ln L_k up to one common constant."""
    from dmzoo_training import evaluate
    from dmzoo_training.model import Architecture, build
    from dmzoo_training.train import _bin_moments, _start_at_likelihood_ratio

    b, s = 5000, 150
    signals = [n for c in spec.classes for n in c]
    t = _templates(signals)
    mean, std = _bin_moments(t, b + s, 1, "sum")
    model = build(
        Architecture(normalization="sum", linear_skip=True), spec.n_outputs, mean=mean, std=std
    )
    _start_at_likelihood_ratio(model, t.probs, spec, b, s, mean, std)
    x, _ = t.draw(spec.classes, b, s, 3, np.random.default_rng(5))
    p = model.predict(x, verbose=0)
    loglik = evaluate._class_log_likelihoods(t.probs, spec, b, s, x)
    if spec.n_outputs == 1:
        got, want = np.log(p / (1 - p)).ravel(), loglik[:, 1] - loglik[:, 0]
    else:  # log-softmax differences against class 0 remove the common constant
        got, want = np.log(p[:, 1:] / p[:, :1]), loglik[:, 1:] - loglik[:, :1]
    assert np.allclose(got, want, atol=2e-3)


def test_a_setting_added_later_counts_as_what_ran_before_it():
    import dataclasses

    from dmzoo_training.model import Architecture

    stored = grid.settings(TINY)
    del stored["arch"]["layers"]
    assert grid.same_settings(stored, TINY)  # before `layers`, every network was dense
    cnn = dataclasses.replace(TINY, arch=Architecture(layers="cnn"))
    assert not grid.same_settings(stored, cnn)
    # before `likelihood_templates` the start used the training part: not today's default
    del stored["likelihood_templates"]
    assert not grid.same_settings(stored, TINY)
    assert grid.same_settings(stored, dataclasses.replace(TINY, likelihood_templates="train"))
    del stored["arch"]["linear_skip"]  # a setting nothing says how to fill is a difference
    assert not grid.same_settings(stored, dataclasses.replace(TINY, likelihood_templates="train"))
    assert not grid.same_settings(None, TINY)


def test_comparisons_train_their_own_networks_and_keep_results_only(events_dir, tmp_path):
    from dmzoo_training import comparisons

    zoo = tmp_path / "zoo"
    (zoo / "tables").mkdir(parents=True)
    (zoo / "tables" / "auc_individual.csv").write_text(
        "benchmark,snr,auc,auc_std,n_trainings,auc_optimal\nspin1_offshell,2.2,0.9,0,2,0.95\n"
    )
    common = {
        "benchmarks": ("spin1_offshell",),
        "snrs": (2.2,),
        "zoo": zoo,
        "base": TINY,
        "root": tmp_path / "comparisons",
        "events_dir": events_dir,
        "workers": 1,
        "progress": False,
    }
    rows = comparisons.b_stability(b_values=(1000,), **common)
    (row,) = rows
    assert row["b"] == 1000 and row["auc_b50k"] == 0.9 and 0.0 <= row["auc"] <= 1.0
    result = next((tmp_path / "comparisons" / "b-1000").glob("*/repeat-0/result.json"))
    assert json.loads(result.read_text())["b"] == 1000
    assert not list((tmp_path / "comparisons").glob("**/model.keras"))
    # Asked again, the comparison trains nothing: its results without networks are finished
    # (a cluster at a closed port would fail if it tried).
    again = comparisons.b_stability(
        b_values=(1000,), **{**common, "scheduler": "tcp://127.0.0.1:9"}
    )
    assert again == rows
    (row,) = comparisons.architectures(**common)
    assert row["auc_zoo"] == 0.9 and row["ratio_cnn_to_paper_dnn"] > 0
    cnn = next((tmp_path / "comparisons" / "paper_cnn").glob("*/repeat-0/result.json"))
    config = json.loads(cnn.read_text())["config"]
    assert config["arch"]["layers"] == "cnn" and not config["start_at_likelihood_ratio"]


def test_event_level_network_and_its_combination(events_dir, tmp_path):
    from dmzoo_training import comparisons, event_level

    assert event_level.weighted_auc(
        np.array([0.1, 0.4, 0.4, 0.9]), np.array([0, 0, 1, 1]), np.array([1.0, 3.0, 1.0, 1.0])
    ) == pytest.approx((1 * (1 + 0.5 * 3) + 1 * 4) / (2 * 4))
    zoo = tmp_path / "zoo"
    (zoo / "tables").mkdir(parents=True)
    (zoo / "tables" / "auc_individual.csv").write_text(
        "benchmark,snr,auc,auc_std,n_trainings,auc_optimal\nspin1_offshell,2.2,0.9,0,2,0.95\n"
    )
    per_event, combined, roc = comparisons.event_level(
        ("spin1_offshell",), zoo=zoo, root=tmp_path, events_dir=events_dir
    )
    (row,) = per_event
    # the synthetic signal is harder than its SM: single events separate, if not well
    assert 0.6 < row["auc_event"] < 0.9
    # its ROC curve: from SM efficiency 0 to 1 (signal efficiency 1), above the diagonal,
    # with the same area
    assert len(roc) == event_level.ROC_POINTS and (roc[0]["fpr"], roc[-1]["tpr"]) == (0.0, 1.0)
    fpr, tpr = np.array([r["fpr"] for r in roc]), np.array([r["tpr"] for r in roc])
    assert (tpr >= fpr - 1e-9).all()
    area = float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2))
    assert area == pytest.approx(row["auc_event"], abs=0.01)
    assert [r["snr"] for r in combined] == list(classifiers.SNR_GRID)
    aucs = [r["auc_combined"] for r in combined]
    assert aucs[-1] > 0.99 and aucs[0] < aucs[-1]  # many events per histogram do separate
    at22 = next(r for r in combined if r["snr"] == 2.2)
    assert at22["auc_histogram"] == 0.9 and at22["auc_optimal"] == 0.95
    assert (tmp_path / "event-level" / "spin1_offshell.json").exists()
