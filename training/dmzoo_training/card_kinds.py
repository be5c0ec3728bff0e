"""The model card's results beyond the per-benchmark table: the S/sqrt(B) each benchmark needs,
the multimodel, multiclass and model-vs-model networks, and the comparisons that train networks
of their own (stability in B, the paper's CNN). Each reads its table and says nothing when the
table is absent."""

from __future__ import annotations

import csv
from pathlib import Path

from dmzoo.sensitivity import snr_for_auc

# The paper's S/sqrt(B) for AUC 0.9 (its section 4.1), by the benchmark name's first part.
PAPER_SNR_AT_0_9 = {"alp": 4.0, "spin0": 1.2, "spin1": 1.3, "spin2": 0.5}
FREQUENCY_SNRS = ("0.45", "1.5", "6.7")  # the grid points nearest the paper's Figure 17
PROMINENT = 0.6  # below this limit the AUC ratio says little (both near 0.5)


def table(zoo: Path, name: str) -> list[dict] | None:
    path = zoo / "tables" / f"{name}.csv"
    if not path.exists():
        return None
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _reach(rows: list[dict], key: str, target: float) -> str:
    got = snr_for_auc([(float(r["snr"]), float(r[key])) for r in rows], target)
    if got.snr is None:
        return "> 10"
    return f"<= {got.snr:.2g}" if got.status == "at or below the grid" else f"{got.snr:.2f}"


def reach_lines(zoo: Path) -> list[str]:
    """Per benchmark, where the network and the limit first reach AUC 0.9 and 0.99."""
    rows = table(zoo, "auc_individual")
    if not rows:
        return []
    lines = [
        "| benchmark | S/sqrt(B) at AUC 0.9 | limit's | paper's | at AUC 0.99 | limit's |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in sorted({r["benchmark"] for r in rows}):
        mine = [r for r in rows if r["benchmark"] == name]
        paper = PAPER_SNR_AT_0_9.get(name.split("_")[0])
        lines.append(
            f"| {name} | {_reach(mine, 'auc', 0.9)} | {_reach(mine, 'auc_optimal', 0.9)} "
            f"| {paper if paper else '-'} | {_reach(mine, 'auc', 0.99)} "
            f"| {_reach(mine, 'auc_optimal', 0.99)} |"
        )
    return lines


def _span(values: list[float]) -> str:
    return f"{min(values):.3f} to {max(values):.3f}"


def _worst_ratio(rows: list[dict]) -> str:
    seen = [r for r in rows if float(r["auc_optimal"]) >= PROMINENT]
    worst = min(seen, key=lambda r: float(r["ratio_to_optimal"]))
    return f"{float(worst['ratio_to_optimal']):.3f} ({worst['benchmark']} at {worst['snr']})"


def multimodel_lines(zoo: Path) -> list[str]:
    rows = table(zoo, "auc_multimodel_binary")
    if not rows:
        return []
    at1 = [r for r in rows if float(r["snr"]) == 1.0]
    trained = [r for r in at1 if r["trained_on"] == "true"]
    held = [r for r in at1 if r["trained_on"] != "true"]
    own = [float(r["ratio_to_individual"]) for r in rows if r["ratio_to_individual"]]
    held_names = ", ".join(r["benchmark"] for r in held)
    return [
        f"- Multimodel binary (section 5.1, `auc_multimodel_binary.csv`, "
        f"`figures/auc_multimodel_binary.png`): one network per S/sqrt(B) trained on the seven "
        f"labelled benchmarks against the SM. At S/sqrt(B) = 1 its AUC is "
        f"{_span([float(r['auc']) for r in trained])} on those seven and "
        f"{_span([float(r['auc']) for r in held])} on the three it never saw ({held_names}).",
        f"- Against each benchmark's own network on the same question (Figures 14 and 15): "
        f"{_span(own)} of its AUC over the grid; against the benchmark's own limit, at worst "
        f"{_worst_ratio(rows)} where the limit is at least {PROMINENT}. One network cannot sit "
        "on ten different limits at once; the held-out benchmarks lose least where they "
        "resemble a trained one.",
    ]


def multiclass_lines(zoo: Path) -> list[str]:
    rows = table(zoo, "auc_multiclass")
    if not rows:
        return []
    at1 = [r for r in rows if float(r["snr"]) == 1.0]
    lines = [
        f"- Multiclass (section 5.2, `auc_multiclass.csv`, `figures/auc_multiclass.png`): eight "
        f"classes (the SM and the seven labelled benchmarks). One-vs-rest AUC at S/sqrt(B) = 1: "
        f"{_span([float(r['auc']) for r in at1])}; against the limit of the same question (the "
        f"class log-likelihoods), at worst {_worst_ratio(rows)}."
    ]
    freq = table(zoo, "multiclass_frequencies")
    if not freq or not any(r["snr"] in FREQUENCY_SNRS for r in freq):
        return lines
    right = {}
    for r in freq:
        if r["snr"] in FREQUENCY_SNRS and r["tested"] == r["predicted"]:
            right.setdefault(r["snr"], []).append(float(r["frequency"]))
    parts = ", ".join(
        f"{sum(v) / len(v):.2f} at {snr}"
        for snr, v in sorted(right.items(), key=lambda kv: float(kv[0]))
    )
    lines.append(
        f"- Prediction frequencies (Figures 17 and 18, `multiclass_frequencies.csv`, "
        f"`figures/multiclass_frequencies.png`; a count only for the top class and only above "
        f"0.25): the mean fraction of histograms given their true class is {parts}."
    )
    return lines


def model_vs_model_lines(zoo: Path) -> list[str]:
    rows = table(zoo, "auc_model_vs_model")
    if not rows:
        return []
    reach = []
    for pair in sorted({r["benchmark"] for r in rows}):
        mine = [r for r in rows if r["benchmark"] == pair]
        reach.append(f"{pair.replace('_vs_', ' vs ')} {_reach(mine, 'auc', 0.9)}")
    return [
        f"- Model against model (section 4.4, `auc_model_vs_model.csv`, "
        f"`figures/auc_model_vs_model.png`): SM + one benchmark against SM + another; worst "
        f"ratio to the limit {_worst_ratio(rows)}. S/sqrt(B) where the AUC reaches 0.9: "
        f"{'; '.join(reach)}. Two models whose shapes differ less than their samples' noise "
        f"have an optimistic limit, which knows the test pool's own fluctuations: the "
        f"limit-optimism validation below measures it for three pairs."
    ]


def trained_comparison_lines(zoo: Path) -> list[str]:
    """Stability in B (Figure 10) and the paper's CNN against its DNN (Figure 9)."""
    lines = []
    if rows := table(zoo, "auc_b_stability"):
        ratios = [float(r["auc"]) / float(r["auc_b50k"]) for r in rows if r.get("auc_b50k")]
        by_b = {}
        for r, ratio in zip([r for r in rows if r.get("auc_b50k")], ratios, strict=True):
            by_b.setdefault(int(r["b"]), []).append(ratio)
        parts = ", ".join(f"B = {b:,}: {_span(v)}" for b, v in sorted(by_b.items()))
        lines.append(
            f"- Stability in B (section 4.1, Figure 10, `auc_b_stability.csv`): the AUC at the "
            f"same S/sqrt(B) divided by the zoo's B = 50k network's, {parts}."
        )
    if rows := table(zoo, "auc_cnn_vs_dnn"):
        cnn = [float(r["ratio_cnn_to_paper_dnn"]) for r in rows if r["ratio_cnn_to_paper_dnn"]]
        dnn_zoo = [
            float(r["auc_paper_dnn"]) / float(r["auc_zoo"])
            for r in rows
            if r["auc_paper_dnn"] and r["auc_zoo"]
        ]
        lines.append(
            f"- CNN against DNN (section 3.2.2, Figure 9, `auc_cnn_vs_dnn.csv`): the paper's CNN "
            f"over the paper's DNN, both trained from scratch as the paper did, {_span(cnn)}; "
            f"that DNN over the zoo's network {_span(dnn_zoo)}."
        )
    return lines


ROBUSTNESS = {
    "auc_full_sm": "The full SM (Z(->nunu)+jet with W+jet and ttbar) as the SM",
    "auc_energy": "13 TeV histograms",
    "auc_detector": "Jet energy scale and resolution shifted",
    "auc_scales": "The generator's renormalisation and factorisation scales varied",
}


def robustness_lines(zoo: Path) -> list[str]:
    """Issue 6's studies: per study, how far the AUC moves and how often SM-only histograms
    of that world pass the nominal 90% threshold (10% when nothing moved)."""
    lines = []
    for name, title in ROBUSTNESS.items():
        rows = table(zoo, name)
        if not rows:
            continue
        for study in sorted({r["study"] for r in rows}):
            mine = [r for r in rows if r["study"] == study]
            moved = [float(r["auc"]) - float(r["auc_nominal"]) for r in mine]
            limits = [float(r["auc_optimal"]) - float(r["auc_optimal_nominal"]) for r in mine]
            alarms = [float(r["sm_above_nominal_90"]) for r in mine]
            notes = sorted({r["note"] for r in mine if r.get("note")})
            lines.append(
                f"- {title}, {study} (`{name}.csv`, `figures/{name}.png`): the shipped "
                f"parametric networks' AUC moves by {min(moved):+.3f} to {max(moved):+.3f} "
                f"(the limit by {min(limits):+.3f} to {max(limits):+.3f}); "
                f"{min(alarms):.1%} to {max(alarms):.1%} of its SM-only histograms pass the "
                "nominal SM's 90% threshold (10% if nothing moved)"
                + (f"; {'; '.join(notes)}." if notes else ".")
            )
    return lines
