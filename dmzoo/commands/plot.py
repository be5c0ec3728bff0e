"""`dmzoo plot`: the paper's figures for an input or for the zoo's tables."""

from __future__ import annotations

from pathlib import Path

import click

from dmzoo.commands import open_zoo, tell, zoo_options
from dmzoo.commands.score import input_options, run_score, scoring_options, selection_from

# The --kind names of auc, snr, reach and tables; the old spellings of this command still work.
KINDS = ("individual", "multimodel", "multiclass")
KIND_ALIASES = {"binary": "individual", "multimodel_binary": "multimodel"}


def output_option(f):
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        required=True,
        help="Image to write (.png, .pdf or .svg).",
    )(f)


@click.group()
def plot() -> None:
    """Draw the histogram, the calibrated score or the AUC curves (needs dmzoo[plot]).

    \b
    Examples:
      dmzoo plot histogram data.root -o histogram.png
      dmzoo plot score data.root --benchmark spin1_offshell --snr 1.2 -o score.png
      dmzoo plot auc --benchmark spin1_offshell -o auc.png
    """


@plot.command()
@input_options
@output_option
def histogram(files, output: Path, **reading) -> None:
    """The leading-jet pT against eta of FILE..., as the networks see it (paper Figure 6)."""
    from dmzoo import plots
    from dmzoo.scoring import fill_selected

    plots.require()
    plots.check_target(output)  # before reading, so a bad file name costs nothing
    if reading["scheduler"] and reading["local_dask"]:
        raise click.UsageError("give --scheduler ADDRESS or --dask, not both")
    # As score fills it: the same fallback, and an empty plot refused (it would look like one)
    _, filled, _, warnings = fill_selected(
        list(files),
        reading["pt_branch"],
        reading["eta_branch"],
        "local" if reading["local_dask"] else reading["scheduler"],
        selection_from(reading),
    )
    for note in filled.notices:
        tell("Note", note)
    for warning in warnings:
        tell("Warning", warning)
    title = f"{', '.join(files)}: {filled.n_selected} events"
    plots.save(plots.histogram_figure(filled.counts, title), output)
    click.echo(f"Plot written to {output}", err=True)


@plot.command()
@input_options
@scoring_options
@output_option
@zoo_options
def score(files, benchmark, snr, kind, versus, grid, toys, seed, output, zoo_path, **reading):
    """The score of FILE... against its SM-only and signal pseudo-experiments (Figure 8)."""
    from dmzoo import plots

    plots.require()
    result = run_score(files, benchmark, snr, kind, toys, seed, reading, zoo_path, grid, versus)
    plots.save(plots.score_figure(result), output)
    click.echo(f"Plot written to {output}", err=True)


@plot.command()
@click.option(
    "--kind",
    type=click.Choice([*KINDS, *KIND_ALIASES]),
    default="individual",
    show_default=True,
    help="Which table: individual binary, multimodel binary or multiclass (one-vs-rest), as "
    "in dmzoo auc (binary and multimodel_binary also work).",
)
@click.option("--benchmark", "benchmarks", multiple=True, help="Only these (repeatable).")
@output_option
@zoo_options
def auc(kind: str, benchmarks: tuple[str, ...], output: Path, zoo_path) -> None:
    """AUC against S/sqrt(B) with the likelihood-ratio limit (paper Figure 7)."""
    from dmzoo import lookup, plots
    from dmzoo.errors import ModelNotFoundError

    plots.require()
    kind = KIND_ALIASES.get(kind, kind)
    zoo = open_zoo(zoo_path)
    if not lookup.has_table(zoo, kind):  # the same refusal, and exit code, as dmzoo auc's
        raise ModelNotFoundError(lookup.missing_table_message(zoo, kind))
    rows = lookup.rows_for(zoo, kind)
    known = sorted({r.benchmark for r in rows})
    unknown = [b for b in benchmarks if b not in known]
    if unknown:
        raise ModelNotFoundError(
            f"the {kind} AUC table has no benchmark {', '.join(unknown)}; it holds "
            f"{', '.join(known)}"
        )
    chosen = [r for r in rows if not benchmarks or r.benchmark in benchmarks]
    plots.save(plots.auc_figure(chosen, f"{kind} classifiers, zoo {zoo.version}"), output)
    click.echo(f"Plot written to {output}", err=True)
