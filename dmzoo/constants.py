"""Every environment variable dmzoo reads, in one place.

DMZOO_DEBUG   show tracebacks from the CLI (any non-empty value but 0)
DMZOO_ZOO     path of a zoo folder to use instead of the one shipped in the package
"""

from __future__ import annotations

import os
from pathlib import Path

FORMAT_VERSION = "1"  # of the ONNX metadata contract and the manifest


def debug() -> bool:
    return os.environ.get("DMZOO_DEBUG", "") not in ("", "0")


def zoo_override() -> Path | None:
    value = os.environ.get("DMZOO_ZOO")
    return Path(value) if value else None
