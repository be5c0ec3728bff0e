"""Cross sections, luminosities, SM backgrounds and S/sqrt(B): the paper's four steps.

Section 4.1 of the paper: to know whether a histogram classifier would see a model, take the
benchmark's AUC curve, compute the model's cross section and the SM background's, turn them
into S/sqrt(B) at a luminosity, and read the AUC there. This module holds the arithmetic; the
lookup itself lives in `dmzoo.lookup` and `dmzoo.sensitivity`.

Internally cross sections are in pb and integrated luminosities in pb^-1, so that
`sigma * efficiency * lumi` is a number of events.

    >>> parse_cross_section("50 fb"), parse_luminosity("139/fb")
    (0.05, 139000.0)
    >>> round(background_cross_section(parse_backgrounds("z_nunu")), 3)
    41.808
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from dataclasses import dataclass

from dmzoo.errors import InvalidParameterError

# pb per unit: the cross sections a user may write.
CROSS_SECTION_UNITS = {"ab": 1e-6, "fb": 1e-3, "pb": 1.0, "nb": 1e3}
# pb^-1 per unit: 1 fb^-1 holds a thousand times the events of 1 pb^-1.
LUMINOSITY_UNITS = {"ab": 1e6, "fb": 1e3, "pb": 1.0, "nb": 1e-3}

_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf|infinity))"
_CROSS_SECTION = re.compile(rf"^{_NUMBER}\s*(ab|fb|pb|nb)$", re.IGNORECASE)
# 139/fb, 139 /fb, 139fb-1, 139 fb^-1, 139 fb^{-1}, 139 fb**-1
_LUMINOSITY = re.compile(
    rf"^{_NUMBER}\s*(?:/\s*(ab|fb|pb|nb)|(ab|fb|pb|nb)\s*(?:\^|\*\*)?\s*\{{?\s*-\s*1\s*\}}?)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Background:
    """One SM process of the paper's Table 3 (appendix B), 14 TeV, Delphes ATLAS card."""

    name: str  # what `--background` accepts
    label: str  # the process as the paper writes it
    sigma_pb: (
        float  # parton-level cross section with the generation cuts (leading jet pT >= 130 GeV)
    )
    efficiency: float  # fraction of those events identified as a jet plus missing pT
    r_paper: float  # the paper's R: this process's events over Z(->nunu)+jet's

    @property
    def selected_pb(self) -> float:
        """sigma x efficiency: what enters B."""
        return self.sigma_pb * self.efficiency


# Table 3 as printed. The three ttbar rows are one process under three b-tag conditions, so at
# most one of them enters a sum. The paper's R for dibosons (0.014) is 5.18 x 0.12 / 41.808 =
# 0.0149 rounded down; the sums here use sigma x efficiency, never R.
BACKGROUNDS = {
    b.name: b
    for b in (
        Background("z_nunu", "Z(->nunu)+jet", 53.6, 0.78, 1.0),
        Background("w_taunu", "W(->taunu)+jet", 24.8, 0.20, 0.12),
        Background("w_lnu", "W(->lnu)+jet, l = e, mu", 49.7, 0.049, 0.058),
        Background("z_ll", "Z(->ll)+jet, l = e, mu, tau", 19.1, 0.013, 0.006),
        Background("ttbar", "ttbar (no b-tag condition)", 217.0, 0.021, 0.11),
        Background("ttbar_btag_le1", "ttbar (at most one b-jet)", 217.0, 0.014, 0.073),
        Background("ttbar_btag0", "ttbar (no b-jet)", 217.0, 0.004, 0.021),
        Background("diboson", "WW, WZ, ZZ", 5.18, 0.12, 0.014),
    )
}
DEFAULT_BACKGROUND = "z_nunu"  # the paper's only background in training, as ours
TTBAR_VARIANTS = ("ttbar", "ttbar_btag_le1", "ttbar_btag0")
# `all`: every process once, ttbar without a b-tag condition (the largest of its three rows).
ALL_BACKGROUNDS = ("z_nunu", "w_taunu", "w_lnu", "z_ll", "ttbar", "diboson")


def _positive(number: float, factor: float, text: object, what: str) -> float:
    """number x factor (a value in the unit dmzoo computes in), finite and positive; a finite
    number that overflows on the way (1e306/fb is 1e309 pb^-1) is said to be out of range."""
    value = number * factor
    if math.isfinite(number) and math.isinf(value):
        raise InvalidParameterError(
            f"{what} {text!r} overflows when converted to the unit dmzoo computes in; give a "
            "value a collider could reach"
        )
    if not math.isfinite(value) or value <= 0:
        raise InvalidParameterError(f"{what} must be a finite positive number, not {text!r}")
    return value


def check_positive(value: float, *, what: str) -> float:
    """A finite positive real number (numpy scalars included) as a float.

    Raises:
        InvalidParameterError: anything else, bools included.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{what} must be a finite positive number, not {value!r}")
    return _positive(float(value), 1.0, value, what)


def parse_cross_section(text: str, *, option: str = "--sigma-signal") -> float:
    """A cross section such as `0.05pb`, `50 fb`, `2e-3 nb` or `300ab`, in pb.

    Raises:
        InvalidParameterError: no unit, an unknown unit, a luminosity, zero, negative or NaN.

    >>> parse_cross_section("0.05pb"), parse_cross_section("300 ab")
    (0.05, 0.0003)
    """
    clean = str(text).strip()
    match = _CROSS_SECTION.match(clean)
    if match is None:
        if _LUMINOSITY.match(clean):
            raise InvalidParameterError(
                f"{option} {text!r} is a luminosity; give a cross section such as 50fb or 0.05pb"
            )
        raise InvalidParameterError(
            f"{option} {text!r}: write a number and a unit (ab, fb, pb, nb), e.g. 50fb or 0.05pb"
        )
    unit = CROSS_SECTION_UNITS[match.group(2).lower()]
    return _positive(float(match.group(1)), unit, text, option)


def parse_luminosity(text: str, *, option: str = "--lumi") -> float:
    """An integrated luminosity such as `139/fb`, `139fb-1`, `139 fb^-1` or `36000/pb`, in pb^-1.

    Raises:
        InvalidParameterError: no unit, an unknown unit, a cross section, zero, negative or NaN.

    >>> parse_luminosity("139 fb^-1"), parse_luminosity("3/ab"), parse_luminosity("36000pb-1")
    (139000.0, 3000000.0, 36000.0)
    """
    clean = str(text).strip()
    match = _LUMINOSITY.match(clean)
    if match is None:
        hint = "139/fb, 139fb-1 or 139 fb^-1"
        if _CROSS_SECTION.match(clean):
            raise InvalidParameterError(
                f"{option} {text!r} reads as a cross section; write a luminosity as {hint}"
            )
        raise InvalidParameterError(
            f"{option} {text!r}: write a number and an inverse unit (fb^-1, pb^-1, ab^-1, nb^-1), "
            f"e.g. {hint}"
        )
    unit = (match.group(2) or match.group(3)).lower()
    return _positive(float(match.group(1)), LUMINOSITY_UNITS[unit], text, option)


def check_efficiency(value: float, *, option: str = "--efficiency-signal") -> float:
    """An efficiency in (0, 1].

    Raises:
        InvalidParameterError: NaN, zero, negative or above one.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidParameterError(f"{option} must be a number in (0, 1], not {value!r}")
    if not (0 < value <= 1):  # NaN fails this too
        raise InvalidParameterError(f"{option} must lie in (0, 1], not {value!r}")
    return float(value)


def parse_backgrounds(text: str, *, option: str = "--background") -> tuple[Background, ...]:
    """Table 3 processes from `z_nunu,w_taunu,...` or `all`.

    Raises:
        InvalidParameterError: an unknown name (with the nearest), a repeat, or two ttbar rows.

    >>> [b.name for b in parse_backgrounds("z_nunu, w_taunu")]
    ['z_nunu', 'w_taunu']
    """
    names = [n.strip().lower() for n in str(text).split(",") if n.strip()]
    if names == ["all"]:
        names = list(ALL_BACKGROUNDS)
    if not names:
        raise InvalidParameterError(f"{option} is empty; give `all` or names from {_known()}")
    alone = [n for n in names if n in ("all", "zoo_sm")]
    if alone:
        raise InvalidParameterError(
            f"{option} {text!r}: {alone[0]} stands alone; give it by itself or list processes "
            f"from {_known()}"
        )
    for name in names:
        if name not in BACKGROUNDS:
            close = difflib.get_close_matches(name, [*BACKGROUNDS, "all"], n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise InvalidParameterError(
                f"{option}: unknown process {name!r}; {hint}known: {_known()} or all"
            )
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"{option} {text!r} names a process twice")
    ttbar = [n for n in names if n in TTBAR_VARIANTS]
    if len(ttbar) > 1:
        raise InvalidParameterError(
            f"{option}: {', '.join(ttbar)} are the same ttbar events under different b-tag "
            "conditions; keep one"
        )
    return tuple(BACKGROUNDS[n] for n in names)


def _known() -> str:
    return ", ".join(BACKGROUNDS)


def background_cross_section(backgrounds: tuple[Background, ...]) -> float:
    """The summed sigma x efficiency of the processes, in pb."""
    return math.fsum(b.selected_pb for b in backgrounds)


def signal_to_noise(signal_pb: float, background_pb: float, lumi_pb: float) -> tuple[float, float]:
    """(S, B) events: signal_pb and background_pb are cross sections already times efficiency.

    >>> signal_to_noise(0.05 * 0.5, 41.808, 139000.0)
    (3475.0, 5811312.0)
    """
    return signal_pb * lumi_pb, background_pb * lumi_pb


def signal_for_snr(snr: float, background_pb: float, lumi_pb: float) -> float:
    """The signal sigma x efficiency (pb) that gives S/sqrt(B) = snr: snr sqrt(sigma_B / L).

    >>> round(signal_for_snr(1.0, 41.808, 139000.0) * 1000, 3)  # fb
    17.343
    """
    return snr * math.sqrt(background_pb / lumi_pb)


def format_cross_section(pb: float) -> str:
    """A cross section in the unit that keeps it readable: 17.3 fb, 0.43 pb, 520 ab."""
    for unit, scale in (("nb", 1e3), ("pb", 1.0), ("fb", 1e-3)):
        if pb >= scale:
            return f"{pb / scale:.3g} {unit}"
    return f"{pb / 1e-6:.3g} ab"


def format_luminosity(lumi_pb: float) -> str:
    """A luminosity in fb^-1 (pb^-1 below one fb^-1)."""
    if lumi_pb >= 1e3:
        return f"{lumi_pb / 1e3:g} fb^-1"
    return f"{lumi_pb:g} pb^-1"
