"""`dmzoo auc`, `tables`, `snr` and `reach`: the lookup tables and the paper's four steps."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from dmzoo.commands import dump, json_option, open_zoo, tell, zoo_options

KIND_CHOICE = click.Choice(["individual", "multimodel", "multiclass", "all"])
BACKGROUND_HELP = (
    "SM processes of the paper's Table 3, comma-separated: z_nunu, w_taunu, w_lnu, z_ll, "
    "ttbar (or ttbar_btag_le1, ttbar_btag0), diboson; or all. Default z_nunu "
    "(53.6 pb x 0.78). B = L x sum of sigma x efficiency. Or zoo_sm: the zoo's own SM sample, "
    "generated at the same pTHat > 75 GeV cut as the default signal efficiencies."
)
EFFICIENCY_HELP = (
    "Fraction of the events behind --sigma-signal whose leading jet lands in the histogram, "
    "in (0, 1]. S = sigma x efficiency x L. Default: each benchmark's zoo sample (selected / "
    "generated, Pythia 8 with pTHat > 75 GeV), right for a cross section at that generator cut; "
    "give 1 for a cross section already after the selection."
)


grid_option = click.option(
    "--grid",
    is_flag=True,
    help="The grid models' table even when the zoo has a parametric model.",
)


def _notes(notes: list[str]) -> None:
    for note in notes:
        tell("Note", note)


def _model_text(a) -> str:
    """Which parametric model answered, for an answer that came from one."""
    return f", {a.model}" if a.model_kind == "parametric" else ""


def _auc_text(a) -> str:
    grid = f"; nearest grid model {a.auc_grid:.3f}" if a.auc_grid is not None else ""
    return _table_text(a) + grid


def _table_text(a) -> str:
    if a.bound:
        where = "below" if a.bound == "upper" else "above"
        edge = a.snr_grid[0] if a.bound == "upper" else a.snr_grid[1]
        relation = "<=" if a.bound == "upper" else ">="
        raised = "; the edge's AUC is below 0.5, a coin toss, so 0.5" if "coin" in a.method else ""
        return (
            f"AUC {relation} {a.auc:.3f} (outside the grid, {where} {edge:g}: edge value as a "
            f"bound{raised}), likelihood-ratio limit {relation} {a.auc_optimal:.3f}"
        )
    return (
        f"AUC {a.auc:.3f} +- {a.auc_std:.3f} ({a.method}), likelihood-ratio limit "
        f"{a.auc_optimal:.3f}"
    )


@click.command()
@click.option("--benchmark", required=True, help="Benchmark, e.g. spin1_offshell.")
@click.option("--snr", type=float, required=True, help="S/sqrt(B), finite and > 0.")
@click.option("--kind", type=KIND_CHOICE, default="individual", show_default=True)
@grid_option
@zoo_options
@json_option
def auc(benchmark: str, snr: float, kind: str, grid: bool, zoo_path, as_json: bool) -> None:
    """The AUC a classifier reaches at S/sqrt(B), from the zoo's tables.

    Interpolated linearly in log S/sqrt(B) between grid points; outside the grid the
    nearest edge value is given as a bound. When the zoo has a parametric model for the
    benchmark (individual) or the multimodel one (multimodel), its table answers, with the
    nearest grid model's AUC beside it; --grid reads the grid table.

    \b
    Example:
      dmzoo auc --benchmark spin1_offshell --snr 1.2
    """
    from dmzoo.lookup import auc_all

    answers, notes = auc_all(benchmark, snr, kind=kind, zoo=open_zoo(zoo_path), grid=grid)
    _notes(notes)
    if as_json:
        click.echo(dump({"answers": [a.to_dict() for a in answers], "notes": notes}))
        return
    for a in answers:
        click.echo(
            f"{a.benchmark}, {a.kind}{_model_text(a)}, S/sqrt(B) = {a.snr:g}: {_auc_text(a)} "
            f"[zoo {a.zoo_version}]"
        )


def _write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file in the same folder, then rename."""
    from dmzoo.outputs import honour_umask

    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        honour_umask(fd)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command()
@click.option("--kind", type=KIND_CHOICE, default="all", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "md"]),
    default=None,
    help="Default: from the -o suffix (.json, .md), else csv.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File.")
@zoo_options
def tables(kind: str, fmt: str | None, output: Path | None, zoo_path) -> None:
    """Export the AUC lookup tables (csv, json, or markdown for papers).

    \b
    Example:
      dmzoo tables --format md -o auc.md
    """
    from dmzoo.errors import InputFileError
    from dmzoo.lookup import format_tables, load_tables

    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = {".json": "json", ".md": "md", ".markdown": "md"}.get(suffix, "csv")
    found = load_tables(open_zoo(zoo_path), kind=kind)
    text = format_tables(found, fmt)
    if found.missing:  # one line for all of them
        _notes([f"zoo {found.zoo_version} has no {' or '.join(found.missing)} table yet"])
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        _write_atomic(output, text)
    except OSError as err:
        raise InputFileError(
            f"-o {output}: cannot write ({err.strerror or err}); choose a writable path",
            path=str(output),
        ) from None
    click.echo(f"wrote {output} ({fmt}, zoo {found.zoo_version})", err=True)


@click.command()
@click.option(
    "--sigma-signal", required=True, help="Signal cross section with a unit: 50fb, 0.05pb."
)
@click.option("--efficiency-signal", type=float, default=None, help=EFFICIENCY_HELP)
@click.option("--lumi", required=True, help="Integrated luminosity: 139/fb, 139fb-1, 139 fb^-1.")
@click.option("--background", default="z_nunu", show_default=True, help=BACKGROUND_HELP)
@click.option("--benchmark", default=None, help="One benchmark (default: all in the tables).")
@click.option("--kind", type=KIND_CHOICE, default="individual", show_default=True)
@grid_option
@zoo_options
@json_option
def snr(
    sigma_signal, efficiency_signal, lumi, background, benchmark, kind, grid, zoo_path, as_json
) -> None:
    """S, B, S/sqrt(B) and the expected AUC per benchmark, from cross sections.

    S = sigma_signal x efficiency_signal x L; B = L x the background's sigma x efficiency
    (paper Table 3).

    \b
    Example:
      dmzoo snr --sigma-signal 50fb --lumi 139/fb
      dmzoo snr --sigma-signal 0.05pb --efficiency-signal 0.3 --lumi 139/fb --background all
    """
    from dmzoo import physics
    from dmzoo.sensitivity import snr as run

    report = run(
        physics.parse_cross_section(sigma_signal),
        physics.parse_luminosity(lumi),
        efficiency=efficiency_signal,
        backgrounds=_backgrounds(background),
        benchmark=benchmark,
        kind=kind,
        zoo=open_zoo(zoo_path),
        grid=grid,
    )
    _notes(report.notes)
    if as_json:
        click.echo(dump(report.to_dict()))
        return
    click.echo(_snr_text(report))


def _backgrounds(text: str):
    """--background parsed: Table 3 processes, or `zoo_sm` left for the zoo to fill in."""
    from dmzoo import physics
    from dmzoo.sensitivity import ZOO_SM

    return ZOO_SM if text.strip().lower() == ZOO_SM else physics.parse_backgrounds(text)


def _events(n: float, decimals: int) -> str:
    """A number of events with thousands separators; in scientific notation past 1e12, where
    digits stop meaning anything."""
    return f"{n:,.{decimals}f}" if n < 1e12 else f"{n:.4g}"


def _background_text(b, lumi_pb: float) -> str:
    from dmzoo import physics

    parts = (
        " + ".join(
            f"{p.label} {p.sigma_pb:g} pb x {p.efficiency:g}"
            for p in (physics.BACKGROUNDS[n] for n in b.processes if n in physics.BACKGROUNDS)
        )
        or f"zoo SM {b.sigma_x_efficiency_pb:.4g} pb"
    )
    return (
        f"B = {physics.format_luminosity(lumi_pb)} x ({parts}) = {_events(b.events, 0)} events "
        f"[{b.source}]"
    )


def _snr_text(r) -> str:
    from dmzoo import physics

    lines = [
        f"sigma_signal {physics.format_cross_section(r.sigma_signal_pb)}, "
        f"L {physics.format_luminosity(r.lumi_pb)} (zoo {r.zoo_version})",
        "  " + _background_text(r.background, r.lumi_pb),
        "  S = sigma_signal x efficiency_signal x L; efficiency_signal is the fraction of the "
        "events behind sigma_signal that land in the histogram",
    ]
    for row in r.rows:
        lines.append(
            f"  {row.benchmark}: efficiency_signal {row.efficiency_signal:.4g} "
            f"({row.efficiency_source}), S = {_events(row.signal_events, 1)}, "
            f"S/sqrt(B) = {row.snr:.4g}"
        )
        lines += [f"    {a.kind}{_model_text(a)}: {_auc_text(a)}" for a in row.auc]
    return "\n".join(lines)


@click.command()
@click.option("--benchmark", default="all", show_default=True, help="A benchmark, or all.")
@click.option("--lumi", required=True, help="Integrated luminosity: 139/fb, 139fb-1, 139 fb^-1.")
@click.option("--auc", "target_auc", type=float, default=0.9, show_default=True, help="Target AUC.")
@click.option("--background", default="z_nunu", show_default=True, help=BACKGROUND_HELP)
@click.option("--kind", type=KIND_CHOICE, default="individual", show_default=True)
@grid_option
@zoo_options
@json_option
def reach(benchmark, lumi, target_auc, background, kind, grid, zoo_path, as_json) -> None:
    """The smallest signal cross section x efficiency at which a classifier reaches an AUC.

    The table is inverted in log S/sqrt(B), the parametric model's where the zoo has one
    (--grid: the grid models'); sigma x efficiency = S/sqrt(B) sqrt(sigma_B / L).
    The likelihood-ratio limit's S/sqrt(B) is given beside it: below it no histogram
    classifier reaches the target.

    \b
    Example:
      dmzoo reach --benchmark spin1_offshell --lumi 139/fb --auc 0.9
    """
    from dmzoo import physics
    from dmzoo.sensitivity import reach as run

    answers, notes = run(
        benchmark,
        physics.parse_luminosity(lumi),
        target_auc=target_auc,
        backgrounds=_backgrounds(background),
        kind=kind,
        zoo=open_zoo(zoo_path),
        grid=grid,
    )
    _notes(notes)
    if as_json:
        click.echo(dump({"answers": [a.to_dict() for a in answers], "notes": notes}))
        return
    click.echo("\n".join(_reach_text(a) for a in answers))


def _reach_text(a) -> str:
    from dmzoo import physics

    fmt = physics.format_cross_section
    head = (
        f"{a.benchmark}, {a.kind}, AUC {a.target_auc:g} at {physics.format_luminosity(a.lumi_pb)}"
    )
    head += _model_text(a)
    lines = [f"{head} (zoo {a.zoo_version})", "  " + _background_text(a.background, a.lumi_pb)]
    if a.signal_pb is not None:
        bound = "at most " if a.classifier.status == "at or below the grid" else ""
        lines.append(
            f"  classifier: S/sqrt(B) {bound}{a.classifier.snr:.4g} ({a.classifier.status}), "
            f"sigma_signal x efficiency_signal {bound}{fmt(a.signal_pb)}"
        )
        if a.sigma_signal_pb is not None:
            lines.append(
                f"    = sigma_signal {fmt(a.sigma_signal_pb)} at the zoo sample's efficiency "
                f"{a.efficiency_signal:.4g} (Pythia 8, pTHat > 75 GeV)"
            )
    else:
        lines.append(f"  classifier: not reached ({a.classifier.status})")
    if a.signal_pb_optimal is not None:
        bound = "at most " if a.likelihood_ratio.status == "at or below the grid" else ""
        lines.append(
            f"  likelihood-ratio limit: S/sqrt(B) {bound}{a.likelihood_ratio.snr:.4g}, "
            f"sigma_signal x efficiency_signal {bound}{fmt(a.signal_pb_optimal)} "
            "(no histogram classifier does better)"
        )
    lines += [f"  note: {n}" for n in a.notes]
    return "\n".join(lines)
