"""Figures drawn from the tables (the paper's Figures 7 and 11 style)."""

from __future__ import annotations

import csv
from pathlib import Path

from dmzoo_training import paths

TABLES = paths.ZOO / "tables"
FIGURES = paths.ZOO / "figures"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _rows(table: Path) -> list[dict[str, str]]:
    with open(table, newline="") as f:
        return list(csv.DictReader(f))


def _save(fig, out: Path) -> Path:
    """Write the figure through a temporary file, so an interrupted run leaves the old one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    fig.savefig(tmp, dpi=110)
    _pyplot().close(fig)
    tmp.replace(out)
    return out


def auc_curves(
    table: Path = TABLES / "auc_individual.csv",
    out: Path = FIGURES / "auc_individual.png",
) -> Path:
    """AUC against S/sqrt(B) per benchmark, with the likelihood-ratio limit dashed."""
    plt = _pyplot()
    rows = _rows(table)
    fig, ax = plt.subplots(figsize=(7, 5))
    for name in sorted({r["benchmark"] for r in rows}):
        mine = sorted((r for r in rows if r["benchmark"] == name), key=lambda r: float(r["snr"]))
        snr = [float(r["snr"]) for r in mine]
        line = ax.errorbar(
            snr,
            [float(r["auc"]) for r in mine],
            yerr=[float(r["auc_std"]) for r in mine],
            marker="o",
            label=f"{name} DNN",
        )
        ax.plot(
            snr,
            [float(r["auc_optimal"]) for r in mine],
            ls="--",
            color=line[0].get_color(),
            label=f"{name} likelihood-ratio limit",
        )
    ax.set_xscale("log")
    ax.set_xlabel(r"$S/\sqrt{B}$ (B = 50k events per histogram)")
    ax.set_ylabel("test AUC")
    ax.set_ylim(0.45, 1.01)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, out)


def parametric_vs_grid(
    table: Path = TABLES / "auc_parametric.csv",
    out: Path = FIGURES / "auc_parametric.png",
) -> Path:
    """Per benchmark, AUC / auc_optimal of the parametric network and of the nearest grid one.

    Ratios rather than AUCs: both sit within a percent of the limit, invisible on an AUC axis.
    """
    rows = [r for r in _rows(table) if float(r["auc_optimal"]) >= 0.6]
    rows = _ratio_rows(_ratio_rows(rows, "auc", "auc_optimal"), "auc_grid", "auc_optimal", "grid")
    lines = {"parametric": ("ratio", "o-"), "nearest grid network": ("grid", "s")}
    ylabel = "AUC / likelihood-ratio limit (limit >= 0.6)"
    return _per_benchmark(rows, lines, out, ylabel, reference=0.99)


def wrong_snr(
    table: Path = TABLES / "auc_parametric_wrong_snr.csv",
    out: Path = FIGURES / "auc_parametric_wrong_snr.png",
    benchmark: str = "spin1_offshell",
) -> Path:
    """Figure 11: AUC lost when told the wrong S/sqrt(B), parametric beside grid networks."""
    import numpy as np

    plt = _pyplot()
    rows = [r for r in _rows(table) if r["benchmark"] == benchmark]
    stated = sorted({float(r["snr_stated"]) for r in rows})
    tested = sorted({float(r["snr_test"]) for r in rows})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, key, title in (
        (axes[0], "ratio_grid_to_matched", "grid network trained at the stated value"),
        (axes[1], "ratio_to_matched", "parametric network told the stated value"),
    ):
        grid = np.full((len(tested), len(stated)), np.nan)
        for r in rows:
            grid[tested.index(float(r["snr_test"])), stated.index(float(r["snr_stated"]))] = float(
                r[key]
            )
        im = ax.imshow(grid, origin="lower", vmin=0.9, vmax=1.0, cmap="viridis")
        ax.set_xticks(range(len(stated)), [f"{v:g}" for v in stated], rotation=90, fontsize=7)
        ax.set_yticks(range(len(tested)), [f"{v:g}" for v in tested], fontsize=7)
        ax.set_xlabel(r"stated $S/\sqrt{B}$")
        ax.set_title(title, fontsize=9)
    axes[0].set_ylabel(r"true $S/\sqrt{B}$ of the test histograms")
    fig.colorbar(im, ax=axes, label=f"AUC / AUC told the truth ({benchmark})")
    return _save(fig, out)


def _per_benchmark(
    rows: list[dict[str, str]],
    lines: dict[str, tuple[str, str]],
    out: Path,
    ylabel: str,
    *,
    group: str = "benchmark",
    reference: float | None = None,
) -> Path:
    """One panel per benchmark (or `group`), one line per (column, style) against S/sqrt(B)."""
    plt = _pyplot()
    names = sorted({r[group] for r in rows})
    cols = min(5, len(names))
    n_rows = -(-len(names) // cols)
    fig, axes = plt.subplots(
        n_rows, cols, figsize=(3 * cols, 2.6 * n_rows), sharex=True, sharey=True, squeeze=False
    )
    for ax, name in zip(axes.flat, names, strict=False):
        mine = sorted((r for r in rows if r[group] == name), key=lambda r: float(r["snr"]))
        for label, (column, style) in lines.items():
            points = [(float(r["snr"]), float(r[column])) for r in mine if r.get(column)]
            if points:
                ax.plot(*zip(*points, strict=True), style, ms=3, label=label)
        if reference is not None:
            ax.axhline(reference, color="grey", ls=":", lw=1)
        ax.set_title(name, fontsize=9)
        ax.set_xscale("log")
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].set_ylabel(ylabel)
    axes.flat[0].legend(fontsize=7)
    fig.supxlabel(r"$S/\sqrt{B}$")
    fig.tight_layout()
    return _save(fig, out)


def _ratio_rows(rows, num: str, den: str, name: str = "ratio") -> list[dict[str, str]]:
    out = []
    for r in rows:
        if r.get(num) and r.get(den):
            out.append({**r, name: str(float(r[num]) / float(r[den]))})
    return out


def figures(tables: Path = TABLES, out: Path = FIGURES) -> list[Path]:
    """Every figure whose table exists: the paper's Figures 5, 7, 9-19 and appendix D."""
    drawn = []

    def have(name: str) -> list[dict[str, str]] | None:
        path = tables / f"{name}.csv"
        return _rows(path) if path.exists() else None

    if have("auc_individual"):
        drawn.append(auc_curves(tables / "auc_individual.csv", out / "auc_individual.png"))
    if rows := have("roc_event_level"):  # Figure 5
        drawn.append(_roc(rows, have("auc_event_level") or [], out / "roc_event_level.png"))
    if rows := have("auc_event_level"):  # Figure 5's areas
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7, 3.5))
        ax.bar([r["benchmark"] for r in rows], [float(r["auc_event"]) for r in rows])
        ax.set_ylim(0.5, 1.0)
        ax.set_ylabel("AUC per event")
        ax.tick_params(axis="x", rotation=45, labelsize=7)
        fig.tight_layout()
        drawn.append(_save(fig, out / "auc_event_level.png"))
    if rows := have("auc_cnn_vs_dnn"):  # Figure 9
        drawn.append(
            _per_benchmark(
                _ratio_rows(rows, "auc_cnn", "auc_paper_dnn"),
                {"CNN / paper's DNN": ("ratio", "o-")},
                out / "auc_cnn_vs_dnn.png",
                "AUC ratio",
                reference=1.0,
            )
        )
    if rows := have("auc_b_stability"):  # Figure 10
        lines = {f"B = {b}": (f"auc_b{b}", "o-") for b in sorted({r["b"] for r in rows}, key=int)}
        merged: dict[tuple[str, str], dict[str, str]] = {}
        for r in rows:
            m = merged.setdefault((r["benchmark"], r["snr"]), dict(r))
            m[f"auc_b{r['b']}"] = r["auc"]
        lines["B = 50000 (the zoo)"] = ("auc_b50k", "k--")
        drawn.append(
            _per_benchmark(list(merged.values()), lines, out / "auc_b_stability.png", "test AUC")
        )
    if have("auc_parametric"):
        drawn.append(parametric_vs_grid(tables / "auc_parametric.csv", out / "auc_parametric.png"))
    if have("auc_parametric_wrong_snr"):  # Figure 11
        table = tables / "auc_parametric_wrong_snr.csv"
        drawn.append(wrong_snr(table, out / "auc_parametric_wrong_snr.png"))
    if rows := have("auc_wrong_model"):  # Figure 12
        drawn.append(_wrong_model(rows, out / "auc_wrong_model.png"))
    if rows := have("auc_model_vs_model"):  # Figure 13
        drawn.append(
            _per_benchmark(
                rows,
                {"DNN": ("auc", "o-"), "limit": ("auc_optimal", "k--")},
                out / "auc_model_vs_model.png",
                "test AUC",
            )
        )
    if rows := have("auc_multimodel_binary"):  # Figures 14 and 15
        drawn.append(
            _per_benchmark(
                rows,
                {
                    "multimodel / individual": ("ratio_to_individual", "o-"),
                    "multimodel / limit": ("ratio_to_optimal", "s--"),
                },
                out / "auc_multimodel_binary.png",
                "AUC ratio",
                reference=1.0,
            )
        )
    if rows := have("auc_multiclass"):  # one-vs-rest AUCs
        drawn.append(
            _per_benchmark(
                rows,
                {"one vs rest": ("auc", "o-"), "Bayes limit": ("auc_optimal", "k--")},
                out / "auc_multiclass.png",
                "test AUC",
            )
        )
    if rows := have("multiclass_frequencies"):  # Figures 16-18
        drawn.append(_frequencies(rows, out / "multiclass_frequencies.png"))
    if rows := have("auc_event_combination"):  # Figure 19
        drawn.append(
            _per_benchmark(
                rows,
                {
                    "event-by-event, combined": ("auc_combined", "o-"),
                    "histogram DNN": ("auc_histogram", "s-"),
                    "limit": ("auc_optimal", "k--"),
                },
                out / "auc_event_combination.png",
                "test AUC",
            )
        )
    for name in ROBUSTNESS_TABLES:  # issue 6: the shipped networks in other worlds
        if rows := have(name):
            drawn += _robustness(rows, out / f"{name}.png", out / f"{name}_calibration.png")
    if rows := have("auc_binning"):  # appendix D
        drawn.append(_binning(rows, out / "auc_binning.png"))
    return drawn


ROBUSTNESS_TABLES = ("auc_full_sm", "auc_energy", "auc_detector", "auc_scales")


def _robustness(rows: list[dict[str, str]], auc_out: Path, calibration_out: Path) -> list[Path]:
    """Per benchmark and study: the AUC over the nominal world's, and how often SM-only
    histograms pass the nominal 90% threshold (0.10 when nothing moved)."""
    studies = sorted({r["study"] for r in rows})
    pivot: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows:
        row = pivot.setdefault(
            (r["benchmark"], r["snr"]), {"benchmark": r["benchmark"], "snr": r["snr"]}
        )
        row[f"ratio {r['study']}"] = str(float(r["auc"]) / float(r["auc_nominal"]))
        row[f"sm {r['study']}"] = r["sm_above_nominal_90"]
    table = list(pivot.values())
    return [
        _per_benchmark(
            table,
            {s: (f"ratio {s}", "o-") for s in studies},
            auc_out,
            "AUC / nominal AUC",
            reference=1.0,
        ),
        _per_benchmark(
            table,
            {s: (f"sm {s}", "o-") for s in studies},
            calibration_out,
            "SM-only above the nominal 90% threshold",
            reference=0.10,
        ),
    ]


def _roc(rows: list[dict[str, str]], areas: list[dict[str, str]], out: Path) -> Path:
    """The event-by-event networks' ROC curves, one per benchmark (the paper's Figure 5)."""
    plt = _pyplot()
    auc = {r["benchmark"]: float(r["auc_event"]) for r in areas}
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for i, name in enumerate(sorted({r["benchmark"] for r in rows})):
        mine = [r for r in rows if r["benchmark"] == name]
        label = f"{name} ({auc[name]:.3f})" if name in auc else name
        ax.plot(
            [float(r["fpr"]) for r in mine],
            [float(r["tpr"]) for r in mine],
            color=f"C{i % 10}",
            label=label,
        )
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("SM efficiency (false positive rate)")
    ax.set_ylabel("signal efficiency (true positive rate)")
    ax.set_title("event by event: one event at a time", fontsize="medium")
    ax.legend(fontsize="x-small", title="benchmark (AUC)", title_fontsize="x-small")
    fig.tight_layout()
    return _save(fig, out)


def _wrong_model(rows: list[dict[str, str]], out: Path, snr: str = "1") -> Path:
    """Figure 12: each benchmark's network on each other's histograms, as AUC / matched."""
    import numpy as np

    plt = _pyplot()
    at = [r for r in rows if float(r["snr"]) == float(snr)]
    names = sorted({r["trained_on"] for r in at} | {r["tested_on"] for r in at})
    grid = np.full((len(names), len(names)), np.nan)
    for r in at:
        grid[names.index(r["tested_on"]), names.index(r["trained_on"])] = float(
            r["ratio_to_matched"]
        )
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    im = ax.imshow(grid, vmin=min(0.9, np.nanmin(grid)), vmax=1.0, cmap="viridis")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_xlabel("network trained on")
    ax.set_ylabel(f"histograms of (S/sqrt(B) = {snr})")
    fig.colorbar(im, label="AUC / the tested model's own network")
    fig.tight_layout()
    return _save(fig, out)


def _frequencies(rows: list[dict[str, str]], out: Path) -> Path:
    """Figures 16-18: how often each class is predicted (top class, above 0.25), per sample."""
    import numpy as np

    plt = _pyplot()
    snrs = sorted({float(r["snr"]) for r in rows})
    shown = [s for s in snrs if s in (0.45, 1.0, 2.2)] or snrs[:3]
    tested = sorted({r["tested"] for r in rows})
    predicted = sorted({r["predicted"] for r in rows})
    fig, axes = plt.subplots(1, len(shown), figsize=(5 * len(shown), 5), squeeze=False)
    for ax, snr in zip(axes.flat, shown, strict=True):
        grid = np.zeros((len(tested), len(predicted)))
        for r in rows:
            if float(r["snr"]) == snr:
                grid[tested.index(r["tested"]), predicted.index(r["predicted"])] = float(
                    r["frequency"]
                )
        ax.imshow(grid, vmin=0, vmax=1, cmap="Blues")
        ax.set_xticks(range(len(predicted)), predicted, rotation=60, ha="right", fontsize=6)
        ax.set_yticks(range(len(tested)), tested, fontsize=6)
        ax.set_title(f"S/sqrt(B) = {snr:g}", fontsize=9)
        ax.set_xlabel("predicted class")
    axes.flat[0].set_ylabel("tested sample")
    fig.tight_layout()
    return _save(fig, out)


def _binning(rows: list[dict[str, str]], out: Path, snr: float = 1.0) -> Path:
    """Appendix D: AUC of each binning at one S/sqrt(B), per family and benchmark."""
    plt = _pyplot()
    families = sorted({r["family"] for r in rows})
    fig, axes = plt.subplots(1, len(families), figsize=(5 * len(families), 3.8), squeeze=False)
    for ax, family in zip(axes.flat, families, strict=True):
        mine = [r for r in rows if r["family"] == family and float(r["snr"]) == snr]
        labels = list(dict.fromkeys(r["binning"] for r in mine))
        for bench in sorted({r["benchmark"] for r in mine}):
            by = {r["binning"]: float(r["auc_method"]) for r in mine if r["benchmark"] == bench}
            ax.plot(range(len(labels)), [by.get(b) for b in labels], "o-", ms=3, label=bench)
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=7)
        ax.set_title(family, fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].set_ylabel(f"test AUC at S/sqrt(B) = {snr:g}")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, out)
