"""The zoo's binned samples: what the runtime draws pseudo-experiments from.

`templates/templates.json` holds, for the SM and every benchmark, the 30 x 30 histogram of the
test part of its event pool (events no model trained or stopped on) and the sample's selection
efficiency and generated cross section. `probabilities` adds the training's pseudo-count of half
an event per bin (scaled to the part), so bins the finite sample left empty stay possible. The
SM is stitched from two generations with different event weights; its counts are then sums of
weights and `event_weight` holds each bin's weight of one event, which scales the pseudo-count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from dmzoo import binning
from dmzoo.errors import ModelNotFoundError, ZooIntegrityError

PATH = "templates/templates.json"
PSEUDO_COUNT = 0.5  # per bin for the full sample; the test part is 20% of it
TEST_FRACTION = 0.2


@dataclass(frozen=True)
class SampleTemplate:
    name: str
    counts: np.ndarray  # [30, 30] events of the test part
    selection_efficiency: float | None  # selected / generated events of the whole sample
    sigma_generated_pb: float | None  # the generator's cross section before the selection
    event_weight: np.ndarray | None = None  # [30, 30] weight of one event; None: all 1

    @property
    def n_events(self) -> int:
        return int(self.counts.sum())

    @property
    def probabilities(self) -> np.ndarray:
        unit = 1.0 if self.event_weight is None else self.event_weight
        c = self.counts + PSEUDO_COUNT * TEST_FRACTION * unit
        return c / c.sum()


def load(zoo) -> dict[str, SampleTemplate]:
    """Every sample template of a zoo (the file's hash is checked first)."""
    path = zoo.file_path(PATH)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        out = {}
        for name, s in doc["samples"].items():
            counts = np.asarray(s["counts"], dtype=np.float64)
            if counts.shape != (binning.N_BINS, binning.N_BINS) or (counts < 0).any():
                raise ValueError(f"{name}: counts are not a [30, 30] non-negative array")
            weight = s.get("event_weight")
            out[name] = SampleTemplate(
                name,
                counts,
                s.get("selection_efficiency"),
                s.get("sigma_generated_pb"),
                None if weight is None else np.asarray(weight, dtype=np.float64),
            )
    except (
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        KeyError,
        TypeError,
        ValueError,
    ) as err:
        raise ZooIntegrityError(f"{PATH}: malformed ({err}); re-fetch the zoo") from None
    return out


def get(zoo, name: str) -> SampleTemplate:
    found = load(zoo)
    if name not in found:
        raise ModelNotFoundError(
            f"zoo {zoo.version} has no template for {name!r}; available: {', '.join(sorted(found))}"
        )
    return found[name]
