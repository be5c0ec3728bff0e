"""The paper's appendix D: how the histogram's binning changes what the method can see.

Three families of binnings of the leading jet's (pT, eta), each against the zoo's 30 x 30:
the number of bins per axis (5 to 40), logarithmic instead of linear pT bins, and the lower pT
edge (130 to 400 GeV, with the same 30 bins up to 2 TeV; S/sqrt(B) is counted after the cut).

Each binning is measured with two likelihood ratios on the same test histograms: `auc_method`,
from the smoothed training and validation templates the zoo's networks start from (and, as the
grid tables show, end at within their errors), and `auc_optimal`, the limit from the full
samples as in the zoo's tables. No network is trained: a binning's effect on what a network can
learn is its effect on these two. The test histograms are drawn from the test part's template
in that binning, as the zoo draws its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo_training import histograms, paths
from dmzoo_training import samples as sample_parts
from dmzoo_training.classifiers import VERSUS
from dmzoo_training.evaluate import auc_error

log = logging.getLogger(__name__)

SNRS = (0.45, 1.0, 2.2)


@dataclass(frozen=True)
class Binning:
    """Edges of one binning: pT (GeV) on axis 0, eta on axis 1."""

    name: str
    pt_edges: np.ndarray
    eta_edges: np.ndarray

    def fill(self, pt, eta, weights=None) -> np.ndarray:
        counts, _, _ = np.histogram2d(
            pt, eta, bins=(self.pt_edges, self.eta_edges), weights=weights
        )
        return counts


def linear(n: int, pt_min: float = binning.PT_RANGE[0], name: str | None = None) -> Binning:
    return Binning(
        name or f"{n}x{n}",
        np.linspace(pt_min, binning.PT_RANGE[1], n + 1),
        np.linspace(*binning.ETA_RANGE, n + 1),
    )


def variants() -> list[tuple[str, Binning]]:
    """(family, binning) pairs; the zoo's 30 x 30 is in each family as its reference."""
    out = [("bins", linear(n)) for n in (5, 10, 20, 30, 40)]
    log_pt = Binning(
        "30x30 log pT", np.geomspace(*binning.PT_RANGE, 31), np.linspace(*binning.ETA_RANGE, 31)
    )
    out += [("pt_scale", linear(30, name="30x30 linear pT")), ("pt_scale", log_pt)]
    out += [("pt_min", linear(30, p, f"pT from {p:g} GeV")) for p in (130, 200, 250, 300, 400)]
    return out


def _templates(parts: dict, b: Binning) -> tuple[dict, dict, dict]:
    """Per sample, in binning b: the start templates (train + val, smoothed), the full-sample
    templates of the limit, and the test part's template the histograms are drawn from."""
    start, full, test = {}, {}, {}
    for name, p in parts.items():
        counts = {q: b.fill(ev["jet_pt"], ev["jet_eta"], ev["weight"]) for q, ev in p.items()}
        unit = _units(p, b)
        start[name] = histograms.smoothed(
            histograms.regularised(counts["train"] + counts["val"], unit)
        )
        full[name] = histograms.regularised(sum(counts.values()), unit)
        test[name] = histograms.regularised(counts["test"], unit)
    return start, full, test


def _units(part_events: dict, b: Binning) -> np.ndarray | None:
    """The weight of one event per bin (the stitched SM's events are weighted), or None."""
    ev = {k: np.concatenate([p[k] for p in part_events.values()]) for k in ("jet_pt", "weight")}
    if np.all(ev["weight"] == 1.0):
        return None
    eta = np.concatenate([p["jet_eta"] for p in part_events.values()])
    total = b.fill(ev["jet_pt"], eta, ev["weight"])
    n = b.fill(ev["jet_pt"], eta)
    return np.where(n > 0, total / np.maximum(n, 1), 1.0)


def study(
    benchmarks=VERSUS,
    snrs=SNRS,
    b_events: int = 50_000,
    n_test: int = 4000,
    events_dir: Path = paths.EVENTS,
) -> list[dict]:
    """One row per benchmark, binning and S/sqrt(B)."""
    rows = []
    for bench in benchmarks:
        parts = {n: sample_parts.split_parts(n, events_dir) for n in ("sm", bench)}
        for family, b in variants():
            start, full, test = _templates(parts, b)
            for snr in snrs:
                s = histograms.n_signal(snr, b_events)
                # One seed for every binning: identical binnings get identical histograms, and
                # the draws of different ones stay correlated, which steadies the comparison.
                rng = np.random.default_rng(histograms.seed_of("binning", bench, snr))
                x, y = histograms.Templates(test).draw(((), (bench,)), b_events, s, n_test, rng)
                row = {"benchmark": bench, "family": family, "binning": b.name, "snr": snr}
                for key, t in (("auc_method", start), ("auc_optimal", full)):
                    h1 = histograms.mixture(t, bench, b_events, s)
                    row[key] = histograms.auc(histograms.log_likelihood_ratio(x, t["sm"], h1), y)
                row["auc_error"] = auc_error(row["auc_method"], n_test, n_test)
                rows.append(row)
            log.info("binning %s: %s done", b.name, bench)
    reference = {(r["benchmark"], r["snr"]): r for r in rows if r["binning"] == "30x30"}
    for r in rows:
        ref = reference[(r["benchmark"], r["snr"])]
        r["auc_method_30x30"] = ref["auc_method"]
        r["auc_optimal_30x30"] = ref["auc_optimal"]
    return rows


def write(zoo: Path = paths.ZOO) -> Path:
    from dmzoo_training.zoo_build import write_table

    first = ("benchmark", "family", "binning", "snr", "auc_method", "auc_optimal")
    return write_table(zoo, "auc_binning", study(), first)
