"""A cached virtual environment with the oldest onnxruntime the zoo promises to run in.

Experiment frameworks ship old onnxruntime releases; 1.15 is the oldest with wheels for the
Pythons dmzoo supports. The environment holds nothing but onnxruntime and a numpy it was built
against (numpy 1.x: onnxruntime 1.15 cannot import under numpy 2), so whatever runs there runs
without dmzoo. It is built once under `.cache/` in the repository (gitignored) and reused while
its pins are unchanged; building it needs PyPI (or the pip cache) and takes seconds.

TODO: onnxruntime 1.15 and numpy 1.26 ship wheels for Python 3.8 to 3.11 only; on a newer
Python this environment cannot be built and the test fails saying so. Supporting one needs pins
per Python version (the oldest onnxruntime with a wheel for it), found by trying that Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PINS = ("onnxruntime==1.15.1", "numpy==1.26.4")
VENV = REPO / ".cache" / "onnxruntime-1.15.1"
READY = "dmzoo-pins.txt"  # written last: a folder without it is a half-built environment


class LegacyEnvError(RuntimeError):
    """The old onnxruntime could not be installed."""


def python() -> Path:
    """The environment's interpreter, building the environment first if needed."""
    exe = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    marker = VENV / READY
    if marker.is_file() and marker.read_text() == "\n".join(PINS) and exe.is_file():
        return exe
    if sys.version_info >= (3, 12):
        raise LegacyEnvError(
            f"{', '.join(PINS)} have no wheels for Python {sys.version.split()[0]}; run the "
            "tests under Python 3.10 or 3.11, or pin the oldest onnxruntime for this Python"
        )
    shutil.rmtree(VENV, ignore_errors=True)
    VENV.parent.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "venv", str(VENV)])
    _run([str(exe), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS])
    marker.write_text("\n".join(PINS))
    return exe


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        tail = " ".join(done.stderr.split())[-600:]
        raise LegacyEnvError(
            f"{' '.join(cmd[-3:])} failed ({tail}); the test needs PyPI or a pip cache "
            f"holding {', '.join(PINS)}"
        )
