"""A tiny training, exported to ONNX: the file must compute what Keras computes."""

import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from dmzoo_training import export, grid, zoo_build  # noqa: E402
from dmzoo_training.train import TrainConfig, load_pools, train_one  # noqa: E402

TINY = TrainConfig(b=5000, n_train=512, n_val=256, n_test=500, max_epochs=4, patience=2)


@pytest.fixture(scope="module")
def trained(events_dir, tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    pools = load_pools("spin1_offshell", events_dir)
    result = train_one(
        pools, "spin1_offshell", 2.2, 0, TINY, grid.run_dir("spin1_offshell", 2.2, 0, runs)
    )
    return result, runs


def test_result_records_the_measurement(trained):
    result, _ = trained
    assert result["id"] == "binary-spin1_offshell-snr2.2"
    assert result["s"] == round(2.2 * np.sqrt(5000)) == 156
    assert 0.5 < result["auc_optimal"] <= 1.0
    assert 0.0 <= result["auc"] <= 1.0 and result["epochs"] <= 4
    # The asymptotic formula and the likelihood ratio on pseudo-histograms agree roughly.
    assert abs(result["auc_asymptotic"] - result["auc_optimal"]) < 0.05


def test_export_matches_keras_and_is_deterministic(trained, events_dir, tmp_path):
    import keras

    import dmzoo_training.model  # noqa: F401

    result, runs = trained
    zoo = tmp_path / "zoo"
    manifest = zoo_build.export_all(zoo=zoo, runs=runs, events_dir=events_dir)
    entry = manifest["models"][0]
    path = zoo / entry["path"]
    model = keras.saving.load_model(grid.run_dir("spin1_offshell", 2.2, 0, runs) / "model.keras")
    x = np.random.default_rng(5).poisson(40.0, size=(16, 30, 30)).astype(np.float32)
    keras_out = model.predict(x, verbose=0).ravel()
    onnx_out = export.onnx_predict(path, x)
    assert onnx_out.shape == (16,)
    assert np.max(np.abs(onnx_out - keras_out)) < 1e-5
    first = path.read_bytes()
    again = zoo_build.export_all(zoo=zoo, runs=runs, events_dir=events_dir)
    assert path.read_bytes() == first and again == manifest


def test_exported_metadata_is_complete(trained, events_dir, tmp_path):
    import onnx

    _, runs = trained
    zoo = tmp_path / "zoo"
    manifest = zoo_build.export_all(zoo=zoo, runs=runs, events_dir=events_dir)
    proto = onnx.load(zoo / manifest["models"][0]["path"])
    meta = {p.key: p.value for p in proto.metadata_props}
    for key in (
        "dmzoo_format_version",
        "kind",
        "benchmark",
        "snr",
        "b_train",
        "binning",
        "normalization",
        "labels",
        "metrics",
        "training",
        "provenance",
    ):
        assert key in meta
    assert json.loads(meta["labels"]) == {"0": "sm", "1": "spin1_offshell"}
    assert json.loads(meta["snr"]) == 2.2 and json.loads(meta["b_train"]) == 5000
    assert proto.ir_version == 8 and proto.opset_import[0].version == 17
    assert [i.name for i in proto.graph.input] == ["histogram"]
    assert [o.name for o in proto.graph.output] == ["probability"]


def test_tables_from_runs(trained, tmp_path):
    _, runs = trained
    (out,) = zoo_build.write_tables(zoo=tmp_path, runs=runs)
    lines = out.read_text().splitlines()
    assert out.name == "auc_individual.csv"
    assert lines[0] == (
        "benchmark,snr,auc,auc_std,n_trainings,auc_optimal,auc_asymptotic,auc_error,"
        "ratio_to_optimal"
    )
    assert lines[1].startswith("spin1_offshell,2.2,") and lines[1].split(",")[4] == "1"
    cells = lines[1].split(",")
    assert float(cells[8]) == pytest.approx(float(cells[2]) / float(cells[5]), abs=2e-5)
    assert 0.0 < float(cells[7]) < 0.05  # the test set's own error on the AUC


def test_top_ups_only_for_the_kinds_compared_point_by_point():
    def result(model_id, kind, snr, auc):
        return {"id": model_id, "kind": kind, "snr": snr, "auc": auc}

    results = [
        result("binary-alp-snr1", "binary", 1.0, 0.60),
        result("binary-alp-snr1", "binary", 1.0, 0.56),
        result("binary-alp-snr10", "binary", 10.0, 0.99),  # outside [0.55, 0.95]
        result("multimodel_binary-snr1", "multimodel_binary", 1.0, 0.8),
        result("multiclass-snr1", "multiclass", 1.0, 0.8),
        result("alp_vs_spin1_onshell-snr1", "model_vs_model", 1.0, 0.8),
        result("parametric-alp", "parametric", None, 0.8),
    ]
    jobs = grid.top_ups(results)
    assert [(j.model_id, j.repeat) for j in jobs] == [
        ("binary-alp-snr1", 2),
        ("binary-alp-snr1", 3),
        ("binary-alp-snr1", 4),
        ("multimodel_binary-snr1", 2),
        ("multimodel_binary-snr1", 3),
        ("multimodel_binary-snr1", 4),
    ]
