"""The mass-grid mixture of narrow mediators that builds an off-shell (or wide) sample.

See `mediators` for the factorisation. Here: the narrow cross section sigma(m) at each cell's
mass, the cell weights sigma(m) * integral of rho over the cell, and how many events each
cell gets.

Getting a narrow rate out of Pythia needs care. We force a small width (0.1% of m) so every
event sits at the cell's mass, but forcing the width changes the rate in a process-dependent
way: for the Z-like spin-1 process the rate scales as 1 / Gamma_forced (the open-width fraction
Gamma_computed / Gamma_forced), for the Higgs-like spin-0 process as Gamma_forced (the H -> g g
coupling is scaled with the total width), and the graviton's rate does not change. We measure
that power p from two forced widths and divide it out,
sigma_narrow = sigma_forced * (Gamma_computed / Gamma_forced)^p, so sigma(m) is the rate with
the model's couplings at mass m (for spin-0 that includes the finite-top loop of the g g coupling
that Pythia's H -> g g width carries at every mass).
"""

from __future__ import annotations

import json
import logging
import math

import numpy as np

from dmzoo_training import mediators, pythia_run
from dmzoo_training.benchmarks import Sample

log = logging.getLogger(__name__)

REL_WIDTH = 1e-3  # forced width / mass of the narrow mediators used for events
SCAN_EVENTS = 4000  # hard-process events per cell for its cross section


def _family(sample: Sample) -> mediators.Family:
    return mediators.FAMILIES[sample.spin]


def narrow(sample: Sample, m: float, rel_width: float | None) -> list[str]:
    """Pythia settings of the sample's narrow mediator at mass m, at the sample's energy and
    under its variation."""
    fam = _family(sample)
    settings = pythia_run.narrow_settings(fam.processes, fam.extra, fam.pid, m, rel_width)
    return [*settings, *sample.extra_settings]


def cell_masses(edges: np.ndarray) -> np.ndarray:
    """Each cell's representative mass: its midpoint in m^2."""
    return np.sqrt((edges[:-1] ** 2 + edges[1:] ** 2) / 2)


def width_power(sample: Sample, m: float) -> int:
    """How Pythia's rate scales with a forced width for this family (an integer power)."""
    rates = []
    for rel in (REL_WIDTH, REL_WIDTH / 10):
        s = narrow(sample, m, rel)
        rates.append(
            pythia_run.hard_cross_section(s, pythia_run.seed_for("power", m), SCAN_EVENTS)[0]
        )
    p = math.log10(rates[1] / rates[0]) * -1.0
    if abs(p - round(p)) > 0.1:
        raise RuntimeError(f"{sample.name}: rate scales as width^{p:.2f}, not an integer power")
    return int(round(p))


def density_integral(sample: Sample, lo: float, hi: float, n: int = 257, density=None) -> float:
    """Integral of rho(m^2) d(m^2) over one cell (trapezoid in m^2); rho of m may be replaced."""
    rho = density or (lambda m: mediators.density(sample.spin, m, sample.m_med, sample.m_dm))
    s = np.linspace(lo**2, hi**2, n)
    return float(np.trapezoid([rho(math.sqrt(x)) for x in s], s))


def narrow_cross_section(sample: Sample, m: float, power: int, seed: int, n_events: int):
    """(forced sigma, its error, narrow sigma) in pb at mass m, couplings held fixed."""
    fam = _family(sample)
    forced = narrow(sample, m, REL_WIDTH)
    sigma, err = pythia_run.hard_cross_section(forced, seed, n_events)
    factor = 1.0
    if power:
        natural = narrow(sample, m, None)
        gamma = pythia_run.natural_width(natural, fam.pid)
        factor = (gamma / (REL_WIDTH * m)) ** power
    coupling = (m / 1000.0) ** fam.coupling_power
    return sigma, err, sigma * factor * coupling


def scan(sample: Sample) -> dict:
    """Cross sections and weights of every cell of the sample's mass grid."""
    edges = sample.mass_edges()
    masses = cell_masses(edges)
    power = width_power(sample, float(np.median(masses)))
    cells = []
    for lo, hi, m in zip(edges[:-1], edges[1:], masses, strict=False):
        seed = pythia_run.seed_for(sample.name, "scan", f"{m:.6g}")
        sigma, err, sigma_narrow = narrow_cross_section(sample, m, power, seed, SCAN_EVENTS)
        weight = sigma_narrow * density_integral(sample, lo, hi)
        cells.append(
            {
                "m_lo": lo,
                "m_hi": hi,
                "m": m,
                "sigma_forced_pb": sigma,
                "sigma_err_pb": err,
                "sigma_narrow_pb": sigma_narrow,
                "weight": weight,
            }
        )
    total = sum(c["weight"] for c in cells)
    for c in cells:
        c["fraction"] = c["weight"] / total if total > 0 else 0.0
    return {
        "width_power": power,
        "cells": cells,
        "sigma_total_pb": total,
        "note": "sigma_total_pb is sigma(pp -> chi chi + jet, pTHat > cut) with couplings 1; "
        "the method needs only shapes and Pythia's absolute rates are not trustworthy",
    }


def allocate(fractions: np.ndarray, n_total: int) -> np.ndarray:
    """Split n_total events over cells by their fractions (largest remainder, deterministic)."""
    exact = np.asarray(fractions) * n_total
    counts = np.floor(exact).astype(np.int64)
    short = n_total - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def dumps(obj: dict) -> str:
    return json.dumps(obj, indent=1, sort_keys=True)
