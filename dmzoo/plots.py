"""Figures in the style of the paper: the histogram (its Figure 6), the calibrated score
(Figure 8) and the AUC against S/sqrt(B) (Figure 7).

Needs the `plot` extra (matplotlib, mplhep). Figures are built with matplotlib's object API,
never pyplot, so the caller's backend and style stay untouched. Files are written to a
temporary name beside the target and renamed, so a failed save leaves nothing behind.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from dmzoo import binning, tables
from dmzoo.errors import InvalidParameterError, MissingDependencyError, OutputFileError
from dmzoo.outputs import honour_umask

log = logging.getLogger(__name__)

FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
SCORE_BINS = 50
SM_COLOUR, SIGNAL_COLOUR, OBSERVED_COLOUR = "black", "tab:blue", "tab:red"


def require() -> None:
    """Raise MissingDependencyError unless matplotlib and mplhep import."""
    try:
        import matplotlib  # noqa: F401
        import mplhep  # noqa: F401
    except ImportError as err:
        raise MissingDependencyError(
            f"plotting needs the plot extra ({err.name or 'matplotlib'} is missing); "
            "install it with: pip install 'dmzoo[plot]'"
        ) from None


def _figure(n_panels: int, width: float = 5.2, height: float = 4.4):
    require()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * n_panels, height), layout="constrained")
    return fig, fig.subplots(1, n_panels, squeeze=False)[0]


def draw_histogram(ax, counts: np.ndarray, title: str) -> None:
    """pT against eta with a logarithmic colour scale; empty bins stay white."""
    from matplotlib.colors import LogNorm

    # mplhep.hist2dplot would draw its colour bar through pyplot's current figure, so the
    # mesh is drawn here and the bar attached to this figure.
    top = max(float(counts.max()), 1.0)
    mesh = ax.pcolormesh(
        binning.ETA_EDGES,
        binning.PT_EDGES,
        np.ma.masked_less_equal(counts, 0.0),  # rows pT, columns eta: x is eta, y is pT
        norm=LogNorm(vmin=min(1.0, top), vmax=top),
        cmap="viridis",
    )
    ax.figure.colorbar(mesh, ax=ax, label="events per bin")
    ax.set_xlabel(r"leading-jet $\eta$")
    ax.set_ylabel(r"leading-jet $p_T$ [GeV]")
    ax.set_title(title, fontsize="medium")


def draw_score(ax, result) -> None:
    """The observed score against the SM-only and signal pseudo-experiments."""
    import mplhep

    cal = result.calibration
    null = result.null
    edges = np.linspace(0.0, 1.0, SCORE_BINS + 1)
    if result.toys is not None:
        for scores, colour, label in (
            (result.toys.sm, SM_COLOUR, null),
            (result.toys.signal, SIGNAL_COLOUR, f"SM + {result.benchmark}"),
        ):
            h, _ = np.histogram(np.clip(scores, 0.0, 1.0), edges)
            with warnings.catch_warnings():
                # It guesses from integer counts that they are Poisson data; they are toys.
                warnings.filterwarnings("ignore", message="Integer weights", category=UserWarning)
                mplhep.histplot(h, edges, ax=ax, color=colour, label=label, yerr=False)
        for d, style in zip(cal.decisions, (":", "-."), strict=False):
            ax.axvline(
                d.threshold,
                color="grey",
                linestyle=style,
                label=f"{d.background_rejection:.0%} rejection ({d.threshold:.3f})",
            )
        ax.set_yscale("log")
        ax.set_ylim(bottom=0.5)
    ax.axvline(
        result.score, color=OBSERVED_COLOUR, linewidth=2, label=f"observed {result.score:.3f}"
    )
    ax.set_xlim(-0.01, 1.01)  # a score of 0 or 1 stays visible beside the frame
    ax.set_xlabel(f"score of {result.model}")
    ax.set_ylabel("pseudo-experiments")
    subtitle = (
        f"p-value ({null}) {cal.p_value_text.split(' (')[0]}"
        if cal
        else "no pseudo-experiments (--toys 0)"
    )
    ax.set_title(f"S/sqrt(B) = {result.snr_requested:g}, {subtitle}", fontsize="medium")
    ax.legend(fontsize="small", loc="upper left", framealpha=0.9)


def draw_auc(ax, rows: list[tables.AucRow], mark: tuple[str, float, float] | None = None) -> None:
    """AUC against S/sqrt(B) per benchmark, with the likelihood-ratio limit dashed."""
    benchmarks = sorted({r.benchmark for r in rows})
    for i, name in enumerate(benchmarks):
        pts = sorted((r for r in rows if r.benchmark == name), key=lambda r: r.snr)
        x = [r.snr for r in pts]
        colour = f"C{i % 10}"
        ax.errorbar(
            x,
            [r.auc for r in pts],
            yerr=[r.auc_std for r in pts],
            color=colour,
            marker="o",
            markersize=3,
            capsize=2,
            label=name,
        )
        ax.plot(x, [r.auc_optimal for r in pts], color=colour, linestyle="--", linewidth=1)
    ax.plot([], [], color="grey", linestyle="--", label="likelihood-ratio limit")
    if mark is not None:
        name, snr, auc = mark
        ax.plot(
            [snr],
            [auc],
            marker="*",
            markersize=14,
            color=OBSERVED_COLOUR,
            linestyle="none",
            label=f"{name} at S/sqrt(B) = {snr:g}",
        )
    ax.set_xscale("log")
    ax.set_ylim(0.45, 1.02)
    ax.set_xlabel(r"$S/\sqrt{B}$")
    ax.set_ylabel("AUC")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")


def histogram_figure(counts: np.ndarray, title: str):
    fig, (ax,) = _figure(1)
    draw_histogram(ax, counts, title)
    return fig


def score_figure(result):
    fig, (ax,) = _figure(1)
    draw_score(ax, result)
    return fig


def auc_figure(rows: list[tables.AucRow], title: str):
    fig, (ax,) = _figure(1)
    draw_auc(ax, rows)
    ax.set_title(title, fontsize="medium")
    return fig


def summary_figure(result, zoo):
    """`score --plot`: the histogram, the calibrated score and the benchmark's AUC curve."""
    from dmzoo import classifiers, parametric
    from dmzoo.registry import parse_id

    fig, axes = _figure(3)
    draw_histogram(axes[0], result.counts, f"{result.file or 'input'}: {result.n_selected} events")
    draw_score(axes[1], result)
    name = classifiers.TABLES[result.kind]
    if result.model_kind == "parametric":  # its own curve, when the zoo has it
        own = parametric.TABLES[result.kind]
        name = own if f"tables/{own}" in zoo.file_hashes else name
    rows = tables.read_table(zoo.table_path(name))
    # a model-vs-model table's rows are the pair the model was trained on
    key = parse_id(result.model)[1] if result.kind == "model_vs_model" else result.benchmark
    mine = [r for r in rows if r.benchmark == key]
    mark = (key, result.snr_requested, result.auc) if result.auc is not None else None
    draw_auc(axes[2], mine, mark)
    axes[2].set_title(f"expected AUC ({result.kind}, zoo {result.zoo_version})", fontsize="medium")
    return fig


def check_target(path: Path | str) -> str:
    """The format of a plot path, refused before any work for an unknown suffix or a folder
    that does not exist (a folder that exists but refuses writing is found by `save`)."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidParameterError(
            f"{path}: a plot file must end in {', '.join(FORMATS)}; rename it"
        )
    if not path.parent.is_dir():
        raise OutputFileError(
            f"{path}: cannot write here (no folder {path.parent}); choose a writable folder"
        )
    return fmt


def save(fig, path: Path | str) -> Path:
    """Write the figure to path atomically; the format follows the suffix."""
    path = Path(path)
    fmt = check_target(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise OutputFileError(
            f"{path}: cannot write here ({err.strerror}); choose a writable folder"
        ) from None
    try:
        honour_umask(fd)
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format=fmt, dpi=120)
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise OutputFileError(
                f"{path}: cannot write it ({err.strerror or err}); choose a writable path"
            ) from None
        raise
    log.info("wrote %s", path)
    return path
