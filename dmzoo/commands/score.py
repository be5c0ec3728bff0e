"""`dmzoo score`: one input (one file or many), one benchmark, one answer."""

from __future__ import annotations

import click

from dmzoo.commands import dump, json_option, open_zoo, zoo_options


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--benchmark", required=True, help="Benchmark to test, e.g. spin1_offshell.")
@click.option("--snr", type=float, required=True, help="S/sqrt(B) to test (finite, > 0).")
@click.option("--pt-branch", default=None, help="Jet pT branch of a flat ntuple.")
@click.option("--eta-branch", default=None, help="Jet eta branch of a flat ntuple.")
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Fill the histogram on this Dask scheduler (needs the dask extra).",
)
@click.option(
    "--dask", "local_dask", is_flag=True, help="Fill the histogram on a local Dask cluster."
)
@zoo_options
@json_option
def score(
    files: tuple[str, ...],
    benchmark: str,
    snr: float,
    pt_branch,
    eta_branch,
    scheduler,
    local_dask,
    zoo_path,
    as_json,
) -> None:
    """Score FILE... (file.root, file.root:object or a quoted glob) against one benchmark.

    Several files or globs fill one histogram; the report lists each file's events.
    """
    from dmzoo.scoring import score as run

    if scheduler and local_dask:
        raise click.UsageError("give --scheduler ADDRESS or --dask, not both")
    result = run(
        list(files),
        benchmark=benchmark,
        snr=snr,
        zoo=open_zoo(zoo_path),
        pt_branch=pt_branch,
        eta_branch=eta_branch,
        scheduler="local" if local_dask else scheduler,
    )
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    for w in result.warnings:
        click.echo(f"Warning: {w}", err=True)
    if as_json:
        click.echo(dump(result.to_dict()))
        return
    click.echo(_summary(result))


def _summary(r) -> str:
    lines = [
        f"{r.file or 'input'}: {r.source}",
        f"  events read {r.n_events}, selected {r.n_selected}, no usable jet {r.n_no_jet}, "
        f"leading jet outside the histogram {r.n_out_of_range}",
        f"  model {r.model} (zoo {r.zoo_version}) for S/sqrt(B) = {r.snr_requested:g}",
        f"  score {r.score:.4f}  (probability that the histogram holds {r.benchmark} signal)",
        f"  expected AUC at S/sqrt(B) = {r.snr_requested:g} with B = {r.b_train}: "
        f"{r.auc:.3f} +- {r.auc_std:.3f} ({r.auc_method}); likelihood-ratio limit "
        f"{r.auc_optimal:.3f}",
    ]
    if len(r.files) > 1:
        lines.append(f"  {len(r.files)} files:")
        lines += [
            f"    {f['file']}: events read {f['n_events']}, selected {f['n_selected']}"
            for f in r.files
        ]
    return "\n".join(lines)
