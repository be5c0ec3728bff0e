"""`score`: from an input (file, arrays or histogram) to a classifier's answer."""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import numbers
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dmzoo import background as backgrounds
from dmzoo import (
    binning,
    calibration,
    classifiers,
    events,
    filesets,
    parametric,
    tables,
    templates,
)
from dmzoo import selection as selections
from dmzoo.calibration import Calibration, ToyScores
from dmzoo.classifiers import ClassProbabilities
from dmzoo.errors import InputFileError, InvalidParameterError, ModelNotFoundError
from dmzoo.registry import Zoo, check_snr

log = logging.getLogger(__name__)

FAR_FACTOR = 2.0  # warn when the histogram holds this many times fewer or more events than b_train


@dataclass
class ScoreResult:
    """What `dmzoo score` reports; `to_dict()` is its JSON (every field but `toys`)."""

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
    score: float  # probability of signal (binary) or of any new physics (other kinds)
    auc: float | None  # from the kind's table at snr_requested (holds for b_train events)
    auc_std: float | None
    auc_optimal: float | None
    auc_method: str
    b_train: int
    source: str
    warnings: list[str] = field(default_factory=list)  # about the answer's validity
    notes: list[str] = field(default_factory=list)  # what was done (nearest model, rebinning)
    kind: str = "binary"  # binary, multimodel_binary, multiclass or model_vs_model
    classes: ClassProbabilities | None = None  # multiclass only
    calibration: Calibration | None = None  # None when asked for no pseudo-experiments
    toys: ToyScores | None = field(default=None, repr=False, compare=False)  # for plots
    counts: np.ndarray | None = field(default=None, repr=False, compare=False)  # for plots
    files: list[dict[str, Any]] = field(default_factory=list)  # each file read, with its counts
    selection: dict[str, Any] | None = None  # name, thresholds, cuts, cutflow; None for arrays
    background: dict[str, Any] | None = None  # the SM of the pseudo-experiments; None: no toys
    model_kind: str = "grid"  # "parametric": fed snr_model itself; "grid": trained at it
    versus: str | None = None  # model_vs_model: the other benchmark, the null's signal
    null: str = "SM only"  # what the p-value tests: the SM alone, or SM + `versus`
    # Collision energies in GeV: the model's (its metadata) and the data's, if the user said.
    sqrt_s_gev: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON fields: all but the arrays kept for plots."""
        out = asdict(self)
        del out["toys"], out["counts"]
        return out


def _histogram(
    obj: Any,
    pt_branch: str | None,
    eta_branch: str | None,
    scheduler: Any = None,
    selection: selections.Selection | None = None,
) -> tuple[str | None, events.FilledHistogram]:
    """Whatever the user passed, as the zoo's filled histogram."""
    chosen = selections.get(selection)
    specs = filesets.as_specs(obj)
    if specs is not None:
        filled = filesets.read(
            specs,
            pt_branch=pt_branch,
            eta_branch=eta_branch,
            scheduler=scheduler,
            selection=chosen,
        )
        return " ".join(specs), filled
    if scheduler is not None:
        raise InvalidParameterError(
            "a Dask scheduler fills histograms from files; pass file paths, or no scheduler"
        )
    if isinstance(obj, tuple) and len(obj) == 2:
        try:
            filled = events.fill_from_jets(chosen.scaled(obj[0]), obj[1])
        except ValueError as err:
            raise InvalidParameterError(f"(pt, eta) arrays: {err}") from None
        filled.source = "arrays (pt, eta)"
        events.add_jet_notices(filled, "arrays")
        return None, filled
    if hasattr(obj, "axes") and hasattr(obj, "values"):
        filled = events.counts_from_uhi(obj, name=type(obj).__name__)
        filled.selection = events.histogram_selection(chosen, filled, type(obj).__name__)
        return None, filled
    if isinstance(obj, np.ndarray) and obj.shape == (binning.N_BINS, binning.N_BINS):
        if not np.issubdtype(obj.dtype, np.number) or np.iscomplexobj(obj):
            raise InvalidParameterError(f"a counts array must be real numbers, not {obj.dtype}")
        arr = obj.astype(np.float64)
        notices: list[str] = []
        events._check_counts(arr, "counts array", notices)
        n = int(round(arr.sum()))
        filled = events.FilledHistogram(
            counts=arr, n_events=n, n_selected=n, source="counts array [30, 30]", notices=notices
        )
        filled.selection = events.histogram_selection(chosen, filled, "counts array")
        return None, filled
    if isinstance(obj, list) and len(obj) == 2 and all(hasattr(o, "__len__") for o in obj):
        raise TypeError(
            "score() reads a list as file names; pass the arrays as a tuple (pt, eta), not a list"
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
    kind: str = "binary",
    toys: int = calibration.DEFAULT_TOYS,
    seed: int = calibration.DEFAULT_SEED,
    selection: selections.Selection | str | None = None,
    background: Any = None,
    grid: bool = False,
    sqrt_s: float | None = None,
    versus: str | None = None,
    sm: str = backgrounds.DEFAULT_SM,
) -> ScoreResult:
    """Score one input with the zoo's classifier of `kind` at `snr`, and calibrate it.

    The classifier is the zoo's parametric model for the kind, fed `snr` itself, when it has
    one; else (or with `grid`) the grid model nearest to `snr` in log S/sqrt(B).

    Args:
        obj: `file.root`, `file.root:object`, a glob of them, or a list of those (one
            histogram of all the files); a `(pt, eta)` pair of arrays (flat or jagged),
            any 2D histogram following the Unified Histogram Interface, or [30, 30] counts.
        benchmark: a benchmark name, e.g. `spin1_offshell` (`dmzoo list` shows them): the
            binary model's, and for every kind the signal of the pseudo-experiments and the
            table row of the expected AUC.
        snr: the S/sqrt(B) to test, a finite positive number.
        zoo: the zoo to use; the shipped one by default.
        kind: `binary` (one benchmark against the SM), `multimodel_binary` (any new physics)
            or `multiclass` (8 probabilities; the score is 1 - P(sm)).
        toys: pseudo-experiments per hypothesis (SM only, SM + signal); 0 skips calibration.
        seed: of the pseudo-experiments; the same seed gives the same answer.
        grid: use the grid model even when the zoo has a parametric one.
        sqrt_s: the data's collision energy in TeV (e.g. 13.6); a warning says when the model
            was trained at another one, whose spectra, AUC tables and calibration differ.
        scheduler: fill the histogram of files on Dask (the `dask` extra): `"local"` for a
            cluster on this machine, a scheduler address, or a `distributed.Client`.
        selection: `monojet`, `leading-jet` (the paper's rule alone) or a
            `dmzoo.selection.Selection` with its own thresholds; applied to trees only. None
            (the default) is `monojet`, except that an input none of whose events passes its
            cuts is scored under the paper's rule, with a warning giving the monojet cutflow
            (`Selection(fallback=True)` does the same with thresholds of your own).
        background: the SM of the pseudo-experiments instead of the zoo's template: anything
            `obj` may be (a TH2, events of any flavour, through the same selection).
        sm: the zoo's SM template for the pseudo-experiments: `z_nunu` (the paper's SM, the
            zoo's training SM) or `full` (with W(->l nu)+jet and ttbar by cross section).
        versus: another benchmark: is the signal `benchmark` rather than `versus`? The
            model-vs-model classifier of the pair scores it (`kind` becomes
            `model_vs_model`), and the p-value tests SM + `versus` at the same S/sqrt(B).

    Raises:
        InputFileError, BranchNotFoundError, BinningError: the input cannot be scored.
        ModelNotFoundError: no model of the kind, or none for the benchmark.
        InvalidParameterError: snr, toys or seed out of their domain.
        MissingDependencyError: a scheduler without the dask extra installed.
        InputFileError: a background with no event in the histogram.

    >>> import numpy as np, dmzoo
    >>> r = dmzoo.score(np.full((30, 30), 50.0), benchmark="spin1_offshell", snr=1.0, toys=200)
    >>> 0.0 <= r.score <= 1.0, r.calibration.n_events, r.calibration.s_signal
    (True, 45000, 212)
    """
    snr = check_snr(snr)
    if not isinstance(benchmark, str) or not benchmark:
        raise InvalidParameterError(
            f"benchmark must be a name such as 'spin1_offshell', not {benchmark!r}"
        )
    if _is_sm(benchmark):
        raise InvalidParameterError(
            f"--benchmark names the signal; {benchmark!r} is the SM, the background of every "
            "question; give a benchmark (`dmzoo list` shows them)"
        )
    toys, seed = _check_toys(toys, seed)
    data_gev = _check_sqrt_s(sqrt_s)
    chosen = selections.get(selection)
    if background is not None and not toys:
        raise InvalidParameterError(
            "a background is used by the pseudo-experiments; drop toys=0 (--toys 0) or the "
            "background (--background)"
        )
    if backgrounds.check_sm(sm) != backgrounds.DEFAULT_SM and not toys:
        raise InvalidParameterError(
            f"the {sm} SM template is used by the pseudo-experiments; drop toys=0 (--toys 0) "
            "or --sm"
        )
    if backgrounds.check_sm(sm) != backgrounds.DEFAULT_SM and background is not None:
        raise InvalidParameterError(
            f"--sm {sm} and --background both name the SM of the pseudo-experiments; give one"
        )
    kind = _check_versus(versus, kind, benchmark)
    zoo = Zoo(Path(zoo)) if isinstance(zoo, (str, Path)) else (zoo or Zoo.default())
    if toys and background is None and sm != backgrounds.DEFAULT_SM:
        backgrounds.from_zoo(zoo, sm)  # a zoo without that template fails before any reading
    entry = classifiers.select(zoo, kind, benchmark, snr, grid=grid, versus=versus)
    signal_template = _signal_template(zoo, benchmark, kind) if toys else None
    versus_template = _signal_template(zoo, versus, kind) if toys and versus else None
    file, filled, chosen, warnings = fill_selected(obj, pt_branch, eta_branch, scheduler, chosen)
    model = zoo.model(entry)
    notes = list(filled.notices)
    fed = parametric.fed_snr(snr, model.snr_range, warnings) if model.parametric else None
    statistic = classifiers.statistic(model, kind, entry.id, snr=fed, benchmark=benchmark)
    value = float(statistic(filled.counts[None])[0])
    row = entry.benchmark if kind == "model_vs_model" else benchmark
    looked = _expected_auc(zoo, kind, row, snr, notes, model.parametric)
    if kind == "multiclass":
        # Its table measures another question than the score's; the toys measure this one.
        notes.append(
            f"the multiclass table's AUC is {benchmark}'s class against the other seven, not "
            "the score's question (SM only against SM + the benchmark): read the "
            "pseudo-experiments' power and p-value for that"
        )
    b_train = int(model.metadata["b_train"])
    model_gev = float(model.metadata.get("sqrt_s_gev", "nan"))
    if data_gev is not None and not abs(data_gev - model_gev) <= ENERGY_TOLERANCE * model_gev:
        warnings.append(
            f"the data are at {data_gev / 1000:g} TeV (--sqrt-s) and {entry.id} was trained at "
            f"{model_gev / 1000:g} TeV: jet spectra change with the collision energy, so the "
            "quoted AUC and the pseudo-experiments' signal are those of the model's energy"
        )
    if not model.parametric and entry.snr != snr:
        notes.append(f"no model at S/sqrt(B) = {snr:g}; used the nearest, {entry.snr:g}")
    # A hub zoo that could not be reached and the shipped copy stands in (dmzoo.hub).
    if getattr(zoo, "warning", None):
        warnings.insert(0, zoo.warning)
    n = filled.n_selected
    far_from_training = n < b_train / FAR_FACTOR or n > b_train * FAR_FACTOR
    if far_from_training:
        warnings.append(
            f"the histogram holds {n} events, the model was trained on {b_train} background "
            f"events per histogram; the quoted AUC holds at {b_train}, not here"
        )
    calibrated, toy_scores, sm_used = None, None, None
    if toys and (filled.weighted or not np.allclose(filled.counts, np.round(filled.counts))):
        # A normalised or weighted histogram: its sum is no number of events to draw toys of.
        what = "sums of weights" if filled.weighted else "not whole numbers (normalised?)"
        warnings.append(
            f"bin contents are {what}: the pseudo-experiments need event counts, so no "
            "p-value or thresholds; give raw counts"
        )
        toys = 0
    if toys:
        sm_used = _background(
            zoo, background, filled, (pt_branch, eta_branch, scheduler, chosen), sm
        )
        notes += sm_used.notices
        warnings += sm_used.warnings
        n_total = int(round(filled.counts.sum()))
        calibrated, toy_scores = calibration.calibrate(
            value,
            statistic,
            n_events=n_total,
            snr=snr,
            sm_probabilities=sm_used.probabilities,
            signal_probabilities=signal_template.probabilities,
            n_toys=toys,
            seed=seed,
            null_signal_probabilities=versus_template.probabilities if versus_template else None,
        )
    model_snr = fed if fed is not None else entry.snr
    warnings += _degenerate(value, looked, model_snr, calibrated, far=far_from_training)
    return ScoreResult(
        file=file,
        benchmark=benchmark,
        snr_requested=snr,
        snr_model=float(fed if model.parametric else entry.snr),
        model=entry.id,
        zoo_version=zoo.version,
        n_events=int(filled.n_events),
        n_selected=int(filled.n_selected),
        n_no_jet=filled.n_no_jet,
        n_out_of_range=filled.n_out_of_range,
        score=value,
        auc=looked.auc if looked else None,
        auc_std=looked.auc_std if looked else None,
        auc_optimal=looked.auc_optimal if looked else None,
        auc_method=looked.method if looked else "not in the table",
        b_train=b_train,
        source=filled.source,
        warnings=warnings,
        notes=notes,
        kind=kind,
        classes=classifiers.classes(model, entry.id, filled.counts)
        if kind == "multiclass"
        else None,
        calibration=calibrated,
        toys=toy_scores,
        counts=filled.counts,
        files=filled.files,
        selection=filled.selection.to_dict() if filled.selection else None,
        background=sm_used.to_dict() if sm_used else None,
        model_kind="parametric" if model.parametric else "grid",
        sqrt_s_gev={"model": model_gev if np.isfinite(model_gev) else None, "data": data_gev},
        versus=versus,
        null=f"SM + {versus}" if versus else "SM only",
    )


ENERGY_TOLERANCE = 0.001  # relative: 13.6 and 14 TeV differ, 13.6 and 13.600 do not


def _check_sqrt_s(sqrt_s: float | None) -> float | None:
    """The data's collision energy in GeV, from TeV; None when not given."""
    if sqrt_s is None:
        return None
    ok = isinstance(sqrt_s, numbers.Real) and not isinstance(sqrt_s, bool)
    if not (ok and math.isfinite(float(sqrt_s)) and 0 < float(sqrt_s) <= MAX_SQRT_S_TEV):
        raise InvalidParameterError(
            f"sqrt_s (--sqrt-s) is the collision energy in TeV, a number in (0, "
            f"{MAX_SQRT_S_TEV:g}], not {sqrt_s!r}; give e.g. 13.6"
        )
    return float(sqrt_s) * 1000.0


MAX_SQRT_S_TEV = 100.0  # above it the number is surely GeV given as TeV


SATURATED = 1e-4  # a score this close to 0 or 1 is at the end of what the model can say
MIN_BEYOND = 10  # toys beyond a threshold for the threshold to mean something
NO_POWER = 0.55  # a table AUC up to this: the model barely tells signal from SM


def _degenerate(
    value: float,
    looked: tables.AucLookup | None,
    model_snr: float,
    cal: Calibration | None,
    *,
    far: bool,
) -> list[str]:
    """Say when the numbers look like an answer but cannot be one. A saturated score is
    named only far from the training's event count: near it, it is a strong signal."""
    out = []
    if looked is not None and looked.auc <= NO_POWER:
        out.append(
            f"the table's AUC {looked.auc:.3f} at S/sqrt(B) = {model_snr:g} means the "
            "classifier has (almost) no power here; its score says next to nothing"
        )
    if far and min(value, 1.0 - value) < SATURATED:
        out.append(
            f"the score is saturated at {value:.4f}: the model cannot grade this histogram "
            "further (far from the events it was trained on?)"
        )
    if cal is None:
        return out
    for d in cal.decisions:
        # Rounded: 100 x (1 - 0.9) is 9.999999999999998 in floating point, and 100 is enough.
        if round(cal.n_toys * (1.0 - d.background_rejection), 6) < MIN_BEYOND:
            needed = math.ceil(round(MIN_BEYOND / (1.0 - d.background_rejection), 6))
            out.append(
                f"{cal.n_toys} pseudo-experiments leave fewer than {MIN_BEYOND} beyond the "
                f"{d.background_rejection:.0%} threshold: it means little; use --toys "
                f"{needed} or more"
            )
            break
    if any(d.threshold > 1.0 - SATURATED for d in cal.decisions):
        out.append(
            "the SM-only pseudo-experiments saturate at 1 too: the thresholds cannot tell "
            "them from signal"
        )
    return out


def fill_selected(
    obj: Any,
    pt_branch: str | None,
    eta_branch: str | None,
    scheduler: Any,
    chosen: selections.Selection,
) -> tuple[str | None, events.FilledHistogram, selections.Selection, list[str]]:
    """The input's histogram through the selection, and the selection that filled it.

    Under a falling-back selection (the default) an input the monojet cuts empty is filled by
    the paper's rule instead, with a warning; an input nothing fills is refused.
    """
    file, filled = _histogram(obj, pt_branch, eta_branch, scheduler, chosen)
    warnings = []
    if filled.n_selected == 0 and chosen.fallback and _cuts_emptied(filled):
        # A default, not a choice: rather the paper's rule, said loudly, than no answer.
        warnings.append(
            f"{file or 'input'}: none of its {filled.n_events} events passes the default "
            f"monojet selection (cutflow: {filled.selection.cutflow_text()}); filled by the "
            "paper's rule (leading jet only) instead; pass --selection monojet to refuse"
        )
        chosen = selections.Selection(name="leading-jet", jes=chosen.jes)  # a background too
        file, filled = _histogram(obj, pt_branch, eta_branch, scheduler, chosen)
    if filled.n_selected == 0:
        raise nothing_to_score(file, filled)
    return file, filled, chosen, warnings


def _cuts_emptied(filled: events.FilledHistogram) -> bool:
    """Whether the paper's rule kept events that a later cut of the selection removed."""
    report = filled.selection
    return report is not None and len(report.cuts) > 1 and report.cuts[0].events > 0


def nothing_to_score(file: str | None, filled: events.FilledHistogram) -> InputFileError:
    """Why an input fills no bin, and what to check: no events, no usable jets, pT in MeV,
    all outside, or (under a selection with cuts) the cut that removed the last event."""
    where, n = file or "input", filled.n_events
    report = filled.selection
    if _cuts_emptied(filled):
        return InputFileError(
            f"{where}: none of its {n} events passes the {report.name} selection "
            f"(cutflow: {report.cutflow_text()}); nothing to score; loosen a cut (--met-min, "
            "--dphi-min, --no-lepton-veto, ...) or pass --selection leading-jet",
            path=file,
        )
    if n == 0:
        why = "holds no events; nothing to score, give a file or histogram that has some"
    elif filled.n_no_jet == n:
        why = (
            f"none of its {n} events has a jet with a finite pT and eta; nothing to score, "
            "check the jet branches (--pt-branch, --eta-branch)"
        )
    elif filled.n_pt_above * 2 > n - filled.n_no_jet:
        why = (
            f"none of its {n} events has a leading jet inside the histogram (130 <= pT < 2000 "
            f"GeV), and {filled.n_pt_above} lie above 2000: the pT values look like MeV; "
            "nothing to score, convert pT to GeV (divide by 1000)"
        )
    else:
        why = (
            f"none of its {n} events has a leading jet inside the histogram (130 <= pT < 2000 "
            "GeV, -4 <= eta < 4); nothing to score, check that pT is in GeV and the branches "
            "hold the jets"
        )
    return InputFileError(f"{where}: {why}", path=file)


def _background(
    zoo: Zoo, background: Any, filled, reading, sm: str = backgrounds.DEFAULT_SM
) -> backgrounds.Background:
    """The SM of the pseudo-experiments: the user's, read like the data, or the zoo's `sm`."""
    if background is None:
        return backgrounds.from_zoo(zoo, sm)
    pt_branch, eta_branch, scheduler, chosen = reading
    # The shift is the data's systematic: the background stands for the nominal SM.
    nominal = dataclasses.replace(chosen, jes=0.0)
    file, bkg = _histogram(background, pt_branch, eta_branch, scheduler, nominal)
    return backgrounds.from_filled(file, bkg, n_data=filled.n_selected)


def _check_toys(toys: Any, seed: Any) -> tuple[int, int]:
    """Pseudo-experiments and seed as non-negative integers (numpy integers included)."""
    for name, value in (("toys", toys), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise InvalidParameterError(f"{name} must be a non-negative integer, not {value!r}")
    if toys > calibration.MAX_TOYS:
        raise InvalidParameterError(
            f"toys must be at most {calibration.MAX_TOYS:,}, not {toys:,}: that many already "
            "resolve a p-value of 1e-6 and take minutes per hypothesis; give fewer"
        )
    return int(toys), int(seed)


def _check_versus(versus: Any, kind: str, benchmark: str) -> str:
    """The kind a request scores with: `model_vs_model` when it names another benchmark."""
    if versus is None:
        if kind == "model_vs_model":
            raise InvalidParameterError(
                "kind='model_vs_model' asks which of two benchmarks a signal is: give the "
                "other one, versus='...' (--versus)"
            )
        return kind
    if not isinstance(versus, str) or not versus:
        raise InvalidParameterError(
            f"versus must be a benchmark name such as 'spin0_onshell', not {versus!r}"
        )
    if versus == benchmark:
        raise InvalidParameterError(
            f"--versus {versus} is the benchmark itself; name another benchmark to tell apart"
        )
    if kind not in ("binary", "model_vs_model"):
        flag = classifiers.FLAGS.get(kind, f"kind={kind!r}")
        raise InvalidParameterError(f"--versus picks the model-vs-model classifier; drop {flag}")
    return "model_vs_model"


def _is_sm(name: str) -> bool:
    """Whether a template name is an SM one (`sm`, `sm_full`): a background, never a signal."""
    return name == "sm" or name.startswith("sm_")


def _signal_template(zoo: Zoo, benchmark: str, kind: str) -> templates.SampleTemplate:
    """The benchmark's template; checked before any reading so a typo fails fast."""
    try:
        return templates.get(zoo, benchmark)
    except ModelNotFoundError:
        if kind == "binary":
            raise
        known = sorted(n for n in templates.load(zoo) if not _is_sm(n))
        close = difflib.get_close_matches(benchmark, known, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise ModelNotFoundError(
            f"zoo {zoo.version} has no template for benchmark {benchmark!r}; {hint}"
            f"available: {', '.join(known)}"
        ) from None


def _expected_auc(
    zoo: Zoo, kind: str, benchmark: str, snr: float, notes: list[str], is_parametric: bool
) -> tables.AucLookup | None:
    """The kind's table at snr (the parametric model's own for one); a benchmark a multimodel
    table lacks, or a parametric table the zoo lacks, gets a note, not an error."""
    name = (parametric.TABLES if is_parametric else classifiers.TABLES)[kind]
    if is_parametric and f"tables/{name}" not in zoo.file_hashes:
        notes.append(f"zoo {zoo.version} has no tables/{name}; no expected AUC")
        return None
    rows = tables.read_table(zoo.table_path(name))
    if (kind != "binary" or is_parametric) and not any(r.benchmark == benchmark for r in rows):
        notes.append(f"the {kind} AUC table has no row for {benchmark}; no expected AUC")
        return None
    return tables.lookup(rows, benchmark, snr)
