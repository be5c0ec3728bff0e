"""Parametric classifiers: one network for every S/sqrt(B) of a trained range.

A parametric model takes a second input, `snr` (float32 [N, 1], S/sqrt(B) itself; the graph
takes the log), and its metadata `snr` holds the trained range as JSON `{"min": 0.1, "max":
10.0}` instead of one value. Its manifest entry has kind `parametric`, `snr` null, and the
benchmark it was trained against, or no benchmark for the multimodel one (trained on several
benchmarks against the SM, like `multimodel_binary`). Ids: `parametric-<benchmark>` and
`parametric`.

When the zoo has one, `score` and `auc` use it at the exact S/sqrt(B) asked for, instead of
the grid model nearest in log S/sqrt(B); `--grid` (`grid=True`) forces the grid.

Outside the trained range: `Model.predict` refuses (the network never saw such an input, and
a library call should not answer another question than the one asked). `score` instead feeds
the nearest edge of the range, with a warning, as the grid path takes its edge model there;
the pseudo-experiments still hold signal at the S/sqrt(B) asked for.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from dmzoo.errors import InvalidParameterError, ZooIntegrityError

KIND = "parametric"
SNR_INPUT = "snr"
HISTOGRAM_INPUT = "histogram"
# scoring kind -> the AUC table of its parametric model
TABLES = {
    "binary": "auc_parametric.csv",
    "multimodel_binary": "auc_parametric_multimodel.csv",
}
# An edge passed through float32 (10.0 -> 10.000000xx) still counts as inside the range.
RANGE_TOLERANCE = 1e-6


def snr_range(value: object, name: str) -> tuple[float, float]:
    """The trained range (min, max) from the metadata's `snr`, refused unless well formed."""
    ok = isinstance(value, dict) and all(
        isinstance(value.get(k), numbers.Real) and not isinstance(value.get(k), bool)
        for k in ("min", "max")
    )
    if ok:
        low, high = float(value["min"]), float(value["max"])
        ok = math.isfinite(low) and math.isfinite(high) and 0 < low < high
    if not ok:
        raise ZooIntegrityError(
            f"{name}: a parametric model's metadata snr must be its trained range "
            f'{{"min": ..., "max": ...}} with 0 < min < max, not {value!r:.80}; re-export it'
        )
    return low, high


def entry(zoo, kind: str, benchmark: str | None):
    """The zoo's parametric model answering a scoring kind, or None when it has none.

    `binary` takes the benchmark's own, `multimodel_binary` the one without a benchmark;
    multiclass has no parametric form.
    """
    if kind not in TABLES:
        return None
    wanted = benchmark if kind == "binary" else None
    found = [e for e in zoo.entries if e.kind == KIND and e.benchmark == wanted]
    return found[0] if found else None


def outside(snr: float, low: float, high: float) -> bool:
    return snr < low * (1 - RANGE_TOLERANCE) or snr > high * (1 + RANGE_TOLERANCE)


def column(snr: object, n: int, trained: tuple[float, float], name: str) -> np.ndarray:
    """S/sqrt(B) as the model's `snr` input, float32 [n, 1]: one value for all or one each."""
    values = np.asarray(snr, dtype=np.float64) if _real(snr) else None
    if values is None or values.shape not in ((), (n,), (n, 1)):
        raise InvalidParameterError(
            f"{name}: snr must be one S/sqrt(B) or one per histogram ({n}), not {snr!r:.80}"
        )
    if not np.all(np.isfinite(values) & (values > 0)):
        raise InvalidParameterError(
            f"{name}: S/sqrt(B) must be finite and positive, not {snr!r:.80}; give one such as 1.5"
        )
    low, high = trained
    bad = [float(v) for v in values.ravel() if outside(float(v), low, high)]
    if bad:
        raise InvalidParameterError(
            f"{name}: S/sqrt(B) {bad[0]:g} is outside the range the model was trained on, "
            f"{low:g} to {high:g}; give one inside it, or use a grid model"
        )
    return np.broadcast_to(values.reshape(-1, 1), (n, 1)).astype(np.float32)


def _real(value: object) -> bool:
    """True for a real number or an array of them (no bools, strings or objects)."""
    try:
        arr = np.asarray(value)
    except Exception:  # a ragged list, say
        return False
    return arr.dtype.kind in "iuf"


def fed_snr(snr: float, trained: tuple[float, float], warnings: list[str]) -> float:
    """The S/sqrt(B) `score` feeds a parametric model: the one asked for, or the range's edge."""
    low, high = trained
    if not outside(snr, low, high):
        return snr
    edge = low if snr < low else high
    warnings.append(
        f"S/sqrt(B) = {snr:g} is outside the range the parametric model was trained on "
        f"({low:g} to {high:g}); it was fed {edge:g}, the nearest edge"
    )
    return edge
