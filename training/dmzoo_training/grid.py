"""The training grid as independent tasks on Dask.

Every (classifier, S/sqrt(B), repeat) is one task with its own seed, so the results are the
same whatever runs them: a `LocalCluster` over this machine's cores by default, or the cluster
behind a scheduler address. A task whose run folder holds a result of the same settings is
skipped, so an interrupted grid resumes where it stopped; a result of other settings is trained
again.

Repeats follow the zoo's rule: two trainings everywhere, topped up to five where the mean test
AUC of the first two lies in [0.55, 0.95], where the spread matters most.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from dmzoo_training import classifiers, paths, storage
from dmzoo_training.classifiers import SNR_GRID, Spec
from dmzoo_training.train import TrainConfig, load_pools, train_one, train_parametric

log = logging.getLogger(__name__)

RUNS = paths.TRAINING / "runs"
MIN_REPEATS = 2
FULL_REPEATS = 5
SPREAD_RANGE = (0.55, 0.95)  # AUCs where the zoo wants FULL_REPEATS trainings
# The kinds whose AUCs the tables compare point by point, so they get the same uncertainty:
# the benchmark's own network and the multimodel one set beside it. The multiclass and
# model-vs-model networks keep MIN_REPEATS (their top-up would cost as much again as the
# rest of the zoo on 2 cores); their tables' n_trainings and auc_std say so.
TOP_UP_KINDS = ("binary", "multimodel_binary")


@dataclass(frozen=True)
class Job:
    model_id: str
    snr: float | None  # None for a parametric network, trained over the whole range
    repeat: int


def run_dir(spec: Spec | str, snr: float | None, repeat: int, runs: Path = RUNS) -> Path:
    spec = classifiers.binary(spec) if isinstance(spec, str) else spec
    return runs / spec.model_id(snr) / f"repeat-{repeat}"


def finished(out: Path, config: TrainConfig) -> dict | None:
    """The stored result of a run folder, if it was trained with this configuration."""
    if not (out / "result.json").exists():
        return None
    result = json.loads((out / "result.json").read_text())
    if not ((out / "model.keras").exists() or result.get("model_pruned")):
        return None
    if not same_settings(result.get("config"), config):
        log.info("%s was trained with other settings: training again", out)
        return None
    return result


def settings(config: TrainConfig) -> dict:
    """A configuration as stored in results: through JSON, so tuples and lists compare equal."""
    return json.loads(json.dumps(asdict(config)))


# What a stored configuration that lacks a setting was trained with: the behaviour before the
# setting existed, which is not always today's default (the likelihood-ratio start used the
# training part's templates until `likelihood_templates` made "smoothed" the default).
ABSENT_MEANS = {"likelihood_templates": "train", "arch": {"layers": "dense"}}


def same_settings(stored: dict | None, config: TrainConfig) -> bool:
    """Whether a stored configuration is this one.

    A setting the stored one lacks counts as `ABSENT_MEANS` says, so adding a field to
    `TrainConfig` (or `Architecture`) retrains nothing that the field does not change.
    """
    if stored is None:
        return False
    return with_defaults(stored, ABSENT_MEANS) == settings(config)


def with_defaults(stored: dict, absent: dict) -> dict:
    """The stored configuration with the settings it lacks filled in from `absent`."""
    out = dict(stored)
    for key, value in absent.items():
        if key not in out:
            out[key] = value
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = with_defaults(out[key], value)
    return out


_POOLS: dict[tuple[str, ...], object] = {}  # per worker process: loaded once, used by many jobs


def train_job(job: Job, config: TrainConfig, events_dir: Path, runs: Path) -> dict:
    """One training (or its stored result); runs on a Dask worker."""
    spec = classifiers.from_id(job.model_id)
    out = run_dir(spec, job.snr, job.repeat, runs)
    done = finished(out, config)
    if done is not None:
        return done
    key = spec.pool_samples
    if key not in _POOLS:
        _POOLS[key] = load_pools([s for s in key if s != "sm"], events_dir)
    if spec.conditioned:
        return train_parametric(_POOLS[key], spec, job.repeat, config, out)
    return train_one(_POOLS[key], spec, job.snr, job.repeat, config, out)


@contextmanager
def client(scheduler: str | None, workers: int):
    """A Dask client on the given scheduler, or on a LocalCluster of single-threaded workers."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as c:
            yield c
        return
    # One thread per worker: TensorFlow is pinned to one thread per training, and processes
    # keep the trainings' memory and TensorFlow state apart.
    # Loopback only, status pages included, as the runtime's local cluster.
    from dmzoo.distributed import LOCAL_CLUSTER

    settings = {**LOCAL_CLUSTER, "n_workers": workers, "processes": True}
    with LocalCluster(**settings) as cluster, Client(cluster) as c:
        yield c


def run_jobs(
    jobs: list[Job],
    config: TrainConfig,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    events_dir: Path = paths.EVENTS,
    runs: Path = RUNS,
    progress: bool = True,
) -> list[dict]:
    """Run the jobs not yet finished on Dask, with a progress bar; returns every result."""
    from tqdm import tqdm

    results = []
    todo = []
    for job in jobs:
        out = run_dir(classifiers.from_id(job.model_id), job.snr, job.repeat, runs)
        done = finished(out, config)
        if done is None:
            todo.append(job)
        else:
            results.append(done)
    if todo:
        from dask.distributed import as_completed

        with client(scheduler, workers) as c:
            futures = [
                c.submit(train_job, job, config, events_dir, runs, pure=False) for job in todo
            ]
            bar = tqdm(total=len(futures), desc="train", unit="model", disable=not progress)
            for future in as_completed(futures):
                results.append(future.result())
                bar.update()
            bar.close()
    return sorted(results, key=lambda r: (r["id"], r["snr"] or 0.0, r["repeat"]))


def train_grid(
    specs: list[Spec],
    snrs=SNR_GRID,
    config: TrainConfig | None = None,
    *,
    repeats: int | None = None,
    networks: bool = True,
    **kwargs,
) -> list[dict]:
    """Train every spec over the grid: a fixed number of repeats, or the zoo's adaptive rule.

    With `networks`, each point keeps its chosen network (a choice whose network was pruned is
    trained again); without, only results are wanted and every network is deleted.
    """
    config = config or TrainConfig()
    first = repeats or MIN_REPEATS
    jobs = [
        Job(sp.model_id(s), None if sp.conditioned else s, r)
        for sp in specs
        for s in (snrs[:1] if sp.conditioned else snrs)
        for r in range(first)
    ]
    results = run_jobs(jobs, config, **kwargs)
    if repeats is None:
        more = top_ups(results, first)
        results += run_jobs(more, config, **kwargs) if more else []
    ids = {j.model_id for j in jobs}
    runs = kwargs.get("runs", RUNS)
    prune_stale(ids, config, runs)
    if not networks:
        prune_networks(ids, runs)
        return results
    if again := retrain_pruned_choices(ids, runs):
        fresh = run_jobs(again, config, **kwargs)
        keys = {_key(r) for r in fresh}
        results = [r for r in results if _key(r) not in keys] + fresh
    keep_chosen_networks(ids, runs)
    return results


def top_ups(results: list[dict], done: int = MIN_REPEATS) -> list[Job]:
    """The repeats that bring a grid point of a TOP_UP_KINDS network, whose mean AUC lies in
    SPREAD_RANGE, from `done` to FULL_REPEATS trainings."""
    return [
        Job(r["id"], r["snr"], k)
        for r in _means(results)
        if r["snr"] is not None
        and r["kind"] in TOP_UP_KINDS
        and SPREAD_RANGE[0] <= r["auc"] <= SPREAD_RANGE[1]
        for k in range(done, FULL_REPEATS)
    ]


# Validation AUCs closer than this are one network to the validation set's precision (its
# statistical error is some 0.003 at the weakest points): the repeats that stayed at their
# likelihood-ratio start differ by 1e-6.
SAME_VALIDATION = 1e-4


def chosen(results: list[dict]) -> dict:
    """The repeat a model ships and is cross-checked with: the typical one, not the luckiest.

    The best validation AUC picked, at weak points, the one repeat that drifted from its start
    on validation noise and lost test AUC. So: the repeats within SAME_VALIDATION of the median
    validation AUC (the upper median for an even count), and of those the best validation AUC,
    the first of equals in repeat order. Export, the cross-checks and the pruning all take this
    one.
    """
    values = sorted(r["val_auc_best"] for r in results)
    median = values[len(values) // 2]
    typical = [r for r in results if abs(r["val_auc_best"] - median) <= SAME_VALIDATION]
    return max(typical, key=lambda r: r["val_auc_best"])


def keep_chosen_networks(model_ids: set[str], runs: Path = RUNS) -> None:
    """Delete the Keras files of every repeat but the chosen one.

    Only the chosen network is exported and cross-checked; the other repeats count through
    their results. A run's network is 0.3 MB and the zoo's grid has some 500 runs, which the
    repository would otherwise carry. A pruned result says so and still counts as finished.
    """
    for model_id in model_ids:
        paths_, results = _stored(model_id, runs)
        if not results:
            continue
        best = chosen(results)
        for path, result in zip(paths_, results, strict=True):
            if result is not best:
                _prune(path, result)


def prune_networks(model_ids: set[str], runs: Path = RUNS) -> None:
    """Delete every network of these models, keeping the results (which still count as
    finished): the comparisons need their measurements, not their networks."""
    for model_id in model_ids:
        for path, result in zip(*_stored(model_id, runs), strict=True):
            _prune(path, result)


def _prune(path: Path, result: dict) -> None:
    """Delete the network beside a result file and mark the result pruned."""
    network = path.parent / "model.keras"
    if not network.exists():
        return
    result["model_pruned"] = True
    storage.atomic_write_text(path, json.dumps(result, indent=1, sort_keys=True))
    network.unlink()


def retrain_pruned_choices(model_ids: set[str], runs: Path = RUNS) -> list[Job]:
    """The jobs of chosen repeats whose networks were pruned, their results removed to train them
    again.

    The choice depends on all repeats, so a top-up or a change of rule can choose a repeat whose
    network an earlier choice deleted. Its seed comes from its place in the grid, so it trains
    from the same start on the same histograms; TensorFlow's shuffling also depends on what the
    worker process ran before, so a network that moves from its start can come out slightly
    different (within the test set's error).
    """
    jobs = []
    for model_id in sorted(model_ids):
        paths_, results = _stored(model_id, runs)
        if not results:
            continue
        best = chosen(results)
        path = paths_[results.index(best)]
        if not (path.parent / "model.keras").exists():
            log.info("%s: its chosen network was pruned; training it again", path.parent)
            path.unlink()
            jobs.append(Job(model_id, best["snr"], best["repeat"]))
    return jobs


def _key(result: dict) -> tuple:
    return result["id"], result["snr"], result["repeat"]


def _stored(model_id: str, runs: Path) -> tuple[list[Path], list[dict]]:
    """A model's result files in repeat order, and their contents."""
    paths_ = sorted(
        (runs / model_id).glob("repeat-*/result.json"),
        key=lambda p: int(p.parent.name.removeprefix("repeat-")),
    )
    return paths_, [json.loads(p.read_text()) for p in paths_]


def prune_stale(model_ids: set[str], config: TrainConfig, runs: Path = RUNS) -> None:
    """Remove the runs of these models trained with other settings.

    After a change of settings the repeat rule may ask fewer repeats of a point than before;
    the old extra repeats must not be averaged with the new ones at export.
    """
    import shutil

    for model_id in model_ids:
        for path, result in zip(*_stored(model_id, runs), strict=True):
            if not same_settings(result.get("config"), config):
                log.info("removing %s: trained with other settings", path.parent)
                shutil.rmtree(path.parent)


def _means(results: list[dict]) -> list[dict]:
    by_id: dict[str, list[dict]] = {}
    for r in results:
        by_id.setdefault(r["id"], []).append(r)
    return [
        {
            "id": i,
            "kind": rs[0]["kind"],
            "snr": rs[0]["snr"],
            "auc": float(np.mean([r["auc"] for r in rs])),
        }
        for i, rs in by_id.items()
    ]
