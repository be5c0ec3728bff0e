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
