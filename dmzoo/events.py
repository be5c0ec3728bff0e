"""Reading real input: ROOT trees of several flavours, RNTuples, TH2s and UHI histograms.

Whatever comes in leaves as the zoo's 30 x 30 counts (`binning`) with the event bookkeeping:
entries read, events filled, events with no usable jet. Trees are read in chunks so memory stays
bounded whatever the file size.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dmzoo import binning
from dmzoo import selection as selections
from dmzoo.errors import (
    BinningError,
    BranchNotFoundError,
    DmzooError,
    InputFileError,
    InvalidParameterError,
)

log = logging.getLogger(__name__)

# Jet branch pairs we recognise, in the order we try them.
FLAVOURS = (
    ("Delphes", "Jet.PT", "Jet.Eta"),
    ("NanoAOD", "Jet_pt", "Jet_eta"),
    ("flat ntuple", "jet_pt", "jet_eta"),
)
TREE_CLASSES = ("TTree", "TNtuple", "TNtupleD", "ROOT::RNTuple", "ROOT::Experimental::RNTuple")
MAX_EVENTS = 1e12  # in one histogram; beyond it a count is an overflow or a unit slip, not data
STEP_SIZE = "64 MB"  # per chunk of a tree; bounds memory for any file size


@dataclass
class FilledHistogram:
    """The zoo's histogram of one input, with what was read to make it."""

    counts: np.ndarray  # float64 [30, 30], axis 0 pT, axis 1 eta
    n_events: int  # entries read (for a TH2: its in-range content)
    n_selected: int  # events filled into the histogram
    n_no_jet: int = 0  # events skipped: no jet with a finite pT and eta
    n_out_of_range: int = 0  # events whose leading jet falls outside the histogram
    # Events with awkward but usable jets, counted for the notices (`add_jet_notices`):
    n_bad_jet_events: int = 0  # a jet dropped for a NaN or infinite pT or eta
    n_negative_pt_events: int = 0  # a jet with a negative pT (never leads while one is positive)
    n_unsorted: int = 0  # jets not stored in decreasing pT
    n_pt_above: int = 0  # leading jet at or above the histogram's pT range (MeV for GeV?)
    weighted: bool = False  # a histogram whose contents are sums of weights, not event counts
    source: str = ""  # what was read, in words
    notices: list[str] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)  # per file read: its own counts
    selection: selections.SelectionReport | None = None  # the cutflow; None for arrays


def split_spec(spec: str) -> tuple[Path, str | None]:
    """Split uproot's `file.root:object` convention; a path that exists is taken whole."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        return path, None
    file_part, _, obj = spec.rpartition(":")
    return Path(file_part), obj or None


def _one_line(err: BaseException, limit: int = 200) -> str:
    """A library's message on one line, cut to a readable length."""
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unreadable(path: Path, what: str, err: Exception, hint: str) -> InputFileError:
    """The one-line error for a file a library failed on, with the library's reason."""
    reason = f"{type(err).__name__}: {_one_line(err)}"
    return InputFileError(f"{path}: {what} ({reason}); {hint}", path=str(path))


ROOT_MAGIC = b"root"  # every ROOT file starts with these four bytes
LFS_POINTER = b"version https://git-lfs"


def _check_header(path: Path) -> None:
    """Refuse, by its first bytes, a file uproot would fail on with a cryptic chunk error."""
    try:
        with open(path, "rb") as f:
            head = f.read(max(len(LFS_POINTER), 20))
    except OSError as err:
        raise InputFileError(
            f"{path}: cannot be read ({err.strerror or err}); check its permissions",
            path=str(path),
        ) from None
    if not head:
        raise InputFileError(
            f"{path}: is empty (0 bytes); write it again or give another file", path=str(path)
        )
    if head.startswith(LFS_POINTER):
        raise InputFileError(
            f"{path}: is a git-lfs pointer, not the data; run `git lfs pull` in its repository",
            path=str(path),
        )
    if not head.startswith(ROOT_MAGIC):
        raise InputFileError(
            f"{path}: not a ROOT file (it starts with {head[:8]!r}); give a .root file written "
            "by ROOT or uproot",
            path=str(path),
        )
    announced = _announced_size(head)
    size = path.stat().st_size
    if announced is not None and size < announced:
        raise InputFileError(
            f"{path}: is cut short ({size} bytes of the {announced} its header announces); "
            "copy or write it again",
            path=str(path),
        )


def _announced_size(head: bytes) -> int | None:
    """fEND of a ROOT file header, the file's size when it was closed (None if unreadable).

    The header is "root", then big-endian fVersion and fBEGIN (int32) and fEND, an int32, or
    an int64 for versions above 1000000 (files over 2 GB).
    """
    if len(head) < 16:
        return None
    version = int.from_bytes(head[4:8], "big")
    if version > 1_000_000:
        return int.from_bytes(head[12:20], "big") if len(head) >= 20 else None
    return int.from_bytes(head[12:16], "big")


def _open(path: Path):
    import uproot

    if not path.exists():
        raise InputFileError(f"{path}: no such file; check the path", path=str(path))
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder; give a ROOT file", path=str(path))
    _check_header(path)
    try:
        return uproot.open(path)
    except Exception as err:  # uproot raises many types for a file that is not ROOT
        raise _unreadable(
            path, "not a readable ROOT file", err, "give a .root file written by ROOT or uproot"
        ) from None


def _latest_cycles(classnames: dict[str, str]) -> dict[str, str]:
    """Object names without cycles, keeping the highest cycle of each."""
    best: dict[str, tuple[int, str]] = {}
    for key, cls in classnames.items():
        name, _, cycle = key.rpartition(";")
        name = name or key
        c = int(cycle) if cycle.isdigit() else 0
        if name not in best or c > best[name][0]:
            best[name] = (c, cls)
    return {name: cls for name, (_, cls) in best.items()}


def _branch_names(tree) -> dict[str, str]:
    """Every branch reachable by its full path or by its last component."""
    names: dict[str, str] = {}
    keys = tree.keys(recursive=True) if hasattr(tree, "keys") else []
    for key in keys:
        names.setdefault(key, key)
        names.setdefault(key.rsplit("/", 1)[-1], key)
    return names


def find_jet_branches(tree, pt_branch: str | None, eta_branch: str | None) -> tuple[str, str, str]:
    """(flavour, pt key, eta key) for a tree, by the user's names or the known flavours."""
    names = _branch_names(tree)
    if pt_branch or eta_branch:
        wanted = (pt_branch or "jet_pt", eta_branch or "jet_eta")
        missing = [w for w in wanted if w not in names]
        if missing:
            raise BranchNotFoundError(
                f"tree {tree.name!r} has no branch {missing[0]!r}; "
                f"its branches include {', '.join(sorted(names)[:12])}; name the jet pT and "
                "eta among them with --pt-branch and --eta-branch",
                tree=tree.name,
            )
        return "user branches", names[wanted[0]], names[wanted[1]]
    for flavour, pt, eta in FLAVOURS:
        if pt in names and eta in names:
            return flavour, names[pt], names[eta]
    known = "; ".join(f"{pt}/{eta} ({flavour})" for flavour, pt, eta in FLAVOURS)
    raise BranchNotFoundError(
        f"tree {tree.name!r} has no jet branches dmzoo knows ({known}); "
        "name yours with --pt-branch and --eta-branch",
        tree=tree.name,
    )


def leading_jets(pt: Any, eta: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leading jet (highest finite pT) per event, whatever the stored order.

    Accepts one value per event (flat arrays), a list of jets per event (jagged), or a fixed
    number of jets per event (2D or fixed-size arrays). Jets with a non-finite pT or eta are
    dropped; among jets of equal pT the one with the lowest eta leads, so the stored order never
    matters. Returns (pt, eta, has_jet); events without a usable jet have has_jet False.

    Raises:
        ValueError: pT and eta do not have the same structure.
    """
    import awkward as ak

    pt, eta = _as_events(pt, "pT"), _as_events(eta, "eta")
    if pt.ndim != eta.ndim or len(pt) != len(eta):
        raise ValueError(
            f"jet pT and eta differ in structure ({len(pt)} events of depth {pt.ndim} against "
            f"{len(eta)} of depth {eta.ndim}); give one value per jet for both"
        )
    if pt.ndim == 1:
        p = ak.to_numpy(pt).astype(np.float64)
        e = ak.to_numpy(eta).astype(np.float64)
        ok = np.isfinite(p) & np.isfinite(e)
        return np.where(ok, p, 0.0), np.where(ok, e, 0.0), ok
    if not ak.all(ak.num(pt, axis=1) == ak.num(eta, axis=1)):
        raise ValueError(
            "jet pT and eta have different numbers of jets in some events; give branches of "
            "the same jets with --pt-branch and --eta-branch"
        )
    usable = np.isfinite(pt) & np.isfinite(eta)
    pt, eta = pt[usable], eta[usable]
    top = ak.max(pt, axis=1)
    has = ~ak.to_numpy(ak.is_none(top))
    lead_eta = ak.min(eta[pt == top], axis=1)
    return (
        ak.to_numpy(ak.fill_none(top, 0.0)).astype(np.float64),
        ak.to_numpy(ak.fill_none(lead_eta, 0.0)).astype(np.float64),
        has,
    )


def _as_events(values: Any, what: str):
    """Any array-like of per-event values or jets as an awkward array of depth 1 or 2."""
    import awkward as ak

    try:
        arr = ak.Array(values) if not isinstance(values, ak.Array) else values
    except (TypeError, ValueError) as err:
        raise ValueError(f"jet {what} is not an array of numbers ({err})") from None
    if arr.ndim == 2:
        arr = ak.from_regular(arr, axis=1)  # fixed-size jet arrays behave like jagged ones
    if arr.ndim not in (1, 2):
        raise ValueError(f"jet {what} has {arr.ndim} dimensions; give one value per jet")
    return arr


def fill_from_jets(pt: Any, eta: Any) -> FilledHistogram:
    """The histogram and bookkeeping of one batch of events (see `leading_jets`).

    Raises:
        ValueError: pT and eta do not have the same structure.
    """
    lead_pt, lead_eta, has = leading_jets(pt, eta)
    inside = has & binning.in_range(lead_pt, lead_eta)
    n_no_jet = int((~has).sum())
    n_bad, n_negative, n_unsorted = count_flags(np.bincount(jet_flags(pt, eta), minlength=N_FLAGS))
    return FilledHistogram(
        counts=binning.fill(lead_pt[inside], lead_eta[inside]),
        n_events=len(has),
        n_selected=int(inside.sum()),
        n_no_jet=n_no_jet,
        n_out_of_range=len(has) - int(inside.sum()) - n_no_jet,
        n_bad_jet_events=n_bad,
        n_negative_pt_events=n_negative,
        n_unsorted=n_unsorted,
        n_pt_above=int((has & (lead_pt >= binning.PT_RANGE[1])).sum()),
    )


# Bits of `jet_flags`: what the leading-jet rules had to handle in an event.
BAD_JET, NEGATIVE_PT, UNSORTED = 1, 2, 4
N_FLAGS = 8


def jet_flags(pt: Any, eta: Any) -> np.ndarray:
    """Per event, the `BAD_JET | NEGATIVE_PT | UNSORTED` bits of its jets (int64), for arrays
    `leading_jets` accepts. Per event, so the Dask path can count them in a histogram axis."""
    import awkward as ak

    pt, eta = _as_events(pt, "pT"), _as_events(eta, "eta")
    bad = ~(np.isfinite(pt) & np.isfinite(eta))
    negative = pt < 0
    if pt.ndim == 1:
        unsorted = np.zeros(len(pt), dtype=bool)
    else:
        bad, negative = ak.any(bad, axis=1), ak.any(negative, axis=1)
        unsorted = ak.to_numpy(ak.any(pt[:, 1:] > pt[:, :-1], axis=1))
    return (
        ak.to_numpy(bad).astype(np.int64) * BAD_JET
        + ak.to_numpy(negative).astype(np.int64) * NEGATIVE_PT
        + unsorted.astype(np.int64) * UNSORTED
    )


def count_flags(per_value: np.ndarray) -> tuple[int, int, int]:
    """Events with a bad jet, a negative pT, unsorted jets, from the number of events at each
    value of `jet_flags` (N_FLAGS of them)."""
    values = np.arange(N_FLAGS)
    bad, negative, unsorted = (
        int(per_value[(values & bit) != 0].sum()) for bit in (BAD_JET, NEGATIVE_PT, UNSORTED)
    )
    return bad, negative, unsorted


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def add_jet_notices(filled: FilledHistogram, name: str) -> None:
    """Say what the leading-jet rules did with awkward jets, so that nothing is silent."""
    if filled.n_bad_jet_events:
        filled.notices.append(
            f"{name}: in {_count(filled.n_bad_jet_events, 'event')} jets with a NaN or infinite "
            "pT or eta were dropped"
        )
    if filled.n_negative_pt_events:
        filled.notices.append(
            f"{name}: in {_count(filled.n_negative_pt_events, 'event')} a jet has a negative pT, "
            "which no jet can have; such a jet never leads while a positive one exists, check "
            "the pT branch"
        )
    if filled.n_unsorted:
        filled.notices.append(
            f"{name}: in {_count(filled.n_unsorted, 'event')} the jets are not stored in "
            "decreasing pT; the highest-pT jet was taken as the leading one"
        )
    if filled.n_no_jet:
        filled.notices.append(
            f"{name}: {_count(filled.n_no_jet, 'event')} with no usable jet left out"
        )


def fill_from_tree(
    tree,
    pt_key: str,
    eta_key: str,
    *,
    selection: selections.Selection | None = None,
    found: dict[str, str] | None = None,
) -> FilledHistogram:
    """Fill the histogram from a tree or RNTuple, chunk by chunk, through the selection.

    `found` maps the selection's quantities to the tree's branches (`selection.resolve`);
    cuts without theirs pass every event. Without a selection, the paper's rule alone.
    """
    selection = selection or selections.Selection("leading-jet")
    found = found or {}
    total = FilledHistogram(
        counts=np.zeros((binning.N_BINS, binning.N_BINS)), n_events=0, n_selected=0
    )
    total.selection = selections.empty_report(selection, found, f"tree {tree.name!r}")
    keys = list(dict.fromkeys([pt_key, eta_key, *found.values()]))
    for chunk in tree.iterate(keys, step_size=STEP_SIZE, library="ak"):
        try:
            _fill_chunk(total, chunk, pt_key, eta_key, selection, found)
        except ValueError as err:
            raise BranchNotFoundError(f"{pt_key} and {eta_key}: {err}") from None
    return total


def _fill_chunk(total: FilledHistogram, chunk, pt_key, eta_key, selection, found) -> None:
    """Add one chunk of a tree to the running histogram, bookkeeping and cutflow."""
    jets = (selection.scaled(_column(chunk, pt_key)), _column(chunk, eta_key))
    lead_pt, lead_eta, has = leading_jets(*jets)
    inside = has & binning.in_range(lead_pt, lead_eta)
    arrays = {quantity: _column(chunk, key) for quantity, key in found.items()}
    passed = selections.masks(selection, arrays, (lead_pt, lead_eta, has), jets)
    keep = selections.count(total.selection, inside, passed)
    total.counts += binning.fill(lead_pt[keep], lead_eta[keep])
    n_no_jet = int((~has).sum())
    total.n_events += len(has)
    total.n_selected += int(keep.sum())
    total.n_no_jet += n_no_jet
    total.n_out_of_range += len(has) - int(inside.sum()) - n_no_jet
    bad, negative, unsorted = count_flags(np.bincount(jet_flags(*jets), minlength=N_FLAGS))
    total.n_bad_jet_events += bad
    total.n_negative_pt_events += negative
    total.n_unsorted += unsorted
    total.n_pt_above += int((has & (lead_pt >= binning.PT_RANGE[1])).sum())


def _column(chunk, key: str):
    """One branch of a chunk. A TTree's chunk holds it by its key; an RNTuple's nests a
    subfield in its parent's record (`Jet.PT` is field `PT` of `Jet`)."""
    if key in chunk.fields:
        return chunk[key]
    return chunk[tuple(key.split("."))]


def _edges(axis) -> np.ndarray:
    e = axis.edges
    return np.asarray(e() if callable(e) else e, dtype=np.float64)


def _rebin_index(edges: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Positions of every target edge among edges, or None if one is missing."""
    pos = np.searchsorted(edges, target)
    pos = np.clip(pos, 0, len(edges) - 1)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(target))))
    lower = np.clip(pos - 1, 0, len(edges) - 1)
    pick = np.where(np.abs(edges[lower] - target) < np.abs(edges[pos] - target), lower, pos)
    if np.any(np.abs(edges[pick] - target) > tol):
        return None
    return pick


def _describe(edges: np.ndarray) -> str:
    return f"[{edges[0]:g}, {edges[-1]:g}) in {len(edges) - 1} bins"


def counts_from_uhi(hist: Any, name: str = "histogram") -> FilledHistogram:
    """The zoo's counts from any 2D histogram following the Unified Histogram Interface.

    Accepted: the zoo's binning, a refinement whose edges include every zoo edge (rebinned
    by summing), with pT on either axis (eta on x is transposed with a notice). Flow bins
    never enter.
    """
    axes = list(hist.axes)
    if len(axes) != 2:
        raise BinningError(f"{name}: has {len(axes)} axes; dmzoo needs a 2D pT-eta histogram")
    if str(getattr(hist, "kind", "COUNT")).upper().endswith("MEAN"):
        raise BinningError(f"{name}: holds means, not counts; fill a counting histogram")
    raw = hist.values(flow=False) if _takes_flow(hist) else hist.values()
    if np.iscomplexobj(raw) or getattr(raw, "dtype", np.dtype(float)).fields:
        raise BinningError(
            f"{name}: its bins do not hold plain counts; use a Double or Int storage"
        )
    values = np.asarray(raw, dtype=float)
    e0, e1 = _edges(axes[0]), _edges(axes[1])
    notices: list[str] = []
    orient = _match(e0, e1)
    if orient is None and _match(e1, e0) is not None:
        orient = _match(e1, e0)
        values = values.T
        e0, e1 = e1, e0
        notices.append(f"{name}: eta is on the x axis; transposed to (pT, eta)")
    if orient is None:
        raise BinningError(
            f"{name}: binning x {_describe(_edges(axes[0]))}, y {_describe(_edges(axes[1]))} "
            f"is not the zoo's pT {_describe(binning.PT_EDGES)} by eta "
            f"{_describe(binning.ETA_EDGES)} nor a refinement of it; rebook the histogram "
            "with the zoo's binning or score the events themselves"
        )
    ip, ie = orient
    # Only the bins between the zoo's first and last edges enter; wider ranges are cut away.
    inner = values[ip[0] : ip[-1], ie[0] : ie[-1]]
    counts = np.add.reduceat(
        np.add.reduceat(inner, ip[:-1] - ip[0], axis=0), ie[:-1] - ie[0], axis=1
    )
    if (ip[1:] - ip[:-1]).max() > 1 or (ie[1:] - ie[:-1]).max() > 1:
        notices.append(f"{name}: rebinned exactly from {len(e0) - 1} x {len(e1) - 1} bins")
    if ip[0] > 0 or ip[-1] < len(e0) - 1 or ie[0] > 0 or ie[-1] < len(e1) - 1:
        notices.append(f"{name}: bins outside pT [130, 2000) GeV, eta [-4, 4) left out")
    _check_counts(counts, name, notices)
    weighted = _is_weighted(hist, raw)
    if weighted and np.allclose(counts, np.round(counts)):
        notices.append(
            f"{name}: its variances differ from its contents, so they are sums of weights; "
            "the models were trained on raw event counts"
        )
    n = _whole(float(counts.sum()))
    # Content outside the zoo's range, in flow bins or in a wider histogram's outer bins, is
    # events whose leading jet falls outside the histogram, as a tree's are counted.
    everything = hist.values(flow=True) if _takes_flow(hist) else raw
    outside = max(_whole(float(np.sum(everything, dtype=np.float64))) - n, 0)
    return FilledHistogram(
        counts=counts,
        n_events=n + outside,
        n_selected=n,
        n_out_of_range=outside,
        source=name,
        notices=notices,
        weighted=weighted,
    )


def _is_weighted(hist: Any, raw: Any) -> bool:
    """Whether a histogram's variances say it was filled with weights (for counts they equal
    the contents, as uproot and hist report them for unweighted fills)."""
    try:
        variances = hist.variances(flow=False) if _takes_flow(hist) else hist.variances()
    except (AttributeError, TypeError, ValueError):
        return False
    if variances is None:
        return False
    return not np.allclose(np.asarray(variances, dtype=float), np.asarray(raw, dtype=float))


def _whole(total: float) -> int | float:
    """A sum of bin contents as an int when it is one (weights need not sum to whole events)."""
    return int(round(total)) if math.isclose(total, round(total), abs_tol=1e-6) else total


def _check_counts(counts: np.ndarray, name: str, notices: list[str]) -> None:
    """Refuse contents no event count can have; say so when they are weights."""
    if not np.all(np.isfinite(counts)):
        raise BinningError(f"{name}: some bins hold NaN or infinity; fill it with event counts")
    with np.errstate(over="ignore"):
        total = float(counts.sum())
    if total > MAX_EVENTS:
        raise BinningError(
            f"{name}: holds {total:.3g} events, more than any collider records (at most "
            f"{MAX_EVENTS:.0e}: an overflow or a scale slip?); fill it with event counts"
        )
    if np.any(counts < 0):
        raise BinningError(
            f"{name}: some bins are negative (a weighted histogram?); the models take raw "
            "event counts, fill it unweighted or score the events themselves"
        )
    if not np.allclose(counts, np.round(counts)):
        notices.append(
            f"{name}: bin contents are not whole numbers (weighted?); the models "
            "were trained on raw event counts"
        )


def _takes_flow(hist: Any) -> bool:
    import inspect

    try:
        return "flow" in inspect.signature(hist.values).parameters
    except (TypeError, ValueError):
        return False


def _match(pt_edges: np.ndarray, eta_edges: np.ndarray):
    ip = _rebin_index(pt_edges, binning.PT_EDGES)
    ie = _rebin_index(eta_edges, binning.ETA_EDGES)
    if ip is None or ie is None:
        return None
    return ip, ie


@dataclass
class Target:
    """The object of a file dmzoo reads, and for a tree the jet branches it reads."""

    path: Path
    name: str  # the object's name without its cycle
    key: str  # what to index the file with (the name, or name;cycle as given)
    classname: str
    flavour: str = ""  # for a tree: which known flavour, or "user branches"
    pt_key: str = ""
    eta_key: str = ""
    branches: dict[str, str] = field(default_factory=dict)  # a tree's, as `_branch_names`

    @property
    def is_tree(self) -> bool:
        return self.classname in TREE_CLASSES


def read(
    spec: str,
    *,
    pt_branch: str | None = None,
    eta_branch: str | None = None,
    selection: selections.Selection | str | None = None,
) -> FilledHistogram:
    """Fill the zoo's histogram from `file.root` or `file.root:object`.

    A tree's events go through `selection` (`monojet` by default; see `dmzoo.selection`),
    each cut where the tree has its branches; a TH2 is taken as already selected.

    Raises:
        InputFileError: the file is missing, unreadable or damaged, or holds nothing to score.
        BranchNotFoundError: the tree lacks jet branches, or they do not pair up.
        BinningError: a TH2 with a binning or contents no model accepts.
    """
    with _opened(spec) as (path, f, obj):
        target = _locate(path, f, obj, pt_branch, eta_branch)
        return _fill(f, target, selections.get(selection))


def locate(spec: str, *, pt_branch: str | None = None, eta_branch: str | None = None) -> Target:
    """What `read` would read from `spec`, found by the same rules, without reading events.

    Raises:
        InputFileError, BranchNotFoundError: as `read`.
    """
    with _opened(spec) as (path, f, obj):
        return _locate(path, f, obj, pt_branch, eta_branch)


@contextmanager
def _opened(spec: str) -> Iterator[tuple[Path, Any, str | None]]:
    """The file of `spec` open, with any failure inside turned into one-line errors."""
    if not spec or not spec.strip(":"):
        raise InputFileError("no input file given; pass file.root or file.root:object")
    path, obj = split_spec(spec)
    if obj is not None and not path.exists():
        raise InputFileError(f"{spec}: no such file (nor a file {path} holding {obj!r})", path=spec)
    with _open(path) as f:
        try:
            yield path, f, obj
        except BranchNotFoundError as err:
            if err.path is not None:
                raise
            # Raised where only the tree is known; the file is what the user typed.
            raise BranchNotFoundError(f"{path}: {err}", path=str(path), tree=err.tree) from None
        except DmzooError:
            raise
        except Exception as err:  # a truncated or damaged file fails deep in uproot or zlib
            raise damaged(path, err) from None


def damaged(path: Path | str, err: Exception) -> InputFileError:
    """The one-line error for a file that opened but failed while being read."""
    return _unreadable(
        Path(path),
        "could not read it",
        err,
        "the file looks damaged, check it with ROOT or write it again",
    )


def _locate(path: Path, f, obj: str | None, pt_branch, eta_branch) -> Target:
    classes = _latest_cycles(f.classnames())
    if obj is None:
        obj = _choose_object(path, f, classes, pt_branch, eta_branch)
    name = obj.split(";")[0]
    if name not in classes or obj not in {*classes, *f.keys()}:
        near = ", ".join(sorted(f.keys())) or "nothing"
        raise InputFileError(f"{path}: no object {obj!r}; the file holds {near}", path=str(path))
    target = Target(path=path, name=name, key=obj, classname=classes[name])
    if target.classname.startswith("TH2"):
        return target
    if not target.is_tree:
        raise InputFileError(
            f"{path}: {name!r} is a {target.classname}, not a TTree, RNTuple or TH2; give a tree "
            "of jets or a 2D histogram of the leading jet's pT and eta",
            path=str(path),
        )
    target.flavour, target.pt_key, target.eta_key = find_jet_branches(f[obj], pt_branch, eta_branch)
    target.branches = _branch_names(f[obj])
    return target


def _fill(f, target: Target, selection: selections.Selection) -> FilledHistogram:
    where = f"{target.path.name}:{target.name}"
    if not target.is_tree:
        filled = counts_from_uhi(f[target.key], name=where)
        filled.source = describe(target)
        filled.selection = histogram_selection(selection, filled, where)
        return filled
    tree = f[target.key]
    found = selections.resolve(selection, _branch_names(tree))
    filled = fill_from_tree(tree, target.pt_key, target.eta_key, selection=selection, found=found)
    filled.source = describe(target)
    add_jet_notices(filled, where)
    said = selections.notice(filled.selection, where)
    if said:
        filled.notices.append(said)
    return filled


def histogram_selection(
    selection: selections.Selection, filled: FilledHistogram, where: str
) -> selections.SelectionReport:
    """The report of a histogram input: its contents count as selected, with a notice when
    the selection has cuts that could not run."""
    why = "the input is a histogram, not events"
    if selection.jes:
        raise InvalidParameterError(
            f"{where}: a histogram; --jes shifts the pT of jets in events and cannot move a "
            "histogram's contents between bins; give the events, or drop --jes"
        )
    if selection.cuts():
        filled.notices.append(
            f"{where}: a histogram; the {selection.name} selection's cuts need events and "
            "did not run (its contents count as selected)"
        )
    return selections.not_applicable(selection, int(round(filled.n_selected)), why)


def describe(target: Target) -> str:
    """The `source` line of what was read from a target."""
    if not target.is_tree:
        return f"{target.classname} {target.name}"
    return f"{target.classname} {target.name} ({target.flavour}: {target.pt_key}, {target.eta_key})"


def _choose_object(path: Path, f, classes: dict[str, str], pt_branch, eta_branch) -> str:
    """The one tree with jet branches, else the one TH2; otherwise ask the user."""
    trees = [n for n, c in classes.items() if c in TREE_CLASSES]
    with_jets = []
    for name in trees:
        try:
            find_jet_branches(f[name], pt_branch, eta_branch)
            with_jets.append(name)
        except BranchNotFoundError:
            continue
    if len(with_jets) == 1:
        return with_jets[0]
    if len(with_jets) > 1:
        raise InputFileError(
            f"{path}: several trees hold jets ({', '.join(with_jets)}); "
            f"pick one as {path}:{with_jets[0]}",
            path=str(path),
        )
    th2 = [n for n, c in classes.items() if c.startswith("TH2")]
    if len(th2) == 1:
        return th2[0]
    if trees:
        # Re-raise the first tree's complaint: it names the branches we looked for.
        find_jet_branches(f[trees[0]], pt_branch, eta_branch)
    if th2:
        raise InputFileError(
            f"{path}: several TH2s ({', '.join(th2)}); pick one as {path}:{th2[0]}", path=str(path)
        )
    held = ", ".join(f"{n} ({c})" for n, c in sorted(classes.items())) or "nothing"
    raise InputFileError(
        f"{path}: holds no TTree, RNTuple or TH2 to score, only {held}; give a tree of jets "
        "or a 2D histogram of the leading jet's pT and eta",
        path=str(path),
    )
