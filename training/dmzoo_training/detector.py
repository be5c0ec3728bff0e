"""A parametric jet response taken from the default ATLAS card of Delphes 3.4.2.

The paper simulated its detector with Delphes 3.4.2 and `cards/delphes_card_ATLAS.tcl`, which
clusters calorimeter towers with anti-kt, R = 0.6, up to |eta| = 4.9 and keeps jets above 20 GeV.
We cluster visible generator particles instead and smear each jet's energy once with the card's
hadronic-calorimeter resolution (a Gaussian, truncated at zero):

    |eta| <= 1.7:        sigma(E) = sqrt((0.0302 E)^2 + 0.5205^2 E + 1.59^2)
    1.7 < |eta| <= 3.2:  sigma(E) = sqrt((0.05 E)^2 + 0.706^2 E)
    3.2 < |eta| <= 4.9:  sigma(E) = sqrt((0.0942 E)^2 + 1.00^2 E)

Choices and their effect, stated so nobody mistakes this for the card itself:
- per jet, not per particle or tower: the photons of a jet (about a quarter of its energy)
  would see the better electromagnetic resolution, so our jets are smeared slightly more;
- no jet-energy scale is applied: the card multiplies calorimeter jets by
  sqrt((3.0 - 0.2 |eta|)^2 / pT + 1) to undo the calorimeter's low response, and jets built
  from generator particles have no such deficit, so their scale is left alone;
- eta and phi are not smeared (tower granularity 0.1 is far below the 0.27 eta bin width).
"""

from __future__ import annotations

import numpy as np

ETA_MAX = 4.9  # calorimeter acceptance of the card
JET_R = 0.6
JET_PT_MIN = 20.0  # GeV


def hcal_resolution(energy: np.ndarray, abs_eta: np.ndarray) -> np.ndarray:
    """Absolute energy resolution sigma(E) in GeV of the card's hadronic calorimeter."""
    e = np.asarray(energy, dtype=np.float64)
    central = np.sqrt((0.0302 * e) ** 2 + 0.5205**2 * e + 1.59**2)
    endcap = np.sqrt((0.05 * e) ** 2 + 0.706**2 * e)
    forward = np.sqrt((0.0942 * e) ** 2 + 1.00**2 * e)
    return np.where(abs_eta <= 1.7, central, np.where(abs_eta <= 3.2, endcap, forward))


def smear_pt(
    pt: np.ndarray, eta: np.ndarray, energy: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Jet pT after smearing its energy; the direction is kept, so pT scales with E."""
    sigma = hcal_resolution(energy, np.abs(eta))
    safe = np.where(energy > 0, energy, 1.0)
    factor = 1.0 + rng.standard_normal(np.shape(pt)) * sigma / safe
    return np.where(energy > 0, pt * np.clip(factor, 0.0, None), 0.0)
