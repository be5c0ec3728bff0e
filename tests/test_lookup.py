"""The AUC tables by kind: lookups against hand computations, missing kinds, export."""

import csv
import io
import json
import math
import shutil

import pytest

from dmzoo import lookup, registry
from dmzoo.errors import InvalidParameterError, ModelNotFoundError, ZooIntegrityError
from dmzoo.registry import Zoo

MULTICLASS = """benchmark,snr,auc,auc_std,n_trainings,auc_optimal,label
alp,0.5,0.55,0.01,2,0.6,1
alp,2,0.75,0.02,2,0.8,1
spin1_offshell,0.5,0.7,0.01,2,0.72,4
spin1_offshell,2,0.9,0.005,2,0.95,4
"""


# The first zoo's two lowest rows: its model at 0.1 had no power, and its AUC fell below 0.5.
POWERLESS_EDGE = """benchmark,snr,auc,auc_std,n_trainings,auc_optimal
spin1_offshell,0.1,0.49909,0.00755,3,0.52756
spin1_offshell,0.15,0.53688,0.00291,3,0.55855
"""


# The grid tables the copied zoo leaves out, so the tests know which kinds it lacks whichever
# a later zoo adds; a test adds what it needs as an extra table.
LEFT_OUT = ("auc_multimodel_binary", "auc_multiclass", "auc_model_vs_model")


def copy_zoo(tmp_path, extra_tables=None):
    """The shipped zoo's manifest, tables and templates (no models), plus extra tables.

    The individual table (csv and its JSON twin) is cut to spin1_offshell's 13 rows, the one
    benchmark every zoo since the first holds, so the tests know what it holds whichever
    benchmarks a later zoo adds; an extra table of the same name replaces it. The LEFT_OUT
    tables are removed.
    """
    src = registry.shipped_zoo_path()
    root = tmp_path / "zoo"
    for sub in ("tables", "templates"):
        shutil.copytree(src / sub, root / sub)
    manifest = json.loads((src / "manifest.json").read_text())
    for name in LEFT_OUT:
        for suffix in (".csv", ".json"):
            (root / "tables" / f"{name}{suffix}").unlink(missing_ok=True)
            manifest["files"].pop(f"tables/{name}{suffix}", None)
    _keep_only(root, manifest, "spin1_offshell")
    for name, text in (extra_tables or {}).items():
        path = root / "tables" / name
        path.write_text(text)
        manifest["files"][f"tables/{name}"] = registry.sha256_file(path)
    (root / "manifest.json").write_text(json.dumps(manifest))
    return Zoo(root)


def _keep_only(root, manifest, benchmark):
    """Cut the copied individual table and its JSON twin to one benchmark's rows."""
    path = root / "tables" / "auc_individual.csv"
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines[1:] if line.split(",", 1)[0] == benchmark]
    assert len(kept) == 13  # the grid 0.1-10; the same numbers in every zoo
    path.write_text("".join([lines[0], *kept]))
    manifest["files"]["tables/auc_individual.csv"] = registry.sha256_file(path)
    twin = root / "tables" / "auc_individual.json"
    if twin.exists():
        doc = json.loads(twin.read_text())
        doc["rows"] = [r for r in doc["rows"] if r["benchmark"] == benchmark]
        twin.write_text(json.dumps(doc))
        manifest["files"]["tables/auc_individual.json"] = registry.sha256_file(twin)


@pytest.fixture
def multiclass_zoo(tmp_path):
    return copy_zoo(tmp_path, {"auc_multiclass.csv": MULTICLASS})


def test_interpolation_between_two_grid_rows_is_linear_in_log_snr(tmp_path):
    a = lookup.auc("spin1_offshell", 1.2, grid=True)
    # rows snr 1 -> 0.79826 (spread 0, test error 0.00496, limit 0.80032) and
    # 1.5 -> 0.89067 (0, 0.00372, 0.89374); the uncertainty adds spread and error in quadrature
    t = math.log(1.2 / 1.0) / math.log(1.5 / 1.0)
    assert t == pytest.approx(0.449660, abs=1e-6)
    assert a.auc == pytest.approx(0.79826 + t * (0.89067 - 0.79826), abs=1e-12)
    assert a.auc == pytest.approx(0.839813, abs=1e-6)
    assert a.auc_std == pytest.approx(0.00496 + t * (0.00372 - 0.00496), abs=1e-12)
    assert a.auc_optimal == pytest.approx(0.80032 + t * (0.89374 - 0.80032), abs=1e-12)
    assert (a.method, a.bound, a.zoo_version) == ("interpolated in log S/sqrt(B)", None, "0.1.0")
    assert a.snr_grid == (0.1, 10.0) and a.table == "tables/auc_individual.csv"
    # where the spread is not zero (a table of two trainings that disagree): rows 0.15 ->
    # spread 0, error 0.00642 and 0.22 -> 0.02045, 0.00639
    spread = copy_zoo(
        tmp_path,
        {
            "auc_individual.csv": "benchmark,snr,auc,auc_std,n_trainings,auc_optimal,auc_error\n"
            "spin1_offshell,0.15,0.546,0,2,0.5456,0.00642\n"
            "spin1_offshell,0.22,0.5624,0.02045,2,0.5777,0.00639\n"
        },
    )
    t = math.log(0.18 / 0.15) / math.log(0.22 / 0.15)
    low, high = math.hypot(0.0, 0.00642), math.hypot(0.02045, 0.00639)
    assert lookup.auc("spin1_offshell", 0.18, grid=True, zoo=spread).auc_std == pytest.approx(
        low + t * (high - low), abs=1e-12
    )


def test_grid_point_is_the_row():
    a = lookup.auc("spin1_offshell", 2.2, grid=True)
    # spread 0 over two trainings, test-set error 0.00214
    assert (a.auc, a.auc_std, a.auc_optimal, a.method) == (0.96380, 0.00214, 0.96453, "grid point")


def test_the_parametric_table_answers_by_default():
    """The parametric network's own row at 1.2, beside the grid network nearest to it."""
    a = lookup.auc("spin1_offshell", 1.2)
    assert (a.model_kind, a.model, a.method) == (
        "parametric",
        "parametric-spin1_offshell",
        "grid point",
    )
    assert (a.auc, a.auc_optimal, a.auc_grid) == (0.83980, 0.84330, 0.83976)
    assert a.table == "tables/auc_parametric.csv"


@pytest.mark.parametrize(
    ("snr", "auc", "bound", "method"),
    [
        (0.01, 0.54555, "upper", "outside the grid (upper bound)"),
        (50.0, 1.0, "lower", "outside the grid (lower bound)"),
    ],
)
def test_outside_the_grid_gives_the_edge_as_a_bound(snr, auc, bound, method):
    a = lookup.auc("spin1_offshell", snr, grid=True)
    assert (a.auc, a.bound) == (auc, bound) and a.method == method
    assert "outside the grid" in a.summary()


def test_an_edge_below_a_coin_toss_is_raised_to_0_5(tmp_path):
    zoo = copy_zoo(tmp_path, {"auc_individual.csv": POWERLESS_EDGE})
    a = lookup.auc("spin1_offshell", 0.01, zoo=zoo, grid=True)
    assert (a.auc, a.auc_optimal, a.bound) == (0.5, 0.52756, "upper")
    assert a.method == "outside the grid (upper bound), the edge's 0.499 raised to 0.5: a coin toss"
    assert "outside the grid" in a.summary()


@pytest.mark.parametrize("snr", [0, -1.0, float("nan"), float("inf"), "1"])
def test_bad_snr_is_refused(snr):
    with pytest.raises(InvalidParameterError, match="S/sqrt"):
        lookup.auc("spin1_offshell", snr)


def test_typo_gets_the_nearest_benchmark():
    with pytest.raises(ModelNotFoundError, match="did you mean spin1_offshell"):
        lookup.auc("spin1_ofshell", 1.0)


def test_benchmark_not_yet_in_the_zoo_is_not_called_a_typo(tmp_path):
    # a benchmark of the paper that a zoo (here the first one's spin1_offshell alone) lacks
    zoo = copy_zoo(tmp_path)
    assert "spin2_offshell_ps" in registry.BENCHMARKS
    held = {r.benchmark for r in lookup.rows_for(zoo, "individual")}
    assert "spin2_offshell_ps" not in held
    with pytest.raises(ModelNotFoundError, match="has no rows for spin2_offshell_ps yet") as err:
        lookup.auc("spin2_offshell_ps", 1.0, zoo=zoo, grid=True)
    assert "did you mean" not in str(err.value)


def test_missing_kind_says_which_table_and_what_to_use(tmp_path):
    with pytest.raises(ModelNotFoundError) as err:
        lookup.auc("spin1_offshell", 1.0, kind="multimodel", grid=True, zoo=copy_zoo(tmp_path))
    assert str(err.value) == (
        "zoo 0.1.0 has no multimodel table (tables/auc_multimodel_binary.csv); it holds "
        "individual: use --kind individual or a newer zoo"
    )
    assert err.value.exit_code == 2


def test_unknown_kind():
    with pytest.raises(InvalidParameterError, match="--kind 'binary'"):
        lookup.auc("spin1_offshell", 1.0, kind="binary")


def test_all_kinds_answers_what_the_zoo_holds(multiclass_zoo):
    answers, notes = lookup.auc_all("spin1_offshell", 1.0, zoo=multiclass_zoo, grid=True)
    assert [a.kind for a in answers] == ["individual", "multiclass"]
    # multiclass: rows 0.5 -> 0.7 and 2 -> 0.9; log(1/0.5) / log(2/0.5) = 0.5
    assert answers[1].auc == pytest.approx(0.8) and answers[1].auc_optimal == pytest.approx(0.835)
    assert notes == ["zoo 0.1.0 has no multimodel table (tables/auc_multimodel_binary.csv)"]


def test_all_kinds_with_a_benchmark_only_one_table_holds(multiclass_zoo):
    answers, notes = lookup.auc_all("alp", 1.0, zoo=multiclass_zoo, grid=True)
    assert [(a.kind, a.auc) for a in answers] == [("multiclass", pytest.approx(0.65))]
    assert "zoo 0.1.0's individual table has no rows for alp" in notes
    # without grid the parametric networks' tables answer too, the multimodel one included
    answers, _ = lookup.auc_all("alp", 1.0, zoo=multiclass_zoo)
    assert [(a.kind, a.model_kind) for a in answers] == [
        ("individual", "parametric"),
        ("multimodel", "parametric"),
        ("multiclass", "grid"),
    ]


def test_table_version_comes_from_the_tables_json(tmp_path):
    zoo = copy_zoo(tmp_path)
    twin = zoo.root / "tables" / "auc_individual.json"
    doc = json.loads(twin.read_text())
    doc["zoo_version"] = "0.0.9"
    twin.write_text(json.dumps(doc))
    manifest = json.loads((zoo.root / "manifest.json").read_text())
    manifest["files"]["tables/auc_individual.json"] = registry.sha256_file(twin)
    (zoo.root / "manifest.json").write_text(json.dumps(manifest))
    assert lookup.auc("spin1_offshell", 1.0, zoo=Zoo(zoo.root), grid=True).zoo_version == "0.0.9"


def test_a_table_that_fails_its_hash_is_refused(tmp_path):
    zoo = copy_zoo(tmp_path)
    (zoo.root / "tables" / "auc_individual.csv").write_text(MULTICLASS)
    with pytest.raises(ZooIntegrityError, match="sha256"):
        lookup.auc("spin1_offshell", 1.0, zoo=zoo, grid=True)


def test_csv_export_carries_kind_version_and_extra_columns(multiclass_zoo):
    text = lookup.format_tables(lookup.load_tables(multiclass_zoo), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 13 + 4
    assert list(rows[0]) == [
        "kind",
        "zoo_version",
        *("benchmark", "snr", "auc", "auc_std", "n_trainings", "auc_optimal"),
        *("auc_asymptotic", "auc_error", "ratio_to_optimal"),
        "label",
    ]
    assert rows[0]["label"] == "" and rows[-1]["label"] == "4"
    assert rows[-1]["kind"] == "multiclass" and rows[-1]["auc"] == "0.9"


def test_json_export_has_typed_values(multiclass_zoo):
    doc = json.loads(lookup.format_tables(lookup.load_tables(multiclass_zoo), "json"))
    assert doc["zoo_version"] == "0.1.0" and doc["missing"] == ["multimodel"]
    first = doc["tables"]["individual"]["rows"][0]
    assert first == {
        "benchmark": "spin1_offshell",
        "snr": 0.1,
        "auc": 0.54555,
        "auc_std": 0.0,
        "n_trainings": 2,
        "auc_optimal": 0.54655,
        "auc_asymptotic": 0.53471,
        "auc_error": 0.00642,
        "ratio_to_optimal": 0.99817,
    }


def test_markdown_export_is_a_table_per_kind(multiclass_zoo):
    text = lookup.format_tables(lookup.load_tables(multiclass_zoo), "md")
    assert text.count("### AUC") == 2
    assert (
        "| spin1_offshell | 2.2 | 0.96380 | 0.00000 | 2 | 0.96453 | 0.97234 | 0.00214 | 0.99925 |"
        in text
    )
    assert "| alp | 2 | 0.75 | 0.02 | 2 | 0.8 | 1 |" in text


def test_export_of_a_kind_the_zoo_lacks(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no multiclass table"):
        lookup.load_tables(kind="multiclass", zoo=copy_zoo(tmp_path))
