"""The robustness studies' machinery on synthetic samples and a stand-in network."""

import json

import numpy as np
import pytest
from _events import synthetic_events, with_monojet_record, write_sample

from dmzoo import binning
from dmzoo_training import robustness as rb


def mean_pt_bin(x, snr):
    """A stand-in network: a histogram's mean pT bin, higher for harder (signal-like) ones."""
    per_pt = x.reshape(len(x), 30, 30).sum(axis=2)
    return per_pt @ np.arange(30) / per_pt.sum(axis=1)


def test_llr_with_empty_bins_by_hand():
    h0 = np.array([0.5, 0.5, 0.0, 0.0])
    h1 = np.array([0.25, 0.5, 0.25, 0.0])
    x = np.array([[2.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
    t = rb.llr(x, h0, h1)
    # 2 ln(0.5) + 1 ln(1) for the first; an event where only h1 fills a bin for the second
    assert t[0] == pytest.approx(2 * np.log(0.5))
    assert t[1] == np.inf


def test_the_nominal_world_against_itself_moves_nothing(events_dir):
    world = rb.nominal_world(["spin1_offshell"], events_dir)
    row = rb.compare(world, world, "spin1_offshell", 1.0, mean_pt_bin, n=500)
    assert row["auc"] == row["auc_nominal"] > 0.6
    assert row["auc_optimal"] == row["auc_optimal_nominal"] >= row["auc"] - 0.02
    assert row["sm_above_nominal_90"] == pytest.approx(0.10, abs=0.005)
    assert row["signal_above_nominal_90"] == row["signal_above_nominal_90_nominal"]


def test_a_harder_jet_scale_looks_like_signal_to_the_nominal_calibration(events_dir):
    nominal = rb.nominal_world(["spin1_offshell"], events_dir)
    softer = rb.nominal_world(["spin1_offshell"], events_dir, rb.Shift(jes=-0.03))
    row = rb.compare(nominal, softer, "spin1_offshell", 1.0, mean_pt_bin, n=500)
    # a softer SM falls below the nominal SM's 90% quantile more often: fewer false alarms
    assert row["sm_above_nominal_90"] < 0.05


def test_shifts_scale_and_widen():
    ev = {"jet_pt": np.full(20_000, 500.0), "jet_eta": np.zeros(20_000)}
    rng = np.random.default_rng(1)
    assert rb.shifted_pt(ev, rb.Shift(jes=0.03), rng) == pytest.approx(515.0)
    wider = rb.shifted_pt(ev, rb.Shift(jer=0.10), rng)
    sigma = float(rb.detector.hcal_resolution(np.array([500.0]), np.array([0.0]))[0])
    # the extra Gaussian: sigma sqrt(1.1^2 - 1) = 0.458 sigma, relative to E = pT at eta 0
    assert wider.mean() == pytest.approx(500.0, rel=2e-3)
    assert wider.std() == pytest.approx(500.0 * sigma * np.sqrt(0.21) / 500.0, rel=0.03)


def test_only_samples_stored_below_the_edge_carry_an_upward_shift():
    assert rb.truncated(["sm", "alp"], rb.Shift(jes=0.03))
    assert rb.truncated(["sm"], rb.Shift(jer=0.1))
    assert not rb.truncated(["sm", "alp"], rb.Shift(jes=-0.03))
    assert not rb.truncated(["w_lnu", "ttbar"], rb.Shift(jes=0.03))


def test_full_sm_weights_each_process_by_its_cross_section(tmp_path):
    write_sample(tmp_path, "sm", synthetic_events(20_000, 120.0, 1.6, seed=1))
    write_sample(tmp_path, "spin1_offshell", synthetic_events(5_000, 220.0, 1.1, seed=2))
    w = with_monojet_record(synthetic_events(10_000, 200.0, 1.6, seed=3), seed=4)
    write_sample(tmp_path, "w_lnu", w)
    passed = (w["met"] > 130) & (w["dphi_min"] > 0.4)  # the monojet MET and dphi cuts
    summary = json.loads((tmp_path / "w_lnu" / "sample.json").read_text())
    # 2 pb over 40,000 generated events: each kept W event weighs 5e-5 pb; an SM event
    # weighs 1 pb over its sample's size (write_sample's cross section and count)
    summary.update(sigma_generated_pb=2.0, n_generated=40_000)
    (tmp_path / "w_lnu" / "sample.json").write_text(json.dumps(summary))
    nominal = rb.nominal_world(["spin1_offshell"], tmp_path)
    full = rb.full_sm_world(nominal, tmp_path)
    sm = synthetic_events(20_000, 120.0, 1.6, seed=1)
    sm_rate = binning.fill(sm["jet_pt"], sm["jet_eta"]) / len(sm["jet_pt"])
    w_rate = binning.fill(w["jet_pt"][passed], w["jet_eta"][passed]) * 2.0 / 40_000
    expected = sm_rate + w_rate
    assert full.sm == pytest.approx(expected / expected.sum())
    assert full.signals is nominal.signals
    assert f"w_lnu {w_rate.sum() / sm_rate.sum():.3f}" in full.note
    assert 0.2 < w_rate.sum() / sm_rate.sum() < 0.4  # 0.5 before the cuts


def test_systematics_samples_carry_upward_shifts_and_scale_variations(tmp_path):
    for name, slope, seed in (
        ("sm_syst_nominal", 120.0, 1),
        ("spin1_offshell_syst_nominal", 220.0, 2),
        ("sm_syst_mu2", 110.0, 3),  # a softer SM at the doubled scales
        ("spin1_offshell_syst_mu2", 220.0, 4),
    ):
        write_sample(tmp_path, name, synthetic_events(8_000, slope, 1.4, seed=seed))
    rows = rb.detector_rows(["spin1_offshell"], [1.0], lambda b: mean_pt_bin, tmp_path)
    assert [r["study"] for r in rows] == [
        "jes -0.03, jer +0",
        "jes +0.03, jer +0",
        "jes +0, jer +0.1",
    ]
    up = rows[1]
    assert up["sm_above_nominal_90"] > 0.3  # a harder jet scale: SM-only looks like signal
    (scale,) = rb.scale_rows(["spin1_offshell"], [1.0], lambda b: mean_pt_bin, tmp_path)
    assert scale["study"] == "scales mu2"
    assert scale["sm_above_nominal_90"] < 0.05  # the softer SM scores lower
