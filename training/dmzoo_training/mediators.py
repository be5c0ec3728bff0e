"""Mediator families: Pythia processes, DM partial widths and the s-channel density.

An off-shell mediator cannot come from Pythia's on-shell resonance treatment, so every mediator
sample is built from the factorisation of the s-channel propagator. The rate of
pp -> (Y* -> chi chi) + jet is

    sigma = integral d(m^2) sigma(pp -> Y(m) + jet) * rho(m^2),
    rho(m^2) = m Gamma_{Y -> chi chi}(m) / (pi [(m^2 - M^2)^2 + M^2 Gamma_Y^2]),

where Y(m) is a narrow mediator of mass m produced with the couplings of the model and
Gamma_Y is the total width at the nominal mass M. A sample is therefore a mixture of narrow
samples on a grid of masses m >= 2 m_DM, each weighted by its cross section times rho times its
cell's width in m^2. The jet recoils against the pair's invariant mass m, so the jet kinematics
come from Pythia's matrix elements at every mass. In the far off-shell limit the propagator
no longer depends on M (the m_DM-only regime); in the off-shell-by-phase-space regime the density
grows like m Gamma(m) / M^4 and the collision energy cuts it off (the m_Y-only regime).

All couplings are 1 (the paper's choice) and the DM is a Dirac fermion. The threshold factors
with beta = sqrt(1 - 4 m_DM^2 / m^2) are: scalar beta^3, vector beta (3 - beta^2) / 2, spin-2
beta^3 (1 + 8 m_DM^2 / (3 m^2)) m^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

M_TOP = 172.5  # GeV
V_EW = 246.22  # GeV, electroweak vacuum expectation value
SPIN2_LAMBDA = 3000.0  # GeV; the spin-2 width needs a scale, only its on-shell width uses it


def beta(m: float, m_dm: float) -> float:
    """Velocity of a DM particle in the pair rest frame; 0 below threshold."""
    x = 1.0 - 4.0 * m_dm**2 / m**2
    return math.sqrt(x) if x > 0 else 0.0


def width_dm(spin: int, m: float, m_dm: float) -> float:
    """Partial width Y -> chi chi (GeV) at mass m for a Dirac DM with coupling 1."""
    b = beta(m, m_dm)
    if spin == 0:
        return m * b**3 / (8 * math.pi)
    if spin == 1:
        return m * b * (3 - b**2) / 2 / (12 * math.pi)
    kappa2 = (2.0 / SPIN2_LAMBDA) ** 2
    return kappa2 * m**3 * b**3 * (1 + 8 * m_dm**2 / (3 * m**2)) / (160 * math.pi)


def width_total(spin: int, m: float, m_dm: float) -> float:
    """Total width (GeV) at mass m with all couplings 1 (spin-0: Yukawa-normalised quarks)."""
    if spin == 0:
        y_t = math.sqrt(2) * M_TOP / V_EW
        return 3 * y_t**2 * m * beta(m, M_TOP) ** 3 / (16 * math.pi) + width_dm(0, m, m_dm)
    if spin == 1:
        light = 5 * 3 * m / (12 * math.pi)
        b = beta(m, M_TOP)
        top = 3 * m * b * (3 - b**2) / 2 / (12 * math.pi)
        return light + top + width_dm(1, m, m_dm)
    # Spin-2 with universal coupling 2/Lambda (Han, Lykken, Zhang), massless SM but the top.
    kappa2 = (2.0 / SPIN2_LAMBDA) ** 2
    bosons = (8 + 1) / 80 + 1 / 40 + 1 / 80 + 1 / 960  # gg, gamma gamma, WW, ZZ, hh
    fermions = (5 * 3 + 3) / 160 + 3 / 320  # light quarks, charged leptons, neutrinos
    bt = beta(m, M_TOP)
    top = 3 * bt**3 * (1 + 8 * M_TOP**2 / (3 * m**2)) / 160
    return kappa2 * m**3 * (bosons + fermions + top) / math.pi + width_dm(2, m, m_dm)


def density(spin: int, m: float, m_med: float, m_dm: float) -> float:
    """rho(m^2): probability density per unit m^2 of producing the DM pair at mass m."""
    gamma = width_total(spin, m_med, m_dm)
    num = m * width_dm(spin, m, m_dm)
    return num / (math.pi * ((m**2 - m_med**2) ** 2 + m_med**2 * gamma**2))


@dataclass(frozen=True)
class Family:
    """How Pythia makes one narrow mediator of mass m with a jet."""

    spin: int
    pid: int  # the Pythia particle kept undecayed and invisible
    processes: tuple[str, ...]
    extra: tuple[str, ...] = ()  # further settings that define the model
    # Pythia's RS graviton couples with kappaMG = kappa * m_G: at fixed kappaMG the coupling
    # falls as 1/m, so sigma(m) is multiplied by m^2 to hold kappa fixed across the grid.
    coupling_power: int = 0


FAMILIES: dict[int, Family] = {
    # The (l:t) processes take their rate from Pythia's H -> g g width at the mediator's mass,
    # which carries the full one-loop form factor with finite quark masses (checked by
    # `dmzoo-train validate --what top-loop`: the ratio to |sum_q A_1/2(m^2 / 4 m_q^2)|^2 m^3
    # is smooth through 2 m_top and falls only as alpha_s(m)^2), so the off-shell mixture needs
    # no reweighting across 2 m_top. Their jet kinematics at fixed m are those of the heavy-top
    # limit, which overstates the pT tail once pT nears m_top. Pole masses in the loop, as in
    # the paper's MadGraph model, rather than Pythia's default running mass.
    0: Family(
        spin=0,
        pid=25,
        processes=("HiggsSM:gg2Hg(l:t)", "HiggsSM:qg2Hq(l:t)", "HiggsSM:qqbar2Hg(l:t)"),
        extra=("Higgs:runningLoopMass = off",),
    ),
    1: Family(
        spin=1,
        pid=23,
        processes=("WeakBosonAndParton:qqbar2gmZg", "WeakBosonAndParton:qg2gmZq"),
        extra=("WeakZ0:gmZmode = 2",),
    ),
    2: Family(
        spin=2,
        pid=5100039,
        processes=(
            "ExtraDimensionsG*:gg2G*g",
            "ExtraDimensionsG*:qg2G*q",
            "ExtraDimensionsG*:qqbar2G*g",
        ),
        coupling_power=2,
    ),
}
