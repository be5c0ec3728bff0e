"""`dmzoo-train`: one command per stage of building the zoo."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from dmzoo_training import paths

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ banner is not our log

log = logging.getLogger("dmzoo_training")

# Selected events per sample: the SM pool of the paper's size, its tail sample, and 500k for
# every benchmark.
DEFAULT_TARGETS = {"sm": 1_500_000, "sm_tail": 200_000}
DEFAULT_TARGET = 500_000


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s: %(message)s")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Build the dmzoo model zoo: generate, train, export, tables."""
    _setup_logging(verbose)


@main.command()
@click.option("--sample", "samples", multiple=True, help="Sample name (repeatable); default all.")
@click.option("--target", type=int, default=None, help="Selected events wanted per sample.")
@click.option("--workers", type=int, default=os.cpu_count() or 1, show_default=True)
@click.option(
    "--data-dir", type=click.Path(path_type=Path), default=paths.EVENTS, show_default=True
)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def generate(samples, target, workers, data_dir, no_progress) -> None:
    """Generate (or extend) event samples; resumable, finished rounds are kept."""
    from dmzoo_training.benchmarks import ALL_SAMPLES, SAMPLES
    from dmzoo_training.generate import generate as run

    names = samples or tuple(SAMPLES)  # the zoo's; the 13 TeV and background ones by name
    unknown = [n for n in names if n not in ALL_SAMPLES]
    if unknown:
        raise click.BadParameter(
            f"unknown sample {unknown[0]!r}; choose from {', '.join(ALL_SAMPLES)}",
            param_hint="--sample",
        )
    for name in names:
        want = target or DEFAULT_TARGETS.get(name, DEFAULT_TARGET)
        summary = run(name, want, data_dir, paths.WORK, workers, progress=not no_progress)
        click.echo(json.dumps(summary, sort_keys=True))


KINDS = ("binary", "multimodel_binary", "multiclass", "model_vs_model", "parametric")


def chosen_specs(kinds, benchmarks):
    """The classifier specs a `train` call asks for."""
    from dmzoo_training import classifiers

    specs = []
    for kind in kinds:
        if kind == "binary":
            specs += [classifiers.binary(b) for b in benchmarks or classifiers.BENCHMARKS]
        elif kind == "multimodel_binary":
            specs.append(classifiers.multimodel_binary())
        elif kind == "multiclass":
            specs.append(classifiers.multiclass())
        elif kind == "parametric":
            names = benchmarks or classifiers.BENCHMARKS
            specs += [classifiers.parametric(b) for b in names] + [classifiers.parametric(None)]
        else:
            specs += classifiers.all_model_vs_model()
    return specs


@main.command()
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(KINDS),
    default=("binary",),
    show_default=True,
    help="Classifier kinds (repeatable).",
)
@click.option(
    "--benchmark", "benchmarks", multiple=True, help="Binary benchmarks (repeatable); default all."
)
@click.option(
    "--snr", "snrs", type=float, multiple=True, help="S/sqrt(B) values; default the grid."
)
@click.option(
    "--repeats",
    type=int,
    default=None,
    help="Trainings each; default 2, topped up to 5 where 0.55 <= AUC <= 0.95.",
)
@click.option("--workers", type=int, default=os.cpu_count() or 1, show_default=True)
@click.option("--scheduler", default=None, help="Dask scheduler address; default a LocalCluster.")
@click.option("--max-epochs", type=int, default=None, help="Override the epoch limit.")
@click.option("--no-progress", is_flag=True)
def train(kinds, benchmarks, snrs, repeats, workers, scheduler, max_epochs, no_progress) -> None:
    """Train classifiers over the S/sqrt(B) grid on Dask (resumable: finished runs are kept)."""
    import dataclasses

    from dmzoo_training.grid import SNR_GRID, train_grid
    from dmzoo_training.train import TrainConfig

    config = TrainConfig()
    if max_epochs:
        config = dataclasses.replace(config, max_epochs=max_epochs)
    results = train_grid(
        chosen_specs(kinds, benchmarks),
        snrs or SNR_GRID,
        config,
        repeats=repeats,
        scheduler=scheduler,
        workers=workers,
        progress=not no_progress,
    )
    for r in results:
        limit = f"{r['auc_optimal']:.4f}" if r.get("auc_optimal") else "n/a"
        click.echo(
            f"{r['id']} repeat {r['repeat']}: AUC {r['auc']:.4f} (likelihood-ratio limit "
            f"{limit}), {r['epochs']} epochs, {r['seconds']:.0f} s"
        )


VALIDATIONS = (
    "distributions",
    "top-loop",
    "closure",
    "one-mass",
    "mpi",
    "threshold",
    "threshold-tail",
    "limit-optimism",
)


@main.command()
@click.option(
    "--what",
    "whats",
    multiple=True,
    type=click.Choice([*VALIDATIONS, "all"]),
    default=("distributions",),
    show_default=True,
)
def validate(whats) -> None:
    """Validation plots and numbers (training/validation/*.json, zoo/figures/*.png)."""
    from dmzoo_training import validate as v

    chosen = VALIDATIONS if "all" in whats else whats
    for what in chosen:
        if what == "distributions":
            samples = v.load_all()
            v.plot_distributions(samples, paths.ZOO / "figures" / "distributions_pt_eta.png")
            path = v.write("sample_facts", v.facts(samples))
        elif what == "top-loop":
            path = v.write("spin0_top_loop", v.top_loop())
        elif what == "closure":
            path = v.write("mixture_closure", v.mixture_closure())
        elif what == "one-mass":
            path = v.write("one_mass_per_regime", v.one_mass())
        elif what == "threshold":
            path = v.write("generation_threshold", v.threshold_bias())
        elif what == "threshold-tail":
            path = v.write("generation_threshold_tail", v.tail_threshold_bias())
        elif what == "limit-optimism":
            path = v.write("limit_optimism", v.limit_optimism())
        else:
            path = v.write("mpi_effect", v.mpi_effect())
        click.echo(f"{what}: {path}")


EVALUATIONS = ("wrong-snr", "wrong-model", "parametric", "parametric-wrong-snr", "binning")
ROBUSTNESS = {
    "full-sm": "auc_full_sm",
    "energy": "auc_energy",
    "detector": "auc_detector",
    "scales": "auc_scales",
}


@main.command()
@click.option(
    "--what",
    "whats",
    multiple=True,
    type=click.Choice([*EVALUATIONS, *ROBUSTNESS]),
    default=EVALUATIONS,
    show_default=True,
)
def evaluate(whats) -> None:
    """Networks on the wrong S/sqrt(B) and the wrong model; parametric against grid (zoo/tables).

    Writes auc_wrong_snr, auc_wrong_model, auc_parametric (the benchmarks' parametric networks),
    auc_parametric_multimodel, auc_parametric_wrong_snr and auc_binning (appendix D: bins,
    log pT, lower pT edge), each as .csv and .json. By name only, the shipped parametric
    networks in other worlds: full-sm (Z + W + ttbar as the SM), energy (13 TeV histograms),
    detector (jet energy scale and resolution shifts) and scales (the generator's
    renormalisation and factorisation scales): auc_full_sm, auc_energy, auc_detector,
    auc_scales, written when their samples exist.
    """
    from dmzoo_training import crosscheck, plots
    from dmzoo_training.zoo_build import refresh_manifest, write_table

    if "wrong-snr" in whats:
        rows = crosscheck.wrong_snr()
        first = ("benchmark", "snr_train", "snr_test", "auc")
        click.echo(str(write_table(paths.ZOO, "auc_wrong_snr", rows, first)))
    if "wrong-model" in whats:
        rows = crosscheck.wrong_model()
        first = ("trained_on", "tested_on", "snr", "auc")
        click.echo(str(write_table(paths.ZOO, "auc_wrong_model", rows, first)))
    if "parametric" in whats and (rows := crosscheck.parametric_vs_grid()):
        first = ("benchmark", "snr", "auc", "auc_grid", "auc_optimal")
        # One table per runtime lookup: the benchmarks' own networks, and the multimodel one.
        for name, keep in (
            ("auc_parametric", lambda r: r["model"] != "parametric"),
            ("auc_parametric_multimodel", lambda r: r["model"] == "parametric"),
        ):
            if chosen := [r for r in rows if keep(r)]:
                click.echo(str(write_table(paths.ZOO, name, chosen, first)))
    if "parametric-wrong-snr" in whats and (rows := crosscheck.parametric_wrong_snr()):
        first = ("benchmark", "snr_stated", "snr_test", "auc", "auc_grid")
        click.echo(str(write_table(paths.ZOO, "auc_parametric_wrong_snr", rows, first)))
    if "binning" in whats:
        from dmzoo_training import binning_study

        click.echo(str(binning_study.write()))
    for what in (w for w in whats if w in ROBUSTNESS):
        from dmzoo_training import robustness

        if rows := robustness.study_rows(what):
            first = ("study", "benchmark", "snr", "auc", "auc_nominal")
            click.echo(str(write_table(paths.ZOO, ROBUSTNESS[what], rows, first)))
        else:
            click.echo(f"{what}: its samples are not generated yet; nothing written", err=True)
    for path in plots.figures():
        click.echo(str(path))
    refresh_manifest(paths.ZOO)


@main.command()
@click.option(
    "--what",
    "whats",
    multiple=True,
    type=click.Choice(["b-stability", "cnn-vs-dnn", "event-level"]),
    default=("b-stability", "cnn-vs-dnn", "event-level"),
    show_default=True,
)
@click.option("--benchmark", "benchmarks", multiple=True, help="Default: the paper's four.")
@click.option("--snr", "snrs", multiple=True, type=float, help="Default: 0.22 0.45 1 2.2 4.5 10.")
@click.option("--workers", type=int, default=os.cpu_count() or 1, show_default=True)
@click.option("--scheduler", default=None, help="Dask scheduler address; default a LocalCluster.")
@click.option("--no-progress", is_flag=True)
def compare(whats, benchmarks, snrs, workers, scheduler, no_progress) -> None:
    """Networks trained for the paper's comparisons: B stability, CNN vs DNN, event by event.

    Resumable: trainings go to training/comparisons/<study>/ and finished ones are kept.
    """
    from dmzoo_training import comparisons, plots
    from dmzoo_training.zoo_build import refresh_manifest

    kwargs = {"workers": workers, "scheduler": scheduler, "progress": not no_progress}
    if benchmarks:
        kwargs["benchmarks"] = benchmarks
    if snrs:
        kwargs["snrs"] = snrs
    for what in whats:
        click.echo(str(comparisons.write(what, **kwargs)))
    for path in plots.figures():
        click.echo(str(path))
    refresh_manifest(paths.ZOO)


@main.command(name="export")
def export_cmd() -> None:
    """Export every trained model to zoo/models as ONNX and rewrite zoo/manifest.json."""
    from dmzoo_training.zoo_build import export_all

    manifest = export_all()
    click.echo(f"exported {len(manifest['models'])} models to {paths.ZOO}")


@main.command()
def card() -> None:
    """Write MODEL_CARD.md from the tables and the sample records."""
    from dmzoo_training.card import write_card

    click.echo(str(write_card()))


@main.command()
def examples() -> None:
    """Write the two example inputs of zoo/examples/ from the test pools."""
    from dmzoo_training.examples import write_examples
    from dmzoo_training.zoo_build import refresh_manifest

    for path in write_examples():
        click.echo(str(path))
    refresh_manifest(paths.ZOO)


@main.command()
def tables() -> None:
    """Write every AUC table (zoo/tables/*.csv, .json) from the trainings, and the figures."""
    from dmzoo_training.plots import figures
    from dmzoo_training.zoo_build import refresh_manifest, write_tables

    for path in write_tables():
        click.echo(str(path))
    for path in figures():
        click.echo(str(path))
    refresh_manifest(paths.ZOO)


@main.command()
def templates() -> None:
    """Write zoo/templates/templates.json (test-part histograms the runtime calibrates with)."""
    from dmzoo_training.zoo_build import refresh_manifest, write_templates

    click.echo(str(write_templates()))
    refresh_manifest(paths.ZOO)


@main.command(name="all")
@click.option("--workers", type=int, default=os.cpu_count() or 1, show_default=True)
@click.option("--scheduler", default=None, help="Dask scheduler address for the trainings.")
@click.pass_context
def run_all(ctx, workers, scheduler) -> None:
    """Every stage in order: generate, train, evaluate, export, templates, tables, card.

    Each stage is resumable and skips what it finds done (finished rounds and trainings), so
    rerunning after an interruption continues where it stopped.
    """
    ctx.invoke(generate, workers=workers)
    ctx.invoke(train, kinds=KINDS, workers=workers, scheduler=scheduler)
    ctx.invoke(evaluate)
    ctx.invoke(export_cmd)
    ctx.invoke(templates)
    ctx.invoke(tables)
    ctx.invoke(card)


@main.command()
@click.option(
    "--repo", required=True, help="Hub repository id, e.g. dmzoo/monojet-histogram-classifiers."
)
@click.option("--revision", default=None, help="Tag for the release [default: v<zoo_version>].")
@click.option("--private", is_flag=True, help="Create the repository private.")
@click.option(
    "--zoo", "zoo_dir", type=click.Path(path_type=Path), default=paths.ZOO, show_default=True
)
def publish(repo, revision, private, zoo_dir) -> None:
    """Upload zoo/ (what its manifest lists) with MODEL_CARD.md as README.md, and tag it.

    The hub's address and token come from huggingface_hub's environment (HF_ENDPOINT,
    HF_TOKEN or `hf auth login`).
    """
    from huggingface_hub.errors import HfHubHTTPError

    from dmzoo import constants
    from dmzoo.errors import DmzooError
    from dmzoo_training.publish import publish as run

    try:
        done = run(zoo_dir, repo, tag=revision, private=private, endpoint=constants.hf_endpoint())
    except (DmzooError, HfHubHTTPError, ValueError) as err:
        raise click.ClickException(" ".join(str(err).split())) from None
    click.echo(json.dumps(done, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
