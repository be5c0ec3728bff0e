"""dmzoo's exceptions. Each also inherits the built-in that callers already catch.

The CLI turns any DmzooError into one `Error:` line on stderr and the exit code below;
tracebacks appear only with DMZOO_DEBUG=1.
"""

from __future__ import annotations


class DmzooError(Exception):
    """Base class: a problem the user can act on. `exit_code` is what the CLI returns."""

    exit_code = 1


class InputFileError(DmzooError, OSError):
    """The input file is missing, unreadable, or holds nothing dmzoo can score."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class BranchNotFoundError(DmzooError, KeyError):
    """The tree lacks the jet branches asked for."""

    def __init__(self, message: str, *, path: str | None = None, tree: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.tree = tree

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class BinningError(DmzooError, ValueError):
    """A histogram whose binning no zoo model accepts."""


class ModelNotFoundError(DmzooError, KeyError):
    """No model in the zoo matches the request (an unknown benchmark or model id)."""

    exit_code = 2  # a bad option value, like click's usage errors

    def __str__(self) -> str:
        return str(self.args[0])


class ZooIntegrityError(DmzooError):
    """A zoo file does not match its manifest (hash, path or metadata); it was not used."""

    exit_code = 3


class InvalidParameterError(DmzooError, ValueError):
    """An option value out of its domain (a non-positive S/sqrt(B), say)."""

    exit_code = 2


class HubError(DmzooError, OSError):
    """The model hub or its local cache failed: unreachable, no such repository, revision or
    file, or a cache directory that cannot be written."""

    exit_code = 4

    def __init__(
        self, message: str, *, repo: str | None = None, revision: str | None = None
    ) -> None:
        super().__init__(message)
        self.repo = repo
        self.revision = revision

    def __str__(self) -> str:  # OSError would format its args as a tuple
        return str(self.args[0])


class HubUnavailableError(HubError, ConnectionError):
    """The hub could not be reached (offline, connection refused, a server error); a zoo
    selection falls back to the shipped copy on this one, `dmzoo fetch` does not."""


class MissingDependencyError(DmzooError, ImportError):
    """An option needs an optional extra that is not installed; the message names it."""

    exit_code = 5


class OutputFileError(DmzooError, OSError):
    """An output file (a plot, an export) cannot be written; nothing partial is left."""
