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
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    _pyplot().close(fig)
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
    plt = _pyplot()
    rows = [r for r in _rows(table) if float(r["auc_optimal"]) >= 0.6]
    names = sorted({r["benchmark"] for r in rows})
    cols = min(5, len(names))
    fig, axes = plt.subplots(
        -(-len(names) // cols),
        cols,
        figsize=(3 * cols, 2.6 * -(-len(names) // cols)),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    for ax, name in zip(axes.flat, names, strict=False):
        mine = sorted((r for r in rows if r["benchmark"] == name), key=lambda r: float(r["snr"]))
        snr = [float(r["snr"]) for r in mine]
        ax.plot(
            snr,
            [float(r["auc"]) / float(r["auc_optimal"]) for r in mine],
            "o-",
            ms=3,
            label="parametric",
        )
        ax.plot(
            snr,
            [float(r["auc_grid"]) / float(r["auc_optimal"]) for r in mine],
            "s",
            ms=3,
            mfc="none",
            label="nearest grid network",
        )
        ax.axhline(0.99, color="grey", ls=":", lw=1)
        ax.set_title(name, fontsize=9)
        ax.set_xscale("log")
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].set_ylabel("AUC / likelihood-ratio limit")
    axes.flat[0].legend(fontsize=7)
    fig.supxlabel(r"$S/\sqrt{B}$ (where the limit is at least 0.6)")
    fig.tight_layout()
    return _save(fig, out)


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
