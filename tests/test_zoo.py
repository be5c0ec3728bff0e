"""Every model of the shipped zoo keeps the published contract (parametrised over the zoo)."""

import dataclasses
import json
import math

import numpy as np
import pytest

from dmzoo import binning, tables
from dmzoo.inference import Model
from dmzoo.registry import Zoo, parse_id, sha256_file

ZOO = Zoo.default()
GRID = (0.1, 0.15, 0.22, 0.33, 0.45, 0.67, 1.0, 1.5, 2.2, 3.3, 4.5, 6.7, 10.0)


SEVEN = (
    "any of alp, spin0_offshell, spin0_onshell, spin1_offshell, spin1_offshell_ps, "
    "spin2_onshell, spin2_offshell_ps"
)
# what each kind's output labels name, from its manifest benchmark
LABELS = {
    "binary": lambda b: {"0": "sm", "1": b},
    "multimodel_binary": lambda b: {"0": "sm", "1": SEVEN},
    "model_vs_model": lambda b: dict(zip("01", b.split("_vs_"), strict=True)),
    "multiclass": lambda b: {str(k): c for k, c in enumerate(["sm", *SEVEN[7:].split(", ")])},
}


@pytest.mark.parametrize("entry", ZOO.entries, ids=lambda e: e.id)
def test_model_contract(entry):
    path = ZOO.path(entry)  # checks the hash
    assert sha256_file(path) == entry.sha256
    assert parse_id(entry.id) == (entry.kind, entry.benchmark, entry.snr)
    model = Model(path)
    meta = model.metadata
    assert meta["kind"] == entry.kind and meta.get("benchmark") == entry.benchmark
    assert meta["b_train"] == 50_000 and meta["sqrt_s_gev"] == "14000"
    assert meta["metrics"]["auc"] == pytest.approx(entry.metrics["auc"])
    x = np.random.default_rng(0).poisson(30.0, size=(3, 30, 30)).astype(np.float32)
    if entry.kind == "parametric":
        # the trained range instead of one S/sqrt(B); the multimodel one has no benchmark
        assert meta["snr"] == {"min": 0.1, "max": 10.0} and entry.snr is None
        assert meta["labels"] == {"0": "sm", "1": entry.benchmark or SEVEN}
        out = model.predict(x, snr=[0.2, 1.2, 8.0])
        assert np.allclose(model.predict(x * 11.0, snr=[0.2, 1.2, 8.0]), out, atol=1e-6)
    else:
        assert meta["snr"] == entry.snr
        assert meta["labels"] == LABELS[entry.kind](entry.benchmark)
        out = model.predict(x)
        assert np.allclose(model.predict(x * 11.0), out, atol=1e-6)
    assert np.all((out >= 0) & (out <= 1))
    if entry.kind == "multiclass":  # one probability per class, each row summing to one
        assert out.shape == (3, 8) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    else:
        assert out.shape == (3,)


def test_spin1_offshell_is_complete_on_the_grid():
    snrs = sorted(e.snr for e in ZOO.models(kind="binary", benchmark="spin1_offshell"))
    assert snrs == list(GRID)


def test_table_matches_manifest_and_physics():
    rows = tables.read_table(ZOO.table_path("auc_individual.csv"))
    by = {(r.benchmark, r.snr): r for r in rows}
    for e in ZOO.models(kind="binary"):
        r = by[(e.benchmark, e.snr)]
        assert r.auc == pytest.approx(e.metrics["auc"], abs=1e-5)
        # the test set's own error is in every uncertainty; it vanishes only at AUC 1
        assert r.auc_std > 0.0 or r.auc == 1.0
        # No histogram classifier beats the likelihood ratio beyond its statistical error.
        assert r.auc <= r.auc_optimal + 0.01
    spin1 = sorted((r for r in rows if r.benchmark == "spin1_offshell"), key=lambda r: r.snr)
    optimal = [r.auc_optimal for r in spin1]
    # The limit grows with S/sqrt(B), up to the test histograms' statistical error.
    assert all(b >= a - 0.01 for a, b in zip(optimal[:-1], optimal[1:], strict=True))
    assert optimal[-1] > 0.99


def test_lookup_interpolates_in_log_snr_and_bounds_outside():
    rows = tables.read_table(ZOO.table_path("auc_individual.csv"))
    at1 = tables.lookup(rows, "spin1_offshell", 1.0)
    at15 = tables.lookup(rows, "spin1_offshell", 1.5)
    mid = tables.lookup(rows, "spin1_offshell", math.sqrt(1.5))
    assert mid.method.startswith("interpolated")
    assert mid.auc == pytest.approx((at1.auc + at15.auc) / 2)
    high = tables.lookup(rows, "spin1_offshell", 50.0)
    assert high.method == tables.LOWER_BOUND
    assert high.auc == tables.lookup(rows, "spin1_offshell", 10.0).auc
    # Below the grid the edge (0.546 at 0.1) bounds from above, but never below a coin toss.
    low = tables.lookup(rows, "spin1_offshell", 0.01)
    assert low.method == tables.UPPER_BOUND and low.auc == 0.54555
    assert tables.lookup(rows, "spin1_offshell", 0.1).auc == 0.54555
    edge = min((r for r in rows if r.benchmark == "spin1_offshell"), key=lambda r: r.snr)
    # the first zoo's edge, 0.499: a fluctuation of a model with no power
    powerless = [dataclasses.replace(r, auc=0.49909) if r is edge else r for r in rows]
    low = tables.lookup(powerless, "spin1_offshell", 0.01)
    assert low.method.startswith(tables.UPPER_BOUND) and low.auc == 0.5


def test_nearest_model_ties_go_to_the_lower_snr():
    assert ZOO.nearest("spin1_offshell", 1.2).snr == 1.0
    assert ZOO.nearest("spin1_offshell", math.sqrt(1.0 * 1.5)).snr == 1.0
    assert ZOO.nearest("spin1_offshell", 1.23).snr == 1.5
    assert ZOO.nearest("spin1_offshell", 1e6).snr == 10.0


def test_manifest_paths_cannot_leave_the_zoo(tmp_path):
    from dmzoo.errors import ZooIntegrityError

    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "zoo_version": "x",
                "models": [
                    {
                        "id": "binary-a-snr1",
                        "path": "../evil.onnx",
                        "sha256": "0",
                        "kind": "binary",
                        "benchmark": "a",
                        "snr": 1.0,
                    }
                ],
            }
        )
    )
    with pytest.raises(ZooIntegrityError, match="leaves the zoo"):
        Zoo(tmp_path)


def test_tampered_model_is_refused(tmp_path):
    import shutil

    from dmzoo.errors import ZooIntegrityError

    shutil.copytree(ZOO.root, tmp_path / "zoo")
    zoo = Zoo(tmp_path / "zoo")
    entry = zoo.get("binary-spin1_offshell-snr1")
    with open(zoo.root / entry.path, "ab") as f:
        f.write(b"\0")
    with pytest.raises(ZooIntegrityError, match="refusing it"):
        zoo.path(entry)


def test_binning_metadata_is_this_dmzoos():
    meta = Model(ZOO.path(ZOO.entries[0])).metadata
    assert meta["binning"] == json.loads(binning.binning_json())


def _copy_zoo(tmp_path):
    import shutil

    shutil.copytree(ZOO.root, tmp_path / "zoo")
    return tmp_path / "zoo"


@pytest.mark.parametrize(
    "damage",
    [
        lambda m: m["models"][0].pop("path"),
        lambda m: m["models"][0].update(snr="0.1"),
        lambda m: m["models"][0].update(snr=-0.1),
        lambda m: m.update(dmzoo_format_version="99"),
        lambda m: m["models"].append(dict(m["models"][0])),
        lambda m: m.update(models={"not": "a list"}),
        lambda m: m["files"].update({"../outside.csv": "0" * 64}),
        lambda m: m["files"].update({"/etc/passwd": "0" * 64}),
        lambda m: m.update(files=["tables/auc_individual.csv"]),
    ],
)
def test_damaged_manifests_are_integrity_errors(tmp_path, damage):
    from dmzoo.errors import ZooIntegrityError

    root = _copy_zoo(tmp_path)
    manifest = json.loads((root / "manifest.json").read_text())
    damage(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ZooIntegrityError):
        Zoo(root)


def test_a_model_swapped_behind_the_manifest_is_refused(tmp_path):
    from dmzoo.errors import ZooIntegrityError

    root = _copy_zoo(tmp_path)
    manifest = json.loads((root / "manifest.json").read_text())
    by_id = {m["id"]: m for m in manifest["models"]}
    other = by_id["binary-spin1_offshell-snr10"]
    by_id["binary-spin1_offshell-snr1"].update(path=other["path"], sha256=other["sha256"])
    (root / "manifest.json").write_text(json.dumps(manifest))
    zoo = Zoo(root)
    with pytest.raises(ZooIntegrityError, match="manifest disagrees"):
        zoo.model(zoo.get("binary-spin1_offshell-snr1"))


def test_an_edited_table_is_refused(tmp_path):
    from dmzoo.errors import ZooIntegrityError

    root = _copy_zoo(tmp_path)
    table = root / "tables" / "auc_individual.csv"
    table.write_text(table.read_text().replace("spin1_offshell,1,", "spin1_offshell,1,0.99999", 1))
    with pytest.raises(ZooIntegrityError, match="sha256"):
        Zoo(root).table_path("auc_individual.csv")


def test_a_file_the_manifest_does_not_list_is_refused(tmp_path):
    from dmzoo.errors import ZooIntegrityError

    root = _copy_zoo(tmp_path)
    (root / "tables" / "extra.csv").write_text("benchmark,snr\n")
    with pytest.raises(ZooIntegrityError, match="does not list tables/extra.csv"):
        Zoo(root).table_path("extra.csv")


def test_templates_hold_the_test_parts_of_the_samples():
    from dmzoo import templates

    found = templates.load(ZOO)
    assert {"sm", "spin1_offshell", "alp"} <= found.keys()
    sm = found["sm"]
    # 20% of the 1,549,578 selected SM events are the test part. Stitched, the counts are sums
    # of weights: below the edge (628.67 GeV) the same 309,450 `sm` events as before stitching,
    # above it 23,543 `sm_tail` events of weight 0.0195433 (460.1 +- 3.0) where `sm` alone had
    # 466 +- 22, so the sum is 20% of the selected events within that error
    low = sm.event_weight == 1.0
    assert sm.counts[low].sum() == 309_450
    assert sm.counts[~low].sum() == pytest.approx(460.1, abs=0.1)
    assert (sm.counts / sm.event_weight)[~low].sum() == pytest.approx(23_543, abs=0.01)
    assert sm.n_events == pytest.approx(0.2 * 1_549_578, abs=22)
    assert sm.selection_efficiency == pytest.approx(0.207, abs=0.001)
    p = sm.probabilities
    assert p.shape == (30, 30) and p.min() > 0 and p.sum() == pytest.approx(1.0)
