"""Calibrating a score with pseudo-experiments drawn from the zoo's templates.

A score alone is not a significance. Here the observed histogram's N selected events are
compared with seeded pseudo-experiments of the same N:

- SM only: N events drawn from the SM template (the paper's SM-only histograms hold B + S
  background events, so the total count carries no information);
- SM + signal: B events from the SM template and S from the benchmark's, with B + S = N and
  S = round(snr * sqrt(B)), i.e. sqrt(B) = (sqrt(snr^2 + 4 N) - snr) / 2. The observed N is
  read as B + S of the hypothesis under test, the paper's construction of its signal histograms.

From them: the p-value of the observed score under SM only (fraction of SM toys scoring at
least as high, with its binomial error), the signal's score quantiles, and the thresholds at
90% and 99% background rejection with the decision and the expected power at each.

Known shortcoming: the toys come from our simulated SM (Pythia 8, a parametric detector, the
test part of a finite sample), so a p-value measures disagreement with that simulation; real
data with a mismodelled background will look signal-like. The caller may pass an SM of its own
instead (`score(..., background=...)`, see `dmzoo.background`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dmzoo import binning

log = logging.getLogger(__name__)

DEFAULT_TOYS = 1000
MAX_TOYS = 1_000_000  # per hypothesis: p-values down to 1e-6, minutes of inference already
DEFAULT_SEED = 0
BATCH = 512  # histograms drawn and scored at once: bounded memory for any number of toys
REJECTIONS = (0.9, 0.99)
QUANTILES = (0.05, 0.16, 0.5, 0.84, 0.95)


@dataclass
class Decision:
    """The test at one background rejection (1 - false-positive rate of SM-only toys)."""

    background_rejection: float
    threshold: float  # score that this fraction of SM-only toys stays at or below
    observed_above: bool  # True: the observed histogram is rejected as SM-only at this level
    power: float  # fraction of signal toys above the threshold
    power_error: float  # binomial


@dataclass
class Calibration:
    """What the pseudo-experiments say about one observed score."""

    n_toys: int  # per hypothesis
    seed: int
    n_events: int  # in every toy: the observed number of selected events
    b_signal: int  # SM events in a signal toy
    s_signal: int  # signal events in a signal toy
    p_value: float  # fraction of SM-only toys scoring at least the observed score
    p_value_error: float  # binomial; 0 when no toy reached the observed score
    p_value_text: str  # "0.012 +- 0.003", or "< 0.001" when 0 of N toys reached it
    sm_quantiles: dict[str, float]  # score quantiles of SM-only toys, keyed "0.05" ... "0.95"
    signal_quantiles: dict[str, float]
    signal_median: float
    decisions: list[Decision] = field(default_factory=list)


@dataclass
class ToyScores:
    """The scores of every pseudo-experiment, for plots (not part of the JSON)."""

    sm: np.ndarray
    signal: np.ndarray


def split_events(n: int, snr: float) -> tuple[int, int]:
    """(B, S) with B + S = n and S = round(snr * sqrt(B)) (to within the rounding)."""
    # sqrt(B) = (sqrt(snr^2 + 4n) - snr) / 2, written so that neither snr^2 overflows nor the
    # difference cancels: far above the grid (snr 1e300) S is n, not a crash.
    root_b = 2.0 * n / (math.hypot(snr, 2.0 * math.sqrt(n)) + snr)
    s = min(n, int(round(snr * root_b)))
    return n - s, s


def draw(
    rngs: tuple[np.random.Generator, ...], n_toys: int, b: int, p: np.ndarray, s: int = 0, q=None
) -> np.ndarray:
    """n_toys histograms [n, 30, 30] of b events from p plus s events from q (multinomial).

    The two parts come from their own streams, so drawing in batches of any size gives the
    same toys.
    """
    x = rngs[0].multinomial(b, p.ravel(), size=n_toys)
    if s > 0:
        x += rngs[1].multinomial(s, q.ravel(), size=n_toys)
    return x.reshape(n_toys, binning.N_BINS, binning.N_BINS)


def toy_scores(
    statistic: Callable[[np.ndarray], np.ndarray],
    rngs: tuple[np.random.Generator, ...],
    n_toys: int,
    b: int,
    p: np.ndarray,
    s: int = 0,
    q=None,
) -> np.ndarray:
    """The statistic of n_toys pseudo-experiments, drawn and scored in batches."""
    out = []
    for start in range(0, n_toys, BATCH):
        size = min(BATCH, n_toys - start)
        out.append(np.asarray(statistic(draw(rngs, size, b, p, s, q)), dtype=np.float64))
    return np.concatenate(out) if out else np.empty(0)


def p_value(observed: float, sm: np.ndarray) -> tuple[float, float, str]:
    """(p, binomial error, text) of the observed score among SM-only toy scores."""
    n = len(sm)
    k = int(np.count_nonzero(sm >= observed))
    if k == 0:
        return 0.0, 0.0, f"< {1.0 / n:.2g} (0 of {n} pseudo-experiments)"
    p = k / n
    err = math.sqrt(p * (1.0 - p) / n)
    return p, err, f"{p:.3g} +- {err:.2g} ({k} of {n} pseudo-experiments)"


def decisions(observed: float, sm: np.ndarray, signal: np.ndarray) -> list[Decision]:
    """Threshold, decision and power at each background rejection of REJECTIONS."""
    out = []
    for rejection in REJECTIONS:
        # "higher" keeps the threshold an observed toy score, so at least `rejection` of the
        # SM-only toys sit at or below it even when the model saturates and scores tie.
        threshold = float(np.quantile(sm, rejection, method="higher"))
        power = float(np.mean(signal > threshold))
        out.append(
            Decision(
                background_rejection=rejection,
                threshold=threshold,
                observed_above=bool(observed > threshold),
                power=power,
                power_error=math.sqrt(power * (1.0 - power) / len(signal)),
            )
        )
    return out


def quantiles(scores: np.ndarray) -> dict[str, float]:
    return {
        f"{q:g}": float(v) for q, v in zip(QUANTILES, np.quantile(scores, QUANTILES), strict=True)
    }


def calibrate(
    observed: float,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_events: int,
    snr: float,
    sm_probabilities: np.ndarray,
    signal_probabilities: np.ndarray,
    n_toys: int = DEFAULT_TOYS,
    seed: int = DEFAULT_SEED,
    null_signal_probabilities: np.ndarray | None = None,
) -> tuple[Calibration, ToyScores]:
    """Compare the observed score with n_toys SM-only and n_toys signal pseudo-experiments.

    `statistic` maps a batch of raw counts [k, 30, 30] to k scores. SM-only and signal toys
    come from independent streams of one seed, so the SM-only toys (and the p-value) do not
    depend on the benchmark or S/sqrt(B) asked for. With `null_signal_probabilities` the
    hypothesis the p-value tests is B SM events plus S of that other signal, drawn exactly as
    the signal toys are (a model-vs-model question's SM + the other benchmark).
    """
    # spawn(4): the first three streams are those of spawn(3), so adding the fourth changed
    # no SM-only or signal toy of any earlier answer
    sm_only, signal_bkg, signal_sig, null_sig = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(4)
    )
    b, s = split_events(n_events, snr)
    log.info(
        "drawing %d SM-only and %d signal toys of %d events (B %d, S %d)",
        n_toys,
        n_toys,
        n_events,
        b,
        s,
    )
    if null_signal_probabilities is None:
        sm = toy_scores(statistic, (sm_only,), n_toys, n_events, sm_probabilities)
    else:
        sm = toy_scores(
            statistic,
            (sm_only, null_sig),
            n_toys,
            b,
            sm_probabilities,
            s,
            null_signal_probabilities,
        )
    signal = toy_scores(
        statistic, (signal_bkg, signal_sig), n_toys, b, sm_probabilities, s, signal_probabilities
    )
    p, err, text = p_value(observed, sm)
    result = Calibration(
        n_toys=n_toys,
        seed=seed,
        n_events=n_events,
        b_signal=b,
        s_signal=s,
        p_value=p,
        p_value_error=err,
        p_value_text=text,
        sm_quantiles=quantiles(sm),
        signal_quantiles=quantiles(signal),
        signal_median=float(np.median(signal)),
        decisions=decisions(observed, sm, signal),
    )
    return result, ToyScores(sm=sm, signal=signal)
