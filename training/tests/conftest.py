"""Small synthetic event samples, so training tests run in seconds without Pythia."""

from __future__ import annotations

from pathlib import Path

import pytest
from _events import synthetic_events, write_sample


@pytest.fixture(scope="session")
def events_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("events")
    write_sample(root, "sm", synthetic_events(60_000, 120.0, 1.6, seed=1))
    write_sample(root, "spin1_offshell", synthetic_events(30_000, 220.0, 1.1, seed=2))
    return root


# Every benchmark, each with its own hardness and width, for the multimodel classifiers.
SHAPES = {
    "alp": (130.0, 1.55),
    "spin0_offshell": (200.0, 1.3),
    "spin0_onshell": (300.0, 1.2),
    "spin0_offshell_ps": (260.0, 1.25),
    "spin1_offshell": (220.0, 1.1),
    "spin1_onshell": (240.0, 1.0),
    "spin1_offshell_ps": (280.0, 1.05),
    "spin2_offshell": (320.0, 1.4),
    "spin2_onshell": (360.0, 1.3),
    "spin2_offshell_ps": (400.0, 1.35),
}


@pytest.fixture(scope="session")
def all_events_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("all-events")
    write_sample(root, "sm", synthetic_events(60_000, 120.0, 1.6, seed=1))
    for i, (name, (slope, width)) in enumerate(SHAPES.items()):
        write_sample(root, name, synthetic_events(20_000, slope, width, seed=10 + i))
    return root
