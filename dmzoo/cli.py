"""The `dmzoo` command line. Data go to stdout, messages to stderr.

Any DmzooError becomes one `Error: ...` line and its exit code (1 by default, 2 for bad
option values like click's usage errors, 3 for a zoo that fails its integrity checks, 4 for the
model hub or its cache: unreachable, unknown repository or revision, unwritable cache; 5 for a
missing optional extra such as `plot` or `dask`).
Set DMZOO_DEBUG=1 to see the traceback instead. Ctrl-C prints `Interrupted.` and exits 130.
"""

from __future__ import annotations

import logging
import sys

import click

from dmzoo import __version__, commands, constants

log = logging.getLogger("dmzoo")


class _Formatter(logging.Formatter):
    """A warning reads like the commands' own `Warning:` lines; -v output keeps its origin."""

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno == logging.WARNING:
            return f"Warning: {record.getMessage()}"
        return super().format(record)


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else logging.WARNING - 10 * verbose
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("dmzoo")
    root.handlers[:] = [handler]
    root.setLevel(level)


class Interrupted(Exception):
    """Ctrl-C inside a command, carried past click, which would print `Aborted.` and exit 1."""


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
      dmzoo fetch --repo dmzoo/monojet-histogram-classifiers --revision v0.1.0
    """
    _setup_logging(verbose, quiet)


for _command in commands.ALL():
    cli.add_command(_command)


def _error(message: str) -> None:
    """One line on stderr, whatever newlines the message carries."""
    click.echo("Error: " + " ".join(str(message).split()), err=True)


def _interrupted() -> int:
    """Ctrl-C: one line and the shell's code for SIGINT, 128 + 2."""
    click.echo("Interrupted.", err=True)
    return 130


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the CLI, turning every error into one line."""
    from dmzoo.errors import DmzooError

    args = sys.argv[1:] if argv is None else argv
    if not args:
        click.echo(cli.get_help(click.Context(cli, info_name="dmzoo")))
        return 0
    try:
        cli.main(args=args, prog_name="dmzoo", standalone_mode=False)
    except (Interrupted, KeyboardInterrupt):
        return _interrupted()
    except click.exceptions.Abort as err:
        if isinstance(err.__cause__, KeyboardInterrupt):  # Ctrl-C while click parsed
            return _interrupted()
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
