"""Pseudo-experiments against numbers computed by hand.

The statistic here is F, the fraction of a histogram's events in the upper half of the pT bins.
With a flat SM template, F of an SM-only toy of n events is Binomial(n, 1/2) / n, and with a
signal template confined to that half, a signal toy's is (Binomial(B, 1/2) + S) / n: the
p-value, thresholds and power then have exact values to compare with.
"""

import math

import numpy as np
import pytest
from _synthetic_zoo import upper_fraction

from dmzoo import calibration

FLAT = np.full((30, 30), 1.0 / 900)
UPPER = np.zeros((30, 30))
UPPER[15:, :] = 1.0 / 450


def binomial_tail(n: int, k: int) -> float:
    """P(X >= k) for X ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(max(k, 0), n + 1)) / 2**n


def run(observed: float, n: int = 400, snr: float = 2.0, toys: int = 8000, seed: int = 3):
    return calibration.calibrate(
        observed,
        upper_fraction,
        n_events=n,
        snr=snr,
        sm_probabilities=FLAT,
        signal_probabilities=UPPER,
        n_toys=toys,
        seed=seed,
    )


@pytest.mark.parametrize(
    ("n", "snr", "b", "s"),
    [(51_006, 4.5, 50_000, 1006), (45_000, 1.0, 44_788, 212), (400, 2.0, 362, 38), (3, 0.1, 3, 0)],
)
def test_signal_toys_split_the_observed_events_as_b_plus_s(n, snr, b, s):
    assert calibration.split_events(n, snr) == (b, s)
    assert s == round(snr * math.sqrt(b))


def test_p_value_matches_the_binomial_tail():
    cal, toys = run(observed=224 / 400)
    exact = binomial_tail(400, 224)
    assert exact == pytest.approx(0.00933, abs=1e-5)
    assert cal.p_value == pytest.approx(exact, abs=4 * math.sqrt(exact / 8000))
    assert cal.p_value_error == pytest.approx(math.sqrt(cal.p_value * (1 - cal.p_value) / 8000))
    assert cal.p_value_text.endswith(f"({round(cal.p_value * 8000)} of 8000 pseudo-experiments)")
    assert len(toys.sm) == len(toys.signal) == 8000
    assert (cal.b_signal, cal.s_signal, cal.n_events) == (362, 38, 400)


def test_thresholds_decisions_and_power_match_the_binomials():
    cal, toys = run(observed=215 / 400)
    assert [d.background_rejection for d in cal.decisions] == [0.9, 0.99]
    for d in cal.decisions:
        k = round(d.threshold * 400)
        # the exact quantile: the smallest k with P(X <= k) >= rejection; MC may land one off
        exact_k = next(
            j for j in range(401) if 1 - binomial_tail(400, j + 1) >= d.background_rejection
        )
        assert abs(k - exact_k) <= 1
        assert exact_k == {0.9: 213, 0.99: 223}[d.background_rejection]
        power = binomial_tail(362, k + 1 - 38)  # signal toys strictly above the threshold
        assert d.power == pytest.approx(power, abs=4 * math.sqrt(power * (1 - power) / 8000))
        assert d.observed_above == (215 > k)
    assert cal.decisions[0].observed_above and not cal.decisions[1].observed_above
    # Signal toys: F = (Binomial(362, 1/2) + 38) / 400, median (181 + 38) / 400
    assert cal.signal_median == pytest.approx(219 / 400, abs=1.5 / 400)
    assert cal.sm_quantiles["0.5"] == pytest.approx(0.5, abs=1.5 / 400)


def test_no_toy_as_high_gives_a_bound():
    cal, _ = run(observed=0.9, toys=500)
    assert cal.p_value == 0.0 and cal.p_value_error == 0.0
    assert cal.p_value_text == "< 0.002 (0 of 500 pseudo-experiments)"


def test_same_seed_same_answer_and_sm_toys_ignore_the_signal_hypothesis():
    a, ta = run(observed=0.53, toys=300, seed=11)
    b, tb = run(observed=0.53, toys=300, seed=11)
    assert a == b and np.array_equal(ta.signal, tb.signal)
    c, tc = run(observed=0.53, toys=300, seed=12)
    assert not np.array_equal(ta.sm, tc.sm)
    d, td = run(observed=0.53, toys=300, seed=11, snr=0.5)
    assert np.array_equal(ta.sm, td.sm) and d.p_value == a.p_value
    assert not np.array_equal(ta.signal, td.signal)


def test_toys_are_drawn_in_batches_without_changing_them(monkeypatch):
    whole, _ = run(observed=0.53, toys=1200, seed=5)
    monkeypatch.setattr(calibration, "BATCH", 100)
    batched, _ = run(observed=0.53, toys=1200, seed=5)
    assert whole == batched


def test_a_saturated_model_ties_at_the_threshold():
    cal, _ = calibration.calibrate(
        1.0,
        lambda x: np.ones(len(x)),
        n_events=100,
        snr=1.0,
        sm_probabilities=FLAT,
        signal_probabilities=UPPER,
        n_toys=50,
    )
    assert cal.p_value == 1.0 and cal.p_value_error == 0.0
    assert all(
        d.threshold == 1.0 and not d.observed_above and d.power == 0.0 for d in cal.decisions
    )
