"""`dmzoo score`: one input (one file or many), one benchmark, one calibrated answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from dmzoo.commands import dump, json_option, open_zoo, tell, zoo_options

DEFAULT_TOYS = 1000  # dmzoo.calibration's defaults, repeated so --help imports nothing heavy
DEFAULT_SEED = 0


SELECTIONS = ("monojet", "leading-jet")  # dmzoo.selection.NAMES, kept import-free
# The options of dmzoo.selection.Selection's thresholds; None leaves its default.
SELECTION_OPTIONS = (
    click.option(
        "--selection",
        "selection_name",
        type=click.Choice(SELECTIONS),
        default=None,
        help="Events entering the histogram: a monojet preselection (each cut where the file "
        "has its branches) or the paper's rule alone (leading jet in the histogram). "
        "[default: monojet; a file none of whose events passes it is scored under the "
        "paper's rule, with a warning, unless a selection option is given]",
    ),
    click.option("--met-min", type=float, default=None, help="monojet: MET above this, GeV [130]."),
    click.option(
        "--jet-id/--no-jet-id",
        default=None,
        help="monojet: the leading jet passes the tight jet ID (NanoAOD) [on].",
    ),
    click.option(
        "--lepton-veto/--no-lepton-veto",
        default=None,
        help="monojet: veto events with an electron or muon [on].",
    ),
    click.option(
        "--photon-veto/--no-photon-veto",
        default=None,
        help="monojet: veto events with a photon [on].",
    ),
    click.option(
        "--veto-pt-min",
        type=float,
        default=None,
        help="monojet: vetoed objects' pT above, GeV [10].",
    ),
    click.option(
        "--veto-eta-max",
        type=float,
        default=None,
        help="monojet: vetoed objects' |eta| below [2.5].",
    ),
    click.option(
        "--dphi-min",
        type=float,
        default=None,
        help="monojet: min dphi(jet, MET) of the leading jets above this; 0 turns it off [0.4].",
    ),
    click.option(
        "--dphi-jets",
        type=click.IntRange(min=1),
        default=None,
        help="monojet: how many leading jets the dphi cut looks at [4].",
    ),
    click.option(
        "--jes",
        type=float,
        default=None,
        help="Jet energy scale shift for a systematic study: every jet's pT times (1 + JES) "
        "before the cuts, e.g. 0.02 for +2% (events only; MET is not recomputed) [0].",
    ),
    click.option(
        "--dphi-jet-pt-min",
        type=float,
        default=None,
        help="monojet: jets of the dphi cut have pT above this, GeV [30].",
    ),
)


def selection_from(reading: dict):
    """The Selection the options in `reading` ask for; they are taken out of it."""
    from dmzoo.selection import Selection

    name = reading.pop("selection_name")
    given = {
        key: reading.pop(key) for key in [k for k in reading if k in Selection.__dataclass_fields__]
    }
    given = {key: value for key, value in given.items() if value is not None}
    if name is None and set(given) <= {"jes"}:
        # the default, a jet scale shift or not: it may fall back to the paper's rule
        return Selection(fallback=True, **given)
    name = name or "monojet"
    # The scale shift belongs to either selection; the thresholds to monojet alone.
    cuts = {key: value for key, value in given.items() if key != "jes"}
    if name == "leading-jet" and cuts:
        flags = ", ".join("--" + key.replace("_", "-") for key in cuts)
        verb = "belongs" if len(cuts) == 1 else "belong"
        raise click.UsageError(f"{flags} {verb} to --selection monojet, not leading-jet")
    return Selection(name=name, **given)


def input_options(f: Callable) -> Callable:
    """FILE... and the reading options every command reading events shares."""
    for option in reversed(SELECTION_OPTIONS):
        f = option(f)
    f = click.option(
        "--dask", "local_dask", is_flag=True, help="Fill the histogram on a local Dask cluster."
    )(f)
    f = click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Fill the histogram on this Dask scheduler (needs the dask extra).",
    )(f)
    f = click.option("--eta-branch", default=None, help="Jet eta branch of a flat ntuple.")(f)
    f = click.option("--pt-branch", default=None, help="Jet pT branch of a flat ntuple.")(f)
    return click.argument("files", nargs=-1, required=True, metavar="FILE...")(f)


def scoring_options(f: Callable) -> Callable:
    """The model choice and the pseudo-experiments, shared by `score` and `plot score`."""
    options = [
        click.option("--benchmark", required=True, help="Benchmark to test, e.g. spin1_offshell."),
        click.option("--snr", type=float, required=True, help="S/sqrt(B) to test (finite, > 0)."),
        click.option(
            "--multimodel",
            "kind",
            flag_value="multimodel_binary",
            help="Use the multimodel binary classifier (probability of any new physics).",
        ),
        click.option(
            "--multiclass",
            "kind",
            flag_value="multiclass",
            help="Use the multiclass classifier (8 probabilities, most likely benchmark).",
        ),
        click.option(
            "--versus",
            default=None,
            metavar="BENCHMARK",
            help="Is the signal --benchmark rather than this one? Uses the model-vs-model "
            "classifier of the pair; the p-value tests SM + this benchmark, not SM only.",
        ),
        click.option(
            "--grid",
            is_flag=True,
            help="Use the grid model nearest in S/sqrt(B) even when the zoo has a parametric "
            "model (one network fed the exact S/sqrt(B)), which is used by default.",
        ),
        click.option(
            "--toys",
            type=click.IntRange(min=0),
            default=DEFAULT_TOYS,
            show_default=True,
            help="Pseudo-experiments per hypothesis for the p-value and power; 0 skips them.",
        ),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=DEFAULT_SEED,
            show_default=True,
            help="Seed of the pseudo-experiments.",
        ),
        click.option(
            "--sqrt-s",
            type=float,
            default=None,
            metavar="TEV",
            help="Collision energy of the data in TeV (e.g. 13.6); warns when the model was "
            "trained at another (the zoo: 14).",
        ),
        click.option(
            "--sm",
            type=click.Choice(["z_nunu", "full"]),
            default="z_nunu",
            show_default=True,
            help="The zoo's SM template for the pseudo-experiments: the paper's Z(->nunu)+jet, "
            "or with W(->l nu)+jet and ttbar by cross section (a zoo that has it).",
        ),
        click.option(
            "--background",
            default=None,
            metavar="FILE",
            help="The SM of the pseudo-experiments instead of the zoo's template: a TH2 in the "
            "zoo's binning or events of any flavour (file.root or file.root:object), read "
            "through the same selection as the data.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def run_score(
    files, benchmark, snr, kind, toys, seed, reading: dict, zoo_path, grid=False, versus=None
):
    """The library call behind both commands, with notes and warnings on stderr.

    `reading` holds the options of `input_options` besides the files, --background,
    --sqrt-s and --sm.
    """
    from dmzoo.scoring import score as run

    background = reading.pop("background")
    sqrt_s = reading.pop("sqrt_s")
    sm = reading.pop("sm")
    chosen = selection_from(reading)
    scheduler, local_dask = reading["scheduler"], reading["local_dask"]
    if scheduler and local_dask:
        raise click.UsageError("give --scheduler ADDRESS or --dask, not both")
    zoo = open_zoo(zoo_path)
    result = run(
        list(files),
        benchmark=benchmark,
        snr=snr,
        zoo=zoo,
        pt_branch=reading["pt_branch"],
        eta_branch=reading["eta_branch"],
        scheduler="local" if local_dask else scheduler,
        kind=kind or "binary",
        toys=toys,
        seed=seed,
        selection=chosen,
        background=background,
        grid=grid,
        sqrt_s=sqrt_s,
        versus=versus,
        sm=sm,
    )
    for note in result.notes:
        tell("Note", note)
    for w in result.warnings:
        if w != getattr(zoo, "warning", None):  # a hub fallback, said when the zoo was opened
            tell("Warning", w)
    return result


@click.command()
@input_options
@scoring_options
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also draw the histogram, the calibrated score and the AUC curve (.png, .pdf, .svg); "
    "needs pip install 'dmzoo[plot]'.",
)
@zoo_options
@json_option
def score(
    files, benchmark, snr, kind, versus, grid, toys, seed, plot_path, zoo_path, as_json, **reading
) -> None:
    """Score FILE... (file.root, file.root:object or a quoted glob) against one benchmark.

    Several files or globs fill one histogram; the report lists each file's events.
    The score is calibrated with pseudo-experiments of as many events as the input holds: SM-only
    ones give its p-value and the thresholds at 90% and 99% background rejection, SM + signal
    ones at the requested S/sqrt(B) give the expected score and power. A parametric model
    of the zoo is fed the requested S/sqrt(B) itself; --grid takes the nearest grid model.
    """
    if plot_path is not None:
        from dmzoo import plots

        plots.require()  # before the work, so a missing extra costs nothing
        plots.check_target(plot_path)  # and nor does a bad file name
    result = run_score(files, benchmark, snr, kind, toys, seed, reading, zoo_path, grid, versus)
    if plot_path is not None:
        plots.save(plots.summary_figure(result, open_zoo(zoo_path)), plot_path)
        click.echo(f"Plot written to {plot_path}", err=True)
    if as_json:
        click.echo(dump(result.to_dict()))
        return
    click.echo(summary(result))


WHAT = {
    "binary": "probability that the histogram holds {benchmark} signal",
    "multimodel_binary": "probability that the histogram holds any new physics",
    "multiclass": "1 - P(sm), the probability of any new physics",
    "model_vs_model": "probability that the signal is {benchmark} rather than {versus}",
}


def summary(r) -> str:
    """The human-readable answer."""
    lines = [
        f"{r.file or 'input'}: {r.source}",
        f"  events read {r.n_events}, selected {r.n_selected}, no usable jet {r.n_no_jet}, "
        f"leading jet outside the histogram {r.n_out_of_range}",
        *cutflow_lines(r.selection),
        f"  model {r.model} (zoo {r.zoo_version}) for S/sqrt(B) = {r.snr_requested:g}"
        + (f", parametric, fed {r.snr_model:g}" if r.model_kind == "parametric" else "")
        + _energy(r.sqrt_s_gev),
        f"  score {r.score:.4f}  ({WHAT[r.kind].format(benchmark=r.benchmark, versus=r.versus)})",
    ]
    if len(r.files) > 1:
        lines.append(f"  {len(r.files)} files:")
        lines += [
            f"    {f['file']}: events read {f['n_events']}, selected {f['n_selected']}"
            for f in r.files
        ]
    if r.auc is not None:
        lines.append(
            f"  expected AUC at S/sqrt(B) = {r.snr_requested:g} with B = {r.b_train}: "
            f"{r.auc:.3f} +- {r.auc_std:.3f} ({r.auc_method}); likelihood-ratio limit "
            f"{r.auc_optimal:.3f}"
        )
    if r.classes is not None:
        lines += _classes(r.classes)
    if r.calibration is not None:
        lines += _calibration(r.calibration, r.benchmark, r.null)
    if r.background is not None:
        lines.append(_background(r.background))
    return "\n".join(lines)


def _energy(sqrt_s: dict) -> str:
    if sqrt_s.get("model") is None:
        return ""
    return f", trained at {sqrt_s['model'] / 1000:g} TeV"


def _background(b: dict) -> str:
    if b["kind"] == "zoo":
        return f"    SM of the pseudo-experiments: {b['source']}"
    return (
        f"    SM of the pseudo-experiments: the background {b['file'] or 'given'} "
        f"({b['source']}), {b['n_events']} events"
    )


def cutflow_lines(selection: dict | None) -> list[str]:
    """The selection's name and cutflow, one cut a line, skipped cuts marked."""
    if selection is None:
        return []
    cuts = {c["name"]: c for c in selection["cuts"]}
    if len(selection["cuts"]) == 1:  # the paper's rule alone: it has no other cut
        kept = selection["cutflow"][-1]["events"]
        return [f"  selection {selection['name']} (the paper's rule alone): {kept} events kept"]
    if not any(c["applied"] for c in selection["cuts"][1:]):
        # Every cut beyond the leading jet lacked its branches (a file of jets alone): say so
        # in one line; --json keeps the whole cutflow.
        kept = selection["cutflow"][-1]["events"]
        return [
            f"  selection {selection['name']}: no cut could run beyond the leading jet (no MET, "
            f"lepton, photon or jet-ID branches); {kept} events kept"
        ]
    lines = [f"  selection {selection['name']}, events after each cut:"]
    requirement = {"read": "events read", **{n: c["requirement"] for n, c in cuts.items()}}
    for step in selection["cutflow"]:
        cut = cuts.get(step["cut"], {"applied": True})
        mark = "" if cut["applied"] else f"  (skipped: {cut['skipped_because']})"
        lines.append(f"    {step['events']:>8}  {step['cut']}: {requirement[step['cut']]}{mark}")
    return lines


def _classes(c) -> list[str]:
    probs = ", ".join(f"{name} {p:.3f}" for name, p in c.probabilities.items())
    verdict = (
        f"identifies {c.identified}"
        if c.identified
        else "identifies no class (the top one is not above 0.25)"
    )
    return [
        f"  classes: {probs}",
        f"  most likely {c.top_class} ({c.top_probability:.3f}); the paper's rule {verdict}",
    ]


def _calibration(c, benchmark: str, null: str = "SM only") -> list[str]:
    q = c.signal_quantiles
    lines = [
        f"  calibration: {c.n_toys} {'SM-only' if null == 'SM only' else null} and "
        f"{c.n_toys} signal pseudo-experiments of "
        f"{c.n_events} events (seed {c.seed})",
        f"    p-value under {null}: {c.p_value_text}",
        f"    score with {benchmark} signal (B {c.b_signal} + S {c.s_signal}): median "
        f"{c.signal_median:.4f}, 68% in [{q['0.16']:.4f}, {q['0.84']:.4f}]",
    ]
    for d in c.decisions:
        side = f"above: {null} rejected" if d.observed_above else f"below: {null} not rejected"
        lines.append(
            f"    {d.background_rejection:.0%} background rejection: threshold {d.threshold:.4f}, "
            f"observed {side}; expected power {d.power:.3f} +- {d.power_error:.3f}"
        )
    return lines
