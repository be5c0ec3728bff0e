"""`dmzoo list` and `dmzoo info`: what the zoo holds."""

from __future__ import annotations

import json

import click

from dmzoo.commands import dump, json_option, open_zoo, zoo_options


@click.command(name="list")
@click.argument("pattern", default="*")
@click.option("--kind", default=None, help="Only this kind (binary, multiclass, ...).")
@zoo_options
@json_option
def list_models(pattern: str, kind: str | None, zoo_path, as_json: bool) -> None:
    """List the zoo's models whose id matches PATTERN (a glob)."""
    zoo = open_zoo(zoo_path)
    entries = zoo.models(pattern, kind=kind)
    if as_json:
        click.echo(
            dump(
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
        click.echo(_line(e))


def _line(e) -> str:
    """One model in `dmzoo list`: id, kind and its test AUC, or what a parametric one takes."""
    if e.kind == "parametric":
        trained = f"against {e.benchmark}" if e.benchmark else "multimodel"
        return f"  {e.id:<40} {e.kind:<10} {trained}, S/sqrt(B) as an input"
    auc = e.metrics.get("auc")
    return f"  {e.id:<40} {e.kind:<10} AUC {auc:.3f}" if auc is not None else f"  {e.id}"


@click.command()
@click.argument("model_id")
@zoo_options
@json_option
def info(model_id: str, zoo_path, as_json: bool) -> None:
    """Show one model's manifest entry and ONNX metadata."""
    zoo = open_zoo(zoo_path)
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
        "inputs": model.input_names,
        "snr_range": list(model.snr_range) if model.parametric else None,
        "metadata": model.metadata,
    }
    if as_json:
        click.echo(dump(data))
        return
    for key, value in data.items():
        if key == "snr_range" and value is None:  # a grid model: its snr says it all
            continue
        if key == "metadata":
            for k, v in sorted(value.items()):
                text = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
                click.echo(f"  {k}: {text[:200] + '...' if len(text) > 200 else text}")
        else:
            click.echo(f"{key}: {value}")
