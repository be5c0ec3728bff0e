"""Comparisons the paper makes with networks trained for them (sections 3.2.2 and 4.1).

- Stability in B: the binary networks of the four comparison models trained and tested with
  B = 1k, 5k, 10k and 100k background events per histogram, against the zoo's B = 50k at the
  same S/sqrt(B) (the paper's claim: the AUC depends on S/sqrt(B) alone).
- CNN against DNN: the paper's CNN and the paper's DNN (Table 2; no likelihood-ratio start, max
  normalisation), each trained like the zoo's networks, beside the zoo's own network and the
  limit.
- Event by event (sections 3.1 and 6.1, `event_level`): a network on single events, its AUC per
  event, and its combination over histograms beside the zoo's histogram networks.

Each study trains into its own folder under `training/comparisons/` (resumable like the grid)
and keeps results only: its networks are not exported, so they are deleted after measuring.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
from pathlib import Path

from dmzoo_training import classifiers, paths
from dmzoo_training.classifiers import VERSUS
from dmzoo_training.grid import train_grid
from dmzoo_training.model import Architecture
from dmzoo_training.train import TrainConfig
from dmzoo_training.zoo_build import collect, summarize_repeats, write_table

log = logging.getLogger(__name__)

ROOT = paths.TRAINING / "comparisons"
SNRS = (0.22, 0.45, 1.0, 2.2, 4.5, 10.0)
B_VALUES = (1_000, 5_000, 10_000, 100_000)
ARCHITECTURES = {
    "paper_dnn": Architecture(),
    "paper_cnn": Architecture(layers="cnn"),
}


def _train(name: str, config: TrainConfig, benchmarks, snrs, root: Path = ROOT, **kwargs) -> Path:
    runs = root / name
    specs = [classifiers.binary(b) for b in benchmarks]
    # Results only; the pruned ones count as finished (deleting the networks without saying
    # so had every later `compare` train them all again).
    train_grid(specs, snrs, config, repeats=1, networks=False, runs=runs, **kwargs)
    return runs


def _measured(runs: Path) -> dict[tuple[str, float], dict]:
    """(benchmark, snr) -> mean AUC and limit of the runs in a folder."""
    out = {}
    for results in collect(runs).values():
        first = results[0]
        out[(first["benchmark"], first["snr"])] = {
            **summarize_repeats(results),
            "auc_optimal": first["auc_optimal"],
        }
    return out


def _zoo_table(zoo: Path) -> dict[tuple[str, float], dict]:
    with open(zoo / "tables" / "auc_individual.csv", newline="") as f:
        return {(r["benchmark"], float(r["snr"])): r for r in csv.DictReader(f)}


def b_stability(
    benchmarks=VERSUS,
    snrs=SNRS,
    b_values=B_VALUES,
    zoo: Path = paths.ZOO,
    base: TrainConfig | None = None,
    **kwargs,
) -> list[dict]:
    """One row per benchmark, B and S/sqrt(B), beside the zoo's B = 50k.

    `base` is the configuration the studies vary (the zoo's by default); kwargs go to the grid.
    """
    ours = _zoo_table(zoo)
    rows = []
    for b in b_values:
        config = dataclasses.replace(base or TrainConfig(), b=b)
        for (bench, snr), m in sorted(
            _measured(_train(f"b-{b}", config, benchmarks, snrs, **kwargs)).items()
        ):
            ref = ours.get((bench, snr))
            rows.append(
                {
                    "benchmark": bench,
                    "snr": snr,
                    "b": b,
                    "auc": m["auc"],
                    "auc_optimal": m["auc_optimal"],
                    "auc_b50k": float(ref["auc"]) if ref else None,
                    "auc_optimal_b50k": float(ref["auc_optimal"]) if ref else None,
                }
            )
    return rows


def architectures(
    benchmarks=VERSUS,
    snrs=SNRS,
    zoo: Path = paths.ZOO,
    base: TrainConfig | None = None,
    **kwargs,
) -> list[dict]:
    """The paper's CNN and DNN beside the zoo's network, one row per benchmark and S/sqrt(B)."""
    ours = _zoo_table(zoo)
    measured = {}
    for name, arch in ARCHITECTURES.items():
        config = dataclasses.replace(
            base or TrainConfig(), arch=arch, start_at_likelihood_ratio=False
        )
        measured[name] = _measured(_train(name, config, benchmarks, snrs, **kwargs))
    rows = []
    for key in sorted(measured["paper_cnn"]):
        bench, snr = key
        cnn, dnn = measured["paper_cnn"][key], measured["paper_dnn"].get(key)
        ref = ours.get(key)
        rows.append(
            {
                "benchmark": bench,
                "snr": snr,
                "auc_cnn": cnn["auc"],
                "auc_paper_dnn": dnn["auc"] if dnn else None,
                "auc_zoo": float(ref["auc"]) if ref else None,
                "auc_optimal": cnn["auc_optimal"],
                "ratio_cnn_to_paper_dnn": cnn["auc"] / dnn["auc"] if dnn else None,
            }
        )
    return rows


def event_level(
    benchmarks=classifiers.BENCHMARKS,
    zoo: Path = paths.ZOO,
    root: Path = ROOT,
    events_dir: Path = paths.EVENTS,
    **_,
) -> tuple[list[dict], list[dict]]:
    """The event-by-event network of every benchmark (Figure 5: its AUC per event and ROC
    curve) and, per grid point, its combination over the zoo's test histograms beside the
    zoo's network (Figure 19).

    One training per benchmark, stored as `event-level/<benchmark>.json` and skipped when
    there; it runs in this process (two or three minutes each on one core).
    """
    import json

    from dmzoo_training import event_level as ev
    from dmzoo_training import storage

    ours = _zoo_table(zoo)
    per_event, combined, roc = [], [], []
    for bench in benchmarks:
        path = root / "event-level" / f"{bench}.json"
        result = json.loads(path.read_text()) if path.exists() else {}
        if "roc" not in result:  # none yet, or one from before the curve was kept: (re)train
            result = ev.train(bench, events_dir)
            path.parent.mkdir(parents=True, exist_ok=True)
            storage.atomic_write_text(path, json.dumps(result, indent=1, sort_keys=True))
        per_event.append({k: v for k, v in result.items() if k not in ("combined", "roc")})
        points = zip(result["roc"]["fpr"], result["roc"]["tpr"], strict=True)
        roc += [{"benchmark": bench, "fpr": f, "tpr": t} for f, t in points]
        for row in result["combined"]:
            ref = ours.get((bench, row["snr"]))
            combined.append(
                {
                    "benchmark": bench,
                    **row,
                    "auc_histogram": float(ref["auc"]) if ref else None,
                    "auc_optimal": float(ref["auc_optimal"]) if ref else None,
                }
            )
    return per_event, combined, roc


def write(what: str, zoo: Path = paths.ZOO, **kwargs) -> Path:
    if what == "event-level":
        per_event, combined, roc = event_level(zoo=zoo, **kwargs)
        write_table(zoo, "auc_event_level", per_event, ("benchmark", "auc_event"))
        write_table(zoo, "roc_event_level", roc, ("benchmark", "fpr", "tpr"))
        first = ("benchmark", "snr", "auc_combined", "auc_histogram", "auc_optimal")
        return write_table(zoo, "auc_event_combination", combined, first)
    if what == "b-stability":
        rows = b_stability(zoo=zoo, **kwargs)
        return write_table(zoo, "auc_b_stability", rows, ("benchmark", "snr", "b", "auc"))
    rows = architectures(zoo=zoo, **kwargs)
    first = ("benchmark", "snr", "auc_cnn", "auc_paper_dnn", "auc_zoo", "auc_optimal")
    return write_table(zoo, "auc_cnn_vs_dnn", rows, first)
