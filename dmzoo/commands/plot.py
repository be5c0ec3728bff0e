"""`dmzoo plot`: the paper's figures for an input or for the zoo's tables."""

from __future__ import annotations

from pathlib import Path

import click

from dmzoo.commands import open_zoo, zoo_options
from dmzoo.commands.score import input_options, run_score, scoring_options

KINDS = ("binary", "multimodel_binary", "multiclass")


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
def histogram(file: str, pt_branch, eta_branch, output: Path) -> None:
    """FILE's leading-jet pT against eta, as the networks see it (paper Figure 6)."""
    from dmzoo import events, plots

    plots.require()
    filled = events.read(file, pt_branch=pt_branch, eta_branch=eta_branch)
    for note in filled.notices:
        click.echo(f"Note: {note}", err=True)
    title = f"{file}: {filled.n_selected} events"
    plots.save(plots.histogram_figure(filled.counts, title), output)
    click.echo(f"Plot written to {output}", err=True)


@plot.command()
@input_options
@scoring_options
@output_option
@zoo_options
def score(file: str, benchmark, snr, kind, toys, seed, pt_branch, eta_branch, output, zoo_path):
    """FILE's score against its SM-only and signal pseudo-experiments (paper Figure 8)."""
    from dmzoo import plots

    plots.require()
    result = run_score(file, benchmark, snr, kind, toys, seed, pt_branch, eta_branch, zoo_path)
    plots.save(plots.score_figure(result), output)
    click.echo(f"Plot written to {output}", err=True)


@plot.command()
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="binary",
    show_default=True,
    help="Which table: individual binary, multimodel binary or multiclass (one-vs-rest).",
)
@click.option("--benchmark", "benchmarks", multiple=True, help="Only these (repeatable).")
@output_option
@zoo_options
def auc(kind: str, benchmarks: tuple[str, ...], output: Path, zoo_path) -> None:
    """AUC against S/sqrt(B) with the likelihood-ratio limit (paper Figure 7)."""
    from dmzoo import classifiers, plots, tables
    from dmzoo.errors import ModelNotFoundError

    plots.require()
    zoo = open_zoo(zoo_path)
    rows = tables.read_table(zoo.table_path(classifiers.TABLES[kind]))
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
