"""Checks a physicist can look at: distributions, the paper's qualitative facts, the method.

- `distributions`: pT and eta of every sample (the paper's Figure 4) as PNG, and the numbers
  behind the paper's statements (mean pT, eta spread, distance to the SM);
- `mixture_closure`: the mass-grid mixture applied to an on-shell spin-1 mediator of 10% width
  against Pythia's own Breit-Wigner sample of the same mediator;
- `one_mass`: within each regime, changing the other mass leaves the spectrum unchanged;
- `mpi_effect`: what switching multi-parton interactions off does to the leading jet.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo_training import mediators, mixture, paths, pythia_run, storage
from dmzoo_training.benchmarks import PHYSICS_SAMPLES, SAMPLES, Sample
from dmzoo_training.generate import select

log = logging.getLogger(__name__)

OUT = paths.TRAINING / "validation"
STYLE = {"sm": ("black", "-"), "alp": ("grey", "--")}
REGIMES = ("offshell", "onshell", "offshell_ps")


def load_all(events_dir: Path = paths.EVENTS) -> dict[str, dict[str, np.ndarray]]:
    return {
        n: storage.read_sample(events_dir / n)
        for n in PHYSICS_SAMPLES
        if (events_dir / n).is_dir() and storage.round_files(events_dir / n)
    }


def shape_distance(p_counts: np.ndarray, q_counts: np.ndarray) -> float:
    """chi2 per unit S^2/B between two normalised 2D templates: sum (q - p)^2 / p."""
    p = (p_counts + 0.5) / (p_counts + 0.5).sum()
    q = (q_counts + 0.5) / (q_counts + 0.5).sum()
    return float(np.sum((q - p) ** 2 / p))


def facts(samples: dict[str, dict[str, np.ndarray]]) -> dict:
    """The numbers behind the paper's qualitative statements, per sample."""
    sm = binning.fill(samples["sm"]["jet_pt"], samples["sm"]["jet_eta"])
    out = {}
    for name, ev in samples.items():
        inside = binning.in_range(ev["jet_pt"], ev["jet_eta"])
        pt, eta = ev["jet_pt"][inside], ev["jet_eta"][inside]
        out[name] = {
            "n_events": int(inside.sum()),
            "mean_pt_gev": float(pt.mean()),
            "median_pt_gev": float(np.median(pt)),
            "fraction_pt_above_500": float((pt > 500).mean()),
            "eta_std": float(eta.std()),
            "fraction_abs_eta_below_1": float((np.abs(eta) < 1).mean()),
            "chi2_to_sm": shape_distance(sm, binning.fill(pt, eta)),
        }
    return out


def plot_distributions(samples: dict[str, dict[str, np.ndarray]], path: Path) -> None:
    """The paper's Figure 4: pT and eta per regime, SM and ALP in every panel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 2, figsize=(11, 12))
    colors = {0: "tab:blue", 1: "tab:red", 2: "tab:green"}
    for row, regime in enumerate(REGIMES):
        names = ["sm", "alp"] + [f"spin{s}_{regime}" for s in (0, 1, 2)]
        for name in names:
            if name not in samples:
                continue
            ev = samples[name]
            color, ls = STYLE.get(name, (colors.get(SAMPLES[name].spin), "-"))
            kw = {"histtype": "step", "density": True, "color": color, "ls": ls, "label": name}
            axes[row, 0].hist(ev["jet_pt"], bins=binning.PT_EDGES, **kw)
            axes[row, 1].hist(ev["jet_eta"], bins=binning.ETA_EDGES, **kw)
        axes[row, 0].set_yscale("log")
        axes[row, 0].set_xlabel("leading-jet $p_T$ [GeV]")
        axes[row, 1].set_xlabel(r"leading-jet $\eta$")
        axes[row, 0].set_ylabel(f"{regime}: fraction / GeV")
        axes[row, 1].set_ylabel("fraction / unit")
        axes[row, 1].legend(fontsize=8)
    fig.suptitle("dmzoo samples: Pythia 8, anti-kt R=0.6, ATLAS-card jet resolution, 14 TeV")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _mixture_events(sample: Sample, n_generated: int, tag: str, density=None) -> dict:
    """A small mixture sample (no files kept), optionally with another density."""
    fam = mediators.FAMILIES[sample.spin]
    edges = sample.mass_edges()
    masses = mixture.cell_masses(edges)
    power = mixture.width_power(sample, float(np.median(masses)))
    weights = []
    for lo, hi, m in zip(edges[:-1], edges[1:], masses, strict=False):
        seed = pythia_run.seed_for(tag, "scan", m)
        sigma = mixture.narrow_cross_section(sample, m, power, seed, 2000)[2]
        weights.append(sigma * mixture.density_integral(sample, lo, hi, n=65, density=density))
    w = np.array(weights) / np.sum(weights)
    counts = mixture.allocate(w, n_generated)
    pts, etas, ms = [], [], []
    for m, n in zip(masses, counts, strict=False):
        if n == 0:
            continue
        s = pythia_run.narrow_settings(fam.processes, fam.extra, fam.pid, m, mixture.REL_WIDTH)
        got = pythia_run.generate_jets(s, pythia_run.seed_for(tag, m), int(n))
        keep = select(got["pt"], got["eta"])
        pts.append(got["pt"][keep])
        etas.append(got["eta"][keep])
        ms.append(np.full(keep.sum(), m))
    return {"jet_pt": np.concatenate(pts), "jet_eta": np.concatenate(etas), "m": np.concatenate(ms)}


def compare(a: dict, b: dict) -> dict:
    """Means and a two-sample KS test of pT and eta."""
    from scipy.stats import ks_2samp

    return {
        "mean_pt": [float(a["jet_pt"].mean()), float(b["jet_pt"].mean())],
        "mean_pt_error": [
            float(a["jet_pt"].std() / math.sqrt(len(a["jet_pt"]))),
            float(b["jet_pt"].std() / math.sqrt(len(b["jet_pt"]))),
        ],
        "ks_pt_pvalue": float(ks_2samp(a["jet_pt"], b["jet_pt"]).pvalue),
        "ks_eta_pvalue": float(ks_2samp(a["jet_eta"], b["jet_eta"]).pvalue),
        "n": [len(a["jet_pt"]), len(b["jet_pt"])],
    }


def mixture_closure(n_generated: int = 60_000) -> dict:
    """Mixture of narrow spin-1 mediators vs Pythia's own 100 GeV-wide one at 1 TeV."""
    m0, gamma = 1000.0, 100.0
    fam = mediators.FAMILIES[1]
    direct_settings = (
        [f"{p} = on" for p in fam.processes]
        + list(fam.extra)
        + [
            "23:m0 = 1000",
            "23:mayDecay = off",
            "23:doForceWidth = on",
            f"23:mWidth = {gamma}",
            "23:mMin = 500",
            "23:mMax = 1500",
        ]
    )
    got = pythia_run.generate_jets(
        direct_settings, pythia_run.seed_for("closure", "direct"), n_generated
    )
    keep = select(got["pt"], got["eta"])
    direct = {"jet_pt": got["pt"][keep], "jet_eta": got["eta"][keep]}
    sample = Sample("closure", spin=1, m_med=m0, m_dm=10.0)

    def bw(m: float) -> float:  # relativistic Breit-Wigner in m^2, restricted as Pythia's was
        return (
            0.0
            if not 500 <= m <= 1500
            else 1.0 / ((m * m - m0 * m0) ** 2 + m0 * m0 * gamma * gamma)
        )

    mixed = _mixture_events(_closure_grid(sample), n_generated, "closure", density=bw)
    return {
        "what": "spin-1 M = 1 TeV, width 100 GeV: Pythia's Breit-Wigner vs the mass-grid mixture",
        **compare(direct, mixed),
    }


def _closure_grid(sample: Sample) -> Sample:
    class Grid(Sample):
        def mass_edges(self):  # the closure's mass window, finely
            return np.linspace(500.0, 1500.0, 41)

    return Grid(sample.name, spin=sample.spin, m_med=sample.m_med, m_dm=sample.m_dm)


ONE_MASS_PAIRS = {
    "offshell (m_DM = 300 GeV): m_Y = m_Z vs 200 GeV": ((1, 91.1876, 300.0), (1, 200.0, 300.0)),
    "onshell (m_Y = 1 TeV): m_DM = 10 vs 100 GeV": ((1, 1000.0, 10.0), (1, 1000.0, 100.0)),
    "offshell_ps (m_DM = 10 GeV): m_Y = 10 vs 20 TeV": ((1, 10000.0, 10.0), (1, 20000.0, 10.0)),
}


def one_mass(n_generated: int = 60_000) -> dict:
    out = {}
    for label, (a, b) in ONE_MASS_PAIRS.items():
        ev = [
            _mixture_events(
                Sample(f"one_mass_{i}", spin=s, m_med=my, m_dm=mdm),
                n_generated,
                f"one_mass:{s}:{my}:{mdm}",
            )
            for i, (s, my, mdm) in enumerate((a, b))
        ]
        out[label] = compare(*ev)
    return out


def mpi_effect(n_generated: int = 20_000) -> dict:
    """The SM with multi-parton interactions on and off, same seeds."""
    from dmzoo_training.benchmarks import SM_SETTINGS

    res = {}
    for mpi in ("off", "on"):
        settings = [*SM_SETTINGS, f"PartonLevel:MPI = {mpi}"]
        got = pythia_run.generate_jets(settings, pythia_run.seed_for("mpi"), n_generated)
        keep = select(got["pt"], got["eta"])
        res[mpi] = {
            "jet_pt": got["pt"][keep],
            "jet_eta": got["eta"][keep],
            "efficiency": float(keep.mean()),
        }
    c = compare(res["off"], res["on"])
    c["selection_efficiency"] = [res["off"]["efficiency"], res["on"]["efficiency"]]
    c["what"] = "SM Z(nunu)+jet, MPI off vs on"
    return c


def write(name: str, result: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    storage.atomic_write_text(path, json.dumps(result, indent=1, sort_keys=True) + "\n")
    return path


def tail_threshold_bias() -> dict:
    """The SM tail sample's cut (pTHat > 400 GeV) against its stitching edge (628.67 GeV)."""
    from dmzoo_training.benchmarks import SM_STITCH_PT, SM_TAIL_PTHAT_MIN

    return threshold_bias(
        n_generated=60_000, low_cut=250.0, cut=SM_TAIL_PTHAT_MIN, pt_min=SM_STITCH_PT
    )


def _loop_amplitude(tau: float) -> complex:
    """A_1/2(tau) of a fermion loop in g g -> scalar, tau = m^2 / (4 m_q^2); 1 at tau -> 0."""
    import cmath

    if tau <= 1:
        f: complex = math.asin(math.sqrt(tau)) ** 2
    else:
        b = math.sqrt(1 - 1 / tau)
        f = -0.25 * (cmath.log((1 + b) / (1 - b)) - 1j * math.pi) ** 2
    return 1.5 * (tau + (tau - 1) * f) / tau**2


def top_loop(masses=(150, 250, 300, 345, 360, 400, 500, 700, 1000, 2000, 4000)) -> dict:
    """Does Pythia's spin-0 rate carry the finite-top loop at every mass? Compare its
    H -> g g width with the analytic one-loop form factor of the t, b and c loops."""
    fam = mediators.FAMILIES[0]
    py = pythia_run.make_pythia(
        [f"{p} = on" for p in fam.processes] + list(fam.extra), 1, hard_only=True
    )
    pd = py.particleData
    quarks = [pd.m0(q) for q in (6, 5, 4)]
    rows = []
    for m in masses:
        width = pd.resWidthChan(25, float(m), 21, 21)
        analytic = abs(sum(_loop_amplitude(m * m / (4 * mq * mq)) for mq in quarks)) ** 2 * m**3
        heavy_top = m**3  # the heavy-top limit: A -> 1 for the top alone
        rows.append(
            {
                "m": m,
                "pythia_width_gg": width,
                "ratio_to_full_loop": width / analytic,
                "ratio_to_heavy_top": width / heavy_top,
            }
        )
    ref_loop, ref_top = rows[0]["ratio_to_full_loop"], rows[0]["ratio_to_heavy_top"]
    for r in rows:
        r["ratio_to_full_loop"] /= ref_loop
        r["ratio_to_heavy_top"] /= ref_top
    return {
        "what": "Pythia Gamma(H -> gg)(m) over the analytic one-loop form (normalised at the "
        "first mass); smooth through 2 m_top = the loop is in the rate, the remaining "
        "fall is alpha_s(m)^2",
        "rows": rows,
    }


def threshold_bias(
    n_generated: int = 40_000,
    low_cut: float = 50.0,
    cut: float = pythia_run.PTHAT_MIN,
    pt_min: float = 130.0,
) -> dict:
    """Is a generation cut pTHat > `cut` far enough below the selection jet pT >= `pt_min`?

    Generates the SM with a lower cut and counts the selected events whose pTHat lies below
    the production cut: those are the events a sample made with that cut misses. The default
    is the main SM sample (75 GeV against the 130 GeV selection); the SM tail sample is checked
    with its own cut and stitching edge.
    """
    from dmzoo_training.benchmarks import SM_SETTINGS

    settings = [*SM_SETTINGS, f"PhaseSpace:pTHatMin = {low_cut}"]
    got = pythia_run.generate_jets(
        settings, pythia_run.seed_for("threshold", low_cut, cut), n_generated, with_pthat=True
    )
    sel = select(got["pt"], got["eta"]) & (got["pt"] >= pt_min)
    first_bin = sel & (got["pt"] < binning.PT_EDGES[np.searchsorted(binning.PT_EDGES, pt_min) + 1])
    return {
        "what": f"SM generated with pTHat > {low_cut} GeV, leading jet pT >= {pt_min:.2f} GeV: "
        f"selected events below the production cut pTHat > {cut} GeV",
        "n_generated": n_generated,
        "n_selected": int(sel.sum()),
        "fraction_selected_below_cut": float((got["pthat"][sel] < cut).mean()),
        "fraction_first_pt_bin_below_cut": float((got["pthat"][first_bin] < cut).mean()),
        "n_first_pt_bin": int(first_bin.sum()),
    }


# (h0, h1, S/sqrt(B)): h0 None is the SM alone; otherwise a model-vs-model pair, h0 against h1.
LIMIT_POINTS = (
    (None, "alp", 1.0),
    (None, "alp", 2.2),
    (None, "spin0_onshell", 0.45),
    (None, "spin1_offshell", 1.0),
    (None, "spin2_onshell", 0.33),
    ("alp", "spin1_onshell", 2.2),
    ("spin1_onshell", "spin2_onshell", 1.5),
    ("spin0_onshell", "spin2_onshell", 6.7),
)


def limit_optimism(points=LIMIT_POINTS, b: int = 50_000, n: int = 4000) -> dict:
    """How much `auc_optimal` gains from templates that contain the test events.

    The zoo's limit takes its templates from the full samples, test part included, while the
    test histograms are drawn from the test part: the likelihood ratio then knows part of the
    test pool's own fluctuations, which no network trained without the test part can. Measured
    by halving the test part: histograms drawn from half A, the likelihood ratio from the
    training and validation parts plus half A (as the limit does) or plus half B (the same
    statistics, blind to the test pool). Half a test part is 10% of a sample, so the measured
    gap is of the order of the zoo limit's, whose test part is 20% of the events. Two models
    whose true shapes differ less than their samples' noise (spin-0 and spin-2 on-shell) show
    it most: there the limit is mostly the test pool's own noise.
    """
    from dmzoo_training import histograms
    from dmzoo_training import samples as sample_parts

    def counts(ev, idx=slice(None)):
        return binning.fill(ev["jet_pt"][idx], ev["jet_eta"][idx], ev["weight"][idx])

    out = {}
    for h0, h1, snr in points:
        names = tuple(dict.fromkeys(("sm", *(h for h in (h0, h1) if h))))
        label = f"{h1} at {snr:g}" if h0 is None else f"{h0} vs {h1} at {snr:g}"
        parts = {n: sample_parts.split_parts(n, paths.EVENTS) for n in names}
        units = {n: sample_parts.unit_weights(n, paths.EVENTS) for n in names}
        rng = np.random.default_rng(
            histograms.seed_of("limit-optimism", h1 if h0 is None else label)
        )
        base, half_a, half_b = {}, {}, {}
        for name, p in parts.items():
            order = rng.permutation(len(p["test"]["jet_pt"]))
            cut = len(order) // 2
            half_a[name] = counts(p["test"], order[:cut])
            half_b[name] = counts(p["test"], order[cut:])
            base[name] = counts(p["train"]) + counts(p["val"])
        s = histograms.n_signal(snr, b)
        pool = {name: histograms.regularised(half_a[name], units[name]) for name in names}
        classes = ((() if h0 is None else (h0,)), (h1,))
        seed = histograms.seed_of("lo", h1, snr) if h0 is None else histograms.seed_of("lo", label)
        x, y = histograms.Templates(pool).draw(classes, b, s, n, np.random.default_rng(seed))

        aucs = []
        for extra in (half_a, half_b):
            t = {n: histograms.regularised(base[n] + extra[n], units[n]) for n in names}
            t0, t1 = (histograms.mixture(t, h, b, s) for h in (h0, h1))
            aucs.append(histograms.auc(histograms.log_likelihood_ratio(x, t0, t1), y))
        seeing, blind = aucs
        out[label] = {
            "auc_templates_with_test_half": seeing,
            "auc_templates_with_other_half": blind,
            "ratio": blind / seeing,
        }
        log.info("limit optimism %s: %.4f vs %.4f", label, seeing, blind)
    return out
