"""Chunked, seeded, resumable event generation over the machine's cores.

A sample grows in rounds. Each round is a fixed number of generated events split into tasks
(slices of a direct sample, or the mass cells of a mixture, sized by their weights); each task
has its own seed, so a round is the same whatever the number of workers or interruptions.
Finished tasks wait in `pending/` until their round is complete; the round is then merged into one
ROOT file under `data/events/<sample>/` and never regenerated. Rerunning the command skips
finished rounds and tasks, so it resumes where it stopped and changes nothing that exists.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dmzoo_training import mixture, pythia_run, storage
from dmzoo_training.benchmarks import ALL_SAMPLES as SAMPLES
from dmzoo_training.benchmarks import Sample

log = logging.getLogger(__name__)

SLICE_EVENTS = 50_000  # generated events per task of a direct sample
ROUND_EVENTS = {"sm": 500_000, "sm_tail": 500_000}  # generated per round; others the default
DEFAULT_ROUND_EVENTS = 250_000
PT_SELECT = (130.0, 2000.0)  # the paper's selection, closed ranges
ETA_SELECT = 4.0


@dataclass(frozen=True)
class Task:
    sample: str
    round: int
    index: int
    n_events: int
    seed: int
    mass: float  # 0 for direct samples

    @property
    def name(self) -> str:
        return f"round-{self.round:03d}-task-{self.index:03d}"


def select(pt: np.ndarray, eta: np.ndarray, pt_min: float = PT_SELECT[0]) -> np.ndarray:
    return (pt >= pt_min) & (pt <= PT_SELECT[1]) & (np.abs(eta) <= ETA_SELECT)


def task_settings(sample: Sample, task: Task) -> list[str]:
    if not sample.is_mixture:
        return [*sample.settings, *sample.extra_settings]
    return mixture.narrow(sample, task.mass, mixture.REL_WIDTH)


def run_task(args: tuple[Task, str]) -> tuple[Task, int]:
    """Generate one task and keep its selected events in the work folder."""
    task, work = args
    out = Path(work) / f"{task.name}.npz"
    if out.exists():
        return task, task.n_events
    sample = SAMPLES[task.sample]
    got = pythia_run.generate_jets(
        task_settings(sample, task), task.seed, task.n_events, monojet=sample.monojet
    )
    keep = select(got["pt"], got["eta"], sample.pt_min)
    extra = {}
    if sample.monojet:
        vetoed = keep & (got["n_leptons"] > 0)
        keep &= ~vetoed
        extra = {b: got[b][keep] for b in storage.MONOJET_BRANCHES}
        extra["n_vetoed"] = np.int64(vetoed.sum())
    tmp = out.with_name(f".{out.name}.tmp.npz")
    np.savez(
        tmp,
        jet_pt=got["pt"][keep],
        jet_eta=got["eta"][keep],
        jet_phi=got["phi"][keep],
        sigma_pb=got["sigma_pb"],
        sigma_err_pb=got["sigma_err_pb"],
        n_failed=got["n_failed"],
        **extra,
    )
    os.replace(tmp, out)
    return task, task.n_events


def plan_round(sample: Sample, r: int, scan: dict | None) -> list[Task]:
    n_round = ROUND_EVENTS.get(sample.name, DEFAULT_ROUND_EVENTS)
    if scan is None:
        n_slices = math.ceil(n_round / SLICE_EVENTS)
        return [
            Task(sample.name, r, i, SLICE_EVENTS, pythia_run.seed_for(sample.name, r, i), 0.0)
            for i in range(n_slices)
        ]
    counts = mixture.allocate(np.array([c["fraction"] for c in scan["cells"]]), n_round)
    return [
        Task(sample.name, r, i, int(n), pythia_run.seed_for(sample.name, r, i), c["m"])
        for i, (n, c) in enumerate(zip(counts, scan["cells"], strict=False))
        if n > 0
    ]


def merge_round(sample: Sample, tasks: list[Task], work: Path, out_dir: Path) -> dict:
    """Concatenate a round's tasks in task order and write the round file."""
    arrays: dict[str, list[np.ndarray]] = {}
    records = []
    for t in tasks:
        with np.load(work / f"{t.name}.npz") as z:
            n_sel = len(z["jet_pt"])
            for b in ("jet_pt", "jet_eta", "jet_phi", *storage.MONOJET_BRANCHES):
                if b in z:
                    arrays.setdefault(b, []).append(z[b])
            if sample.is_mixture:
                arrays.setdefault("m_pair", []).append(np.full(n_sel, t.mass, np.float32))
            task_record = {
                "index": t.index,
                "seed": t.seed,
                "mass": t.mass,
                "n_generated": t.n_events,
                "n_selected": n_sel,
                "n_failed": int(z["n_failed"]),
                "sigma_pb": float(z["sigma_pb"]),
                "sigma_err_pb": float(z["sigma_err_pb"]),
            }
            if "n_vetoed" in z:
                task_record["n_lepton_vetoed"] = int(z["n_vetoed"])
            records.append(task_record)
    merged = {b: np.concatenate(v) for b, v in arrays.items()}
    record = {
        "sample": sample.name,
        "round": tasks[0].round,
        "generator": f"pythia8mc {pythia_run.generator_version()}",
        "settings": [*pythia_run.COMMON_SETTINGS, *task_settings(sample, tasks[0])],
        "selection": _selection_record(sample),
        "n_generated": sum(r["n_generated"] for r in records),
        "n_selected": sum(r["n_selected"] for r in records),
        "tasks": records,
    }
    if sample.is_mixture:
        record["settings_note"] = "mediator mass and width set per task; see tasks[].mass"
    path = out_dir / f"round-{tasks[0].round:03d}.root"
    storage.write_round(path, merged, record)
    for t in tasks:
        (work / f"{t.name}.npz").unlink()
    return record


def _selection_record(sample: Sample) -> dict:
    out = {"pt_gev": (sample.pt_min, PT_SELECT[1]), "abs_eta_max": ETA_SELECT}
    if sample.monojet:
        out["lepton_veto"] = {
            "what": "isolated electron or muon (not from a hadron decay), generator level",
            "pt_min_gev": pythia_run.LEPTON_PT_MIN,
            "abs_eta_max": pythia_run.LEPTON_ETA_MAX,
        }
    return out


def load_scan(sample: Sample, out_dir: Path) -> dict | None:
    """The mixture's cross-section scan, computed once and kept beside the events."""
    if not sample.is_mixture:
        return None
    path = out_dir / "scan.json"
    if path.exists():
        return json.loads(path.read_text())
    log.info("%s: scanning %d mass cells", sample.name, len(sample.mass_edges()) - 1)
    scan = mixture.scan(sample)
    storage.atomic_write_text(path, mixture.dumps(scan))
    return scan


def generate(
    name: str, target: int, data_dir: Path, work_dir: Path, workers: int, progress: bool = True
) -> dict:
    """Grow sample `name` to at least `target` selected events; return its summary."""
    from tqdm import tqdm

    sample = SAMPLES[name]
    out_dir = data_dir / name
    work = work_dir / name
    out_dir.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    scan = load_scan(sample, out_dir)
    done = storage.read_records(out_dir)
    n_sel = sum(r["n_selected"] for r in done)
    n_gen = sum(r["n_generated"] for r in done)
    next_round = len(done)
    started = time.time()
    generated_now = 0
    while n_sel < target:
        eff = n_sel / n_gen if n_gen else None
        n_round = ROUND_EVENTS.get(name, DEFAULT_ROUND_EVENTS)
        n_rounds = 1 if eff is None else max(1, math.ceil((target - n_sel) / (eff * n_round)))
        rounds = {r: plan_round(sample, r, scan) for r in range(next_round, next_round + n_rounds)}
        tasks = [t for ts in rounds.values() for t in ts]
        remaining = {r: {t.index for t in ts} for r, ts in rounds.items()}
        bar = tqdm(
            total=sum(t.n_events for t in tasks),
            desc=f"{name} rounds {next_round}-{next_round + n_rounds - 1}",
            unit="ev",
            disable=not progress,
            smoothing=0.05,
        )
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for task, n in pool.imap_unordered(run_task, [(t, str(work)) for t in tasks]):
                bar.update(n)
                generated_now += n
                remaining[task.round].discard(task.index)
                # Rounds are merged in order so the files grow in the same order on every run.
                while rounds and not remaining[min(rounds)]:
                    r = min(rounds)
                    rec = merge_round(sample, rounds.pop(r), work, out_dir)
                    n_sel += rec["n_selected"]
                    n_gen += rec["n_generated"]
                    log.info(
                        "%s round %d: %d selected of %d",
                        name,
                        r,
                        rec["n_selected"],
                        rec["n_generated"],
                    )
        bar.close()
        next_round += n_rounds
    elapsed = time.time() - started
    summary = summarize(sample, out_dir, scan)
    if generated_now:
        summary["last_run"] = {
            "generated": generated_now,
            "seconds": round(elapsed, 1),
            "events_per_second": round(generated_now / elapsed, 1),
            "workers": workers,
        }
    storage.atomic_write_text(
        out_dir / "sample.json", json.dumps(summary, indent=1, sort_keys=True)
    )
    return summary


def summarize(sample: Sample, out_dir: Path, scan: dict | None) -> dict:
    """Totals over rounds: sizes, selection efficiency and the generator's cross section."""
    records = storage.read_records(out_dir)
    n_gen = sum(r["n_generated"] for r in records)
    n_sel = sum(r["n_selected"] for r in records)
    if scan is None:
        tasks = [t for r in records for t in r["tasks"]]
        sigma = float(
            np.average([t["sigma_pb"] for t in tasks], weights=[t["n_generated"] for t in tasks])
        )
    else:
        sigma = scan["sigma_total_pb"]
    vetoed = sum(t.get("n_lepton_vetoed", 0) for r in records for t in r["tasks"])
    return {
        "sample": sample.name,
        "generator": records[0]["generator"] if records else None,
        "n_rounds": len(records),
        "n_generated": n_gen,
        "n_selected": n_sel,
        "selection_efficiency": n_sel / n_gen if n_gen else None,
        "sigma_generated_pb": sigma,
        "sigma_selected_pb": sigma * n_sel / n_gen if n_gen else None,
        "sigma_warning": "Pythia's absolute signal rates here are not trustworthy (couplings 1, LO, "
        "heavy-top kinematics); the method uses shapes only, bring your own cross section",
        "m_med_gev": sample.m_med if sample.is_mixture else None,
        "m_dm_gev": sample.m_dm if sample.is_mixture else None,
        "spin": sample.spin,
        "sqrt_s_gev": sample.e_cm,
        **({"n_lepton_vetoed": vetoed} if sample.monojet else {}),
    }
