"""What every file dmzoo writes shares: the permissions a file written in place would get."""

from __future__ import annotations

import os


def umask() -> int:
    """The process's umask. Reading it means setting it for a moment: not thread-safe, and
    harmless here, where nothing creates files in another thread meanwhile."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def honour_umask(fd: int) -> None:
    """Give a file made by `tempfile.mkstemp` (always 0600, being private) the mode `open`
    would have given it (0666 less the umask), before it is renamed into place."""
    if hasattr(os, "fchmod"):  # not on Windows, where modes do not apply
        os.fchmod(fd, 0o666 & ~umask())
