"""Many files as one input: glob patterns expanded, every file read, their counts added.

Each argument is `path`, `path:object`, or a glob pattern of either (`data/*.root:Events`);
patterns expand in sorted order. The histogram of all files is the sum of each file's
histogram, and the result keeps every file's own counts so the report can list them.
"""

from __future__ import annotations

import copy
import glob
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dmzoo import binning, events
from dmzoo import selection as selections
from dmzoo.errors import InputFileError

log = logging.getLogger(__name__)


def is_pattern(spec: str) -> bool:
    """Whether `spec` is a glob pattern rather than one file (an existing path is a file)."""
    path, _ = events.split_spec(spec)
    return not Path(spec).exists() and glob.has_magic(str(path))


def expand(specs: Sequence[str]) -> list[str]:
    """Every file the arguments name, patterns expanded, each file once.

    Raises:
        InputFileError: no argument, a pattern that matches nothing, or a file given twice.
    """
    if not specs:
        raise InputFileError("no input file given; pass file.root, file.root:object or a glob")
    found: list[str] = []
    for spec in specs:
        found.extend(_expand_one(str(spec)))
    _refuse_repeats(found)
    return found


def _expand_one(spec: str) -> list[str]:
    if not is_pattern(spec):
        return [spec]
    path, obj = events.split_spec(spec)
    matches = sorted(glob.glob(str(path), recursive=True))
    if not matches:
        raise InputFileError(
            f"{spec}: the pattern matches no file; check the folder and the quotes around it",
            path=spec,
        )
    log.info("%s: %d files", spec, len(matches))
    return [m if obj is None else f"{m}:{obj}" for m in matches]


def _refuse_repeats(specs: list[str]) -> None:
    """Adding a file twice would double its events, never what anyone wants."""
    seen: dict[tuple[Path, str | None], str] = {}
    for spec in specs:
        path, obj = events.split_spec(spec)
        key = (path.resolve(), obj)
        if key in seen:
            raise InputFileError(
                f"{spec}: given twice (also as {seen[key]}); list each file once",
                path=spec,
            )
        seen[key] = spec


def refuse_same_objects(targets: dict[str, events.Target]) -> None:
    """Refuse one object named twice under different spellings (`a.root` and `a.root:events`,
    a glob and a name, a symlink or hard link): its events would count twice.

    Files are told apart by device and inode, so every spelling of a path agrees; objects by
    name, so the cycles of one tree count as one object, as they do when it is chosen.
    """
    seen: dict[tuple[int, int, str], str] = {}
    for spec, target in targets.items():
        stat = target.path.stat()
        key = (stat.st_dev, stat.st_ino, target.name)
        if key in seen:
            raise InputFileError(
                f"{spec}: the same {target.classname} {target.name!r} as {seen[key]}; "
                "list each file once, or its events count twice",
                path=spec,
            )
        seen[key] = spec


def file_entry(spec: str, filled: events.FilledHistogram) -> dict[str, Any]:
    """One file's line of the report."""
    return {
        "file": spec,
        "source": filled.source,
        "n_events": filled.n_events,
        "n_selected": filled.n_selected,
        "n_no_jet": filled.n_no_jet,
        "n_out_of_range": filled.n_out_of_range,
        "cutflow": filled.selection.to_dict()["cutflow"] if filled.selection else None,
    }


def combine(parts: Sequence[tuple[str, events.FilledHistogram]]) -> events.FilledHistogram:
    """One histogram of several files: counts and bookkeeping added, every file listed."""
    total = events.FilledHistogram(
        counts=np.zeros((binning.N_BINS, binning.N_BINS)), n_events=0, n_selected=0
    )
    sources: list[str] = []
    for spec, filled in parts:
        total.counts += filled.counts
        total.n_events += filled.n_events
        total.n_selected += filled.n_selected
        total.n_no_jet += filled.n_no_jet
        total.n_out_of_range += filled.n_out_of_range
        total.n_pt_above += filled.n_pt_above
        total.weighted = total.weighted or filled.weighted
        total.notices.extend(filled.notices)
        total.files.append(file_entry(spec, filled))
        if filled.source not in sources:
            sources.append(filled.source)
        if filled.selection is None:
            continue
        if total.selection is None:
            total.selection = copy.deepcopy(filled.selection)
        else:
            selections.add(total.selection, filled.selection)
    if len(parts) == 1:
        total.source = sources[0]
    else:
        total.source = f"{len(parts)} files: " + "; ".join(sources)
    return total


def as_specs(obj: Any) -> list[str] | None:
    """The file arguments in `obj` (a path, or a list or tuple of paths), else None."""
    if isinstance(obj, (str, os.PathLike)):
        return [os.fspath(obj)]
    if isinstance(obj, (list, tuple)) and all(isinstance(o, (str, os.PathLike)) for o in obj):
        return [os.fspath(o) for o in obj]
    return None


def read(
    specs: Sequence[str],
    *,
    pt_branch: str | None = None,
    eta_branch: str | None = None,
    scheduler: Any = None,
    selection: selections.Selection | str | None = None,
) -> events.FilledHistogram:
    """The zoo's histogram of every file `specs` name, through `selection`, added up.

    Without a scheduler the files are read here one after the other; with one (see
    `dmzoo.distributed`) the trees are read and filled on a Dask cluster.

    Raises:
        InputFileError, BranchNotFoundError, BinningError: as `events.read`, for the first
            file that fails; a pattern matching nothing.
        MissingDependencyError: a scheduler without the dask extra installed.
    """
    if scheduler is not None:
        from dmzoo import distributed

        return distributed.read(
            specs,
            scheduler=scheduler,
            pt_branch=pt_branch,
            eta_branch=eta_branch,
            selection=selection,
        )
    files = expand(specs)
    if len(files) > 1:
        refuse_same_objects(
            {s: events.locate(s, pt_branch=pt_branch, eta_branch=eta_branch) for s in files}
        )
    reading = {"pt_branch": pt_branch, "eta_branch": eta_branch, "selection": selection}
    return combine([(s, events.read(s, **reading)) for s in files])
