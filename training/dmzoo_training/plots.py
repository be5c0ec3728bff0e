"""Figures drawn from the tables (the paper's Figure 7 style)."""

from __future__ import annotations

import csv
from pathlib import Path

from dmzoo_training import paths


def auc_curves(
    table: Path = paths.ZOO / "tables" / "auc_individual.csv",
    out: Path = paths.ZOO / "figures" / "auc_individual.png",
) -> Path:
    """AUC against S/sqrt(B) per benchmark, with the likelihood-ratio limit dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(table, newline="") as f:
        rows = list(csv.DictReader(f))
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
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
