"""Pseudo-histograms from event pools, as in the paper's section 3.2.

A signal histogram holds B background and S = round(snr * sqrt(B)) signal events; its SM-only
counterpart holds B + S background events, so the total carries no information and a classifier
must judge the shape. Each event pool is split 64:16:20 into train, validation and test parts and
histograms for each purpose come only from its part.

Histograms are drawn multinomially from the part's binned template, which is the same as drawing
events with replacement from the part. The paper draws without replacement inside one histogram;
with B = 50k out of 960k training events the difference is a finite-population factor of 0.95
on the bin variances, which only makes our training histograms slightly noisier than the paper's.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from dmzoo import binning

SPLIT = {"train": 0.64, "val": 0.16, "test": 0.20}
B_DEFAULT = 50_000
PSEUDO_COUNT = 0.5  # events added to every bin of a full-sample template for the likelihood ratio


def seed_of(*parts: object) -> int:
    """A numpy seed fixed by names (the same on every machine and run)."""
    return zlib.crc32(":".join(map(str, parts)).encode()) & 0x7FFFFFFF


def n_signal(snr: float, b: int) -> int:
    return int(round(snr * np.sqrt(b)))


def split_indices(n: int, seed: int) -> dict[str, np.ndarray]:
    """A fixed 64:16:20 partition of n events (sorted indices per part)."""
    order = np.random.default_rng(seed).permutation(n)
    a = int(round(SPLIT["train"] * n))
    b = a + int(round(SPLIT["val"] * n))
    return {"train": np.sort(order[:a]), "val": np.sort(order[a:b]), "test": np.sort(order[b:])}


def template(pt: np.ndarray, eta: np.ndarray, pseudo_count: float = 0.0) -> np.ndarray:
    """Bin probabilities (sum 1) of the events inside the histogram, plus a pseudo-count.

    A finite sample leaves bins empty that the true distribution does not (the SM above
    ~1.5 TeV). Drawing from such a template, an SM-only histogram can never put an event there,
    and a network learns "any event in this bin means signal", which holds only for that
    template: measured, training loss fell to 0.17 while the validation loss grew without
    bound. Every part's template therefore gets the same pseudo-count per bin, scaled to its
    size, as the likelihood ratio's full-sample templates.
    """
    counts = binning.fill(pt, eta) + pseudo_count
    return counts / counts.sum()


@dataclass(frozen=True)
class Templates:
    """Background and signal templates of one part of the pools."""

    bkg: np.ndarray  # [30, 30], sums to 1
    sig: np.ndarray
    n_bkg: int = 0  # events behind each template, for resampling
    n_sig: int = 0

    def resampled(self, rng: np.random.Generator) -> Templates:
        """A bootstrap replica: each bin's count redrawn from a Poisson of its mean.

        With B = 50k drawn from a pool of a few 100k events, the pool's own fluctuations are a
        sizeable fraction of a histogram's (sqrt(50k / 960k) = 0.23 sigma per bin for the SM
        training part), and the validation and test pools fluctuate differently. A network
        trained on one fixed template learns where that template sits and calls every other
        pool's SM histograms signal. Training on replicas teaches it to ignore shifts common to
        both classes.
        """

        def redraw(p, n):
            c = rng.poisson(p * n).astype(np.float64)
            return c / c.sum()

        return Templates(
            redraw(self.bkg, self.n_bkg), redraw(self.sig, self.n_sig), self.n_bkg, self.n_sig
        )

    def draw(self, b: int, s: int, n_per_class: int, rng: np.random.Generator):
        """n_per_class signal+background and n_per_class background-only histograms.

        Returns (x [2n, 30, 30] float32 counts, y [2n] with 1 for signal).
        """
        p = self.bkg.ravel()
        q = self.sig.ravel()
        with_signal = rng.multinomial(b, p, size=n_per_class)
        if s > 0:
            with_signal += rng.multinomial(s, q, size=n_per_class)
        only_bkg = rng.multinomial(b + s, p, size=n_per_class)
        x = np.concatenate([with_signal, only_bkg]).reshape(-1, binning.N_BINS, binning.N_BINS)
        y = np.concatenate([np.ones(n_per_class), np.zeros(n_per_class)])
        return x.astype(np.float32), y.astype(np.float32)


def log_likelihood_ratio(
    x: np.ndarray, p_full: np.ndarray, q_full: np.ndarray, b: int, s: int
) -> np.ndarray:
    """t = sum_i n_i ln[(B p_i + S q_i) / ((B + S) p_i)] for each histogram in x.

    p_full and q_full are the templates of the full samples, with PSEUDO_COUNT events added to
    every bin before normalising so that bins empty in the SM stay finite.
    """
    w = np.log((b * p_full + s * q_full) / ((b + s) * p_full)).ravel()
    return x.reshape(len(x), -1).astype(np.float64) @ w


def regularised(counts: np.ndarray) -> np.ndarray:
    c = counts + PSEUDO_COUNT
    return c / c.sum()


def part_pseudo_count(n_part: int, n_full: int) -> float:
    """The pseudo-count of a part, so every part regularises towards the same distribution."""
    return PSEUDO_COUNT * n_part / n_full


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
