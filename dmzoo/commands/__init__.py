"""The subcommands of `dmzoo`, one module per group, and what they share.

Each module defines click commands; `ALL` lists them for `dmzoo.cli` to register. Command
modules import nothing heavy at import time, so `dmzoo --help` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click


def dump(obj: object) -> str:
    """The JSON every `--json` option prints."""
    return json.dumps(obj, indent=2, sort_keys=True)


def tell(kind: str, text: str) -> None:
    """A `Note:` or `Warning:` line on stderr, unless -q asked for errors only."""
    import logging

    if logging.getLogger("dmzoo").isEnabledFor(logging.WARNING):
        click.echo(f"{kind}: {text}", err=True)


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")(f)


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Keep --repo/--revision in the context, so commands keep one `zoo_path` argument."""
    ctx.meta[f"dmzoo.{param.name}"] = value


def hub_options(f: Callable) -> Callable:
    """--repo and --revision: a zoo from the model hub."""
    f = click.option(
        "--revision",
        default=None,
        expose_value=False,
        callback=_remember,
        help="Hub revision: tag, branch or commit [env DMZOO_HUB_REVISION; "
        "default the shipped zoo's tag].",
    )(f)
    return click.option(
        "--repo",
        default=None,
        expose_value=False,
        callback=_remember,
        help="Take the zoo from this model-hub repository [env DMZOO_HUB_REPO].",
    )(f)


def zoo_options(f: Callable) -> Callable:
    """--zoo, --repo, --revision: the zoo to use (default: the copy shipped with dmzoo)."""
    f = hub_options(f)
    return click.option(
        "--zoo",
        "zoo_path",
        type=click.Path(path_type=Path),
        default=None,
        help="A zoo folder to use instead of the shipped one [env DMZOO_ZOO].",
    )(f)


def hub_choice() -> tuple[str | None, str | None]:
    """(--repo, --revision) of the command being run."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx else {}
    return meta.get("dmzoo.repo"), meta.get("dmzoo.revision")


def open_zoo(zoo_path: Path | None):
    """The Zoo the zoo options select (see dmzoo.hub.select_zoo)."""
    from dmzoo.hub import select_zoo

    repo, revision = hub_choice()
    return select_zoo(zoo_path, repo=repo, revision=revision)


def ALL() -> list[click.Command]:  # noqa: N802  a constant in spirit, built on demand
    from dmzoo.commands import fetch, lookup, models, plot, score

    return [
        score.score,
        models.list_models,
        models.info,
        fetch.fetch,
        lookup.auc,
        lookup.tables,
        lookup.snr,
        lookup.reach,
        plot.plot,
    ]
