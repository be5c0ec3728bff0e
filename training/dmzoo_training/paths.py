"""Where the training subproject keeps things, relative to the repository."""

from __future__ import annotations

from pathlib import Path

TRAINING = Path(__file__).resolve().parent.parent
REPO = TRAINING.parent
EVENTS = TRAINING / "data" / "events"
WORK = TRAINING / "pending"  # unfinished chunks, never committed
ZOO = REPO / "zoo"
