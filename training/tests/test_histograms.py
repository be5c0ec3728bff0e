import json

import numpy as np
import pytest

from dmzoo_training import histograms


def test_signal_count_follows_snr():
    assert histograms.n_signal(1.0, 50_000) == 224
    assert histograms.n_signal(10.0, 50_000) == 2236  # the paper's example
    assert histograms.n_signal(0.1, 50_000) == 22


def test_split_is_64_16_20_and_disjoint():
    parts = histograms.split_indices(1000, seed=3)
    assert [len(parts[p]) for p in ("train", "val", "test")] == [640, 160, 200]
    together = np.concatenate(list(parts.values()))
    assert len(np.unique(together)) == 1000
    assert np.array_equal(parts["test"], histograms.split_indices(1000, seed=3)["test"])


def test_both_classes_hold_the_same_number_of_events():
    rng = np.random.default_rng(0)
    p = rng.random((30, 30))
    q = rng.random((30, 30))
    t = histograms.Templates({"sm": p / p.sum(), "sig": q / q.sum()})
    x, y = t.draw(((), ("sig",)), 5000, 71, 10, rng)
    assert x.shape == (20, 30, 30) and x.dtype == np.float32
    assert set(x.reshape(20, -1).sum(axis=1)) == {5071.0}
    assert y.tolist() == [1.0] * 10 + [0.0] * 10


def test_auc_matches_its_definition():
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.4])
    labels = np.array([0, 0, 1, 1, 1])
    # pairs (pos, neg): (0.35>0.1), (0.35<0.4), (0.8>both), (0.4>0.1), (0.4=0.4 counts half)
    assert histograms.auc(scores, labels) == pytest.approx((1 + 0 + 2 + 1 + 0.5) / 6)


def test_likelihood_ratio_separates_different_shapes():
    rng = np.random.default_rng(1)
    p = np.full((30, 30), 1 / 900)
    q = np.zeros((30, 30))
    q[:5] = 1 / 150
    t = histograms.Templates({"sm": p, "sig": q})
    x, y = t.draw(((), ("sig",)), 50_000, 2236, 200, rng)
    full = {"sm": histograms.regularised(p * 1e6), "sig": histograms.regularised(q * 1e6)}
    h0 = histograms.mixture(full, None, 50_000, 2236)
    h1 = histograms.mixture(full, "sig", 50_000, 2236)
    llr = histograms.log_likelihood_ratio(x, h0, h1)
    assert histograms.auc(llr, y) > 0.99


def test_the_sm_is_stitched_from_its_tail_sample(tmp_path):
    """Above the stitching edge the SM pool takes sm_tail's events, weighted per generated event."""
    from _events import synthetic_events, write_sample

    from dmzoo import binning
    from dmzoo_training import samples
    from dmzoo_training.benchmarks import SM_STITCH_PT
    from dmzoo_training.train import load_pools

    write_sample(tmp_path, "sm", synthetic_events(40_000, 150.0, 1.6, seed=1))
    tail = synthetic_events(20_000, 300.0, 1.2, seed=2)
    keep = tail["jet_pt"] >= SM_STITCH_PT
    write_sample(tmp_path, "sm_tail", {k: v[keep] for k, v in tail.items()})
    # sm_tail: sigma 1 pb over 20,000 generated; sm: sigma 1 pb over its selected count
    meta = json.loads((tmp_path / "sm_tail" / "sample.json").read_text())
    meta["n_generated"] = 20_000
    (tmp_path / "sm_tail" / "sample.json").write_text(json.dumps(meta))
    n_main = json.loads((tmp_path / "sm" / "sample.json").read_text())["n_generated"]
    w = samples.tail_weight(tmp_path)
    assert w == pytest.approx(n_main / 20_000)
    assert binning.PT_EDGES[samples.STITCH_BIN] == pytest.approx(SM_STITCH_PT)

    pools = load_pools("sm", tmp_path)
    parts = samples.split_parts("sm", tmp_path)
    test = parts["test"]
    low = test["jet_pt"] < SM_STITCH_PT
    assert set(test["weight"][low]) == {1.0} and set(test["weight"][~low]) == {w}
    # the full template above the edge is the tail sample's shape at the tail's weight
    counts = sum(binning.fill(p["jet_pt"], p["jet_eta"], p["weight"]) for p in parts.values())
    expect = histograms.regularised(counts, samples.unit_weights("sm", tmp_path))
    assert np.allclose(pools.full["sm"], expect)
    above = binning.fill(tail["jet_pt"][keep], tail["jet_eta"][keep]) * w
    assert counts[samples.STITCH_BIN :].sum() == pytest.approx(above.sum())
    # a replica redraws raw event counts, each bin at its own event weight
    train = pools.parts["train"]
    replica = train.resampled(np.random.default_rng(0))
    units = samples.unit_weights("sm", tmp_path)
    raw = np.random.default_rng(0).poisson(train.probs["sm"] * train.sizes["sm"] / units) * units
    assert np.allclose(replica.probs["sm"], raw / raw.sum())


def test_start_templates_are_symmetric_in_eta_and_keep_smooth_shapes():
    rng = np.random.default_rng(4)
    pt = np.exp(-np.arange(30) / 6.0)[:, None]
    eta = np.exp(-((np.arange(30) - 14.5) ** 2) / 60.0)[None, :]
    truth = pt * eta / (pt * eta).sum()
    noisy = rng.poisson(truth * 2e5) + 0.5
    noisy = noisy / noisy.sum()
    smooth = histograms.smoothed(noisy)
    assert smooth.sum() == pytest.approx(1.0)
    assert np.allclose(smooth, smooth[:, ::-1])  # bin j and bin 29 - j cover -eta and eta
    # closer to the truth than the noisy template, bin by bin in relative terms (0.083 vs 0.159)
    assert np.abs(smooth / truth - 1).mean() < 0.6 * np.abs(noisy / truth - 1).mean()
    flat = np.full((30, 30), 1 / 900)
    assert np.allclose(histograms.smoothed(flat), flat)


def test_pooled_templates_weigh_each_part_by_its_events():
    a = histograms.Templates({"sm": np.full((30, 30), 1 / 900)}, {"sm": 300})
    peaked = np.zeros((30, 30))
    peaked[0, 0] = 1.0
    b = histograms.Templates({"sm": peaked}, {"sm": 100})
    joint = histograms.pooled([a, b])["sm"]
    assert joint[0, 0] == pytest.approx(0.75 / 900 + 0.25)
    assert joint.sum() == pytest.approx(1.0)


def test_binning_study_compares_binnings_on_the_same_draws(events_dir):
    from dmzoo_training import binning_study

    rows = binning_study.study(
        benchmarks=("spin1_offshell",),
        snrs=(2.2,),
        b_events=5000,
        n_test=200,
        events_dir=events_dir,
    )
    assert len(rows) == len(binning_study.variants()) == 12
    same = [r for r in rows if r["binning"] in ("30x30", "30x30 linear pT", "pT from 130 GeV")]
    assert len(same) == 3 and len({(r["auc_method"], r["auc_optimal"]) for r in same}) == 1
    coarse = next(r for r in rows if r["binning"] == "5x5")
    assert coarse["auc_method_30x30"] == same[0]["auc_method"]
    assert all(0.5 < r["auc_optimal"] <= 1.0 and r["auc_error"] > 0 for r in rows)
