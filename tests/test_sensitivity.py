"""S/sqrt(B) from cross sections and the reach in cross section, against hand computations."""

import json
import math

import pytest
from test_lookup import MULTICLASS, copy_zoo

from dmzoo import registry, sensitivity
from dmzoo.errors import InvalidParameterError, ModelNotFoundError
from dmzoo.registry import Zoo

LUMI = 139_000.0  # pb^-1
B_Z_NUNU = 53.6 * 0.78 * LUMI  # 5,811,312 events
EFF_SPIN1_OFFSHELL = 0.4601624  # the zoo sample's selected / generated events


@pytest.fixture
def multiclass_zoo(tmp_path):
    return copy_zoo(tmp_path, {"auc_multiclass.csv": MULTICLASS})


def test_fifty_fb_at_139_per_fb_with_the_zoo_efficiency():
    report = sensitivity.snr(0.05, LUMI, benchmark="spin1_offshell", grid=True)
    (row,) = report.rows
    assert report.background.processes == ["z_nunu"]
    assert report.background.events == pytest.approx(5_811_312.0)
    assert (row.benchmark, row.efficiency_signal) == ("spin1_offshell", EFF_SPIN1_OFFSHELL)
    assert row.efficiency_source.startswith("zoo sample")
    assert row.signal_events == pytest.approx(0.05 * EFF_SPIN1_OFFSHELL * LUMI)  # 3198.13
    assert row.snr == pytest.approx(3198.1287 / math.sqrt(5_811_312.0), rel=1e-7)
    assert row.snr == pytest.approx(1.32666, abs=1e-5)
    # the AUC between the grid rows 1 (0.79826) and 1.5 (0.89067), linear in log S/sqrt(B)
    t = math.log(row.snr) / math.log(1.5)
    (a,) = row.auc
    assert a.auc == pytest.approx(0.79826 + t * (0.89067 - 0.79826))
    assert a.zoo_version == report.zoo_version == "0.1.0"


def test_b_outside_the_papers_range_is_said():
    assert "outside that range" in sensitivity.snr(0.05, LUMI).notes[0]
    # 1/fb: B = 41,808 events, inside the paper's 1k-100k; left is the note that S and B
    # come from two simulations, as the default efficiency and background do
    (note,) = sensitivity.snr(0.05, 1000.0).notes
    assert "two simulations" in note


def test_given_efficiency_and_all_backgrounds():
    report = sensitivity.snr(0.05, LUMI, efficiency=1.0, backgrounds="all")
    b = 54.6302 * LUMI  # Table 3: every process, ttbar without b-tag condition
    assert report.background.events == pytest.approx(b)
    # a given efficiency is every benchmark's: one S and one S/sqrt(B) for all of them
    assert "spin1_offshell" in [row.benchmark for row in report.rows]
    for row in report.rows:
        assert (row.efficiency_source, row.signal_events) == ("given", pytest.approx(6950.0))
        assert row.snr == pytest.approx(6950.0 / math.sqrt(b))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"efficiency": 0.0}, "--efficiency-signal"),
        ({"efficiency": 1.5}, "--efficiency-signal"),
        ({"backgrounds": "z_nunu,wtaunu"}, "did you mean w_taunu"),
        ({"benchmark": "spin1_onshel"}, "did you mean spin1_onshell"),
    ],
)
def test_snr_bad_requests(kwargs, words):
    with pytest.raises((InvalidParameterError, ModelNotFoundError), match=words):
        sensitivity.snr(0.05, LUMI, **kwargs)


def test_snr_of_a_kind_the_zoo_lacks(tmp_path):
    zoo = copy_zoo(tmp_path)  # without the multiclass grid table
    with pytest.raises(ModelNotFoundError, match="no multiclass table"):
        sensitivity.snr(0.05, LUMI, kind="multiclass", grid=True, zoo=zoo)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_snr_bad_numbers(bad):
    with pytest.raises(InvalidParameterError, match="signal cross section"):
        sensitivity.snr(bad, LUMI)
    with pytest.raises(InvalidParameterError, match="luminosity"):
        sensitivity.snr(0.05, bad)


def test_snr_over_every_benchmark_of_every_kind(multiclass_zoo):
    report = sensitivity.snr(0.05, LUMI, kind="all", zoo=multiclass_zoo, grid=True)
    assert [r.benchmark for r in report.rows] == ["alp", "spin1_offshell"]
    alp, spin1 = report.rows
    assert alp.efficiency_signal == 0.272498  # the ALP sample's
    assert [a.kind for a in alp.auc] == ["multiclass"]
    assert [a.kind for a in spin1.auc] == ["individual", "multiclass"]
    assert report.notes[0] == "zoo 0.1.0 has no multimodel table (tables/auc_multimodel_binary.csv)"


def test_a_benchmark_without_a_measured_efficiency_asks_for_one(tmp_path):
    zoo = copy_zoo(tmp_path, {"auc_multiclass.csv": MULTICLASS})
    path = zoo.root / "templates" / "templates.json"
    doc = json.loads(path.read_text())
    del doc["samples"]["alp"]
    path.write_text(json.dumps(doc))
    manifest = json.loads((zoo.root / "manifest.json").read_text())
    manifest["files"]["templates/templates.json"] = registry.sha256_file(path)
    (zoo.root / "manifest.json").write_text(json.dumps(manifest))
    zoo = Zoo(zoo.root)
    with pytest.raises(InvalidParameterError, match="give --efficiency-signal"):
        sensitivity.snr(0.05, LUMI, benchmark="alp", kind="multiclass", zoo=zoo)
    (row,) = sensitivity.snr(
        0.05, LUMI, benchmark="alp", kind="multiclass", zoo=zoo, efficiency=0.3
    ).rows
    assert row.efficiency_source == "given"


def test_reach_of_auc_0_9_at_139_per_fb():
    (a,), notes = sensitivity.reach("spin1_offshell", LUMI, target_auc=0.9, grid=True)
    assert notes == []
    # rows 1.5 -> 0.89067 and 2.2 -> 0.96380: t = (0.9 - 0.89067) / (0.96380 - 0.89067)
    t = (0.9 - 0.89067) / (0.96380 - 0.89067)
    snr = math.exp(math.log(1.5) + t * math.log(2.2 / 1.5))
    assert a.classifier.snr == pytest.approx(snr) and a.classifier.status == "interpolated"
    assert snr == pytest.approx(1.57511, abs=1e-5)
    # sigma x eff = S/sqrt(B) sqrt(sigma_B / L) = 1.57511 x sqrt(41.808 pb / 139000 pb^-1)
    assert a.signal_pb == pytest.approx(snr * math.sqrt(41.808 / LUMI))
    assert a.signal_pb * 1000 == pytest.approx(27.32, abs=0.01)  # fb
    assert a.sigma_signal_pb == pytest.approx(a.signal_pb / EFF_SPIN1_OFFSHELL)
    # the likelihood-ratio limit: 1.5 -> 0.89374, 2.2 -> 0.96453
    t_opt = (0.9 - 0.89374) / (0.96453 - 0.89374)
    assert a.likelihood_ratio.snr == pytest.approx(1.5 * (2.2 / 1.5) ** t_opt)
    assert a.signal_pb_optimal < a.signal_pb
    # round trip: that cross section gives S/sqrt(B) back, and the table AUC 0.9
    (row,) = sensitivity.snr(a.sigma_signal_pb, LUMI, benchmark="spin1_offshell", grid=True).rows
    assert row.snr == pytest.approx(snr) and row.auc[0].auc == pytest.approx(0.9)


def test_reach_below_the_grid_is_an_upper_bound(multiclass_zoo):
    (a,), _ = sensitivity.reach("spin1_offshell", LUMI, target_auc=0.51)
    # the classifier starts above 0.51 (0.54645 at 0.1), and so does the limit (0.54655): the
    # grid's lowest point is a bound, and the cross section from it an upper bound
    assert (a.classifier.snr, a.classifier.status) == (0.1, "at or below the grid")
    assert a.signal_pb == pytest.approx(0.1 * math.sqrt(41.808 / LUMI))
    assert any("the cross section is an upper bound" in n for n in a.notes)
    assert (a.likelihood_ratio.snr, a.likelihood_ratio.status) == (0.1, "at or below the grid")
    # a classifier that crosses the target inside the grid while its limit starts above it:
    # multiclass alp, 0.5 -> 0.55 (limit 0.6) and 2 -> 0.75; t = (0.58 - 0.55) / 0.2 = 0.15
    (b,), _ = sensitivity.reach("alp", LUMI, target_auc=0.58, kind="multiclass", zoo=multiclass_zoo)
    assert (b.classifier.snr, b.classifier.status) == (pytest.approx(0.5 * 4**0.15), "interpolated")
    assert (b.likelihood_ratio.snr, b.likelihood_ratio.status) == (0.5, "at or below the grid")


def test_reach_beyond_the_classifier_but_within_the_limit(multiclass_zoo):
    (a,), _ = sensitivity.reach("alp", LUMI, target_auc=0.78, kind="multiclass", zoo=multiclass_zoo)
    assert (a.classifier.snr, a.classifier.status, a.signal_pb) == (None, "beyond the grid", None)
    # limit: 0.5 -> 0.6 and 2 -> 0.8; t = 0.9
    assert a.likelihood_ratio.snr == pytest.approx(0.5 * 4**0.9)
    assert any("below that no histogram classifier can" in n for n in a.notes)


def test_reach_out_of_every_curve(multiclass_zoo):
    (a,), _ = sensitivity.reach("alp", LUMI, target_auc=0.85, kind="multiclass", zoo=multiclass_zoo)
    assert a.signal_pb is None and a.signal_pb_optimal is None
    assert any("out of reach" in n for n in a.notes)


def test_reach_for_all_benchmarks_and_kinds(multiclass_zoo):
    answers, notes = sensitivity.reach("all", LUMI, kind="all", zoo=multiclass_zoo, grid=True)
    assert [(a.benchmark, a.kind) for a in answers] == [
        ("alp", "multiclass"),
        ("spin1_offshell", "individual"),
        ("spin1_offshell", "multiclass"),
    ]
    assert len(notes) == 1


@pytest.mark.parametrize("target", [0.5, 0.3, 1.0, 1.01, float("nan"), True])
def test_target_auc_outside_half_to_one(target):
    with pytest.raises(InvalidParameterError, match=r"--auc must lie in \(0.5, 1\)"):
        sensitivity.reach("spin1_offshell", LUMI, target_auc=target)
