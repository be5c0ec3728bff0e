"""The zoo's histogram: 30 x 30 bins of leading-jet pT (GeV) against eta.

Both axes are linear and every bin is half-open, [low, high), as in ROOT and boost-histogram:
a jet at exactly 2000 GeV or eta = 4 falls outside, and flow bins never enter the image.

Bin indices follow ROOT's fixed-axis formula, floor(n (x - low) / (high - low)), so a tree and a
ROOT TH2 of the same events agree bin by bin. boost-histogram rounds in another order: a float64
value within one unit in the last place of an inner edge can land one bin apart there (float32
branches and exact edge values agree). Matching boost-histogram's arithmetic as well would need
its axis code; the effect is one event in a billion for smooth spectra.
"""

from __future__ import annotations

import json

import numpy as np

PT_RANGE = (130.0, 2000.0)
ETA_RANGE = (-4.0, 4.0)
N_BINS = 30
PT_EDGES = np.linspace(*PT_RANGE, N_BINS + 1)
ETA_EDGES = np.linspace(*ETA_RANGE, N_BINS + 1)
AXES = ("pt", "eta")  # axis 0 is pT, axis 1 is eta; C order when flattened


def binning_json() -> str:
    """The binning as written into every model's metadata."""
    return json.dumps(
        {
            "axes": list(AXES),
            "pt": {"edges": PT_EDGES.tolist(), "unit": "GeV", "closed": "left"},
            "eta": {"edges": ETA_EDGES.tolist(), "closed": "left"},
            "order": "C",
        },
        sort_keys=True,
    )


def in_range(pt: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """Mask of leading jets that fall inside the histogram (half-open on both axes)."""
    return (pt >= PT_RANGE[0]) & (pt < PT_RANGE[1]) & (eta >= ETA_RANGE[0]) & (eta < ETA_RANGE[1])


def bin_index(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """Bin index by ROOT's fixed-axis rule, so a tree and a TH2 of the same events agree.

    For values inside [low, high), as every caller passes (`in_range` first): there the scaled
    value is not negative and truncating it is flooring it, one pass fewer over the events.
    """
    index = (N_BINS * (x - low) / (high - low)).astype(np.int64)
    return np.clip(index, 0, N_BINS - 1)  # rounding just below the upper edge


def fill(pt: np.ndarray, eta: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Counts (or sums of weights) of (pt, eta) pairs in the zoo's bins; entries outside drop."""
    pt = np.asarray(pt, dtype=np.float64)
    eta = np.asarray(eta, dtype=np.float64)
    keep = in_range(pt, eta)
    i = bin_index(pt[keep], *PT_RANGE)
    j = bin_index(eta[keep], *ETA_RANGE)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[keep]
    flat = np.bincount(i * N_BINS + j, weights=w, minlength=N_BINS * N_BINS)
    return flat.reshape(N_BINS, N_BINS).astype(np.float64)
