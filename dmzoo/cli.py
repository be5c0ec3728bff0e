"""The `dmzoo` command line. Data go to stdout, messages to stderr.

Any DmzooError becomes one `Error: ...` line and its exit code (1 by default, 2 for bad
option values like click's usage errors, 3 for a zoo that fails its integrity checks).
Set DMZOO_DEBUG=1 to see the traceback instead.
"""

from __future__ import annotations

import json
import logging
import sys

import click

from dmzoo import __version__, constants

log = logging.getLogger("dmzoo")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else logging.WARNING - 10 * verbose
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("dmzoo")
    root.handlers[:] = [handler]
    root.setLevel(level)


def _dump(obj: object) -> str:
    return json.dumps(obj, indent=2, sort_keys=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dmzoo")
@click.option("-v", "--verbose", count=True, help="More messages (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def cli(verbose: int, quiet: bool) -> None:
    """Histogram classifiers for dark matter in monojet events.

    \b
    Examples:
      dmzoo score data.root --benchmark spin1_offshell --snr 1.2
      dmzoo score data.root:Events --benchmark spin1_offshell --snr 1.2 --json
      dmzoo list
    """
    _setup_logging(verbose, quiet)


@cli.command()
@click.argument("file")
@click.option("--benchmark", required=True, help="Benchmark to test, e.g. spin1_offshell.")
@click.option("--snr", type=float, required=True, help="S/sqrt(B) to test (finite, > 0).")
@click.option("--pt-branch", default=None, help="Jet pT branch of a flat ntuple.")
@click.option("--eta-branch", default=None, help="Jet eta branch of a flat ntuple.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def score(file: str, benchmark: str, snr: float, pt_branch, eta_branch, as_json: bool) -> None:
    """Score FILE (file.root or file.root:object) against one benchmark."""
    from dmzoo.scoring import score as run

    result = run(file, benchmark=benchmark, snr=snr, pt_branch=pt_branch, eta_branch=eta_branch)
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    for w in result.warnings:
        click.echo(f"Warning: {w}", err=True)
    if as_json:
        click.echo(_dump(result.to_dict()))
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


@cli.command(name="list")
@click.argument("pattern", default="*")
@click.option("--kind", default=None, help="Only this kind (binary, multiclass, ...).")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")
def list_models(pattern: str, kind: str | None, as_json: bool) -> None:
    """List the zoo's models whose id matches PATTERN (a glob)."""
    from dmzoo.registry import Zoo

    zoo = Zoo.default()
    entries = zoo.models(pattern, kind=kind)
    if as_json:
        click.echo(
            _dump(
                {
                    "zoo_version": zoo.version,
                    "models": [
                        {
                            "id": e.id,
                            "kind": e.kind,
                            "benchmark": e.benchmark,
                            "snr": e.snr,
                            "metrics": e.metrics,
                        }
                        for e in entries
                    ],
                }
            )
        )
        return
    click.echo(f"zoo {zoo.version} ({zoo.root}): {len(entries)} models")
    for e in entries:
        auc = e.metrics.get("auc")
        click.echo(f"  {e.id:<40} {e.kind:<10} AUC {auc:.3f}" if auc is not None else f"  {e.id}")


@cli.command()
@click.argument("model_id")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")
def info(model_id: str, as_json: bool) -> None:
    """Show one model's manifest entry and ONNX metadata."""
    from dmzoo.registry import Zoo

    zoo = Zoo.default()
    entry = zoo.get(model_id)
    model = zoo.model(entry)
    data = {
        "id": entry.id,
        "path": entry.path,
        "sha256": entry.sha256,
        "kind": entry.kind,
        "benchmark": entry.benchmark,
        "snr": entry.snr,
        "metrics": entry.metrics,
        "input": model.input_name,
        "metadata": model.metadata,
    }
    if as_json:
        click.echo(_dump(data))
        return
    for key, value in data.items():
        if key == "metadata":
            for k, v in sorted(value.items()):
                text = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
                click.echo(f"  {k}: {text[:200] + '...' if len(text) > 200 else text}")
        else:
            click.echo(f"{key}: {value}")


def _error(message: str) -> None:
    """One line on stderr, whatever newlines the message carries."""
    click.echo("Error: " + " ".join(str(message).split()), err=True)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the CLI, turning every error into one line."""
    from dmzoo.errors import DmzooError

    args = sys.argv[1:] if argv is None else argv
    if not args:
        click.echo(cli.get_help(click.Context(cli, info_name="dmzoo")))
        return 0
    try:
        cli.main(args=args, prog_name="dmzoo", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.UsageError as err:
        command = err.ctx.command_path if err.ctx else "dmzoo"
        _error(f"{err.format_message()} (see '{command} --help')")
        return err.exit_code
    except click.ClickException as err:
        _error(err.format_message())
        return err.exit_code
    except DmzooError as err:
        if constants.debug():
            raise
        _error(str(err))
        return err.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as err:  # the last resort: one line, never a traceback
        if constants.debug():
            raise
        _error(
            f"unexpected {type(err).__name__}: {err}; rerun with DMZOO_DEBUG=1 and report "
            "the traceback"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
