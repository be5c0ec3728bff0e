"""Would the method see a model? S/sqrt(B) from cross sections, and the reach in cross section.

`snr` goes forward: a signal cross section, its efficiency and a luminosity give S, B,
S/sqrt(B) and the table's AUC. `reach` goes back: a target AUC gives the smallest S/sqrt(B)
that reaches it, and that S/sqrt(B) the smallest signal cross section times efficiency.

What multiplies what:

    S = sigma_signal x efficiency_signal x L
    B = L x sum over processes of sigma_i x efficiency_i  (the paper's Table 3)

`efficiency_signal` is the fraction of the events behind `sigma_signal` that land in the
histogram (leading jet 130 <= pT < 2000 GeV, |eta| < 4, after detector response). Its default
is the zoo sample's selected / generated events, for Pythia 8 at 14 TeV generated with
pTHat > 75 GeV: it suits a `sigma_signal` computed at that generator cut. A cross section
computed with other cuts (the paper's parton-level pT_j >= 130 GeV, say) needs its own
efficiency, and a cross section already after the selection needs efficiency 1.

    >>> (row,) = snr(0.05, 139000.0, efficiency=0.5, benchmark="spin1_offshell").rows
    >>> round(row.snr, 4), row.benchmark
    (1.4415, 'spin1_offshell')
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dmzoo import physics, templates
from dmzoo.errors import InvalidParameterError, ModelNotFoundError
from dmzoo.lookup import (
    TABLE_FILES,
    AucAnswer,
    answer,
    check_benchmark,
    has_table,
    kinds_for,
    missing_table_message,
    open_zoo,
    parametric_answer,
    parametric_rows,
    parametric_table,
    rows_for,
    table_version,
)
from dmzoo.registry import Zoo
from dmzoo.tables import AucRow

# The paper's check that the AUC depends on S/sqrt(B) alone (its section 4.1, Figure 10).
B_TESTED = (1_000, 100_000)
EFFICIENCY_SOURCE = "zoo sample: selected / generated, Pythia 8, 14 TeV, pTHat > 75 GeV"
ZOO_SM = "zoo_sm"  # --background: the zoo's own SM sample instead of the paper's Table 3
ZOO_GENERATION = "Pythia 8, 14 TeV, pTHat > 75 GeV, as the signal efficiencies"
EFFICIENCY_MEANING = (
    "S = sigma_signal x efficiency_signal x L, where efficiency_signal is the fraction of the "
    "events behind sigma_signal whose leading jet lands in the histogram; the zoo's default "
    "suits a sigma_signal generated with pTHat > 75 GeV"
)


@dataclass
class Background:
    """The background that B counts."""

    processes: list[str]
    sigma_x_efficiency_pb: float
    events: float  # B at the luminosity
    source: str = "paper Table 3 (14 TeV, Delphes ATLAS card)"


@dataclass
class SnrRow:
    """One benchmark's S, S/sqrt(B) and the tables' AUC there."""

    benchmark: str
    efficiency_signal: float
    efficiency_source: str  # "given" or EFFICIENCY_SOURCE
    signal_events: float  # S
    snr: float  # S/sqrt(B)
    auc: list[AucAnswer]


@dataclass
class SnrReport:
    """What `dmzoo snr` reports; `to_dict()` is its JSON."""

    sigma_signal_pb: float
    lumi_pb: float
    background: Background
    rows: list[SnrRow]
    zoo_version: str
    efficiency_meaning: str = EFFICIENCY_MEANING
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SnrReach:
    """Where a curve of the table first reaches a target, in S/sqrt(B)."""

    snr: float | None  # None: the curve stays below the target on the whole grid
    status: str  # "interpolated", "grid point", "at or below the grid" or "beyond the grid"


@dataclass
class ReachAnswer:
    """What `dmzoo reach` reports for one benchmark and kind; `to_dict()` is its JSON."""

    benchmark: str
    kind: str
    target_auc: float
    lumi_pb: float
    background: Background
    classifier: SnrReach
    likelihood_ratio: SnrReach  # no histogram classifier reaches the target below this
    signal_pb: float | None  # smallest sigma_signal x efficiency_signal, from `classifier`
    signal_pb_optimal: float | None  # the same from the likelihood-ratio limit
    efficiency_signal: float | None  # the zoo sample's, to turn signal_pb into sigma_signal
    sigma_signal_pb: float | None
    zoo_version: str
    notes: list[str] = field(default_factory=list)
    table: str = ""  # the file within the zoo the curve was read from
    model_kind: str = "grid"  # "parametric": one model fed S/sqrt(B); "grid": one per point
    model: str | None = None  # the parametric model's id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def background_for(
    backgrounds: str | tuple[physics.Background, ...], lumi_pb: float, zoo: Zoo | None = None
) -> Background:
    """B from Table 3 process names (`z_nunu,w_taunu`, `all`), parsed processes, or
    `zoo_sm`: the zoo's own SM sample (needs `zoo`)."""
    if isinstance(backgrounds, str) and backgrounds.strip().lower() == ZOO_SM:
        return zoo_background(zoo or Zoo.default(), lumi_pb)
    if isinstance(backgrounds, str):
        backgrounds = physics.parse_backgrounds(backgrounds)
    sigma = physics.background_cross_section(backgrounds)
    return Background([b.name for b in backgrounds], sigma, sigma * lumi_pb)


def zoo_background(zoo: Zoo, lumi_pb: float) -> Background:
    """B from the zoo's SM sample: generated with the same pTHat > 75 GeV cut and detector as
    the signal efficiencies, so S and B come from one simulation."""
    sm = templates.get(zoo, "sm")
    if not (sm.sigma_generated_pb and sm.selection_efficiency):
        raise InvalidParameterError(
            f"zoo {zoo.version} records no SM cross section and efficiency; use --background "
            "z_nunu (the paper's Table 3)"
        )
    sigma = sm.sigma_generated_pb * sm.selection_efficiency
    return Background(
        [ZOO_SM],
        sigma,
        sigma * lumi_pb,
        source=f"zoo SM sample: Z(->nunu)+jet {sm.sigma_generated_pb:.5g} pb x "
        f"{sm.selection_efficiency:.4g}, {ZOO_GENERATION}",
    )


def _mixed_sources_note(background: Background, efficiency: float | None) -> list[str]:
    """Say when S and B come from different simulations, and how to make them agree."""
    if efficiency is not None or background.processes == [ZOO_SM]:
        return []
    return [
        "S uses the zoo sample's signal efficiency (Pythia 8, pTHat > 75 GeV) and B the "
        "paper's Table 3 (parton-level pT_j >= 130 GeV, Delphes): two simulations. "
        "--background zoo_sm takes B from the zoo's own SM sample at the same generator cut"
    ]


def _b_note(b_events: float) -> list[str]:
    """Say when B is outside the range the paper checked the S/sqrt(B) scaling on."""
    low, high = B_TESTED
    if low <= b_events <= high:
        return []
    return [
        f"B = {b_events:.3g} events: the tables were measured on histograms of a fixed B and the "
        f"paper found the AUC depends on S/sqrt(B) alone for B = {low:,} to {high:,} (within ~5%, "
        "its section 4.1); this B is outside that range"
    ]


def _benchmarks(
    zoo: Zoo, found: dict[str, list[AucRow]], kinds: list[str], benchmark: str | None
) -> list[str]:
    """The benchmark asked for, checked, or every benchmark the tables found hold."""
    if not found:
        raise ModelNotFoundError(missing_table_message(zoo, kinds[0]))
    held = sorted({r.benchmark for rows in found.values() for r in rows})
    if benchmark in (None, "all"):
        return held
    if benchmark not in held:
        kind, rows = next(iter(found.items()))
        check_benchmark(rows, benchmark, kind, zoo)
    return [benchmark]


def _efficiency(
    samples: dict[str, templates.SampleTemplate], benchmark: str, given: float | None, zoo: Zoo
) -> tuple[float, str]:
    if given is not None:
        return physics.check_efficiency(given), "given"
    found = samples.get(benchmark)
    if found is None or not found.selection_efficiency:
        raise InvalidParameterError(
            f"zoo {zoo.version} has no measured selection efficiency for {benchmark}; "
            "give --efficiency-signal"
        )
    return float(found.selection_efficiency), EFFICIENCY_SOURCE


def _tables(
    zoo: Zoo, kinds: list[str], notes: list[str], grid: bool = False
) -> dict[str, list[AucRow]]:
    """Each kind's grid table; where the zoo lacks it, its parametric table (unless `grid`)."""
    found = {}
    for k in kinds:
        if has_table(zoo, k):
            found[k] = rows_for(zoo, k)
        elif not grid and (rows := parametric_rows(zoo, k)):
            found[k] = rows
        else:
            notes.append(missing_table_message(zoo, k, hint=len(kinds) == 1))
    return found


def snr(
    sigma_signal_pb: float,
    lumi_pb: float,
    *,
    efficiency: float | None = None,
    backgrounds: str | tuple[physics.Background, ...] = physics.DEFAULT_BACKGROUND,
    benchmark: str | None = None,
    kind: str = "individual",
    zoo: Zoo | str | Path | None = None,
    grid: bool = False,
) -> SnrReport:
    """S, B, S/sqrt(B) and the expected AUC per benchmark (see the module for S and B).

    Args:
        sigma_signal_pb: the signal cross section in pb (`physics.parse_cross_section`).
        lumi_pb: the integrated luminosity in pb^-1 (`physics.parse_luminosity`).
        efficiency: the signal efficiency in (0, 1]; by default each benchmark's from the zoo.
        backgrounds: Table 3 processes, `z_nunu,w_taunu,...` or `all`; Z(->nunu)+jet alone
            by default; or `zoo_sm`, the zoo's own SM sample at the signal's generator cut.
        benchmark: one benchmark; every benchmark of the tables by default.
        kind: `individual`, `multimodel`, `multiclass` or `all`.
        zoo: the zoo to use; the shipped one by default.
        grid: the grid models' tables even where the zoo has a parametric model.

    Raises:
        InvalidParameterError: a non-positive or NaN number, an efficiency outside (0, 1],
            an unknown background process.
        ModelNotFoundError: an unknown benchmark, or a kind whose table the zoo lacks.

    >>> r = snr(0.05, 139000.0, efficiency=0.4601624)
    >>> round(r.background.events), round(r.rows[0].signal_events, 1), round(r.rows[0].snr, 4)
    (5811312, 3198.1, 1.3267)
    """
    sigma_signal_pb = physics.check_positive(sigma_signal_pb, what="the signal cross section")
    lumi_pb = physics.check_positive(lumi_pb, what="the luminosity")
    zoo = open_zoo(zoo)
    kinds = kinds_for(kind)
    notes: list[str] = []
    found = _tables(zoo, kinds, notes, grid)
    names = _benchmarks(zoo, found, kinds, benchmark)
    background = background_for(backgrounds, lumi_pb, zoo)
    samples = templates.load(zoo) if efficiency is None else {}
    rows = []
    for name in names:
        eff, source = _efficiency(samples, name, efficiency, zoo)
        s_events = sigma_signal_pb * eff * lumi_pb
        value = s_events / math.sqrt(background.events)
        _check_finite(s_events, value, background.events)
        answers = [
            (None if grid else parametric_answer(zoo, k, name, value))
            or answer(table, name, value, kind=k, zoo=zoo)
            for k, table in found.items()
            if name in {r.benchmark for r in table}
        ]
        rows.append(SnrRow(name, eff, source, s_events, value, answers))
    return SnrReport(
        sigma_signal_pb=sigma_signal_pb,
        lumi_pb=lumi_pb,
        background=background,
        rows=rows,
        zoo_version=table_version(zoo, next(iter(found))),
        notes=notes + _b_note(background.events) + _mixed_sources_note(background, efficiency),
    )


def _check_finite(s_events: float, value: float, b_events: float) -> None:
    """Numbers past a float's range (1e308) are no answer: refuse them, never print inf."""
    if not (math.isfinite(s_events) and math.isfinite(value) and math.isfinite(b_events)):
        raise InvalidParameterError(
            f"S = {s_events:g}, B = {b_events:g}: the cross section times the luminosity is "
            "beyond any number of events (a float overflows); give --sigma-signal and --lumi "
            "a collider could see"
        )


def check_target_auc(value: float) -> float:
    """A target AUC in (0.5, 1): 0.5 is a coin toss, so nothing below it is a target, and 1
    is perfect separation, which no finite S/sqrt(B) gives (a table rounded to 1.00000 would
    answer with where its rounding ends)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.5 < value < 1:
        raise InvalidParameterError(
            f"--auc must lie in (0.5, 1), not {value!r}; ask for 0.99 or 0.999, say, rather "
            "than perfect separation"
        )
    return float(value)


def snr_for_auc(points: list[tuple[float, float]], target: float) -> SnrReach:
    """The smallest S/sqrt(B) where a curve, linear in log S/sqrt(B), first reaches target.

    `points` are (S/sqrt(B), AUC) in any order. A curve that starts at or above the target
    gives the lowest grid point as an upper bound; one that never reaches it gives None.

    >>> r = snr_for_auc([(1.0, 0.6), (2.0, 0.8)], 0.7)
    >>> round(r.snr, 6), r.status
    (1.414214, 'interpolated')
    """
    pts = sorted(points)
    if pts[0][1] >= target:
        return SnrReach(pts[0][0], "at or below the grid")
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if y1 >= target > y0:
            if y1 == target:
                return SnrReach(x1, "grid point")
            t = (target - y0) / (y1 - y0)
            return SnrReach(math.exp(math.log(x0) + t * math.log(x1 / x0)), "interpolated")
    return SnrReach(None, "beyond the grid")


def required_snr(
    rows: list[AucRow], benchmark: str, target_auc: float
) -> tuple[SnrReach, SnrReach]:
    """The S/sqrt(B) at which the classifier, and the likelihood-ratio limit, reach target_auc.

    This is the one step a target other than an AUC (a p-value of the calibrated score, say)
    would replace; `signal_reach` takes its answer from there.
    """
    pts = [r for r in rows if r.benchmark == benchmark]
    return (
        snr_for_auc([(r.snr, r.auc) for r in pts], target_auc),
        snr_for_auc([(r.snr, r.auc_optimal) for r in pts], target_auc),
    )


def _reach_notes(
    classifier: SnrReach, optimal: SnrReach, grid: tuple[float, float], target: float
) -> list[str]:
    low, high = grid
    notes = []
    if classifier.status == "at or below the grid":
        notes.append(
            f"the classifier reaches AUC {target:g} already at the grid's lowest S/sqrt(B), "
            f"{low:g}: the cross section is an upper bound"
        )
    if classifier.status == "beyond the grid":
        notes.append(
            f"the classifier does not reach AUC {target:g} up to the grid's highest S/sqrt(B), "
            f"{high:g}; no cross section is quoted"
        )
        if optimal.snr is not None:
            notes.append(
                f"the likelihood-ratio limit reaches it at S/sqrt(B) = {optimal.snr:.3g}: "
                "below that no histogram classifier can"
            )
        else:
            notes.append("nor does the likelihood-ratio limit: the target is out of reach")
    return notes


def _signal_pb(need: SnrReach, background: Background, lumi_pb: float) -> float | None:
    if need.snr is None:
        return None
    return physics.signal_for_snr(need.snr, background.sigma_x_efficiency_pb, lumi_pb)


def signal_reach(
    benchmark: str,
    need: tuple[SnrReach, SnrReach],
    *,
    kind: str,
    target_auc: float,
    grid: tuple[float, float],
    background: Background,
    lumi_pb: float,
    efficiency: float | None,
    zoo_version: str,
    table: str = "",
    model: str | None = None,
) -> ReachAnswer:
    """From the S/sqrt(B) a target needs (classifier, limit) to the signal sigma x efficiency.

    `model` is the parametric model whose table `table` was inverted, None for a grid table.
    """
    classifier, optimal = need
    signal_pb = _signal_pb(classifier, background, lumi_pb)
    return ReachAnswer(
        benchmark=benchmark,
        kind=kind,
        target_auc=target_auc,
        lumi_pb=lumi_pb,
        background=background,
        classifier=classifier,
        likelihood_ratio=optimal,
        signal_pb=signal_pb,
        signal_pb_optimal=_signal_pb(optimal, background, lumi_pb),
        efficiency_signal=efficiency,
        sigma_signal_pb=signal_pb / efficiency if signal_pb is not None and efficiency else None,
        zoo_version=zoo_version,
        notes=_reach_notes(classifier, optimal, grid, target_auc) + _b_note(background.events),
        table=table,
        model_kind="parametric" if model else "grid",
        model=model,
    )


def reach(
    benchmark: str | None,
    lumi_pb: float,
    *,
    target_auc: float = 0.9,
    backgrounds: str | tuple[physics.Background, ...] = physics.DEFAULT_BACKGROUND,
    kind: str = "individual",
    zoo: Zoo | str | Path | None = None,
    grid: bool = False,
) -> tuple[list[ReachAnswer], list[str]]:
    """The smallest signal sigma x efficiency at which a classifier reaches target_auc.

    Inverts the table in log S/sqrt(B), then sigma x efficiency = S/sqrt(B) sqrt(sigma_B / L).
    Where the zoo has a parametric model for the question its table is inverted (it holds
    points between the grid's too), unless `grid`. Returns the answers (one per benchmark and
    kind held) and notes on missing kinds.

    Args:
        benchmark: one benchmark, or None / `all` for every benchmark of the tables.
        lumi_pb: the integrated luminosity in pb^-1.
        target_auc: in (0.5, 1).
        backgrounds: Table 3 processes or `zoo_sm`, as for `snr`.
        kind: `individual`, `multimodel`, `multiclass` or `all`.
        zoo: the zoo to use; the shipped one by default.
        grid: the grid models' tables even where the zoo has a parametric model.

    Raises:
        InvalidParameterError: a target outside (0.5, 1), a bad luminosity or background.
        ModelNotFoundError: an unknown benchmark, or a kind whose table the zoo lacks.

    >>> (a,), _ = reach("spin1_offshell", 139000.0, target_auc=0.9)
    >>> round(a.classifier.snr, 4), round(a.signal_pb * 1000, 2)  # fb
    (1.5753, 27.32)
    """
    target_auc = check_target_auc(target_auc)
    lumi_pb = physics.check_positive(lumi_pb, what="the luminosity")
    zoo = open_zoo(zoo)
    kinds = kinds_for(kind)
    notes: list[str] = []
    found = _tables(zoo, kinds, notes, grid)
    names = _benchmarks(zoo, found, kinds, benchmark)
    background = background_for(backgrounds, lumi_pb, zoo)
    samples = templates.load(zoo)
    answers = []
    for name in names:
        sample = samples.get(name)
        for k, table in found.items():
            rows = [r for r in table if r.benchmark == name]
            if not rows:  # as `snr`: a kind answers the benchmarks its table holds
                continue
            param = None if grid else parametric_table(zoo, k, name)
            rows = param.rows if param else rows
            points = sorted(r.snr for r in rows)
            answers.append(
                signal_reach(
                    name,
                    required_snr(rows, name, target_auc),
                    kind=k,
                    target_auc=target_auc,
                    grid=(points[0], points[-1]),
                    background=background,
                    lumi_pb=lumi_pb,
                    efficiency=sample.selection_efficiency if sample else None,
                    zoo_version=table_version(zoo, k, param.name if param else None),
                    table=f"tables/{param.name if param else TABLE_FILES[k]}",
                    model=param.model if param else None,
                )
            )
    return answers, notes
