"""`dmzoo score`: one input, one benchmark, one answer."""

from __future__ import annotations

import click

from dmzoo.commands import dump, json_option, open_zoo, zoo_options


@click.command()
@click.argument("file")
@click.option("--benchmark", required=True, help="Benchmark to test, e.g. spin1_offshell.")
@click.option("--snr", type=float, required=True, help="S/sqrt(B) to test (finite, > 0).")
@click.option("--pt-branch", default=None, help="Jet pT branch of a flat ntuple.")
@click.option("--eta-branch", default=None, help="Jet eta branch of a flat ntuple.")
@zoo_options
@json_option
def score(file: str, benchmark: str, snr: float, pt_branch, eta_branch, zoo_path, as_json) -> None:
    """Score FILE (file.root or file.root:object) against one benchmark."""
    from dmzoo.scoring import score as run

    result = run(
        file,
        benchmark=benchmark,
        snr=snr,
        zoo=open_zoo(zoo_path),
        pt_branch=pt_branch,
        eta_branch=eta_branch,
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
    return "\n".join(lines)
