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


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")(f)


def zoo_options(f: Callable) -> Callable:
    """--zoo: the zoo to use (default: the copy shipped with dmzoo, or $DMZOO_ZOO)."""
    return click.option(
        "--zoo",
        "zoo_path",
        type=click.Path(path_type=Path),
        default=None,
        help="A zoo folder to use instead of the shipped one.",
    )(f)


def open_zoo(zoo_path: Path | None):
    """The Zoo the zoo options select."""
    from dmzoo.registry import Zoo

    return Zoo(zoo_path) if zoo_path else Zoo.default()


def ALL() -> list[click.Command]:  # noqa: N802  a constant in spirit, built on demand
    from dmzoo.commands import models, plot, score

    return [score.score, models.list_models, models.info, plot.plot]
