"""The AUC lookup tables: what a classifier achieves at a given S/sqrt(B).

`auc_individual.csv` has one row per (benchmark, grid S/sqrt(B)): the test AUC, its spread over
repeated trainings, how many trainings, and `auc_optimal`, the likelihood-ratio limit on the
same test histograms; newer tables add `auc_error`, the test set's own error on the AUC, which
the uncertainty read here includes. Between grid points the AUC is interpolated linearly in log S/sqrt(B);
outside the grid the nearest edge is returned as a bound and flagged, never extrapolated.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from dmzoo.errors import ModelNotFoundError, ZooIntegrityError

COLUMNS = ("benchmark", "snr", "auc", "auc_std", "n_trainings", "auc_optimal")


@dataclass(frozen=True)
class AucRow:
    benchmark: str
    snr: float
    auc: float
    auc_std: float
    n_trainings: int
    auc_optimal: float


COIN_TOSS = 0.5  # the AUC of a classifier with no power
UPPER_BOUND = "outside the grid (upper bound)"  # below the grid's smallest S/sqrt(B)
LOWER_BOUND = "outside the grid (lower bound)"  # above its largest


@dataclass(frozen=True)
class AucLookup:
    """The table's answer at one S/sqrt(B)."""

    auc: float
    auc_std: float
    auc_optimal: float
    method: str  # "grid point", "interpolated in log S/sqrt(B)", UPPER_BOUND or LOWER_BOUND


def read_table(path: Path, auc_column: str = "auc") -> list[AucRow]:
    """Rows of an AUC table; a malformed table is a damaged zoo.

    `auc_column` reads another column as the AUC: `auc_grid` of a parametric table, say. A row
    whose `auc_grid` is empty (no grid model to compare with yet) is left out of that reading.
    """
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return [
                AucRow(
                    r["benchmark"],
                    float(r["snr"]),
                    float(r[auc_column]),
                    _uncertainty(r),
                    int(r["n_trainings"]),
                    float(r["auc_optimal"]),
                )
                for r in csv.DictReader(f)
                if not (auc_column == "auc_grid" and r[auc_column] == "")
            ]
    except (OSError, UnicodeDecodeError, KeyError, TypeError, ValueError) as err:
        raise ZooIntegrityError(
            f"{path.name}: malformed AUC table ({type(err).__name__}); re-fetch the zoo"
        ) from None


def _uncertainty(row: dict) -> float:
    """The spread over trainings and, where the table has it, the test set's own error on
    the AUC, added in quadrature: trainings that start at the same likelihood ratio can agree
    exactly, and a spread of zero would claim a precision the test set does not have."""
    spread = float(row["auc_std"])
    error = row.get("auc_error")
    return math.hypot(spread, float(error)) if error not in (None, "") else spread


def lookup(rows: list[AucRow], benchmark: str, snr: float) -> AucLookup:
    """AUC at snr for a benchmark (see the module's rules for off-grid values)."""
    pts = sorted((r for r in rows if r.benchmark == benchmark), key=lambda r: r.snr)
    if not pts:
        raise ModelNotFoundError(f"the AUC table has no row for benchmark {benchmark!r}")
    for r in pts:
        if math.isclose(r.snr, snr, rel_tol=1e-9):
            return AucLookup(r.auc, r.auc_std, r.auc_optimal, "grid point")
    if snr > pts[-1].snr:
        edge = pts[-1]
        return AucLookup(edge.auc, edge.auc_std, edge.auc_optimal, LOWER_BOUND)
    if snr < pts[0].snr:
        edge = pts[0]
        if edge.auc >= COIN_TOSS:
            return AucLookup(edge.auc, edge.auc_std, edge.auc_optimal, UPPER_BOUND)
        # An edge AUC under 0.5 is a fluctuation of a model with no power (the first zoo's
        # 0.499 +- 0.008 at 0.1): as a bound it would claim worse than a coin toss, which no
        # AUC needs to be.
        return AucLookup(
            COIN_TOSS,
            edge.auc_std,
            max(edge.auc_optimal, COIN_TOSS),
            f"{UPPER_BOUND}, the edge's {edge.auc:.3f} raised to 0.5: a coin toss",
        )
    hi = next(i for i, r in enumerate(pts) if r.snr > snr)
    a, b = pts[hi - 1], pts[hi]
    t = math.log(snr / a.snr) / math.log(b.snr / a.snr)
    mix = lambda x, y: x + t * (y - x)  # noqa: E731
    return AucLookup(
        mix(a.auc, b.auc),
        mix(a.auc_std, b.auc_std),
        mix(a.auc_optimal, b.auc_optimal),
        "interpolated in log S/sqrt(B)",
    )
