"""Running Pythia 8: one chunk of events, and the narrow-mediator cross section at a mass.

Jets come from Pythia's own C++ SlowJet (anti-kt, R = 0.6, |eta| < 4.9, visible particles),
which avoids a per-particle Python loop. Its "visible" selection drops neutrinos and what
Pythia's particle table marks invisible; the undecayed mediators (23, 25, 36, 5100039) are
among those (checked in the tests), so the mediator and the DM never enter a jet.

Multi-parton interactions are off: with them on, generation is 7.6 times slower here
(180 against 1380 events per second) for a small shift of the leading jet's pT, measured by
`dmzoo-train validate` and reported in the model card.
"""

from __future__ import annotations

import contextlib
import logging
import os
import zlib
from importlib.metadata import version

import numpy as np

from dmzoo_training import detector

log = logging.getLogger(__name__)

E_CM = 14000.0  # GeV; a sample at another energy overrides it (`Sample.energy_settings`)
PTHAT_MIN = 75.0  # GeV; measured: no selected event in 130-160 GeV comes from below it
N_JETS_KEPT = 3  # the leading jet after smearing is among the three hardest before it
# The generator-level stand-ins for a monojet search's objects (`monojet_record`), with the
# runtime's default thresholds (dmzoo.selection): an electron or muon counts when it is above
# 10 GeV within |eta| < 2.5 and does not come from a hadron decay (an isolated lepton, which a
# detector would identify and the search would veto); the missing momentum is the vector sum
# of the invisible final-state particles.
LEPTON_PT_MIN = 10.0  # GeV
LEPTON_ETA_MAX = 2.5
DPHI_JET_PT_MIN = 30.0  # GeV; jets that enter the minimum azimuthal separation from the MET
COMMON_SETTINGS = (
    f"Beams:eCM = {E_CM}",
    f"PhaseSpace:pTHatMin = {PTHAT_MIN}",
    "PartonLevel:MPI = off",
    "Print:quiet = on",
    "Random:setSeed = on",
)


def generator_version() -> str:
    return version("pythia8mc")


def seed_for(*parts: object) -> int:
    """A Pythia seed (1..900000000) fixed by the names of the chunk."""
    return zlib.crc32(":".join(map(str, parts)).encode()) % 900_000_000 + 1


@contextlib.contextmanager
def _quiet_stdout():
    """Pythia's banner goes to the C stdout; keep it out of logs and progress bars."""
    fd = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)


def make_pythia(settings: list[str] | tuple[str, ...], seed: int, hard_only: bool = False):
    """An initialised Pythia; hard_only skips showers and hadrons (for cross sections)."""
    import pythia8mc

    with _quiet_stdout():
        py = pythia8mc.Pythia("", False)
        for line in (*COMMON_SETTINGS, *settings, f"Random:seed = {seed}"):
            if not py.readString(line):
                raise ValueError(f"Pythia refused the setting {line!r}")
        if hard_only:
            py.readString("PartonLevel:all = off")
            py.readString("HadronLevel:all = off")
        ok = py.init()
    if not ok:
        raise RuntimeError(f"Pythia failed to initialise with {list(settings)}")
    return py


def narrow_settings(
    processes: tuple[str, ...], extra: tuple[str, ...], pid: int, m: float, rel_width: float | None
) -> list[str]:
    """Settings for a mediator of mass m kept undecayed; rel_width forces a narrow width."""
    s = [f"{p} = on" for p in processes] + list(extra)
    s += [f"{pid}:m0 = {m}", f"{pid}:mayDecay = off"]
    if rel_width is not None:
        s += [
            f"{pid}:doForceWidth = on",
            f"{pid}:mWidth = {rel_width * m}",
            f"{pid}:mMin = {m * (1 - 5 * rel_width)}",
            f"{pid}:mMax = {m * (1 + 5 * rel_width)}",
        ]
    return s


def generate_jets(
    settings: list[str],
    seed: int,
    n_events: int,
    with_pthat: bool = False,
    monojet: bool = False,
) -> dict[str, np.ndarray]:
    """Generate n_events and return the leading jet (after smearing) of each.

    Returns arrays of length n_events (events Pythia failed on have pt = 0) plus the
    generator's cross section estimate in pb; with_pthat adds each event's hard pT (`pthat`),
    for studies of the generation cut; monojet adds what a monojet search cuts on
    (`monojet_record`).
    """
    import pythia8mc

    py = make_pythia(settings, seed)
    jets = pythia8mc.SlowJet(-1, detector.JET_R, detector.JET_PT_MIN, detector.ETA_MAX, 2, 2)
    raw = np.zeros((n_events, N_JETS_KEPT, 4))  # pt, eta, phi, e
    pthat = np.zeros(n_events)
    record = np.zeros((n_events, 3))  # met_x, met_y, isolated leptons
    n_failed = 0
    for i in range(n_events):
        if not py.next():
            n_failed += 1
            continue
        if with_pthat:
            pthat[i] = py.infoPython().pTHat()
        if monojet:
            record[i] = monojet_record(py.event)
        jets.analyze(py.event)
        for j in range(min(jets.sizeJet(), N_JETS_KEPT)):
            p = jets.p(j)
            raw[i, j] = (p.pT(), p.eta(), p.phi(), p.e())
    info = py.infoPython()
    rng = np.random.default_rng(seed)
    pt = detector.smear_pt(raw[..., 0], raw[..., 1], raw[..., 3], rng)
    lead = np.argmax(pt, axis=1)
    rows = np.arange(n_events)
    out = {
        "pt": pt[rows, lead],
        "eta": raw[rows, lead, 1],
        "phi": raw[rows, lead, 2],
        "sigma_pb": np.float64(info.sigmaGen() * 1e9),
        "sigma_err_pb": np.float64(info.sigmaErr() * 1e9),
        "n_failed": np.int64(n_failed),
    }
    if with_pthat:
        out["pthat"] = pthat
    if monojet:
        met_phi = np.arctan2(record[:, 1], record[:, 0])
        out["met"] = np.hypot(record[:, 0], record[:, 1])
        out["met_phi"] = met_phi
        out["n_leptons"] = record[:, 2].astype(np.int64)
        out["dphi_min"] = min_dphi(pt, raw[..., 2], met_phi)
    return out


def monojet_record(event) -> tuple[float, float, int]:
    """The missing momentum (x, y) and the number of isolated electrons and muons.

    A per-particle loop in Python: it costs about a fifth of the generation time of a W+jet
    event. A Pythia UserHooks or a C++ helper would remove it if these samples ever grow large.
    """
    met_x = met_y = 0.0
    n_leptons = 0
    for k in range(event.size()):
        p = event[k]
        if not p.isFinal():
            continue
        if not p.isVisible():
            met_x += p.px()
            met_y += p.py()
        elif p.idAbs() in (11, 13) and p.pT() > LEPTON_PT_MIN and abs(p.eta()) < LEPTON_ETA_MAX:
            n_leptons += not event[p.mother1()].isHadron()
    return met_x, met_y, n_leptons


def min_dphi(pt: np.ndarray, phi: np.ndarray, met_phi: np.ndarray) -> np.ndarray:
    """The smallest azimuthal distance between the MET and the kept jets above
    DPHI_JET_PT_MIN (pi when no jet is), per event. The runtime's cut takes four jets; the
    samples keep three, and a fourth jet above 30 GeV in a monojet event is rare."""
    d = np.abs((phi - met_phi[:, None] + np.pi) % (2 * np.pi) - np.pi)
    return np.where(pt > DPHI_JET_PT_MIN, d, np.pi).min(axis=1)


def hard_cross_section(settings: list[str], seed: int, n_events: int) -> tuple[float, float]:
    """Cross section (pb) and its error from the hard process alone."""
    py = make_pythia(settings, seed, hard_only=True)
    for _ in range(n_events):
        py.next()
    info = py.infoPython()
    return info.sigmaGen() * 1e9, info.sigmaErr() * 1e9


def natural_width(settings: list[str], pid: int) -> float:
    """The width Pythia computes for the particle with the given settings (GeV)."""
    py = make_pythia(settings, 1, hard_only=True)
    return py.particleData.mWidth(pid)
