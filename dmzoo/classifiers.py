"""The kinds of classifier `score` uses, what each outputs, and how its output becomes a score.

Every kind takes float32 [N, 30, 30] raw counts (see docs/onnx-contract.md); the binary and
multimodel ones may be parametric, taking S/sqrt(B) as a second input (`dmzoo.parametric`):

- `binary`: one benchmark against the SM; output [N] (or [N, 1]), the probability of signal.
- `multimodel_binary`: trained on several benchmarks at once; output [N] (or [N, 1]), the
  probability that the histogram holds any new physics.
- `multiclass`: output [N, 8], probabilities of the classes named by the metadata's `labels`
  ({"0": "sm", "1": "alp", ...}). Its score is 1 - P(sm), the probability of any new physics,
  so all three kinds are calibrated the same way. A class is identified by the paper's rule
  (its section 5.2): it is the most probable class and its probability exceeds 2 / 8 = 0.25.
- `model_vs_model`: SM + one benchmark against SM + another (the paper's section 4.4), id
  `model_vs_model-<a>_vs_<b>-snr<x>`; output [N], the probability of label 1 (`b`). Asked
  whether a signal is `benchmark` rather than `versus`, its score is that probability for
  whichever side `benchmark` is, and its pseudo-experiments test SM + `versus`, not SM only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dmzoo import parametric
from dmzoo.errors import ModelNotFoundError, ZooIntegrityError

SCORED_KINDS = ("binary", "multimodel_binary", "multiclass", "model_vs_model")
TABLES = {
    "binary": "auc_individual.csv",
    "multimodel_binary": "auc_multimodel_binary.csv",
    "multiclass": "auc_multiclass.csv",  # one-vs-rest AUC of each labelled benchmark
    "model_vs_model": "auc_model_vs_model.csv",  # one row per pair, `<a>_vs_<b>`
}
N_CLASSES = 8
CLASS_THRESHOLD = 2.0 / N_CLASSES  # twice a random guess, the paper's rule
FLAGS = {
    "multimodel_binary": "--multimodel",
    "multiclass": "--multiclass",
    "model_vs_model": "--versus",
}


@dataclass
class ClassProbabilities:
    """A multiclass model's answer for the observed histogram."""

    probabilities: dict[str, float]  # class name -> probability, in label order
    top_class: str
    top_probability: float
    identified: str | None  # top_class when above CLASS_THRESHOLD, else None (paper 5.2)


def pair(zoo, benchmark: str, versus: str) -> str:
    """The zoo's name of the model-vs-model pair of two benchmarks, in either order."""
    held = zoo.benchmarks("model_vs_model")
    for name in (f"{versus}_vs_{benchmark}", f"{benchmark}_vs_{versus}"):
        if name in held:
            return name
    if not held:
        raise ModelNotFoundError(
            f"zoo {zoo.version} has no model-vs-model classifier; use a zoo that has one "
            "(--zoo) or drop --versus"
        )
    pairs = ", ".join(h.replace("_vs_", " vs ") for h in held)
    raise ModelNotFoundError(
        f"zoo {zoo.version} has no classifier of {benchmark} against {versus}; it holds {pairs}"
    )


def select(
    zoo, kind: str, benchmark: str, snr: float, *, grid: bool = False, versus: str | None = None
):
    """The zoo entry that scores `benchmark` at `snr` with a classifier of `kind`.

    The zoo's parametric model for the kind when it has one (binary: the benchmark's own;
    multimodel_binary: the multimodel one), unless `grid`; else the grid model nearest in
    log S/sqrt(B). `model_vs_model` takes the pair of `benchmark` and `versus`.
    """
    if kind not in SCORED_KINDS:
        raise ModelNotFoundError(
            f"kind {kind!r} cannot score; use one of {', '.join(SCORED_KINDS)}"
        )
    if kind == "model_vs_model":
        return zoo.nearest(pair(zoo, benchmark, str(versus)), snr, kind=kind)
    found = parametric.entry(zoo, kind, benchmark)
    if found is not None and not grid:
        return found
    if kind == "binary":
        if found is not None and not zoo.models(kind="binary", benchmark=benchmark):
            raise _only_parametric(zoo, found)
        return zoo.nearest(benchmark, snr)
    if not zoo.models(kind=kind):
        if found is not None:
            raise _only_parametric(zoo, found)
        raise ModelNotFoundError(
            f"zoo {zoo.version} has no {kind} model; use a zoo that has one (--zoo) or score "
            f"with the binary model of the benchmark (drop {FLAGS[kind]})"
        )
    return zoo.nearest(None, snr, kind=kind)


def _only_parametric(zoo, found) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"zoo {zoo.version} has no grid model here, only the parametric {found.id}; drop --grid"
    )


def labels(model, name: str) -> list[str]:
    """Class names in output order; a multiclass model must name its 8 classes, 'sm' first."""
    found = model.metadata.get("labels")
    keys = [str(i) for i in range(N_CLASSES)]
    if not isinstance(found, dict) or sorted(found, key=str) != sorted(keys):
        raise ZooIntegrityError(
            f"{name}: metadata labels {found!r:.120} must map '0' ... '7' to class names; "
            "re-export the model"
        )
    if found["0"] != "sm":
        raise ZooIntegrityError(f"{name}: label '0' is {found['0']!r}, the contract says 'sm'")
    return [str(found[k]) for k in keys]


def _outputs(model, kind: str, name: str, counts: np.ndarray, snr: float | None = None):
    """The model's output for a batch, checked against the kind's shape."""
    raw = model.predict(counts) if snr is None else model.predict(counts, snr=snr)
    out = np.asarray(raw, dtype=np.float64)
    n = len(counts)
    if kind == "multiclass":
        if out.shape != (n, N_CLASSES):
            raise ZooIntegrityError(
                f"{name}: output shape {out.shape} for {n} histograms, the contract says "
                f"[N, {N_CLASSES}]; re-export the model"
            )
        return out
    if out.shape not in ((n,), (n, 1)):
        raise ZooIntegrityError(
            f"{name}: output shape {out.shape} for {n} histograms, the contract says [N] or "
            "[N, 1]; re-export the model"
        )
    return out.reshape(n)


def statistic(
    model, kind: str, name: str, *, snr: float | None = None, benchmark: str | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """Batch of raw counts [k, 30, 30] -> k scores (probability of signal or new physics).

    `snr` is fed to a parametric model with every batch, the observed histogram's and the
    pseudo-experiments' alike; None for a grid model. A model-vs-model score is the
    probability of `benchmark`, the side of the pair it is asked about.
    """

    def binary(counts: np.ndarray) -> np.ndarray:
        return _outputs(model, kind, name, counts, snr)

    def any_new_physics(counts: np.ndarray) -> np.ndarray:
        return 1.0 - _outputs(model, kind, name, counts)[:, 0]

    if kind == "multiclass":
        return any_new_physics
    if kind == "model_vs_model" and _side(model, name, str(benchmark)) == 0:
        return lambda counts: 1.0 - binary(counts)
    return binary


def _side(model, name: str, benchmark: str) -> int:
    """Which output label of a model-vs-model classifier is `benchmark`."""
    found = model.metadata.get("labels")
    if not isinstance(found, dict) or benchmark not in (found.get("0"), found.get("1")):
        raise ZooIntegrityError(
            f"{name}: metadata labels {found!r:.120} do not name {benchmark} as '0' or '1'; "
            "re-export the model"
        )
    return 0 if found["0"] == benchmark else 1


def classes(model, name: str, counts: np.ndarray) -> ClassProbabilities:
    """The multiclass answer for one histogram [30, 30]."""
    names = labels(model, name)
    probs = _outputs(model, "multiclass", name, counts[None])[0]
    top = int(np.argmax(probs))
    return ClassProbabilities(
        probabilities={c: float(p) for c, p in zip(names, probs, strict=True)},
        top_class=names[top],
        top_probability=float(probs[top]),
        identified=names[top] if probs[top] > CLASS_THRESHOLD else None,
    )
