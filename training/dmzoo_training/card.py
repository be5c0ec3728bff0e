"""MODEL_CARD.md in the model hub's format, generated from the tables and sample records."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from dmzoo_training import card_kinds, paths, storage

CITATION = """@article{arganda2022anticipate,
  author  = {Arganda, Ernesto and Medina, Anibal D. and Perez, Andres D. and Szynkman, Alejandro},
  title   = {Towards a method to anticipate dark matter signals with deep learning at the LHC},
  journal = {SciPost Phys.},
  volume  = {12},
  pages   = {063},
  year    = {2022},
  eprint  = {2105.12018},
  archivePrefix = {arXiv}
}"""


def _rows(zoo: Path) -> list[dict]:
    with open(zoo / "tables" / "auc_individual.csv", newline="") as f:
        return list(csv.DictReader(f))


def _samples(events: Path) -> list[dict]:
    out = []
    for d in sorted(events.iterdir()):
        if (d / "sample.json").exists():
            out.append(json.loads((d / "sample.json").read_text()))
    return out


def _parametric_lines(zoo: Path) -> list[str]:
    """Per benchmark: the parametric network's worst ratio to the limit and its gap to the grid."""
    path = zoo / "tables" / "auc_parametric.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if float(r["auc_optimal"]) >= 0.6]
    lines = [
        "| benchmark | worst AUC / limit (where the limit >= 0.6) | at S/sqrt(B) "
        "| mean AUC - nearest grid network's | largest shortfall to the grid |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in sorted({r["benchmark"] for r in rows}):
        mine = [r for r in rows if r["benchmark"] == name]
        worst = min(mine, key=lambda r: float(r["auc"]) / float(r["auc_optimal"]))
        diffs = [float(r["auc"]) - float(r["auc_grid"]) for r in mine if r["auc_grid"]]
        lines.append(
            f"| {name} | {float(worst['auc']) / float(worst['auc_optimal']):.4f} "
            f"| {worst['snr']} | {sum(diffs) / len(diffs):+.4f} | {min(diffs):+.4f} |"
        )
    return lines


def front_matter(rows: list[dict], version: str) -> str:
    lines = [
        "---",
        "license: cc-by-4.0",
        "library_name: onnx",
        "tags:",
        "  - physics",
        "  - high-energy-physics",
        "  - dark-matter",
        "  - onnx",
        "model-index:",
        f"  - name: dmzoo-{version}",
        "    results:",
    ]
    for r in rows:
        lines += [
            "      - task: {type: binary-classification, name: SM+DM vs SM-only histograms}",
            f"        dataset: {{type: dmzoo-pythia8, name: {r['benchmark']} at S/sqrt(B) = {r['snr']}}}",
            "        metrics:",
            f"          - {{type: roc_auc, value: {float(r['auc']):.4f}, name: test AUC}}",
            f"          - {{type: roc_auc, value: {float(r['auc_optimal']):.4f}, name: likelihood-ratio limit}}",
        ]
    return "\n".join(lines + ["---", ""])


def _validation_lines(folder: Path = paths.TRAINING / "validation") -> list[str]:
    """One line per recorded validation, with its numbers."""
    lines = []

    def load(name: str) -> dict | None:
        path = folder / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def means(c: dict) -> str:
        (a, b), (ea, eb) = c["mean_pt"], c["mean_pt_error"]
        return (
            f"mean leading-jet pT {a:.1f} +- {ea:.1f} vs {b:.1f} +- {eb:.1f} GeV, "
            f"KS p-value pT {c['ks_pt_pvalue']:.2f}, eta {c['ks_eta_pvalue']:.2f}"
        )

    if closure := load("mixture_closure"):
        lines.append(f"- Method closure, {closure['what']}: {means(closure)}.")
    if one := load("one_mass_per_regime"):
        for label, c in one.items():
            lines.append(f"- Spin-1 {label}: {means(c)}.")
    if cut := load("generation_threshold"):
        lines.append(
            f"- Generation cut: of {cut['n_selected']} SM events selected from a sample generated "
            f"with a lower cut, a fraction {cut['fraction_selected_below_cut']:.4f} (first pT bin: "
            f"{cut['fraction_first_pt_bin_below_cut']:.4f}) lies below the production cut."
        )
    if optimism := load("limit_optimism"):
        ratios = ", ".join(f"{k} {v['ratio']:.4f}" for k, v in optimism.items())
        lines.append(
            "- The likelihood-ratio limit's templates contain the test events: halving the test "
            "part, the likelihood ratio of templates holding the other half reaches, relative "
            f"to one holding the half the test histograms come from: {ratios}. The limit is "
            "that much optimistic for any network trained without the test part."
        )
    if mpi := load("mpi_effect"):
        eff = mpi["selection_efficiency"]
        lines.append(
            f"- Multi-parton interactions (off vs on, SM): {means(mpi)}; selection "
            f"efficiency {eff[0]:.3f} vs {eff[1]:.3f}."
        )
    if loop := load("spin0_top_loop"):
        rows = {r["m"]: r for r in loop["rows"]}
        lines.append(
            "- Spin-0 rate across masses: Pythia's g g coupling over the full one-loop form is "
            f"{rows[345]['ratio_to_full_loop']:.3f} at 345 GeV and {rows[360]['ratio_to_full_loop']:.3f} "
            "at 360 GeV (smooth through 2 m_top), over the heavy-top limit "
            f"{rows[4000]['ratio_to_heavy_top']:.3f} at 4 TeV (normalised at 150 GeV)."
        )
    if facts := load("sample_facts"):
        mean = {k: v["mean_pt_gev"] for k, v in facts.items()}
        lines += [
            f"- The paper's qualitative facts hold: the ALP is the closest to the SM (shape chi2 "
            f"{facts['alp']['chi2_to_sm']:.2f}, the next {sorted(v['chi2_to_sm'] for v in facts.values())[2]:.2f}); "
            f"spin-1 is more central (eta spread {facts['spin1_offshell']['eta_std']:.2f} against "
            f"{facts['sm']['eta_std']:.2f} for the SM); a spin-2 sample is the hardest (mean pT "
            f"{max(mean[k] for k in mean if k.startswith('spin2')):.0f} GeV).",
            f"- Where they differ: the spin-0 on-shell sample is as hard as the spin-2 one (mean pT "
            f"{mean['spin0_onshell']:.1f} against {mean['spin2_onshell']:.1f} GeV), which we put down to "
            f"the heavy-top-limit kinematics; the spin-1 on-shell sample is no harder than the off-shell "
            f"one ({mean['spin1_onshell']:.1f} against {mean['spin1_offshell']:.1f} GeV): with every "
            "coupling 1 the 1 TeV mediator is about 500 GeV wide and much of its rate sits at low mass.",
        ]
    return lines


def render(zoo: Path = paths.ZOO, events: Path = paths.EVENTS) -> str:
    manifest = json.loads((zoo / "manifest.json").read_text())
    rows = _rows(zoo)
    samples = _samples(events)
    table = [
        "| benchmark | S/sqrt(B) | AUC | test error | std over trainings | trainings "
        "| likelihood-ratio limit | ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = float(r["auc"]) / float(r["auc_optimal"])
        error = f"{float(r['auc_error']):.4f}" if r.get("auc_error") else "-"
        table.append(
            f"| {r['benchmark']} | {r['snr']} | {float(r['auc']):.4f} | {error} "
            f"| {float(r['auc_std']):.4f} | {r['n_trainings']} | {float(r['auc_optimal']):.4f} "
            f"| {ratio:.4f} |"
        )
    sample_table = [
        "| sample | selected events | generated | efficiency | Pythia sigma (pb, see warning) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in samples:
        sample_table.append(
            f"| {s['sample']} | {s['n_selected']} | {s['n_generated']} | "
            f"{s['selection_efficiency']:.3f} | {s['sigma_generated_pb']:.4g} |"
        )
    body = f"""# dmzoo {manifest["zoo_version"]}: histogram classifiers for dark matter in monojet events

Generated by `dmzoo-train card` from `zoo/tables/` and the event records; do not edit by hand.

## Intended use
Each model reads one 30 x 30 histogram of the leading jet's pT (130-2000 GeV) against its eta
(-4 to 4) of a set of monojet events and returns the probability that the set holds dark-matter
events of one benchmark on top of the Standard Model (SM) Z(->nunu)+jet background. It was
trained at one S/sqrt(B) with B = 50,000 background events per histogram; the AUC tables say how
well it separates "SM + signal" from "SM only" there. Use it as a fast first look, as the paper
proposes: a positive answer calls for a dedicated counting analysis.

Not for: a discovery significance (the score is not a significance and its AUC holds at the
trained B and S/sqrt(B)); data with another selection, collision energy or detector without
checking the shift; events far from 50k per histogram (the runtime warns).

## Models
{len(manifest["models"])} ONNX models (opset 17, IR version 8), input `histogram` float32
[N, 30, 30] raw counts (axis 0 pT, axis 1 eta), output `probability` float32 [N] (the
multiclass ones: [N, 8]); the parametric ones take S/sqrt(B) as a second input. Every file's
metadata holds the binning, normalisation, labels, metrics, training settings and provenance.

## Training data
Pythia 8 (`pythia8mc`) at 14 TeV, shower and hadronisation on, multi-parton interactions off;
anti-kt R = 0.6 jets of visible particles within |eta| < 4.9 (Pythia's SlowJet), jet energy
smeared with the hadronic resolution of Delphes 3.4.2's ATLAS card; selection 130 <= pT <= 2000
GeV, |eta| <= 4 on the leading jet. Off-shell and wide mediators are mass-grid mixtures of narrow
mediators weighted by the s-channel propagator (see `training/dmzoo_training/mediators.py`).
The spin-1 mediator is Pythia's Z-like boson moved to the mediator mass (q qbar and q g
channels) with SM Z couplings to quarks; the spin-0 mediator uses Pythia's g g -> H g family
(heavy-top-limit kinematics, full-loop rate); the spin-2 mediator is Pythia's RS graviton with its
coupling held fixed across masses. Pythia's absolute signal cross sections are recorded but not
trustworthy here; the method needs shapes only.

{chr(10).join(sample_table)}

The SM is stitched from two generations: `sm` (pTHat > 75 GeV) below a leading-jet pT of
628.67 GeV and `sm_tail` (pTHat > 400 GeV, a hundred times more events there) above it, each
event weighted by its sample's cross section per generated event; the tail sample's cut misses
0.1% of its events above the edge. Each pool is split 64:16:20 into train, validation and test
parts; histograms of each purpose come only from its part.

## Training
The network is the paper's (three dense layers of 20, dropout 0.2, sigmoid output) on
whitened bin fractions, with a linear path from the bins to the output. The linear path and the
output bias start at the likelihood ratio of templates from the training and validation parts,
symmetrised in eta (pp collisions and the detector model are symmetric) and gently smoothed,
and the dense path at zero, so a network begins as the best classifier those events allow;
fresh pseudo-histograms every epoch, early stopping and the learning-rate schedule follow the
validation AUC, and the starting point competes. Measured: training rarely beat the start on
validation, so most binary networks are that likelihood ratio, exported as the paper's
network; repeated trainings then agree closely and the test set's own error (`auc_error`) is
the meaningful uncertainty. Multiclass networks start at the class log-likelihoods.

The parametric networks (`parametric-<benchmark>`, and `parametric` for the seven labelled
benchmarks together) take S/sqrt(B) as a second input, `snr` float32 [N, 1], and serve the
whole range 0.1-10: a likelihood-ratio layer computes ln L1/L0 = N sum_i f_i ln(1 - phi + phi
r_i) from the bin fractions f, N = B + S and phi = S / N at the given S/sqrt(B) (for several
models, the log of the mean of their likelihood ratios), with trainable ratios r started from
the same templates, and a dense path of the paper's shape, fed the bins and ln S/sqrt(B),
adds to its logit. They were trained on histograms at S/sqrt(B) drawn log-uniformly over the
range every epoch.

## Validation of the samples
{chr(10).join(_validation_lines()) or "- none recorded yet (`dmzoo-train validate --what all`)"}

![pT and eta of every sample](zoo/figures/distributions_pt_eta.png)

## Results
The likelihood-ratio limit is the AUC of the Neyman-Pearson statistic between the two histogram
hypotheses on the same test histograms: no histogram classifier can beat it.

{chr(10).join(table)}

![AUC against S/sqrt(B)](zoo/figures/auc_individual.png)
{_reach_section(zoo)}{_parametric_section(zoo)}{_kinds_section(zoo)}{_comparison_section(zoo)}{_robustness_section(zoo)}
## Limitations
- A fast parametric detector (per-jet Gaussian resolution), not a full simulation; no pile-up,
  no multi-parton interactions.
- The SM is Z(->nunu)+jet alone, as in the paper; W+jet, top and diboson backgrounds are not in
  the templates.
- Spin-0 kinematics are those of the heavy-top limit, which overstates the pT tail near and
  above m_top; the rate across masses carries the full loop.
- Templates come from finite samples: bins the SM leaves empty get a pseudo-count of 0.5 events
  (scaled to the event weight above the stitching edge).
- The score is not a significance; its AUC holds at the trained B and S/sqrt(B).

## Citation
{CITATION}
"""
    return front_matter(rows, manifest["zoo_version"]) + body


def _f(rows: list[dict], key: str) -> list[float]:
    return [float(r[key]) for r in rows if r.get(key) not in (None, "")]


def _off(rows: list[dict], a: str, b: str) -> list[dict]:
    """The rows of a comparison table where the network was asked another question."""
    return [r for r in rows if r[a] != r[b]]


def _comparison_lines(zoo: Path) -> list[str]:
    """One line per comparison table present, with its headline numbers and its figure."""
    lines = []
    if rows := card_kinds.table(zoo, "auc_wrong_snr"):
        off = _off(rows, "snr_train", "snr_test")
        near = [r for r in off if 0.6 < float(r["snr_train"]) / float(r["snr_test"]) < 1.7]
        lines.append(
            f"- Wrong S/sqrt(B) (Figure 11, `auc_wrong_snr.csv`): a grid network tested one "
            f"grid step away keeps at least {min(_f(near, 'ratio_to_matched')):.3f} of the "
            f"matched AUC; anywhere on the grid at least {min(_f(off, 'ratio_to_matched')):.3f}."
        )
    if rows := card_kinds.table(zoo, "auc_parametric_wrong_snr"):
        off = _off(rows, "snr_stated", "snr_test")
        lines.append(
            f"- The parametric networks told the wrong S/sqrt(B) (`auc_parametric_wrong_snr.csv`, "
            f"`figures/auc_parametric_wrong_snr.png`): at least {min(_f(off, 'ratio_to_matched')):.3f} "
            f"of the AUC told the truth, the grid networks at least "
            f"{min(_f(off, 'ratio_grid_to_matched')):.3f} on the same histograms."
        )
    if rows := card_kinds.table(zoo, "auc_wrong_model"):
        off = _off(rows, "trained_on", "tested_on")
        lines.append(
            f"- Wrong model (section 4.3, `auc_wrong_model.csv`): a network of another of the "
            f"four comparison models keeps {min(_f(off, 'ratio_to_matched')):.3f} to "
            f"{max(_f(off, 'ratio_to_matched')):.3f} of the tested model's own AUC."
        )
    if rows := card_kinds.table(zoo, "auc_event_level"):
        lines.append(
            f"- Event by event (section 3.1, `auc_event_level.csv`): a network of Table 2's shape on "
            f"single events reaches an AUC per event of {min(_f(rows, 'auc_event')):.3f} to "
            f"{max(_f(rows, 'auc_event')):.3f}"
            + (
                "; its ROC curves (Figure 5) are in `roc_event_level.csv` and "
                "`figures/roc_event_level.png`."
                if (zoo / "tables" / "roc_event_level.csv").exists()
                else "."
            )
        )
    if rows := card_kinds.table(zoo, "auc_event_combination"):
        diff = [
            float(r["auc_combined"]) - float(r["auc_histogram"]) for r in rows if r["auc_histogram"]
        ]
        lines.append(
            f"- Its likelihood ratio combined over the histograms' events (section 6.1, "
            f"`auc_event_combination.csv`) lands within {min(diff):+.3f} to {max(diff):+.3f} of "
            f"the histogram networks on the same test histograms (mean {sum(diff) / len(diff):+.4f})."
        )
    if rows := card_kinds.table(zoo, "auc_binning"):
        at1 = [r for r in rows if float(r["snr"]) == 1.0]
        by = {}
        for r in at1:
            by.setdefault(r["binning"], []).append(float(r["auc_method"]))
        means = ", ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in by.items())
        lines.append(
            f"- Binning (appendix D, `auc_binning.csv`, likelihood ratios of the networks' "
            f"templates): mean AUC of the four comparison models at S/sqrt(B) = 1: {means}."
        )
    return lines


def _reach_section(zoo: Path) -> str:
    lines = card_kinds.reach_lines(zoo)
    if not lines:
        return ""
    return f"""
### The S/sqrt(B) each benchmark needs
Where the AUC first reaches 0.9 and 0.99, linear in log S/sqrt(B) between grid points, beside
the likelihood-ratio limit's and the paper's (its section 4.1, AUC 0.9, per mediator spin):

{chr(10).join(lines)}
"""


def _kinds_section(zoo: Path) -> str:
    lines = [
        *card_kinds.multimodel_lines(zoo),
        *card_kinds.multiclass_lines(zoo),
        *card_kinds.model_vs_model_lines(zoo),
    ]
    if not lines:
        return ""
    return (
        "\n### Multimodel, multiclass and model-against-model networks\n" + "\n".join(lines) + "\n"
    )


def _robustness_section(zoo: Path) -> str:
    lines = card_kinds.robustness_lines(zoo)
    if not lines:
        return ""
    return (
        "\n### Other worlds: the full SM, 13 TeV, detector and generator systematics\n"
        "Histograms drawn from another world's templates and from the nominal one with the "
        "same seeds, scored by the shipped parametric networks (`training/dmzoo_training/"
        "robustness.py`):\n\n" + "\n".join(lines) + "\n"
    )


def _comparison_section(zoo: Path) -> str:
    lines = _comparison_lines(zoo) + card_kinds.trained_comparison_lines(zoo)
    if not lines:
        return ""
    return "\n### Comparisons with the paper\n" + "\n".join(lines) + "\n"


def _parametric_section(zoo: Path) -> str:
    lines = _parametric_lines(zoo)
    if not lines:
        return ""
    return f"""
### Parametric networks
Measured at the grid points and between them (0.12, 0.8, 1.2, 5.5) on each benchmark's own
test histograms, beside the grid network nearest in log S/sqrt(B) on the same histograms
(`zoo/tables/auc_parametric.csv`; the multimodel one in `auc_parametric_multimodel.csv`):

{chr(10).join(lines)}

![parametric and grid networks against the limit](zoo/figures/auc_parametric.png)
"""


def write_card(out: Path = paths.REPO / "MODEL_CARD.md") -> Path:
    storage.atomic_write_text(out, render())
    return out
