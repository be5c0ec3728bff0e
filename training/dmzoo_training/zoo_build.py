"""Stages after generation: train the grid, export to ONNX, write the manifest and tables."""

from __future__ import annotations

import csv
import io
import json
import logging
import multiprocessing
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo.registry import format_snr, make_id, sha256_file
from dmzoo_training import export, histograms, paths, storage
from dmzoo_training.histograms import seed_of
from dmzoo_training.train import TrainConfig, load_pools, train_one

log = logging.getLogger(__name__)

SNR_GRID = (0.1, 0.15, 0.22, 0.33, 0.45, 0.67, 1.0, 1.5, 2.2, 3.3, 4.5, 6.7, 10.0)
RUNS = paths.TRAINING / "runs"
ZOO_VERSION = "0.1.0"


def run_dir(benchmark: str, snr: float, repeat: int, runs: Path = RUNS) -> Path:
    return runs / make_id("binary", benchmark, snr) / f"repeat-{repeat}"


_POOLS = {}


def _train_task(args) -> dict:
    benchmark, snr, repeat, config, events_dir, runs = args
    out = run_dir(benchmark, snr, repeat, runs)
    if (out / "result.json").exists() and (out / "model.keras").exists():
        return json.loads((out / "result.json").read_text())
    if benchmark not in _POOLS:  # one load per worker process
        _POOLS[benchmark] = load_pools(benchmark, events_dir)
    return train_one(_POOLS[benchmark], benchmark, snr, repeat, config, out)


def train_grid(
    benchmark: str,
    snrs=SNR_GRID,
    repeats: int = 1,
    config: TrainConfig | None = None,
    workers: int = 2,
    events_dir: Path = paths.EVENTS,
    runs: Path = RUNS,
    progress: bool = True,
) -> list[dict]:
    """Train every (snr, repeat) not yet trained; finished runs are kept and skipped."""
    from tqdm import tqdm

    config = config or TrainConfig()
    tasks = [(benchmark, s, r, config, events_dir, runs) for s in snrs for r in range(repeats)]
    results = []
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        for res in tqdm(
            pool.imap_unordered(_train_task, tasks),
            total=len(tasks),
            desc=f"train {benchmark}",
            unit="model",
            disable=not progress,
        ):
            results.append(res)
    return sorted(results, key=lambda r: (r["snr"], r["repeat"]))


def collect(runs: Path = RUNS) -> dict[str, list[dict]]:
    """Every finished run, grouped by model id."""
    grouped: dict[str, list[dict]] = {}
    for path in sorted(runs.glob("*/repeat-*/result.json")):
        res = json.loads(path.read_text())
        res["_dir"] = str(path.parent)
        grouped.setdefault(res["id"], []).append(res)
    return grouped


def summarize_repeats(results: list[dict]) -> dict:
    """Mean and spread of the test AUC; with 5 or more repeats the extremes are dropped."""
    aucs = sorted(r["auc"] for r in results)
    if len(aucs) >= 5:
        aucs = aucs[1:-1]
    return {
        "auc": float(np.mean(aucs)),
        "auc_std": float(np.std(aucs, ddof=1)) if len(aucs) > 1 else 0.0,
        "n_trainings": len(results),
        "auc_optimal": float(np.mean([r["auc_optimal"] for r in results])),
        "auc_asymptotic": float(np.mean([r["auc_asymptotic"] for r in results])),
    }


def provenance(benchmark: str, events_dir: Path) -> dict:
    out = {}
    for name in ("sm", benchmark):
        summary = json.loads((events_dir / name / "sample.json").read_text())
        out[name] = {
            k: summary.get(k)
            for k in (
                "generator",
                "n_selected",
                "n_generated",
                "selection_efficiency",
                "sigma_generated_pb",
                "m_med_gev",
                "m_dm_gev",
                "spin",
            )
        }
    return {
        "events": out,
        "generator_chain": "Pythia 8 (pythia8mc), shower and hadronisation on, MPI off; "
        "anti-kt R=0.6 visible particles |eta|<4.9; jet energy smeared with "
        "the Delphes 3.4.2 ATLAS card HCAL resolution",
        "sqrt_s_gev": 14000,
        "selection": "leading jet 130 <= pT <= 2000 GeV, |eta| <= 4",
        "split": "64:16:20 train:validation:test per event pool",
    }


def export_all(zoo: Path = paths.ZOO, runs: Path = RUNS, events_dir: Path = paths.EVENTS) -> dict:
    """Export the chosen run of every model (best validation AUC) and write the manifest."""
    import keras

    import dmzoo_training.model  # noqa: F401  registers the custom layer

    entries = []
    for model_id, results in sorted(collect(runs).items()):
        chosen = max(results, key=lambda r: r["val_auc_best"])
        summary = summarize_repeats(results)
        metrics = {"auc": summary["auc"], "auc_std": summary["auc_std"]}
        model = keras.saving.load_model(Path(chosen["_dir"]) / "model.keras")
        training = {k: chosen[k] for k in ("seed", "epochs", "repeat", "b", "s")}
        training["config"] = chosen["config"]
        training["framework"] = f"keras {keras.__version__}"
        meta = export.binary_metadata(
            benchmark=chosen["benchmark"],
            snr=chosen["snr"],
            b_train=chosen["b"],
            metrics={
                **metrics,
                "auc_optimal": summary["auc_optimal"],
                "n_trainings": summary["n_trainings"],
                "auc_this_model": chosen["auc"],
            },
            training=training,
            provenance=provenance(chosen["benchmark"], events_dir),
        )
        rel = f"models/{model_id}.onnx"
        proto = export.to_onnx(model, meta)
        digest = export.write_model(proto, zoo / rel)
        entries.append(
            {
                "id": model_id,
                "path": rel,
                "sha256": digest,
                "kind": "binary",
                "benchmark": chosen["benchmark"],
                "snr": chosen["snr"],
                "metrics": metrics,
            }
        )
        log.info("exported %s (%s)", model_id, digest[:12])
    return write_manifest(zoo, entries)


def zoo_files(zoo: Path) -> dict[str, str]:
    """Every file of the zoo besides the manifest and the models, with its sha256."""
    out = {}
    for path in sorted(p for p in zoo.rglob("*") if p.is_file()):
        rel = path.relative_to(zoo).as_posix()
        if rel == "manifest.json" or rel.startswith("models/") or path.name.startswith("."):
            continue
        out[rel] = sha256_file(path)
    return out


def write_manifest(zoo: Path, entries: list[dict]) -> dict:
    """The manifest: every model, and the sha256 of every other file (checked by the runtime)."""
    manifest = {
        "zoo_version": ZOO_VERSION,
        "dmzoo_format_version": "1",
        "files": zoo_files(zoo),
        "models": sorted(entries, key=lambda e: (e["benchmark"], e["snr"])),
    }
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    storage.atomic_write_text(zoo / "manifest.json", text)
    return manifest


def write_tables(zoo: Path = paths.ZOO, runs: Path = RUNS) -> Path:
    """zoo/tables/auc_individual.csv (and .json) from every finished run."""
    rows = []
    for results in collect(runs).values():
        s = summarize_repeats(results)
        rows.append({"benchmark": results[0]["benchmark"], "snr": results[0]["snr"], **s})
    rows.sort(key=lambda r: (r["benchmark"], r["snr"]))
    cols = ("benchmark", "snr", "auc", "auc_std", "n_trainings", "auc_optimal")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(
            [
                r["benchmark"],
                format_snr(r["snr"]),
                f"{r['auc']:.5f}",
                f"{r['auc_std']:.5f}",
                r["n_trainings"],
                f"{r['auc_optimal']:.5f}",
            ]
        )
    out = zoo / "tables" / "auc_individual.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    storage.atomic_write_text(out, buf.getvalue())
    storage.atomic_write_text(
        out.with_suffix(".json"),
        json.dumps(
            {"zoo_version": ZOO_VERSION, "columns": list(cols), "rows": rows},
            indent=1,
            sort_keys=True,
        )
        + "\n",
    )
    return out


def refresh_manifest(zoo: Path) -> None:
    """Rewrite the manifest's file hashes after a stage changed files beside the models."""
    manifest = zoo / "manifest.json"
    if manifest.exists():
        write_manifest(zoo, json.loads(manifest.read_text())["models"])


def write_templates(zoo: Path = paths.ZOO, events_dir: Path = paths.EVENTS) -> Path:
    """zoo/templates/templates.json: each sample's test-part histogram and selection facts.

    The runtime draws its pseudo-experiments (p-values, the score expected under signal) from
    these counts. They come from the test part of each pool, the events no model trained or
    stopped on, so a calibration never reuses what a network has seen.
    """
    samples = {}
    for sample_dir in sorted(p for p in events_dir.iterdir() if (p / "sample.json").is_file()):
        name = sample_dir.name
        ev = storage.read_sample(sample_dir)
        test = histograms.split_indices(len(ev["jet_pt"]), seed_of("split", name))["test"]
        counts = binning.fill(ev["jet_pt"][test], ev["jet_eta"][test])
        summary = json.loads((sample_dir / "sample.json").read_text())
        samples[name] = {
            "counts": counts.astype(int).tolist(),
            "n_events": int(counts.sum()),
            "part": "test",
            "selection_efficiency": summary.get("selection_efficiency"),
            "sigma_generated_pb": summary.get("sigma_generated_pb"),
            "n_generated": summary.get("n_generated"),
        }
    out = zoo / "templates" / "templates.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "zoo_version": ZOO_VERSION,
        "binning": json.loads(binning.binning_json()),
        "samples": samples,
    }
    storage.atomic_write_text(out, json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")
    return out
