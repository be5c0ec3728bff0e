"""Event selection before the histogram: the paper's rule, or a monojet preselection.

Two selections, by name:

- `leading-jet`: the paper's own rule and nothing else: the leading jet (highest finite pT)
  inside the histogram, 130 <= pT < 2000 GeV and -4 <= eta < 4. The zoo's models were trained
  on simulated Z(->nunu)+jet selected this way.
- `monojet` (the default): the same, then the cuts of a monojet search, each run only where the
  tree has its branches (Delphes and CMS NanoAOD are known; a cut whose branches are missing is
  skipped with a notice, so a file with jets alone is selected as by `leading-jet`):

  - `jet_id`: the leading jet passes the tight jet ID (NanoAOD `Jet_jetId` bit 2, which means
    tight in every Run 2 and Run 3 convention; Delphes jets carry no quality flag);
  - `met`: missing transverse momentum above `met_min`, 130 GeV by default;
  - `electron_veto`, `muon_veto`, `photon_veto`: no electron, muon or photon with pT above
    `veto_pt_min` (10 GeV) within |eta| < `veto_eta_max` (2.5); in NanoAOD only objects that
    pass the loosest ID count (`Electron_cutBased >= 1`, `Muon_looseId`,
    `Photon_cutBased >= 1`), since NanoAOD keeps every reconstructed candidate; Delphes'
    collections are already isolated by its card;
  - `dphi`: every one of the `dphi_jets` (4) leading jets with pT above `dphi_jet_pt_min`
    (30 GeV) is at least `dphi_min` (0.4) in azimuth from the missing momentum.

Why 130 GeV and not the 200-250 GeV of ATLAS and CMS: the SM template the calibration draws
from is Z(->nunu)+jet with the leading jet above 130 GeV and no other cut. In such events the
missing momentum balances the jets, so a threshold at the histogram's lower edge removes events
mostly where MET falls just below the jet's pT, while 250 GeV would empty the histogram's
lowest pT bins that the template fills most; the data would then look unlike the SM to every
model. Raise it (`--met-min 250`) for a trigger plateau, together with a background of your
own selected the same way (`score --background`). For the same reason the leading jet keeps
the histogram's |eta| < 4 rather than a search's |eta| < 2.4.

Either selection takes `jes`, a relative jet energy scale shift for a systematic study: every
jet's pT is multiplied by 1 + jes before the cuts. It needs events; a histogram cannot be
shifted and is refused.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from dmzoo.errors import InvalidParameterError

log = logging.getLogger(__name__)

NAMES = ("monojet", "leading-jet")
DEFAULT = "monojet"

# Each quantity a cut reads, and the branch that holds it in each flavour we know.
BRANCHES: dict[str, tuple[str, ...]] = {
    "jet_phi": ("Jet.Phi", "Jet_phi"),
    "jet_id": ("Jet_jetId",),
    "met": ("MissingET.MET", "MET_pt"),
    "met_phi": ("MissingET.Phi", "MET_phi"),
    "electron_pt": ("Electron.PT", "Electron_pt"),
    "electron_eta": ("Electron.Eta", "Electron_eta"),
    "electron_id": ("Electron_cutBased",),
    "muon_pt": ("Muon.PT", "Muon_pt"),
    "muon_eta": ("Muon.Eta", "Muon_eta"),
    "muon_id": ("Muon_looseId",),
    "photon_pt": ("Photon.PT", "Photon_pt"),
    "photon_eta": ("Photon.Eta", "Photon_eta"),
    "photon_id": ("Photon_cutBased",),
}
TIGHT_JET_ID = 2  # bit of Jet_jetId set for tight jets (2016: 3 and 7; 2017 on: 2 and 6)
LEADING_JET = "leading_jet"
MAX_JES = 0.5  # a larger shift is surely a percentage given as a number (2 for 2%)
PAPER_RULE = "leading jet 130 <= pT < 2000 GeV, -4 <= eta < 4"


@dataclass(frozen=True)
class Selection:
    """A selection by name and its thresholds (those of `monojet` unused by `leading-jet`)."""

    name: str = DEFAULT
    met_min: float = 130.0  # GeV; the histogram's lower edge (see the module's docstring)
    jet_id: bool = True  # the leading jet passes the tight ID
    lepton_veto: bool = True  # electrons and muons
    photon_veto: bool = True
    veto_pt_min: float = 10.0  # GeV
    veto_eta_max: float = 2.5
    dphi_min: float = 0.4  # rad; 0 turns the cut off
    dphi_jets: int = 4
    dphi_jet_pt_min: float = 30.0  # GeV
    # Jet energy scale shift for a systematic study: every jet's pT times (1 + jes), before the
    # cuts, under either selection. MET is left as read (a full variation would propagate it).
    jes: float = 0.0
    # The default's leniency: when the monojet cuts leave no event of the input, score it under
    # the paper's rule instead, with a warning (dmzoo.score). A selection the user names or
    # tunes does not fall back.
    fallback: bool = False

    def __post_init__(self) -> None:
        if self.name not in NAMES:
            raise InvalidParameterError(
                f"unknown selection {self.name!r}; choose one of {', '.join(NAMES)}"
            )
        for name in ("met_min", "veto_pt_min", "veto_eta_max", "dphi_min", "dphi_jet_pt_min"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                flag = "--" + name.replace("_", "-")
                raise InvalidParameterError(
                    f"{name} ({flag}) must be a finite number >= 0, not {value!r}"
                )
        if not (np.isfinite(self.jes) and abs(self.jes) <= MAX_JES):
            raise InvalidParameterError(
                f"jes (--jes) is a relative shift of the jet pT within +-{MAX_JES:g}, e.g. 0.02 "
                f"for +2%, not {self.jes!r}"
            )
        if self.dphi_jets < 1:
            raise InvalidParameterError(
                f"dphi_jets (--dphi-jets) must be at least 1, not {self.dphi_jets!r}"
            )

    def cuts(self) -> list[Cut]:
        """The cuts after the paper's rule, in the order they run."""
        if self.name == "leading-jet":
            return []
        cuts = []
        if self.jet_id:
            cuts.append(Cut("jet_id", "leading jet passes the tight jet ID", ("jet_id",)))
        cuts.append(Cut("met", f"MET > {self.met_min:g} GeV", ("met",)))
        veto = f"pT > {self.veto_pt_min:g} GeV, |eta| < {self.veto_eta_max:g}"
        if self.lepton_veto:
            cuts.append(Cut("electron_veto", f"no electron with {veto}", _veto("electron")))
            cuts.append(Cut("muon_veto", f"no muon with {veto}", _veto("muon")))
        if self.photon_veto:
            cuts.append(Cut("photon_veto", f"no photon with {veto}", _veto("photon")))
        if self.dphi_min > 0:
            what = (
                f"min dphi(jet, MET) > {self.dphi_min:g} for the {self.dphi_jets} leading jets "
                f"with pT > {self.dphi_jet_pt_min:g} GeV"
            )
            cuts.append(Cut("dphi", what, ("jet_phi", "met", "met_phi")))
        return cuts

    def thresholds(self) -> dict[str, Any]:
        out = asdict(self)
        del out["name"], out["fallback"]
        return out

    def scaled(self, pt: Any) -> Any:
        """Jet pT (numpy or awkward) under the jet energy scale shift."""
        return pt if self.jes == 0 else pt * (1.0 + self.jes)


def _veto(kind: str) -> tuple[str, ...]:
    return (f"{kind}_pt", f"{kind}_eta")


@dataclass(frozen=True)
class Cut:
    name: str
    requirement: str  # in words, with its thresholds
    needs: tuple[str, ...]  # quantities of BRANCHES it reads


def resolve(selection: Selection, names: dict[str, str]) -> dict[str, str]:
    """The branch key of every quantity the selection could use that the tree has.

    `names` maps branch names (full and last component) to keys, as `events` builds it.
    """
    wanted = {q for cut in selection.cuts() for q in cut.needs}
    wanted |= {f"{k}_id" for k in ("electron", "muon", "photon") if f"{k}_pt" in wanted}
    found = {}
    for quantity in sorted(wanted):
        for branch in BRANCHES[quantity]:
            if branch in names:
                found[quantity] = names[branch]
                break
    return found


@dataclass
class CutReport:
    """One cut as it ran on an input: events left after it, or why it was skipped."""

    name: str
    requirement: str
    applied: bool
    events: int = 0
    skipped_because: str = ""


@dataclass
class SelectionReport:
    """What the selection did to one input (or, added up, to many): the cutflow."""

    name: str
    thresholds: dict[str, Any]
    n_read: int
    cuts: list[CutReport] = field(default_factory=list)  # the paper's rule first

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `selection`: name, thresholds, cuts and the cutflow list."""
        return {
            "name": self.name,
            "thresholds": self.thresholds,
            "cuts": [
                {
                    "name": c.name,
                    "requirement": c.requirement,
                    "applied": c.applied,
                    **({"skipped_because": c.skipped_because} if not c.applied else {}),
                }
                for c in self.cuts
            ],
            "cutflow": [{"cut": "read", "events": self.n_read}]
            + [{"cut": c.name, "events": c.events} for c in self.cuts],
        }

    @property
    def skipped(self) -> list[CutReport]:
        return [c for c in self.cuts if not c.applied]

    def cutflow_text(self) -> str:
        """The cutflow on one line, for messages."""
        steps = [f"read {self.n_read}"] + [
            f"{c.name} {c.events}" + ("" if c.applied else " (skipped)") for c in self.cuts
        ]
        return ", ".join(steps)


def empty_report(selection: Selection, found: dict[str, str], why_missing: str) -> SelectionReport:
    """A report with no events yet: which cuts will run, which are skipped and why."""
    report = SelectionReport(selection.name, selection.thresholds(), 0)
    report.cuts.append(CutReport(LEADING_JET, PAPER_RULE, applied=True))
    for cut in selection.cuts():
        missing = [q for q in cut.needs if q not in found]
        if missing:
            branches = " or ".join(b for q in missing for b in BRANCHES[q])
            reason = f"{why_missing} has no {branches}"
            report.cuts.append(CutReport(cut.name, cut.requirement, False, 0, reason))
        else:
            report.cuts.append(CutReport(cut.name, cut.requirement, True))
    return report


def not_applicable(selection: Selection, n: int, why: str) -> SelectionReport:
    """The report of an input that is already a histogram: no cut can run on it."""
    report = empty_report(selection, {}, "")
    report.n_read = n
    for c in report.cuts:
        c.events = n
        if c.name != LEADING_JET:
            c.skipped_because = why
    return report


def add(total: SelectionReport, part: SelectionReport) -> None:
    """Add one input's cutflow to a running total; a cut stays applied only if every input
    ran it."""
    total.n_read += part.n_read
    for mine, theirs in zip(total.cuts, part.cuts, strict=True):
        mine.events += theirs.events
        if mine.applied and not theirs.applied:
            mine.applied, mine.skipped_because = False, theirs.skipped_because


def notice(report: SelectionReport, where: str) -> str | None:
    """The one notice about skipped cuts of one input, or None when all ran."""
    skipped = [c for c in report.skipped if c.name != LEADING_JET]
    if not skipped:
        return None
    if len(skipped) == len(report.cuts) - 1:  # a file of jets alone, as most simulations are
        return (
            f"{where}: no cut of the {report.name} selection could run (the file has no MET, "
            "lepton, photon or jet-ID branches); the leading-jet rule alone selected the events"
        )
    said = "; ".join(f"{c.name} ({c.skipped_because})" for c in skipped)
    return f"{where}: {report.name} selection: cuts skipped, their branches are missing: {said}"


def masks(
    selection: Selection,
    arrays: dict[str, Any],
    lead: tuple[np.ndarray, np.ndarray, np.ndarray],
    jets: tuple[Any, Any],
) -> list[np.ndarray]:
    """Per cut of `selection.cuts()` (skipped ones included), the mask of events passing it.

    `arrays` holds the quantities `resolve` found, read for these events; `lead` is what
    `events.leading_jets` returned and `jets` the raw (pt, eta) arrays. A cut whose quantities
    are absent passes every event.
    """
    n = len(lead[2])
    out = []
    for cut in selection.cuts():
        if any(q not in arrays for q in cut.needs):
            out.append(np.ones(n, dtype=bool))
            continue
        out.append(_CUTS[cut.name](selection, arrays, lead, jets))
    return out


def _jagged(values: Any):
    """Per-object values as an awkward array with one list per event (flat becomes 1-lists)."""
    import awkward as ak

    arr = values if isinstance(values, ak.Array) else ak.Array(values)
    if arr.ndim == 1:
        arr = ak.unflatten(arr, np.ones(len(arr), dtype=np.int64))
    elif arr.ndim == 2:
        arr = ak.from_regular(arr, axis=1)
    return arr


def _per_event(values: Any) -> np.ndarray:
    """One number per event: a flat branch as it is, a Delphes one-entry collection's first."""
    import awkward as ak

    arr = values if isinstance(values, ak.Array) else ak.Array(values)
    if arr.ndim > 1:
        arr = ak.fill_none(ak.firsts(arr, axis=1), np.nan)
    return ak.to_numpy(arr).astype(np.float64)


def _jet_id(selection, arrays, lead, jets) -> np.ndarray:
    """The leading jet (the same one `events.leading_jets` picks) passes the tight ID."""
    import awkward as ak

    pt, eta = _jagged(jets[0]), _jagged(jets[1])
    ids = ak.values_astype(_jagged(arrays["jet_id"]), np.int64)  # a bit field, whatever stored
    lead_pt, lead_eta, has = lead
    is_lead = np.isfinite(pt) & np.isfinite(eta) & (pt == lead_pt) & (eta == lead_eta)
    tight = (ids & TIGHT_JET_ID) != 0
    return has & ak.to_numpy(ak.all(tight[is_lead], axis=1))


def _met(selection, arrays, lead, jets) -> np.ndarray:
    met = _per_event(arrays["met"])
    return np.isfinite(met) & (met > selection.met_min)


def _object_veto(kind: str):
    def cut(selection, arrays, lead, jets) -> np.ndarray:
        import awkward as ak

        pt, eta = _jagged(arrays[f"{kind}_pt"]), _jagged(arrays[f"{kind}_eta"])
        hard = (pt > selection.veto_pt_min) & (abs(eta) < selection.veto_eta_max)
        if f"{kind}_id" in arrays:
            # cutBased levels count from 1 (veto or loose); looseId is a flag. Compared as
            # numbers, so a file storing either as float or bool reads the same.
            ids = _jagged(arrays[f"{kind}_id"])
            hard = hard & (ids >= 1)
        return ~ak.to_numpy(ak.any(hard, axis=1))

    return cut


def _dphi(selection, arrays, lead, jets) -> np.ndarray:
    """Jets ordered by pT whatever the stored order; events without such jets pass."""
    import awkward as ak

    pt, eta, phi = _jagged(jets[0]), _jagged(jets[1]), _jagged(arrays["jet_phi"])
    met_phi = _per_event(arrays["met_phi"])
    usable = np.isfinite(pt) & np.isfinite(eta) & np.isfinite(phi)
    pt, phi = pt[usable], phi[usable]
    order = ak.argsort(pt, axis=1, ascending=False, stable=True)
    pt, phi = pt[order][:, : selection.dphi_jets], phi[order][:, : selection.dphi_jets]
    phi = phi[pt > selection.dphi_jet_pt_min]
    dphi = abs((phi - met_phi + np.pi) % (2 * np.pi) - np.pi)
    closest = ak.to_numpy(ak.fill_none(ak.min(dphi, axis=1), np.inf))
    return np.isfinite(met_phi) & (closest > selection.dphi_min)


_CUTS = {
    "jet_id": _jet_id,
    "met": _met,
    "electron_veto": _object_veto("electron"),
    "muon_veto": _object_veto("muon"),
    "photon_veto": _object_veto("photon"),
    "dphi": _dphi,
}


def get(selection: Selection | str | None) -> Selection:
    """A Selection from a name, an instance, or None for the default."""
    if selection is None:
        return Selection(fallback=True)
    if isinstance(selection, str):
        return Selection(name=selection)
    if isinstance(selection, Selection):
        return selection
    raise InvalidParameterError(
        f"selection must be one of {', '.join(NAMES)} or a dmzoo.selection.Selection, "
        f"not {type(selection).__name__}"
    )


def count(report: SelectionReport, inside: np.ndarray, passed: list[np.ndarray]) -> np.ndarray:
    """Add one chunk's events to the report's cutflow; the mask of events that pass all."""
    report.n_read += len(inside)
    keep = inside.copy()
    report.cuts[0].events += int(keep.sum())
    for cut, mask in zip(report.cuts[1:], passed, strict=True):
        keep &= mask
        cut.events += int(keep.sum())
    return keep
