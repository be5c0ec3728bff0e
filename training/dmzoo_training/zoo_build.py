"""Stages after generation: train the grid, export to ONNX, write the manifest and tables."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo.registry import format_snr, sha256_file
from dmzoo_training import classifiers, export, paths, storage
from dmzoo_training.grid import ABSENT_MEANS, RUNS, chosen, with_defaults

log = logging.getLogger(__name__)

ZOO_VERSION = "0.1.0"


def collect(runs: Path = RUNS) -> dict[str, list[dict]]:
    """Every finished run, grouped by model id."""
    grouped: dict[str, list[dict]] = {}
    for path in sorted(runs.glob("*/repeat-*/result.json")):
        res = json.loads(path.read_text())
        res["_dir"] = str(path.parent)
        grouped.setdefault(res["id"], []).append(res)
    for model_id, results in grouped.items():
        full = [with_defaults(r.get("config") or {}, ABSENT_MEANS) for r in results]
        if any(c != full[0] for c in full):
            raise ValueError(
                f"the runs of {model_id} in {runs} were trained with different settings; "
                f"run dmzoo-train train again, which replaces the old ones"
            )
    return grouped


def summarize_repeats(results: list[dict], get=lambda r: r) -> dict:
    """Mean and spread of the test AUC; with 5 or more repeats the extremes are dropped.

    `get` picks the measurement out of a result (a benchmark of a multimodel network, say).
    """
    rows = [get(r) for r in results]
    aucs = sorted(r["auc"] for r in rows)
    if len(aucs) >= 5:
        aucs = aucs[1:-1]
    out = {
        "auc": float(np.mean(aucs)),
        "auc_std": float(np.std(aucs, ddof=1)) if len(aucs) > 1 else 0.0,
        "n_trainings": len(rows),
    }
    for key in ("auc_optimal", "auc_asymptotic", "auc_error"):
        if all(r.get(key) is not None for r in rows):
            out[key] = float(np.mean([r[key] for r in rows]))
    return out


def provenance(samples, events_dir: Path) -> dict:
    out = {}
    for name in samples:
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

    import dmzoo_training.model  # noqa: F401  registers the custom layers

    entries = []
    for model_id, results in sorted(collect(runs).items()):
        spec = classifiers.from_id(model_id)
        pick = chosen(results)
        summary = summarize_repeats(results)
        metrics = {"auc": summary["auc"], "auc_std": summary["auc_std"]}
        model = keras.saving.load_model(Path(pick["_dir"]) / "model.keras")
        training = {k: pick.get(k) for k in ("seed", "epochs", "repeat", "b", "s")}
        training["config"] = pick["config"]
        training["framework"] = f"keras {keras.__version__}"
        snr = pick["snr"]
        if spec.conditioned:  # a parametric network's `snr` is the range it was trained over
            snr = {"min": pick["snr_range"][0], "max": pick["snr_range"][1]}
        meta = export.metadata(
            spec,
            snr=snr,
            b_train=pick["b"],
            metrics={**summary, "auc_this_model": pick["auc"]},
            training=training,
            provenance=provenance(spec.pool_samples, events_dir),
            normalization=pick["config"]["arch"].get("normalization", "max"),
        )
        rel = f"models/{model_id}.onnx"
        digest = export.write_model(export.to_onnx(model, meta), zoo / rel)
        entries.append(
            {
                "id": model_id,
                "path": rel,
                "sha256": digest,
                "kind": spec.kind,
                "benchmark": spec.benchmark,
                "snr": pick["snr"],
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
        "models": sorted(entries, key=lambda e: (e["kind"], e["benchmark"] or "", e["snr"] or 0.0)),
    }
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    storage.atomic_write_text(zoo / "manifest.json", text)
    return manifest


COLUMNS = ("benchmark", "snr", "auc", "auc_std", "n_trainings", "auc_optimal")


def table_rows(grouped: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The rows of every AUC table, by table name, from the runs grouped by model id."""
    tables: dict[str, list[dict]] = {}
    individual = {}
    for results in grouped.values():
        first = results[0]
        kind = first.get("kind", "binary")
        if kind == "parametric":
            continue  # its table compares with the grid networks: `dmzoo-train evaluate`
        if kind in ("binary", "model_vs_model"):
            row = {
                "benchmark": first["benchmark"],
                "snr": first["snr"],
                **summarize_repeats(results),
            }
            name = "auc_individual" if kind == "binary" else "auc_model_vs_model"
            tables.setdefault(name, []).append(row)
            if kind == "binary":
                individual[(row["benchmark"], row["snr"])] = row["auc"]
        elif kind == "multimodel_binary":
            for bench, m in first["per_benchmark"].items():
                row = summarize_repeats(results, lambda r, b=bench: r["per_benchmark"][b])
                tables.setdefault("auc_multimodel_binary", []).append(
                    {"benchmark": bench, "snr": first["snr"], **row, "trained_on": m["trained_on"]}
                )
        elif kind == "multiclass":
            for cls in first["per_class"]:
                row = summarize_repeats(results, lambda r, c=cls: r["per_class"][c])
                tables.setdefault("auc_multiclass", []).append(
                    {"benchmark": cls, "snr": first["snr"], **row}
                )
    for row in tables.get("auc_multimodel_binary", []):
        # The paper's Figure 14: the multimodel network against the benchmark's own network.
        own = individual.get((row["benchmark"], row["snr"]))
        row["auc_individual"] = own
        row["ratio_to_individual"] = row["auc"] / own if own else None
    for rows in tables.values():
        for row in rows:
            opt = row.get("auc_optimal")
            row["ratio_to_optimal"] = row["auc"] / opt if opt else None
        rows.sort(key=lambda r: (r["benchmark"], r["snr"]))
    return tables


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.5f}"
    return str(value)


def write_table(zoo: Path, name: str, rows: list[dict], first: tuple[str, ...] = COLUMNS) -> Path:
    """One table as CSV (`first` columns first, the rest sorted) and JSON, each atomically."""
    extra = sorted({k for r in rows for k in r} - set(first))
    cols = (*first, *extra)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(
            [
                format_snr(r[c])
                if c.startswith("snr") and r.get(c) is not None
                else _cell(r.get(c))
                for c in cols
            ]
        )
    out = zoo / "tables" / f"{name}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    storage.atomic_write_text(out, buf.getvalue())
    doc = {"zoo_version": ZOO_VERSION, "columns": list(cols), "rows": rows}
    storage.atomic_write_text(
        out.with_suffix(".json"), json.dumps(doc, indent=1, sort_keys=True) + "\n"
    )
    return out


def write_frequencies(zoo: Path, grouped: dict[str, list[dict]]) -> Path | None:
    """The multiclass prediction frequencies (the paper's Figures 17 and 18), mean over repeats."""
    rows = []
    for results in grouped.values():
        if results[0].get("kind") != "multiclass":
            continue
        snr = results[0]["snr"]
        for tested, freq in results[0]["frequencies"].items():
            for predicted in freq:
                mean = float(np.mean([r["frequencies"][tested][predicted] for r in results]))
                rows.append(
                    {"tested": tested, "snr": snr, "predicted": predicted, "frequency": mean}
                )
    if not rows:
        return None
    rows.sort(key=lambda r: (r["tested"], r["snr"], r["predicted"]))
    return write_table(zoo, "multiclass_frequencies", rows, ("tested", "snr", "predicted"))


def write_tables(zoo: Path = paths.ZOO, runs: Path = RUNS) -> list[Path]:
    """Every AUC table (zoo/tables/auc_*.csv and .json) from the finished runs."""
    grouped = collect(runs)
    written = [write_table(zoo, name, rows) for name, rows in sorted(table_rows(grouped).items())]
    freq = write_frequencies(zoo, grouped)
    return written + ([freq] if freq else [])


def refresh_manifest(zoo: Path) -> None:
    """Rewrite the manifest's file hashes after a stage changed files beside the models."""
    manifest = zoo / "manifest.json"
    if manifest.exists():
        write_manifest(zoo, json.loads(manifest.read_text())["models"])


def _full_sm_entry(events_dir: Path) -> dict | None:
    """The `full` SM's template entry (`score --sm full`): counts in units of an `sm` event,
    and per bin the weight of one event, the sum of squared weights over the sum of weights
    (the SM's own unit where a bin is empty)."""
    from dmzoo_training import samples as sample_parts

    test = sample_parts.full_sm_test(events_dir)
    if test is None:
        return None
    counts = binning.fill(test["jet_pt"], test["jet_eta"], test["weight"])
    squares = binning.fill(test["jet_pt"], test["jet_eta"], test["weight"] ** 2)
    sm_units = sample_parts.unit_weights("sm", events_dir)
    fallback = np.ones_like(counts) if sm_units is None else sm_units
    units = np.where(counts > 0, squares / np.where(counts > 0, counts, 1.0), fallback)
    return {
        "counts": np.round(counts, 6).tolist(),
        "event_weight": np.round(units, 9).tolist(),
        "n_events": len(test["jet_pt"]),
        "part": "test",
        "selection_efficiency": None,
        "sigma_generated_pb": None,
        "composition": list(sample_parts.FULL_SM),
    }


def write_templates(zoo: Path = paths.ZOO, events_dir: Path = paths.EVENTS) -> Path:
    """zoo/templates/templates.json: each sample's test-part histogram and selection facts.

    The runtime draws its pseudo-experiments (p-values, the score expected under signal) from
    these counts. They come from the test part of each pool, the events no model trained or
    stopped on, so a calibration never reuses what a network has seen. The SM is stitched from
    its two generations like the training pools; its counts are then sums of weights in units
    of an `sm` event, and `event_weight` gives each bin's weight of one event (for the
    pseudo-count the runtime adds).
    """
    from dmzoo_training import samples as sample_parts
    from dmzoo_training.benchmarks import PHYSICS_SAMPLES

    found = {}
    for name in PHYSICS_SAMPLES:
        if not (events_dir / name / "sample.json").is_file():
            continue
        test = sample_parts.split_parts(name, events_dir)["test"]
        counts = binning.fill(test["jet_pt"], test["jet_eta"], test["weight"])
        summary = json.loads((events_dir / name / "sample.json").read_text())
        # From the rounds read, not the summary: a sample still growing has rounds on disk
        # that its summary (written when a generation run ends) does not count yet.
        rounds = storage.read_records(events_dir / name)
        n_generated = sum(r["n_generated"] for r in rounds)
        n_selected = sum(r["n_selected"] for r in rounds)
        units = sample_parts.unit_weights(name, events_dir)
        exact = counts.astype(int).tolist() if units is None else np.round(counts, 6).tolist()
        entry = {
            "counts": exact,
            "n_events": len(test["jet_pt"]),
            "part": "test",
            "selection_efficiency": n_selected / n_generated,
            "sigma_generated_pb": summary.get("sigma_generated_pb"),
            "n_generated": n_generated,
        }
        if units is not None:
            entry["event_weight"] = np.round(units, 9).tolist()
        found[name] = entry
    if (full := _full_sm_entry(events_dir)) is not None:
        found["sm_full"] = full
    samples = found
    out = zoo / "templates" / "templates.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "zoo_version": ZOO_VERSION,
        "binning": json.loads(binning.binning_json()),
        "samples": samples,
    }
    storage.atomic_write_text(out, json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")
    return out
