"""The SM the pseudo-experiments are drawn from: the zoo's template, or one the user brings.

By default the SM-only and the SM part of the signal pseudo-experiments come from the zoo's
simulated Z(->nunu)+jet template. A user with an estimate of their own (a control region,
their full simulation) passes it instead: a TH2 in the zoo's binning or events of any flavour
dmzoo reads, which then go through the same selection as the data.

The user's histogram is taken at face value: its bin contents divided by their sum are the
probabilities the toys are drawn from, with no pseudo-count, so a bin it leaves empty never
receives a toy event. Its own statistical noise is frozen into every toy; when it holds fewer
events than the data, that noise is comparable to the data's and the p-value measures partly
the background's fluctuations, hence the warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dmzoo import events, templates
from dmzoo.errors import InputFileError, InvalidParameterError, ModelNotFoundError

ZOO_SOURCE = "the zoo's SM template (simulated Z(->nunu)+jet, the test part of its sample)"
# The zoo's SM templates by the name `score --sm` takes: the template and what it is in words.
ZOO_TEMPLATES = {
    "z_nunu": ("sm", ZOO_SOURCE),
    "full": (
        "sm_full",
        "the zoo's full SM template (simulated Z(->nunu)+jet, W(->l nu)+jet and ttbar, each "
        "by its cross section, events with an isolated electron or muon vetoed; test parts)",
    ),
}
DEFAULT_SM = "z_nunu"


@dataclass
class Background:
    """Where the pseudo-experiments' SM comes from, and its bin probabilities."""

    kind: str  # "zoo" or "user"
    source: str  # in words
    probabilities: np.ndarray  # [30, 30], summing to 1
    n_events: int | float  # events (or sum of weights) in the histogram
    file: str | None = None
    selection: dict[str, Any] | None = None  # the user's events' cutflow
    template: str | None = None  # the zoo's: `z_nunu` or `full` (score --sm); None: the user's
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `background`."""
        return {
            "kind": self.kind,
            "source": self.source,
            "file": self.file,
            "n_events": self.n_events,
            "selection": self.selection,
            "template": self.template,
        }


def check_sm(sm: object) -> str:
    """A name of the zoo's SM templates."""
    if sm not in ZOO_TEMPLATES:
        raise InvalidParameterError(
            f"--sm {sm!r}: choose {' or '.join(ZOO_TEMPLATES)} (the paper's Z(->nunu)+jet, or "
            "it with W+jet and ttbar)"
        )
    return str(sm)


def from_zoo(zoo, sm: str = DEFAULT_SM) -> Background:
    """One of the zoo's SM templates; a zoo without it says what to use instead."""
    name, source = ZOO_TEMPLATES[check_sm(sm)]
    if name not in templates.load(zoo):
        raise ModelNotFoundError(
            f"zoo {zoo.version} has no {sm} SM template ({name} in {templates.PATH}); use "
            f"--sm {DEFAULT_SM}, or bring your own with --background"
        )
    template = templates.get(zoo, name)
    return Background(
        kind="zoo",
        source=source,
        probabilities=template.probabilities,
        n_events=template.n_events,
        template=sm,
    )


def from_filled(file: str | None, filled: events.FilledHistogram, *, n_data: int) -> Background:
    """The user's background histogram as toy probabilities, checked for enough events.

    Raises:
        InputFileError: the background has no event in the histogram.
    """
    where = f"background {file or filled.source}"
    total = float(filled.counts.sum())
    if total <= 0:
        report = filled.selection
        cutflow = f" (cutflow: {report.cutflow_text()})" if report and report.n_read else ""
        raise InputFileError(
            f"{where}: no event inside the histogram{cutflow}; give a background with events "
            "that pass the same selection as the data",
            path=file,
        )
    out = Background(
        kind="user",
        source=filled.source,
        probabilities=filled.counts / total,
        n_events=_whole(total),
        file=file,
        selection=filled.selection.to_dict() if filled.selection else None,
        notices=[f"{where}: {n}" for n in filled.notices],
    )
    if total < n_data:
        out.warnings.append(
            f"{where} holds {_whole(total):g} events, fewer than the data's {n_data}: its own "
            "statistical noise enters the pseudo-experiments and the p-value; a larger "
            "background sample gives a sounder answer"
        )
    return out


def _whole(x: float) -> int | float:
    """A count as an int where it is one (sums of weights stay as they are)."""
    return int(round(x)) if abs(x - round(x)) < 1e-6 else x
