"""Reading real input: ROOT trees of several flavours, RNTuples, TH2s and UHI histograms.

Whatever comes in leaves as the zoo's 30 x 30 counts (`binning`) with the event bookkeeping:
entries read, events filled, events with no usable jet. Trees are read in chunks so memory stays
bounded whatever the file size.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dmzoo import binning
from dmzoo.errors import BinningError, BranchNotFoundError, InputFileError

log = logging.getLogger(__name__)

# Jet branch pairs we recognise, in the order we try them.
FLAVOURS = (
    ("Delphes", "Jet.PT", "Jet.Eta"),
    ("NanoAOD", "Jet_pt", "Jet_eta"),
    ("flat ntuple", "jet_pt", "jet_eta"),
)
TREE_CLASSES = ("TTree", "TNtuple", "TNtupleD", "ROOT::RNTuple", "ROOT::Experimental::RNTuple")
STEP_SIZE = "64 MB"  # per chunk of a tree; bounds memory for any file size


@dataclass
class FilledHistogram:
    """The zoo's histogram of one input, with what was read to make it."""

    counts: np.ndarray  # float64 [30, 30], axis 0 pT, axis 1 eta
    n_events: int  # entries read (for a TH2: its in-range content)
    n_selected: int  # events filled into the histogram
    n_no_jet: int = 0  # events skipped: no jet with a finite pT and eta
    n_out_of_range: int = 0  # events whose leading jet falls outside the histogram
    source: str = ""  # what was read, in words
    notices: list[str] = field(default_factory=list)


def split_spec(spec: str) -> tuple[Path, str | None]:
    """Split uproot's `file.root:object` convention; a path that exists is taken whole."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        return path, None
    file_part, _, obj = spec.rpartition(":")
    return Path(file_part), obj or None


def _open(path: Path):
    import uproot

    if not path.exists():
        raise InputFileError(f"{path}: no such file; check the path", path=str(path))
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder; give a ROOT file", path=str(path))
    try:
        return uproot.open(path)
    except Exception as err:  # uproot raises many types for a file that is not ROOT
        raise InputFileError(
            f"{path}: not a readable ROOT file ({type(err).__name__}: {err}); "
            "give a .root file written by ROOT or uproot",
            path=str(path),
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
                f"its branches include {', '.join(sorted(names)[:12])}",
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

    Returns (pt, eta, has_jet); events without a usable jet have has_jet False.
    """
    import awkward as ak

    pt = ak.Array(pt) if not isinstance(pt, np.ndarray) else pt
    eta = ak.Array(eta) if not isinstance(eta, np.ndarray) else eta
    if isinstance(pt, np.ndarray) or pt.ndim == 1:
        p = np.asarray(pt, dtype=np.float64)
        e = np.asarray(eta, dtype=np.float64)
        ok = np.isfinite(p) & np.isfinite(e)
        return np.where(ok, p, 0.0), np.where(ok, e, 0.0), ok
    usable = np.isfinite(pt) & np.isfinite(eta)
    pt, eta = pt[usable], eta[usable]
    best = ak.argmax(pt, axis=1, keepdims=True)
    lead_pt = ak.firsts(pt[best])
    lead_eta = ak.firsts(eta[best])
    has = ~ak.to_numpy(ak.is_none(lead_pt))
    return (
        ak.to_numpy(ak.fill_none(lead_pt, 0.0)).astype(np.float64),
        ak.to_numpy(ak.fill_none(lead_eta, 0.0)).astype(np.float64),
        has,
    )


def fill_from_tree(tree, pt_key: str, eta_key: str) -> FilledHistogram:
    """Fill the histogram from a tree or RNTuple, chunk by chunk."""
    counts = np.zeros((binning.N_BINS, binning.N_BINS))
    n_events = n_selected = n_no_jet = 0
    for chunk in tree.iterate([pt_key, eta_key], step_size=STEP_SIZE, library="ak"):
        pt, eta, has = leading_jets(chunk[pt_key], chunk[eta_key])
        inside = has & binning.in_range(pt, eta)
        counts += binning.fill(pt[inside], eta[inside])
        n_events += len(has)
        n_no_jet += int((~has).sum())
        n_selected += int(inside.sum())
    return FilledHistogram(
        counts=counts,
        n_events=n_events,
        n_selected=n_selected,
        n_no_jet=n_no_jet,
        n_out_of_range=n_events - n_selected - n_no_jet,
    )


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
    values = np.asarray(hist.values(flow=False) if _takes_flow(hist) else hist.values(), float)
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
    rebinned = np.add.reduceat(np.add.reduceat(values, ip[:-1], axis=0), ie[:-1], axis=1)
    counts = rebinned[: binning.N_BINS, : binning.N_BINS]
    if (ip[1:] - ip[:-1]).max() > 1 or (ie[1:] - ie[:-1]).max() > 1:
        notices.append(f"{name}: rebinned exactly from {len(e0) - 1} x {len(e1) - 1} bins")
    total = float(counts.sum())
    n = int(round(total)) if math.isclose(total, round(total), abs_tol=1e-6) else total
    return FilledHistogram(counts=counts, n_events=n, n_selected=n, source=name, notices=notices)


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


def read(
    spec: str, *, pt_branch: str | None = None, eta_branch: str | None = None
) -> FilledHistogram:
    """Fill the zoo's histogram from `file.root` or `file.root:object`.

    Raises:
        InputFileError: the file is missing or unreadable, or holds nothing to score.
        BranchNotFoundError: the tree lacks jet branches.
        BinningError: a TH2 with a binning no model accepts.
    """
    path, obj = split_spec(spec)
    with _open(path) as f:
        classes = _latest_cycles(f.classnames())
        if obj is None:
            obj = _choose_object(path, f, classes, pt_branch, eta_branch)
        name = obj.split(";")[0]
        if name not in classes:
            near = ", ".join(sorted(classes)) or "nothing"
            raise InputFileError(
                f"{path}: no object {obj!r}; the file holds {near}", path=str(path)
            )
        cls = classes[name]
        target = f[obj]
        if cls.startswith("TH2"):
            filled = counts_from_uhi(target, name=f"{path.name}:{name}")
            filled.source = f"{cls} {name}"
            return filled
        if cls not in TREE_CLASSES:
            raise InputFileError(
                f"{path}: {name!r} is a {cls}; dmzoo scores a TTree, an RNTuple or a TH2",
                path=str(path),
            )
        flavour, pt_key, eta_key = find_jet_branches(target, pt_branch, eta_branch)
        try:
            filled = fill_from_tree(target, pt_key, eta_key)
        except (ValueError, TypeError, OSError, KeyError) as err:
            # A truncated or damaged file fails deep inside uproot or awkward.
            raise InputFileError(
                f"{path}: could not read {name} ({type(err).__name__}: {err}); the file may be "
                "damaged or its jet branches are not numbers", path=str(path)) from None
        filled.source = f"{cls} {name} ({flavour}: {pt_key}, {eta_key})"
        return filled


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
    raise InputFileError(f"{path}: holds no TTree, RNTuple or TH2 to score", path=str(path))
