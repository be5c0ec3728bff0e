"""`score`: from an input (file, arrays or histogram) to a classifier's answer."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dmzoo import binning, events, filesets, tables
from dmzoo.errors import InputFileError, InvalidParameterError
from dmzoo.registry import Zoo, check_snr

log = logging.getLogger(__name__)

FAR_FACTOR = 2.0  # warn when the histogram holds this many times fewer or more events than b_train


@dataclass
class ScoreResult:
    """What `dmzoo score` reports; `to_dict()` is its JSON."""

    file: str | None
    benchmark: str
    snr_requested: float
    snr_model: float
    model: str
    zoo_version: str
    n_events: int
    n_selected: int
    n_no_jet: int
    n_out_of_range: int
    score: float  # the classifier's probability that the histogram holds signal
    auc: float  # from the table at snr_requested (holds for b_train events)
    auc_std: float
    auc_optimal: float
    auc_method: str
    b_train: int
    source: str
    warnings: list[str] = field(default_factory=list)  # about the answer's validity
    notes: list[str] = field(default_factory=list)  # what was done (nearest model, rebinning)
    files: list[dict[str, Any]] = field(default_factory=list)  # each file read, with its counts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _histogram(
    obj: Any, pt_branch: str | None, eta_branch: str | None, scheduler: Any = None
) -> tuple[str | None, events.FilledHistogram]:
    """Whatever the user passed, as the zoo's filled histogram."""
    specs = filesets.as_specs(obj)
    if specs is not None:
        filled = filesets.read(
            specs, pt_branch=pt_branch, eta_branch=eta_branch, scheduler=scheduler
        )
        return " ".join(specs), filled
    if scheduler is not None:
        raise InvalidParameterError(
            "a Dask scheduler fills histograms from files; pass file paths, or no scheduler"
        )
    if isinstance(obj, tuple) and len(obj) == 2:
        try:
            filled = events.fill_from_jets(obj[0], obj[1])
        except ValueError as err:
            raise InvalidParameterError(f"(pt, eta) arrays: {err}") from None
        filled.source = "arrays (pt, eta)"
        return None, filled
    if hasattr(obj, "axes") and hasattr(obj, "values"):
        return None, events.counts_from_uhi(obj, name=type(obj).__name__)
    if isinstance(obj, np.ndarray) and obj.shape == (binning.N_BINS, binning.N_BINS):
        if not np.issubdtype(obj.dtype, np.number) or np.iscomplexobj(obj):
            raise InvalidParameterError(f"a counts array must be real numbers, not {obj.dtype}")
        arr = obj.astype(np.float64)
        notices: list[str] = []
        events._check_counts(arr, "counts array", notices)
        n = int(round(arr.sum()))
        return None, events.FilledHistogram(
            counts=arr, n_events=n, n_selected=n, source="counts array [30, 30]", notices=notices
        )
    raise TypeError(
        "score() takes a file path, a (pt, eta) pair of arrays, a UHI histogram (hist, "
        "boost-histogram, uproot TH2) or a [30, 30] numpy array of counts, not "
        f"{type(obj).__name__}"
    )


def score(
    obj: Any,
    *,
    benchmark: str,
    snr: float,
    zoo: Zoo | str | Path | None = None,
    pt_branch: str | None = None,
    eta_branch: str | None = None,
    scheduler: Any = None,
) -> ScoreResult:
    """Score one input with the zoo's binary classifier for `benchmark` nearest to `snr`.

    Args:
        obj: `file.root`, `file.root:object`, a glob of them, or a list of those (one
            histogram of all the files); a `(pt, eta)` pair of arrays (flat or jagged),
            any 2D histogram following the Unified Histogram Interface, or [30, 30] counts.
        benchmark: a benchmark name, e.g. `spin1_offshell` (`dmzoo list` shows them).
        snr: the S/sqrt(B) to test, a finite positive number.
        zoo: the zoo to use; the shipped one by default.
        scheduler: fill the histogram of files on Dask (the `dask` extra): `"local"` for a
            cluster on this machine, a scheduler address, or a `distributed.Client`.

    Raises:
        InputFileError, BranchNotFoundError, BinningError: the input cannot be scored.
        ModelNotFoundError: no model for the benchmark.
        InvalidParameterError: snr is not a finite positive number.
        MissingDependencyError: a scheduler without the dask extra installed.

    >>> import numpy as np, dmzoo
    >>> r = dmzoo.score(np.full((30, 30), 50.0), benchmark="spin1_offshell", snr=1.0)
    >>> 0.0 <= r.score <= 1.0
    True
    """
    snr = check_snr(snr)
    if not isinstance(benchmark, str) or not benchmark:
        raise InvalidParameterError(
            f"benchmark must be a name such as 'spin1_offshell', not {benchmark!r}"
        )
    zoo = Zoo(Path(zoo)) if isinstance(zoo, (str, Path)) else (zoo or Zoo.default())
    entry = zoo.nearest(benchmark, snr)
    file, filled = _histogram(obj, pt_branch, eta_branch, scheduler)
    if filled.n_selected == 0:
        raise InputFileError(
            f"{file or 'input'}: none of its {filled.n_events} events has a leading jet inside the "
            "histogram (130 <= pT < 2000 GeV, -4 <= eta < 4); nothing to score",
            path=file,
        )
    model = zoo.model(entry)
    value = float(model.predict(filled.counts[None])[0])
    rows = tables.read_table(zoo.table_path("auc_individual.csv"))
    looked = tables.lookup(rows, benchmark, snr)
    b_train = int(model.metadata["b_train"])
    notes = list(filled.notices)
    if entry.snr != snr:
        notes.append(f"no model at S/sqrt(B) = {snr:g}; used the nearest, {entry.snr:g}")
    warnings = []
    n = filled.n_selected
    if n < b_train / FAR_FACTOR or n > b_train * FAR_FACTOR:
        warnings.append(
            f"the histogram holds {n} events, the model was trained on {b_train} background "
            f"events per histogram; the quoted AUC holds at {b_train}, not here"
        )
    return ScoreResult(
        file=file,
        benchmark=benchmark,
        snr_requested=snr,
        snr_model=float(entry.snr),
        model=entry.id,
        zoo_version=zoo.version,
        n_events=int(filled.n_events),
        n_selected=int(filled.n_selected),
        n_no_jet=filled.n_no_jet,
        n_out_of_range=filled.n_out_of_range,
        score=value,
        auc=looked.auc,
        auc_std=looked.auc_std,
        auc_optimal=looked.auc_optimal,
        auc_method=looked.method,
        b_train=b_train,
        source=filled.source,
        warnings=warnings,
        notes=notes,
        files=filled.files,
    )
