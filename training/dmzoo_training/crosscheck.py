"""Classifiers asked the wrong question: the paper's sections 4.2 and 4.3.

- Wrong S/sqrt(B) (Figure 11): the binary network trained at one grid point, tested on the test
  histograms of every other grid point, against the network trained there.
- Wrong model (section 4.3): the binary network of one benchmark tested on another benchmark's
  test histograms at the same S/sqrt(B), against that benchmark's own network.
- Parametric against grid: each parametric network at grid points and between them beside the
  grid network a user would otherwise get, and (Figure 11 again) told the wrong S/sqrt(B).

All reuse the test sets the trainings were measured on (same seeds), so the matched entry of
each comparison is exactly the zoo's table value, and they need no training: only the stored
networks (the chosen repeat of each id, best validation AUC, as exported).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from dmzoo.registry import nearest_snr
from dmzoo_training import classifiers, evaluate, histograms, paths
from dmzoo_training.grid import RUNS, chosen
from dmzoo_training.train import TrainConfig, load_pools
from dmzoo_training.zoo_build import collect

log = logging.getLogger(__name__)

VERSUS = classifiers.VERSUS  # the paper's four models for these comparisons


MULTIMODEL = "multimodel"  # the benchmark key of the multimodel binary networks below


def chosen_models(runs: Path = RUNS) -> dict[tuple[str, float], Path]:
    """(benchmark, snr) -> the stored Keras file of every binary network in the runs.

    The multimodel binary networks are there too, under the benchmark key `MULTIMODEL`.
    """
    out = {}
    for results in collect(runs).values():
        kind = results[0].get("kind", "binary")
        if kind not in ("binary", "multimodel_binary"):
            continue
        best = chosen(results)
        key = best["benchmark"] if kind == "binary" else MULTIMODEL
        out[(key, best["snr"])] = Path(best["_dir"]) / "model.keras"
    return out


class _Models:
    """Keras networks loaded once each."""

    def __init__(self, files: dict[tuple[str, float], Path]):
        self.files = files
        self.loaded = {}

    def predict(self, key, x):
        import keras

        import dmzoo_training.model  # noqa: F401  registers the custom layers

        if key not in self.loaded:
            self.loaded[key] = keras.saving.load_model(self.files[key])
        return self.loaded[key].predict(x, batch_size=4096, verbose=0).ravel()


def wrong_snr(
    benchmarks=None,
    runs: Path = RUNS,
    events_dir: Path = paths.EVENTS,
    config: TrainConfig | None = None,
) -> list[dict]:
    """Every trained grid point of each benchmark tested at every other grid point."""
    config = config or TrainConfig()
    files = chosen_models(runs)
    models = _Models(files)
    rows = []
    names = sorted({b for b, _ in files} - {MULTIMODEL} if benchmarks is None else set(benchmarks))
    for bench in names:
        snrs = sorted(s for b, s in files if b == bench)
        pools = load_pools(bench, events_dir)
        for snr_test in snrs:
            x, y = evaluate.held_out(
                pools, classifiers.binary(bench), snr_test, config.b, config.n_test
            )
            matched = histograms.auc(models.predict((bench, snr_test), x), y)
            for snr_train in snrs:
                auc = histograms.auc(models.predict((bench, snr_train), x), y)
                rows.append(
                    {
                        "benchmark": bench,
                        "snr_train": snr_train,
                        "snr_test": snr_test,
                        "auc": auc,
                        "auc_matched": matched,
                        "ratio_to_matched": auc / matched,
                    }
                )
        log.info("wrong S/sqrt(B): %s done", bench)
    return rows


def wrong_model(
    models_list=VERSUS,
    runs: Path = RUNS,
    events_dir: Path = paths.EVENTS,
    config: TrainConfig | None = None,
) -> list[dict]:
    """Each benchmark's network tested on each other benchmark's histograms, grid point by point."""
    config = config or TrainConfig()
    files = chosen_models(runs)
    models = _Models(files)
    present = [m for m in models_list if any(b == m for b, _ in files)]
    pools = load_pools(present, events_dir)
    rows = []
    for tested in present:
        for snr in sorted(s for b, s in files if b == tested):
            x, y = evaluate.held_out(
                pools, classifiers.binary(tested), snr, config.b, config.n_test
            )
            matched = histograms.auc(models.predict((tested, snr), x), y)
            for trained in present:
                if (trained, snr) not in files:
                    continue
                auc = histograms.auc(models.predict((trained, snr), x), y)
                rows.append(
                    {
                        "trained_on": trained,
                        "tested_on": tested,
                        "snr": snr,
                        "auc": auc,
                        "auc_matched": matched,
                        "ratio_to_matched": auc / matched,
                    }
                )
    return rows


def parametric_vs_grid(
    runs: Path = RUNS, events_dir: Path = paths.EVENTS, config: TrainConfig | None = None
) -> list[dict]:
    """Each parametric network's AUC at every point beside the nearest grid network's.

    The parametric AUC is the mean over its trainings; the grid network is the one the runtime
    would pick (nearest in log S/sqrt(B)) and sees the same test histograms.
    """
    config = config or TrainConfig()
    files = chosen_models(runs)
    models = _Models(files)
    rows = []
    for model_id, results in sorted(collect(runs).items()):
        if results[0].get("kind") != "parametric":
            continue
        points: dict[tuple[str, float], list[dict]] = {}
        for r in results:
            for p in r["points"]:
                points.setdefault((p["benchmark"], p["snr"]), []).append(p)
        pools = None
        # The grid a user would otherwise get: the benchmark's own binary networks, or for
        # the multimodel parametric network the multimodel binary ones.
        multimodel = results[0].get("benchmark") is None
        for (bench, snr), found in sorted(points.items()):
            key = MULTIMODEL if multimodel else bench
            grid = sorted(s for b, s in files if b == key)
            auc_grid = snr_grid = None
            if grid:
                pools = (
                    pools
                    if pools is not None
                    else load_pools(sorted({b for b, _ in points}), events_dir)
                )
                snr_grid = nearest_snr(grid, snr)
                x, y = evaluate.held_out(
                    pools, classifiers.binary(bench), snr, config.b, config.n_test
                )
                auc_grid = histograms.auc(models.predict((key, snr_grid), x), y)
            aucs = [p["auc"] for p in found]
            rows.append(
                {
                    "model": model_id,
                    "benchmark": bench,
                    "snr": snr,
                    "auc": float(np.mean(aucs)),
                    "auc_std": float(np.std(aucs, ddof=1)) if len(aucs) > 1 else 0.0,
                    "auc_error": evaluate.auc_error(
                        float(np.mean(aucs)), config.n_test, config.n_test
                    ),
                    "n_trainings": len(aucs),
                    "auc_optimal": float(np.mean([p["auc_optimal"] for p in found])),
                    "auc_grid": auc_grid,
                    "snr_grid": snr_grid,
                }
            )
    return rows


def parametric_wrong_snr(
    runs: Path = RUNS, events_dir: Path = paths.EVENTS, config: TrainConfig | None = None
) -> list[dict]:
    """Figure 11 for the parametric networks: told one S/sqrt(B), tested at another.

    Each benchmark's parametric network (the chosen training) is given every grid value as its
    `snr` input on the test histograms of every grid point; beside each, the grid network
    trained at the stated value on the same histograms (`auc_grid`, the wrong-S/sqrt(B) entry
    of the grid) and both networks told the truth (`auc_matched`, `auc_grid_matched`).
    """
    import keras

    import dmzoo_training.model  # noqa: F401  registers the custom layers

    config = config or TrainConfig()
    files = chosen_models(runs)
    models = _Models(files)
    rows = []
    for model_id, results in sorted(collect(runs).items()):
        first = results[0]
        if first.get("kind") != "parametric" or first.get("benchmark") is None:
            continue
        bench = first["benchmark"]
        best = chosen(results)
        net = keras.saving.load_model(Path(best["_dir"]) / "model.keras")
        pools = load_pools(bench, events_dir)
        grid = sorted(s for b, s in files if b == bench)

        def told(x, snr, net=net):
            stated = np.full((len(x), 1), snr, dtype=np.float32)
            return net.predict([x, stated], batch_size=4096, verbose=0).ravel()

        for snr_test in grid:
            x, y = evaluate.held_out(
                pools, classifiers.binary(bench), snr_test, config.b, config.n_test
            )
            matched = histograms.auc(told(x, snr_test), y)
            grid_matched = histograms.auc(models.predict((bench, snr_test), x), y)
            for snr_stated in grid:
                auc = histograms.auc(told(x, snr_stated), y)
                auc_grid = histograms.auc(models.predict((bench, snr_stated), x), y)
                rows.append(
                    {
                        "benchmark": bench,
                        "snr_stated": snr_stated,
                        "snr_test": snr_test,
                        "auc": auc,
                        "auc_matched": matched,
                        "ratio_to_matched": auc / matched,
                        "auc_grid": auc_grid,
                        "auc_grid_matched": grid_matched,
                        "ratio_grid_to_matched": auc_grid / grid_matched,
                        "model": model_id,
                    }
                )
        log.info("parametric told the wrong S/sqrt(B): %s done", bench)
    return rows
