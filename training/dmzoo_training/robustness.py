"""How the shipped models answer when the world is not the one they were trained in.

The zoo is trained on 14 TeV Z(->nunu)+jet as the SM and a fast detector. Real data differ:
other SM processes (W+jet, ttbar), 13 TeV collisions, a jet energy scale and resolution known
to a few percent. Each study here builds the templates of such a *world* from event samples and
asks the shipped parametric network of each benchmark (the model `dmzoo score` uses) two
questions on histograms drawn from it, beside the same questions on the nominal world:

- separation: the network's AUC between SM-only and SM + signal histograms, and the
  likelihood-ratio limit of that world (its own templates: the best any classifier could do);
- calibration: the fraction of the world's SM-only histograms that score above the nominal
  SM-only 90% quantile (0.10 when nothing moved; above it, the nominal calibration would
  claim a signal in SM data too often), and the fraction of its signal histograms above it.

Histograms hold B = 50k SM events and S = S/sqrt(B) sqrt(B) signal events, as the zoo's. The
nominal and shifted draws use the same seeds. Templates come from the full samples without
pseudo-counts: a pseudo-count puts invented events in bins a world leaves empty, which in a
first try of the 13 TeV study gave the opposite, wrong answer.

Samples store events from their `pt_min` (130 GeV for the zoo's own), so a shift that moves
jets up cannot bring in the events just below it: such variations are computed only on samples
stored from lower down (the W+jet and ttbar ones keep 100 GeV) and are otherwise marked
`truncated` and left out of the tables.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo_training import detector, histograms, paths, storage
from dmzoo_training import samples as sample_parts
from dmzoo_training.benchmarks import ALL_SAMPLES, SCALE_VARIATIONS, SM_STITCH_PT
from dmzoo_training.classifiers import VERSUS
from dmzoo_training.histograms import seed_of

log = logging.getLogger(__name__)

B = 50_000
N_HISTOGRAMS = 2000  # per class and world
SNRS = (0.45, 1.0, 2.2)
FALSE_ALARM = 0.10  # the nominal SM-only tail fraction the calibration is checked at
SM_TAILS = {"sm": "sm_tail", "sm_13tev": "sm_tail_13tev"}
BACKGROUNDS = ("w_lnu", "ttbar")  # beside Z(->nunu)+jet in the `full` SM
JES = 0.03  # relative jet energy scale shift, a typical Run 2 uncertainty at these pT
JER = 0.10  # relative widening of the jet energy resolution


@dataclass(frozen=True)
class Shift:
    """A detector variation applied to every event's leading jet before it is histogrammed."""

    jes: float = 0.0  # pT -> pT (1 + jes)
    jer: float = 0.0  # resolution sigma(E) -> (1 + jer) sigma(E), by extra smearing

    @property
    def moves_up(self) -> bool:
        return self.jes > 0 or self.jer > 0


NOMINAL = Shift()


def sample_events(name: str, events_dir: Path = paths.EVENTS) -> dict[str, np.ndarray]:
    """Every stored event of a sample with its weight, the sample's cross section per
    generated event (pb); an SM sample is stitched with its tail sample where that exists."""
    ev = _weighted(name, events_dir)
    found = _tail(name, events_dir)
    if found is not None:
        tail, factor = found
        high = _weighted(tail, events_dir)
        high["weight"] *= factor
        low, high = (
            _keep(ev, ev["jet_pt"] < SM_STITCH_PT),
            _keep(high, high["jet_pt"] >= SM_STITCH_PT),
        )
        ev = {k: np.concatenate([low[k], high[k]]) for k in ev}
    return ev


def _tail(name: str, events_dir: Path) -> tuple[str, float] | None:
    """The tail sample an SM sample is stitched with, and a factor on its weights.

    The systematics' SM samples have no tail of their own: they take the nominal one, scaled
    by their rate over the nominal systematics sample's, so that a scale variation moves the
    tail with the rest (its shape change above the edge is the one thing left out).
    """
    if name.startswith("sm_syst_"):
        nominal = "sm_syst_nominal"
        if not (_present("sm_tail", events_dir) and _present(nominal, events_dir)):
            return None
        return "sm_tail", _sigma(name, events_dir) / _sigma(nominal, events_dir)
    tail = SM_TAILS.get(name)
    return (tail, 1.0) if tail and _present(tail, events_dir) else None


def _sigma(name: str, events_dir: Path) -> float:
    return sample_parts.summary(events_dir / name)["sigma_generated_pb"]


def _weighted(name: str, events_dir: Path, branches=("jet_pt", "jet_eta")) -> dict[str, np.ndarray]:
    ev = storage.read_sample(events_dir / name, branches)
    per_event = sample_parts.per_event_pb(events_dir / name)
    return {**ev, "weight": np.full(len(ev["jet_pt"]), per_event)}


def _keep(ev: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in ev.items()}


def shifted_pt(ev: dict[str, np.ndarray], shift: Shift, rng: np.random.Generator) -> np.ndarray:
    """The leading jet's pT under a detector variation.

    The extra resolution is the Gaussian that widens the detector's sigma(E) by (1 + jer):
    sigma_extra = sigma(E) sqrt((1 + jer)^2 - 1), with E = pT cosh(eta) (a jet's mass is
    negligible against its energy here). Only widening can be applied to smeared jets.
    """
    pt = ev["jet_pt"] * (1.0 + shift.jes)
    if shift.jer:
        energy = pt * np.cosh(ev["jet_eta"])
        sigma = detector.hcal_resolution(energy, np.abs(ev["jet_eta"]))
        extra = sigma * np.sqrt((1.0 + shift.jer) ** 2 - 1.0) / energy
        pt = pt * np.clip(1.0 + rng.standard_normal(len(pt)) * extra, 0.0, None)
    return pt


def template(ev: dict[str, np.ndarray], shift: Shift = NOMINAL, seed: int = 0) -> np.ndarray:
    """Bin probabilities of the events inside the histogram, weighted, no pseudo-count."""
    pt = shifted_pt(ev, shift, np.random.default_rng(seed))
    counts = binning.fill(pt, ev["jet_eta"], ev["weight"])
    return counts / counts.sum()


def truncated(names: list[str], shift: Shift) -> bool:
    """Whether a shift would need events below what some of the samples stored."""
    return shift.moves_up and any(ALL_SAMPLES[n].pt_min >= binning.PT_EDGES[0] for n in names)


@dataclass
class World:
    """The templates histograms are drawn from: the SM and each benchmark's signal."""

    name: str
    sm: np.ndarray
    signals: dict[str, np.ndarray] = field(default_factory=dict)
    note: str = ""


def llr(x: np.ndarray, h0: np.ndarray, h1: np.ndarray) -> np.ndarray:
    """The Neyman-Pearson statistic sum_i n_i ln(h1_i / h0_i) of templates that may leave bins
    empty: a histogram with an event where only h1 fills a bin is h1's for certain (+inf)."""
    counts = x.reshape(len(x), -1).astype(np.float64)
    only_h1 = ((h1 > 0) & (h0 == 0)).ravel()
    both = ((h1 > 0) & (h0 > 0)).ravel()
    t = counts[:, both] @ np.log(h1.ravel()[both] / h0.ravel()[both])
    return np.where(counts[:, only_h1].sum(axis=1) > 0, np.inf, t)


def draw(world: World, benchmark: str, snr: float, n: int, seed: int):
    """n SM-only (B + S SM events, label 0) and n SM + signal (label 1) histograms."""
    s = histograms.n_signal(snr, B)
    rng = np.random.default_rng(seed)
    background = rng.multinomial(B + s, world.sm.ravel(), size=n)
    mixed = rng.multinomial(B, world.sm.ravel(), size=n)
    mixed += rng.multinomial(s, world.signals[benchmark].ravel(), size=n)
    x = np.concatenate([background, mixed]).reshape(-1, *world.sm.shape).astype(np.float32)
    return x, np.repeat([0, 1], n)


def limit(world: World, benchmark: str, snr: float, x: np.ndarray, y: np.ndarray) -> float:
    s = histograms.n_signal(snr, B)
    h1 = (B * world.sm + s * world.signals[benchmark]) / (B + s)
    return histograms.auc(llr(x, world.sm, h1), y)


def compare(
    nominal: World, world: World, benchmark: str, snr: float, predict, n: int = N_HISTOGRAMS
) -> dict:
    """One row: the network and the limit in both worlds, and the calibration's drift."""
    seed = seed_of("robustness", benchmark, snr)
    x0, y0 = draw(nominal, benchmark, snr, n, seed)
    x1, y1 = draw(world, benchmark, snr, n, seed)
    p0, p1 = predict(x0, snr), predict(x1, snr)
    threshold = np.quantile(p0[y0 == 0], 1 - FALSE_ALARM)
    return {
        "study": world.name,
        "benchmark": benchmark,
        "snr": snr,
        "auc_nominal": histograms.auc(p0, y0),
        "auc": histograms.auc(p1, y1),
        "auc_optimal_nominal": limit(nominal, benchmark, snr, x0, y0),
        "auc_optimal": limit(world, benchmark, snr, x1, y1),
        "sm_above_nominal_90": float((p1[y1 == 0] > threshold).mean()),
        "signal_above_nominal_90": float((p1[y1 == 1] > threshold).mean()),
        "signal_above_nominal_90_nominal": float((p0[y0 == 1] > threshold).mean()),
        "note": world.note,
    }


def _present(name: str, events_dir: Path) -> bool:
    return (events_dir / name / "sample.json").exists()


def nominal_world(
    benchmarks, events_dir: Path = paths.EVENTS, shift: Shift = NOMINAL, tag: str | None = None
) -> World:
    """The zoo's own world (14 TeV, Z(->nunu)+jet), optionally under a detector shift; with
    `tag`, from the systematics samples of that scale variation (`<name>_syst_<tag>`)."""
    name = "nominal" if shift == NOMINAL else f"jes {shift.jes:+g}, jer {shift.jer:+g}"
    if tag is not None and tag != "nominal":
        name = f"scales {tag}"
    return World(
        name,
        template(sample_events(syst_name("sm", tag), events_dir), shift, seed_of("shift", "sm")),
        {
            b: template(sample_events(syst_name(b, tag), events_dir), shift, seed_of("shift", b))
            for b in benchmarks
        },
    )


def syst_name(base: str, tag: str | None) -> str:
    return base if tag is None else f"{base}_syst_{tag}"


def _have_syst(benchmarks, tag: str, events_dir: Path) -> bool:
    return all(_present(syst_name(b, tag), events_dir) for b in ("sm", *benchmarks))


def full_sm_world(nominal: World, events_dir: Path = paths.EVENTS) -> World | None:
    """The SM as Z(->nunu)+jet plus the W+jet and ttbar samples, each event weighted by its
    cross section, after the lepton veto they were generated with and the monojet MET and dphi
    cuts (`samples.monojet_pass`)."""
    present = [b for b in BACKGROUNDS if _present(b, events_dir)]
    if not present:
        return None
    parts = [sample_events("sm", events_dir)]
    for name in present:
        ev = _weighted(name, events_dir, ("jet_pt", "jet_eta", *sample_parts.MONOJET_BRANCHES))
        parts.append(_keep(ev, sample_parts.monojet_pass(ev)))
    merged = {k: np.concatenate([p[k] for p in parts]) for k in ("jet_pt", "jet_eta", "weight")}
    inside = [_rate_inside(p) for p in parts]
    ratios = ", ".join(f"{b} {r / inside[0]:.3f}" for b, r in zip(present, inside[1:], strict=True))
    note = f"rate relative to Z(->nunu)+jet inside the histogram: {ratios}"
    return World("full_sm", template(merged), nominal.signals, note)


def _rate_inside(ev: dict[str, np.ndarray]) -> float:
    """The cross section (pb) of a sample's events inside the histogram."""
    return float(binning.fill(ev["jet_pt"], ev["jet_eta"], ev["weight"]).sum())


def energy_worlds(benchmarks, events_dir: Path = paths.EVENTS) -> tuple[World, World] | None:
    """The 14 TeV world and the 13 TeV one, for the benchmarks generated at both."""
    both = [b for b in benchmarks if _present(f"{b}_13tev", events_dir)]
    if not both or not _present("sm_13tev", events_dir):
        return None
    at_14 = nominal_world(both, events_dir)
    at_13 = World(
        "13tev",
        template(sample_events("sm_13tev", events_dir)),
        {b: template(sample_events(f"{b}_13tev", events_dir)) for b in both},
        "" if _present("sm_tail_13tev", events_dir) else "13 TeV SM without its tail sample",
    )
    return at_14, at_13


DETECTOR_SHIFTS = (Shift(jes=-JES), Shift(jes=JES), Shift(jer=JER))


def detector_rows(benchmarks, snrs, predict_for, events_dir: Path = paths.EVENTS) -> list[dict]:
    """The jet energy scale and resolution variations, on the systematics samples (stored
    from 100 GeV) where they exist, else on the zoo's, where upward shifts are skipped with a
    log line (see the module)."""
    tag = "nominal" if _have_syst(benchmarks, "nominal", events_dir) else None
    nominal = nominal_world(benchmarks, events_dir, tag=tag)
    rows = []
    for shift in DETECTOR_SHIFTS:
        if tag is None and truncated(["sm", *benchmarks], shift):
            log.info("skipping %s: the samples start at the histogram's edge", shift)
            continue
        world = nominal_world(benchmarks, events_dir, shift, tag)
        rows += [compare(nominal, world, b, s, predict_for(b)) for b in benchmarks for s in snrs]
    return rows


def scale_rows(benchmarks, snrs, predict_for, events_dir: Path = paths.EVENTS) -> list[dict]:
    """The renormalisation and factorisation scale variations against the same generation at
    the nominal scales; none until those samples exist."""
    if not _have_syst(benchmarks, "nominal", events_dir):
        return []
    nominal = nominal_world(benchmarks, events_dir, tag="nominal")
    rows = []
    for tag in (t for t in SCALE_VARIATIONS if t != "nominal"):
        if not _have_syst(benchmarks, tag, events_dir):
            continue
        world = nominal_world(benchmarks, events_dir, tag=tag)
        rows += [compare(nominal, world, b, s, predict_for(b)) for b in benchmarks for s in snrs]
    return rows


def shipped_predict(zoo_root: Path = paths.ZOO):
    """predict(x, snr) of the shipped parametric network of each benchmark, as `score` uses."""
    from dmzoo import parametric
    from dmzoo.registry import Zoo

    zoo = Zoo(zoo_root)

    def for_benchmark(benchmark: str):
        model = zoo.model(parametric.entry(zoo, "binary", benchmark))
        return lambda x, snr: model.predict(x, snr=snr)

    return for_benchmark


def study_rows(
    study: str,
    benchmarks=VERSUS,
    snrs=SNRS,
    events_dir: Path = paths.EVENTS,
    zoo_root: Path = paths.ZOO,
) -> list[dict]:
    """The rows of one study: `full-sm`, `energy`, `detector` or `scales`; none when its
    samples are not generated yet."""
    predict_for = shipped_predict(zoo_root)
    if study == "detector":
        return detector_rows(benchmarks, snrs, predict_for, events_dir)
    if study == "scales":
        return scale_rows(benchmarks, snrs, predict_for, events_dir)
    if study == "energy":
        worlds = energy_worlds(benchmarks, events_dir)
        if worlds is None:
            return []
        nominal, world = worlds
    else:
        nominal = nominal_world(benchmarks, events_dir)
        world = full_sm_world(nominal, events_dir)
        if world is None:
            return []
    return [compare(nominal, world, b, s, predict_for(b)) for b in world.signals for s in snrs]
