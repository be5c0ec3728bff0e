"""The eleven event samples of the paper's Table 1 and how each is generated."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from dmzoo_training import mediators

M_Z = 91.1876  # GeV
E_CM = 14000.0  # GeV; the collision energy of the zoo's samples
M_GRID_MAX = 8000.0  # GeV; cells above carry a negligible share of any sample at 14 TeV

SM_SETTINGS = (
    "WeakBosonAndParton:qqbar2gmZg = on",
    "WeakBosonAndParton:qg2gmZq = on",
    "WeakZ0:gmZmode = 2",
    "23:onMode = off",
    "23:onIfAny = 12 14 16",
)
# The ALP's effective gluon coupling is the heavy-top limit of the pseudoscalar's top loop,
# which is what Pythia's (l:t) processes compute; the ALP stays undecayed and invisible.
ALP_MASS = 1.0  # GeV; massless at these pT (m^2/pT^2 < 1e-4); Pythia fails to initialise at 0.01
ALP_SETTINGS = (
    "Higgs:useBSM = on",
    "HiggsBSM:gg2A3g(l:t) = on",
    "HiggsBSM:qg2A3q(l:t) = on",
    "HiggsBSM:qqbar2A3g(l:t) = on",
    f"36:m0 = {ALP_MASS}",
    "36:mMin = 0.0",
    "36:mayDecay = off",
)


@dataclass(frozen=True)
class Sample:
    """One event sample: the SM, the ALP, or a mediator benchmark (a mass-grid mixture)."""

    name: str
    spin: int | None = None  # None for the SM and the ALP
    m_med: float = 0.0  # nominal mediator mass M (GeV)
    m_dm: float = 0.0  # DM mass (GeV)
    settings: tuple[str, ...] = field(default=())  # for samples Pythia makes directly
    pt_min: float = 130.0  # GeV; the selection's lower edge on the leading jet
    e_cm: float = E_CM  # GeV; the zoo is trained at 14 TeV
    # The background processes beside Z(->nunu)+jet record a monojet search's quantities
    # (pythia_run.monojet_record) and drop events with an isolated electron or muon.
    monojet: bool = False
    variation: tuple[str, ...] = ()  # Pythia settings a systematic variation adds

    @property
    def extra_settings(self) -> tuple[str, ...]:
        """What every Pythia run of the sample adds to its process: energy and variation."""
        return (*self.energy_settings, *self.variation)

    @property
    def is_mixture(self) -> bool:
        return self.spin is not None

    @property
    def energy_settings(self) -> tuple[str, ...]:
        """The beam energy when it is not the common one (which the 14 TeV samples keep, so
        their recorded settings and events stay as they were generated)."""
        return () if self.e_cm == E_CM else (f"Beams:eCM = {self.e_cm}",)

    def mass_edges(self) -> np.ndarray:
        """Cell edges in m (GeV) for the mixture; finer across the peak when it is reachable."""
        low = 2 * self.m_dm * (1 + 1e-6)
        low = max(low, 10.0)
        edges = np.geomspace(low, M_GRID_MAX, 41)
        gamma = mediators.width_total(self.spin, self.m_med, self.m_dm)
        if low < self.m_med < M_GRID_MAX:
            # Cells uniform in the Breit-Wigner's arctan variable resolve the peak.
            phi = np.linspace(-math.atan(4.0), math.atan(4.0), 25)
            peak = np.sqrt(np.clip(self.m_med**2 + self.m_med * gamma * np.tan(phi), 0, None))
            edges = np.union1d(edges, peak[(peak > low) & (peak < M_GRID_MAX)])
        return np.unique(edges)


# The SM above ~630 GeV holds a few thousand events over hundreds of bins, and that sampling
# noise, not the networks, set the gap to the likelihood-ratio limit (measured: the limit with
# the SM tail of the training part instead of the full sample loses 0.023 AUC at S/sqrt(B) = 1,
# and nearly all of it comes from bins above 800 GeV). A second SM sample generated from
# pTHat > 400 GeV fills every bin from the 9th pT edge up; the pools take their SM events
# below that edge from `sm` and above it from `sm_tail`, each weighted by its cross section
# per generated event (see train.load_pools).
SM_TAIL_PTHAT_MIN = 400.0  # GeV
SM_STITCH_PT = 130.0 + 8 * (2000.0 - 130.0) / 30  # the pT bin edge at 628.67 GeV

SAMPLES: dict[str, Sample] = {
    s.name: s
    for s in [
        Sample("sm", settings=SM_SETTINGS),
        Sample(
            "sm_tail",
            settings=(*SM_SETTINGS, f"PhaseSpace:pTHatMin = {SM_TAIL_PTHAT_MIN}"),
            pt_min=SM_STITCH_PT,
        ),
        Sample("alp", settings=ALP_SETTINGS),
        Sample("spin0_offshell", spin=0, m_med=M_Z, m_dm=300.0),
        Sample("spin0_onshell", spin=0, m_med=1000.0, m_dm=10.0),
        Sample("spin0_offshell_ps", spin=0, m_med=10000.0, m_dm=10.0),
        Sample("spin1_offshell", spin=1, m_med=M_Z, m_dm=300.0),
        Sample("spin1_onshell", spin=1, m_med=1000.0, m_dm=10.0),
        Sample("spin1_offshell_ps", spin=1, m_med=10000.0, m_dm=10.0),
        Sample("spin2_offshell", spin=2, m_med=M_Z, m_dm=300.0),
        Sample("spin2_onshell", spin=2, m_med=1000.0, m_dm=10.0),
        Sample("spin2_offshell_ps", spin=2, m_med=10000.0, m_dm=10.0),
    ]
}
BENCHMARKS = tuple(n for n in SAMPLES if not n.startswith("sm"))
# Real data are at 13 or 13.6 TeV: the SM and the on-shell benchmarks again at 13 TeV, to
# measure how the 14 TeV models' AUCs move on such histograms. Not part of the zoo's pools.
SAMPLES_13TEV: dict[str, Sample] = {
    s.name: s
    for s in [
        Sample("sm_13tev", settings=SM_SETTINGS, e_cm=13000.0),
        Sample(
            "sm_tail_13tev",
            settings=(*SM_SETTINGS, f"PhaseSpace:pTHatMin = {SM_TAIL_PTHAT_MIN}"),
            pt_min=SM_STITCH_PT,
            e_cm=13000.0,
        ),
        Sample("spin0_onshell_13tev", spin=0, m_med=1000.0, m_dm=10.0, e_cm=13000.0),
        Sample("spin1_onshell_13tev", spin=1, m_med=1000.0, m_dm=10.0, e_cm=13000.0),
        Sample("spin2_onshell_13tev", spin=2, m_med=1000.0, m_dm=10.0, e_cm=13000.0),
    ]
}
# The paper's Table 3 backgrounds beside Z(->nunu)+jet with more than 1% of its rate, for the
# `full` SM: W(->l nu)+jet, l = e, mu, tau (Table 3's two W rows), and ttbar. They keep events
# from a leading jet of 100 GeV, so that a jet energy scale shift of up to +30% can still be
# applied before the histogram's 130 GeV edge. ttbar starts at pTHat 0: its selected jets
# come from the top decays and from radiation, not from the top's own pT.
W_SETTINGS = (
    "WeakBosonAndParton:qqbar2Wg = on",
    "WeakBosonAndParton:qg2Wq = on",
    "24:onMode = off",
    "24:onIfAny = 11 13 15",
)
TTBAR_SETTINGS = ("Top:gg2ttbar = on", "Top:qqbar2ttbar = on", "PhaseSpace:pTHatMin = 0")
BACKGROUND_PT_MIN = 100.0  # GeV
BACKGROUND_SAMPLES: dict[str, Sample] = {
    s.name: s
    for s in [
        Sample("w_lnu", settings=W_SETTINGS, pt_min=BACKGROUND_PT_MIN, monojet=True),
        Sample("ttbar", settings=TTBAR_SETTINGS, pt_min=BACKGROUND_PT_MIN, monojet=True),
    ]
}
# The systematics of issue 6 on the SM and the paper's four comparison models: each again from
# a leading jet of 100 GeV (so jet energy scale and resolution can move jets up across the
# 130 GeV edge), and with the hard process's renormalisation and factorisation scales both
# halved and both doubled (Pythia's SigmaProcess multipliers; the shower keeps its own).
SCALE_VARIATIONS = {
    "nominal": (),
    "mu2": ("SigmaProcess:renormMultFac = 2.0", "SigmaProcess:factorMultFac = 2.0"),
    "mu05": ("SigmaProcess:renormMultFac = 0.5", "SigmaProcess:factorMultFac = 0.5"),
}
SYSTEMATICS_BASES = ("sm", "alp", "spin0_onshell", "spin1_onshell", "spin2_onshell")
SYSTEMATICS_SAMPLES: dict[str, Sample] = {
    f"{base}_syst_{tag}": dataclasses.replace(
        SAMPLES[base], name=f"{base}_syst_{tag}", pt_min=BACKGROUND_PT_MIN, variation=variation
    )
    for base in SYSTEMATICS_BASES
    for tag, variation in SCALE_VARIATIONS.items()
}
# what `dmzoo-train generate --sample` knows
ALL_SAMPLES = {**SAMPLES, **SAMPLES_13TEV, **BACKGROUND_SAMPLES, **SYSTEMATICS_SAMPLES}
PHYSICS_SAMPLES = ("sm", *BENCHMARKS)  # what the SM and the benchmarks are; sm_tail is a part
