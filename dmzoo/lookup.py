"""The zoo's AUC tables by kind of classifier: the AUC at an S/sqrt(B), and the tables' export.

Three kinds share one table layout (`benchmark,snr,auc,auc_std,n_trainings,auc_optimal`, extra
columns may follow): `individual` (one binary classifier per benchmark), `multimodel` (the
binary classifier trained on seven benchmarks, `benchmark` being the model it was tested on)
and `multiclass` (one-vs-rest AUC of the benchmark's class). A zoo may lack a kind's table;
asking for it says so. Between grid points the AUC is interpolated linearly in log S/sqrt(B);
outside the grid the nearest edge is a bound, never an extrapolation (`dmzoo.tables.lookup`).

When the zoo holds a parametric model for the question (the benchmark's own for
`individual`, the multimodel one for `multimodel`), the answer comes from its table,
`auc_parametric.csv` or `auc_parametric_multimodel.csv`, read the same way, with `auc_grid`
(what the nearest grid model reaches on the same test histograms) beside it; `grid=True`
reads the grid table instead.

    >>> a = auc("spin1_offshell", 1.2, grid=True)
    >>> round(a.auc, 4), a.method, a.zoo_version
    (0.8398, 'interpolated in log S/sqrt(B)', '0.1.0')
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dmzoo import parametric, tables
from dmzoo.errors import InvalidParameterError, ModelNotFoundError, ZooIntegrityError
from dmzoo.registry import BENCHMARKS, Zoo, check_snr

# kind -> table file in the zoo's tables/ folder
TABLE_FILES = {
    "individual": "auc_individual.csv",
    "multimodel": "auc_multimodel_binary.csv",
    "multiclass": "auc_multiclass.csv",
}
KIND_TITLES = {
    "individual": "binary classifier trained on the benchmark alone",
    "multimodel": "binary classifier trained on seven benchmarks, tested on this one",
    "multiclass": "multiclass classifier, this benchmark's class against the rest",
}


@dataclass
class AucAnswer:
    """What `dmzoo auc` reports for one benchmark and kind; `to_dict()` is its JSON."""

    benchmark: str
    kind: str
    snr: float
    auc: float
    auc_std: float
    auc_optimal: float  # the likelihood-ratio limit: no histogram classifier does better
    method: str  # grid point, interpolated in log S/sqrt(B), or outside the grid (bound)
    bound: str | None  # "upper" below the grid, "lower" above it, None inside
    snr_grid: tuple[float, float]  # the table's lowest and highest S/sqrt(B)
    table: str  # the file within the zoo
    zoo_version: str
    model_kind: str = "grid"  # "parametric": one model fed S/sqrt(B); "grid": one per point
    model: str | None = None  # the parametric model's id
    auc_grid: float | None = None  # parametric only: the nearest grid model's, same histograms

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        grid = f", nearest grid model {self.auc_grid:.3f}" if self.auc_grid is not None else ""
        text = (
            f"{self.benchmark} ({self.kind}) at S/sqrt(B) = {self.snr:g}: AUC {self.auc:.3f} "
            f"+- {self.auc_std:.3f}{grid}, likelihood-ratio limit {self.auc_optimal:.3f}; "
        )
        low, high = self.snr_grid
        if self.bound == "upper":
            return text + f"outside the grid (below {low:g}): an upper bound, the edge value"
        if self.bound == "lower":
            return text + f"outside the grid (above {high:g}): a lower bound, the edge value"
        return text + self.method


@dataclass
class TableSet:
    """The tables a zoo holds for the kinds asked for, and the kinds it lacks."""

    zoo_version: str
    rows: dict[str, list[dict[str, str]]]  # kind -> rows as written, all columns
    columns: dict[str, list[str]]
    missing: list[str] = field(default_factory=list)


def open_zoo(zoo: Zoo | str | Path | None) -> Zoo:
    return Zoo(Path(zoo)) if isinstance(zoo, (str, Path)) else (zoo or Zoo.default())


def kinds_for(kind: str) -> list[str]:
    """The kinds `--kind` names: one, or `all`."""
    if kind == "all":
        return list(TABLE_FILES)
    if kind not in TABLE_FILES:
        raise InvalidParameterError(
            f"--kind {kind!r}: choose one of {', '.join(TABLE_FILES)} or all"
        )
    return [kind]


def has_table(zoo: Zoo, kind: str) -> bool:
    return f"tables/{TABLE_FILES[kind]}" in zoo.file_hashes


def missing_table_message(zoo: Zoo, kind: str, *, hint: bool = True) -> str:
    """Which table is missing, and (for an explicit request) what to ask for instead."""
    text = f"zoo {zoo.version} has no {kind} table (tables/{TABLE_FILES[kind]})"
    if not hint:
        return text
    present = [k for k in TABLE_FILES if has_table(zoo, k)]
    instead = f"use --kind {present[0]} or a newer zoo" if present else "use a newer zoo"
    return f"{text}; it holds {', '.join(present) or 'no AUC table'}: {instead}"


def table_version(zoo: Zoo, kind: str, table: str | None = None) -> str:
    """The zoo version the table was built for: its JSON twin's `zoo_version`, else the zoo's.

    `table` names another file than the kind's grid table (a parametric one).
    """
    twin = f"tables/{(table or TABLE_FILES[kind]).removesuffix('.csv')}.json"
    if twin not in zoo.file_hashes:
        return zoo.version
    try:
        doc = json.loads(zoo.file_path(twin).read_text(encoding="utf-8"))
        return str(doc["zoo_version"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise ZooIntegrityError(f"{twin}: malformed; re-fetch the zoo") from None


def rows_for(zoo: Zoo, kind: str) -> list[tables.AucRow]:
    """The typed rows of a kind's table; a missing table is a request the zoo cannot answer."""
    if not has_table(zoo, kind):
        raise ModelNotFoundError(missing_table_message(zoo, kind))
    # The multiclass table's `sm` row is the SM class against the rest: no signal to look up.
    return [r for r in tables.read_table(zoo.table_path(TABLE_FILES[kind])) if r.benchmark != "sm"]


def check_benchmark(rows: list[tables.AucRow], benchmark: str, kind: str, zoo: Zoo) -> None:
    """A benchmark the table holds, or an error telling a typo from a missing benchmark."""
    held = sorted({r.benchmark for r in rows})
    if benchmark in held:
        return
    if benchmark in BENCHMARKS:
        raise ModelNotFoundError(
            f"zoo {zoo.version}'s {kind} table has no rows for {benchmark} yet; it holds "
            f"{', '.join(held) or 'none'}"
        )
    close = difflib.get_close_matches(benchmark, [*held, *BENCHMARKS], n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise ModelNotFoundError(
        f"unknown benchmark {benchmark!r}; {hint}zoo {zoo.version}'s {kind} table holds "
        f"{', '.join(held) or 'none'}"
    )


def answer(
    rows: list[tables.AucRow],
    benchmark: str,
    snr: float,
    *,
    kind: str,
    zoo: Zoo,
    table: str | None = None,
) -> AucAnswer:
    """The table's AUC for a checked benchmark at a checked S/sqrt(B).

    `table` names another file than the kind's grid table (a parametric one).
    """
    looked = tables.lookup(rows, benchmark, snr)
    grid = sorted(r.snr for r in rows if r.benchmark == benchmark)
    bound = "upper" if snr < grid[0] else "lower" if snr > grid[-1] else None
    return AucAnswer(
        benchmark=benchmark,
        kind=kind,
        snr=snr,
        auc=looked.auc,
        auc_std=looked.auc_std,
        auc_optimal=looked.auc_optimal,
        method=looked.method,
        bound=bound,
        snr_grid=(grid[0], grid[-1]),
        table=f"tables/{table or TABLE_FILES[kind]}",
        zoo_version=table_version(zoo, kind, table),
    )


# lookup kind -> the scoring kind whose parametric model answers it
PARAMETRIC_KINDS = {"individual": "binary", "multimodel": "multimodel_binary"}


@dataclass
class ParametricTable:
    """A parametric model's table for one benchmark: its AUCs and the nearest grid model's."""

    model: str  # the parametric model's id
    name: str  # the file within the zoo's tables/
    rows: list[tables.AucRow]
    grid_rows: list[tables.AucRow]  # empty: no grid model to compare (the multimodel one)


def parametric_table(zoo: Zoo, kind: str, benchmark: str) -> ParametricTable | None:
    """The parametric table answering a lookup kind for a benchmark; None when the zoo has no
    parametric model for the question, or its table no row for the benchmark (a benchmark
    the multimodel one was not tested on)."""
    found = parametric.entry(zoo, PARAMETRIC_KINDS.get(kind, ""), benchmark)
    if found is None:
        return None
    name = parametric.TABLES[PARAMETRIC_KINDS[kind]]
    if f"tables/{name}" not in zoo.file_hashes:
        raise ZooIntegrityError(
            f"zoo {zoo.version} holds {found.id} but not tables/{name}; re-fetch the zoo, or "
            "ask for the grid's AUC (--grid)"
        )
    path = zoo.table_path(name)
    rows = [r for r in tables.read_table(path) if r.benchmark == benchmark]
    if not rows:
        return None
    grid_rows = tables.read_table(path, auc_column="auc_grid")
    return ParametricTable(found.id, name, rows, [r for r in grid_rows if r.benchmark == benchmark])


def parametric_rows(zoo: Zoo, kind: str) -> list[tables.AucRow] | None:
    """Every row of the parametric table answering a lookup kind, for a zoo that lacks the
    kind's grid table; None when it has no parametric model or table for the kind either."""
    scoring_kind = PARAMETRIC_KINDS.get(kind)
    if scoring_kind is None:
        return None
    name = parametric.TABLES[scoring_kind]
    held = [e for e in zoo.entries if e.kind == parametric.KIND]
    wanted = [e for e in held if (e.benchmark is None) == (scoring_kind == "multimodel_binary")]
    if not wanted or f"tables/{name}" not in zoo.file_hashes:
        return None
    return tables.read_table(zoo.table_path(name))


def parametric_answer(zoo: Zoo, kind: str, benchmark: str, snr: float) -> AucAnswer | None:
    """The parametric table's answer with the grid's beside it; None as `parametric_table`."""
    found = parametric_table(zoo, kind, benchmark)
    if found is None:
        return None
    out = answer(found.rows, benchmark, snr, kind=kind, zoo=zoo, table=found.name)
    out.model_kind, out.model = "parametric", found.model
    if found.grid_rows:
        out.auc_grid = tables.lookup(found.grid_rows, benchmark, snr).auc
    return out


def auc(
    benchmark: str,
    snr: float,
    *,
    kind: str = "individual",
    zoo: Zoo | str | Path | None = None,
    grid: bool = False,
) -> AucAnswer:
    """The AUC a classifier of `kind` reaches for `benchmark` at S/sqrt(B) = `snr`.

    Args:
        benchmark: a benchmark name, e.g. `spin1_offshell`.
        snr: S/sqrt(B), a finite positive number.
        kind: `individual`, `multimodel` or `multiclass` (`auc_all` takes `all`).
        zoo: the zoo to use; the shipped one by default.
        grid: the grid models' table even when the zoo has a parametric model.

    Raises:
        InvalidParameterError: snr not finite and positive, or an unknown kind.
        ModelNotFoundError: an unknown benchmark, or a kind whose table the zoo lacks.

    >>> a = auc("spin1_offshell", 20.0, grid=True)
    >>> a.auc, a.bound
    (1.0, 'lower')
    """
    snr = check_snr(snr)
    (kind,) = kinds_for(kind)
    zoo = open_zoo(zoo)
    found = None if grid else parametric_answer(zoo, kind, benchmark, snr)
    if found is not None:
        return found
    rows = rows_for(zoo, kind)
    check_benchmark(rows, benchmark, kind, zoo)
    return answer(rows, benchmark, snr, kind=kind, zoo=zoo)


def auc_all(
    benchmark: str,
    snr: float,
    *,
    kind: str = "all",
    zoo: Zoo | str | Path | None = None,
    grid: bool = False,
) -> tuple[list[AucAnswer], list[str]]:
    """Answers for every kind `kind` names that the zoo holds, and notes on the kinds it lacks.

    Raises:
        ModelNotFoundError: no table of those kinds holds the benchmark.

    >>> answers, notes = auc_all("spin1_offshell", 1.0)
    >>> [a.kind for a in answers], len(notes)
    (['individual', 'multimodel', 'multiclass'], 0)
    """
    snr = check_snr(snr)
    zoo = open_zoo(zoo)
    kinds = kinds_for(kind)
    if len(kinds) == 1:
        return [auc(benchmark, snr, kind=kinds[0], zoo=zoo, grid=grid)], []
    answers, notes = [], []
    for k in kinds:
        found = None if grid else parametric_answer(zoo, k, benchmark, snr)
        if found is not None:
            answers.append(found)
            continue
        if not has_table(zoo, k):
            notes.append(missing_table_message(zoo, k, hint=False))
            continue
        rows = rows_for(zoo, k)
        if benchmark in {r.benchmark for r in rows}:
            answers.append(answer(rows, benchmark, snr, kind=k, zoo=zoo))
        else:
            notes.append(f"zoo {zoo.version}'s {k} table has no rows for {benchmark}")
    if not answers:
        check_benchmark(rows_for(zoo, "individual"), benchmark, "individual", zoo)
    return answers, notes


def load_tables(zoo: Zoo | str | Path | None = None, *, kind: str = "all") -> TableSet:
    """The tables as written (every column, values as text) for export.

    Raises:
        ModelNotFoundError: a single kind whose table the zoo lacks, or no table at all.
        ZooIntegrityError: a table that fails its hash or has no header.
    """
    zoo = open_zoo(zoo)
    kinds = kinds_for(kind)
    if len(kinds) == 1 and not has_table(zoo, kinds[0]):
        raise ModelNotFoundError(missing_table_message(zoo, kinds[0]))
    found = TableSet(zoo_version=zoo.version, rows={}, columns={})
    for k in kinds:
        if not has_table(zoo, k):
            found.missing.append(k)
            continue
        path = zoo.table_path(TABLE_FILES[k])
        rows_for(zoo, k)  # the typed read refuses a malformed table before it is exported
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            found.rows[k] = list(reader)
            found.columns[k] = list(reader.fieldnames or [])
        found.zoo_version = table_version(zoo, k)
    if not found.rows:
        raise ModelNotFoundError(f"zoo {zoo.version} holds no AUC table")
    return found


def _typed(column: str, text: str) -> Any:
    if column == "benchmark":
        return text
    if column == "n_trainings":
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def format_tables(found: TableSet, fmt: str) -> str:
    """The tables as csv (one table, `kind` and `zoo_version` columns first), json or markdown.

    >>> lines = format_tables(load_tables(kind="individual"), "csv").splitlines()
    >>> lines[0]
    'kind,zoo_version,benchmark,snr,auc,auc_std,n_trainings,auc_optimal,auc_asymptotic,auc_error,ratio_to_optimal'
    >>> [line for line in lines if line.startswith("individual,0.1.0,spin1_offshell,0.1,")]
    ['individual,0.1.0,spin1_offshell,0.1,0.54555,0.00000,2,0.54655,0.53471,0.00642,0.99817']
    """
    if fmt == "csv":
        return _as_csv(found)
    if fmt == "json":
        return _as_json(found)
    if fmt == "md":
        return _as_markdown(found)
    raise InvalidParameterError(f"--format {fmt!r}: choose csv, json or md")


def _as_csv(found: TableSet) -> str:
    columns = ["kind", "zoo_version"]
    for cols in found.columns.values():
        columns += [c for c in cols if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    for kind, rows in found.rows.items():
        for row in rows:
            writer.writerow({"kind": kind, "zoo_version": found.zoo_version, **row})
    return out.getvalue()


def _as_json(found: TableSet) -> str:
    doc = {
        "zoo_version": found.zoo_version,
        "missing": found.missing,
        "tables": {
            kind: {
                "file": f"tables/{TABLE_FILES[kind]}",
                "title": KIND_TITLES[kind],
                "columns": found.columns[kind],
                "rows": [{c: _typed(c, v) for c, v in row.items()} for row in rows],
            }
            for kind, rows in found.rows.items()
        },
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


_HEADINGS = {
    "benchmark": "benchmark",
    "snr": "S/sqrt(B)",
    "auc": "AUC",
    "auc_std": "spread",
    "n_trainings": "trainings",
    "auc_optimal": "likelihood-ratio limit",
    "auc_asymptotic": "asymptotic limit",
    "auc_error": "test-set error",
    "ratio_to_optimal": "AUC / limit",
}


def _as_markdown(found: TableSet) -> str:
    parts = []
    for kind, rows in found.rows.items():
        cols = found.columns[kind]
        lines = [
            f"### AUC, {KIND_TITLES[kind]} (dmzoo zoo {found.zoo_version})",
            "",
            "| " + " | ".join(_HEADINGS.get(c, c) for c in cols) + " |",
            "|" + "|".join(" --- " for _ in cols) + "|",
        ]
        lines += ["| " + " | ".join(row[c] for c in cols) + " |" for row in rows]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
