"""Measuring a trained classifier on test histograms, beside the likelihood-ratio limit.

Test histograms come from the test parts of the pools with seeds fixed by the classifier and
S/sqrt(B), so two classifiers asked the same question see the same histograms: the multimodel
network is measured on each benchmark's binary test set, histogram for histogram.

The limit is the Neyman-Pearson test between the hypotheses' expected bin probabilities (full
samples, `histograms.mixture`). For the multiclass network's one-vs-rest question the optimal
statistic is the posterior of the class against the others with equal priors, built from the
same multinomial likelihoods.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dmzoo_training import classifiers, histograms
from dmzoo_training.classifiers import BENCHMARKS, SNR_GRID, Spec
from dmzoo_training.histograms import mixture, seed_of

N_FREQUENCY = 1000  # histograms per sample for the multiclass prediction frequencies


def score_auc(pred: np.ndarray, y: np.ndarray) -> float:
    """The AUC of a binary output, or the mean one-vs-rest AUC of a multiclass output."""
    if pred.ndim == 1:
        return histograms.auc(pred, y)
    return float(np.mean([histograms.auc(pred[:, k], y == k) for k in range(pred.shape[1])]))


def auc_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Standard error of an AUC measured on n_pos and n_neg test histograms (Hanley-McNeil).

    Repeated trainings that start at the same likelihood ratio can agree exactly; this is the
    spread the finite test set alone gives the measured number.
    """
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (
        n_pos * n_neg
    )
    return float(math.sqrt(max(var, 0.0)))


def asymptotic_auc(p: np.ndarray, q0: np.ndarray, q1: np.ndarray, snr: float) -> float:
    """Phi(Z / sqrt 2) with Z = snr sqrt(chi2), chi2 = sum (q1 - q0)^2 / p (shape only).

    p is the SM template, q0 and q1 what the two hypotheses add to it (q0 = p for SM only).
    """
    chi2 = float(np.sum((q1 - q0) ** 2 / p))
    return 0.5 * (1 + math.erf(snr * math.sqrt(chi2) / 2))


def held_out(pools, spec: Spec, snr: float, b: int, n: int):
    """The classifier's test histograms at snr: the same seed wherever they are drawn, so every
    measurement of one question (training, cross-checks) sees the same histograms."""
    rng = np.random.default_rng(seed_of("test", spec.seed_key, snr))
    return pools.parts["test"].draw(spec.classes, b, histograms.n_signal(snr, b), n, rng)


def _binary_limits(full, h0_signal, h1_signal, snr, b, s, x) -> dict:
    h0 = mixture(full, h0_signal, b, s)
    h1 = mixture(full, h1_signal, b, s)
    q0 = full["sm"] if h0_signal is None else full[h0_signal]
    return {
        "t": histograms.log_likelihood_ratio(x, h0, h1),
        "auc_asymptotic": asymptotic_auc(full["sm"], q0, full[h1_signal], snr),
    }


def measure(
    predict: Callable[[np.ndarray], np.ndarray],
    pools,
    spec: Spec,
    snr: float,
    b: int,
    s: int,
    n_test: int,
) -> dict:
    """Test AUC(s) and limits of one trained classifier, as stored in its result record."""
    x, y = held_out(pools, spec, snr, b, n_test)
    pred = predict(x)
    out: dict = {"auc": score_auc(pred, y)}
    if pred.ndim == 1:
        out["auc_error"] = auc_error(out["auc"], n_test, n_test)
    if spec.kind in ("binary", "model_vs_model"):
        h0 = spec.classes[0][0] if spec.classes[0] else None
        lim = _binary_limits(pools.full, h0, spec.classes[1][0], snr, b, s, x)
        out["auc_optimal"] = histograms.auc(lim["t"], y)
        out["auc_asymptotic"] = lim["auc_asymptotic"]
    elif spec.kind == "multimodel_binary":
        out["per_benchmark"] = _per_benchmark(predict, pools, snr, b, s, n_test)
    elif spec.kind == "multiclass":
        out.update(_multiclass(predict, pools, spec, snr, b, s, x, y, pred))
    return out


def _per_benchmark(predict, pools, snr, b, s, n_test) -> dict:
    """AUC on every benchmark's own binary test set (the held-out ones included)."""
    out = {}
    for name in BENCHMARKS:
        if name not in pools.full:
            continue
        x, y = held_out(pools, classifiers.binary(name), snr, b, n_test)
        lim = _binary_limits(pools.full, None, name, snr, b, s, x)
        out[name] = {
            "auc": histograms.auc(predict(x), y),
            "auc_optimal": histograms.auc(lim["t"], y),
            "trained_on": name in classifiers.LABELLED,
        }
    return out


def _class_log_likelihoods(full, spec: Spec, b: int, s: int, x: np.ndarray) -> np.ndarray:
    """ln L_k(x) for every class k, up to a term common to all classes."""
    flat = x.reshape(len(x), -1).astype(np.float64)
    cols = [flat @ np.log(mixture(full, c[0] if c else None, b, s)).ravel() for c in spec.classes]
    return np.stack(cols, axis=1)


def _multiclass(predict, pools, spec, snr, b, s, x, y, pred) -> dict:
    from scipy.special import logsumexp

    names = [c[0] if c else "sm" for c in spec.classes]
    loglik = _class_log_likelihoods(pools.full, spec, b, s, x)
    per_class = {}
    for k, name in enumerate(names):
        others = np.delete(loglik, k, axis=1)
        optimal = loglik[:, k] - logsumexp(others, axis=1)
        per_class[name] = {
            "auc": histograms.auc(pred[:, k], y == k),
            "auc_optimal": histograms.auc(optimal, y == k),
        }
    return {
        "per_class": per_class,
        "auc_optimal": float(np.mean([v["auc_optimal"] for v in per_class.values()])),
        "frequencies": _frequencies(predict, pools, names, snr, b, s),
    }


def _frequencies(predict, pools, names, snr, b, s) -> dict:
    """The paper's representation: per tested sample, how often each class is predicted.

    A histogram counts for a class only when that class has the highest probability and it
    is above 0.25; otherwise it counts as `none`.
    """
    out = {}
    for sample in ("sm", *BENCHMARKS):
        if sample not in pools.full:
            continue
        cls = () if sample == "sm" else (sample,)
        rng = np.random.default_rng(seed_of("frequency", sample, snr))
        x, _ = pools.parts["test"].draw((cls,), b, s, N_FREQUENCY, rng)
        p = predict(x)
        top = p.argmax(axis=1)
        counted = p[np.arange(len(p)), top] > classifiers.MULTICLASS_THRESHOLD
        freq = {name: float(np.mean(counted & (top == k))) for k, name in enumerate(names)}
        freq["none"] = float(np.mean(~counted))
        out[sample] = freq
    return out


# Where a parametric network is measured besides the grid points: points between them.
BETWEEN = (0.12, 0.8, 1.2, 5.5)


def measure_parametric(predict, pools, spec: Spec, b: int, n_test: int) -> dict:
    """AUC and limit at every point, on each benchmark's own binary test histograms.

    At grid points these are the very histograms the grid networks were measured on, so the
    comparison with them (`crosscheck.parametric_vs_grid`) is histogram for histogram.
    """
    names = [spec.benchmark] if spec.benchmark else [n for n in BENCHMARKS if n in pools.full]
    rows = []
    for name in names:
        for snr in sorted((*SNR_GRID, *BETWEEN)):
            s = histograms.n_signal(snr, b)
            x, y = held_out(pools, classifiers.binary(name), snr, b, n_test)
            lim = _binary_limits(pools.full, None, name, snr, b, s, x)
            t = np.full((len(x), 1), snr, dtype=np.float32)
            rows.append(
                {
                    "benchmark": name,
                    "snr": snr,
                    "auc": histograms.auc(predict(x, t), y),
                    "auc_optimal": histograms.auc(lim["t"], y),
                    "trained_on": name in spec.classes[1],
                }
            )
    main = [r for r in rows if r["trained_on"]]
    return {"points": rows, "auc": float(np.mean([r["auc"] for r in main]))}
