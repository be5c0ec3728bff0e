"""The zoo: its manifest, its model ids, and the choice of a model for a request.

A model id reads `<kind>-<benchmark>-snr<S/sqrt(B)>`, e.g. `binary-spin1_offshell-snr1.5`;
`parse_id` is the one parser. The manifest lists every model with its path (relative to the
zoo folder), sha256, kind, benchmark, S/sqrt(B) and test metrics. A file is used only after its
hash matches the manifest, and a path that leaves the zoo is refused.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dmzoo import constants
from dmzoo.errors import InvalidParameterError, ModelNotFoundError, ZooIntegrityError

log = logging.getLogger(__name__)

KINDS = ("binary", "multimodel_binary", "multiclass", "model_vs_model", "parametric")


@dataclass(frozen=True)
class ModelEntry:
    """One manifest entry."""

    id: str
    path: str  # relative to the zoo folder, POSIX separators
    sha256: str
    kind: str
    benchmark: str | None
    snr: float | None
    metrics: dict = field(default_factory=dict, hash=False, compare=False)


def format_snr(snr: float) -> str:
    """S/sqrt(B) as written in ids and tables: shortest exact form (0.15, 1, 10)."""
    return f"{snr:g}"


def make_id(kind: str, benchmark: str | None, snr: float | None) -> str:
    parts = [kind] + ([benchmark] if benchmark else []) + ([f"snr{format_snr(snr)}"] if snr else [])
    return "-".join(parts)


def parse_id(model_id: str) -> tuple[str, str | None, float | None]:
    """(kind, benchmark, snr) from a model id."""
    parts = model_id.split("-")
    if parts[0] not in KINDS:
        raise ModelNotFoundError(f"{model_id!r} is not a model id (kinds: {', '.join(KINDS)})")
    snr = None
    if parts[-1].startswith("snr"):
        snr = float(parts.pop()[3:])
    benchmark = "-".join(parts[1:]) or None
    return parts[0], benchmark, snr


def check_snr(snr: float) -> float:
    if not (isinstance(snr, (int, float)) and math.isfinite(snr) and snr > 0):
        raise InvalidParameterError(f"S/sqrt(B) must be a finite positive number, not {snr!r}")
    return float(snr)


def shipped_zoo_path() -> Path:
    """The zoo inside the installed package, or the repository's when run from a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_zoo", here.parent / "zoo"):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise ZooIntegrityError("the shipped zoo is missing from this installation; reinstall dmzoo")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Zoo:
    """A zoo folder: manifest.json, models/, tables/."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        manifest = self.root / "manifest.json"
        try:
            data = json.loads(manifest.read_text())
        except FileNotFoundError:
            raise ZooIntegrityError(
                f"{manifest}: no manifest; is {self.root} a dmzoo zoo?"
            ) from None
        except json.JSONDecodeError as err:
            raise ZooIntegrityError(f"{manifest}: not valid JSON ({err})") from None
        self.version = str(data.get("zoo_version", "unknown"))
        self.entries = [self._entry(m) for m in data.get("models", [])]

    @classmethod
    def default(cls) -> Zoo:
        return cls(constants.zoo_override() or shipped_zoo_path())

    def _entry(self, m: dict) -> ModelEntry:
        rel = PurePosixPath(m["path"])
        if rel.is_absolute() or ".." in rel.parts or "\\" in m["path"]:
            raise ZooIntegrityError(
                f"manifest entry {m.get('id')!r}: path {m['path']!r} leaves the zoo"
            )
        return ModelEntry(
            id=m["id"],
            path=m["path"],
            sha256=m["sha256"],
            kind=m["kind"],
            benchmark=m.get("benchmark"),
            snr=m.get("snr"),
            metrics=m.get("metrics", {}),
        )

    def models(
        self, pattern: str = "*", kind: str | None = None, benchmark: str | None = None
    ) -> list[ModelEntry]:
        return [
            e
            for e in self.entries
            if fnmatch.fnmatch(e.id, pattern)
            and (kind is None or e.kind == kind)
            and (benchmark is None or e.benchmark == benchmark)
        ]

    def get(self, model_id: str) -> ModelEntry:
        for e in self.entries:
            if e.id == model_id:
                return e
        close = difflib.get_close_matches(model_id, [e.id for e in self.entries], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `dmzoo list`"
        raise ModelNotFoundError(f"no model {model_id!r} in zoo {self.version}{hint}")

    def benchmarks(self, kind: str = "binary") -> list[str]:
        return sorted({e.benchmark for e in self.entries if e.kind == kind and e.benchmark})

    def nearest(self, benchmark: str, snr: float, kind: str = "binary") -> ModelEntry:
        """The model nearest in log S/sqrt(B); a tie goes to the lower S/sqrt(B)."""
        snr = check_snr(snr)
        candidates = [e for e in self.models(kind=kind, benchmark=benchmark) if e.snr]
        if not candidates:
            known = self.benchmarks(kind)
            close = difflib.get_close_matches(benchmark, known, n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ModelNotFoundError(
                f"no {kind} model for benchmark {benchmark!r} in zoo {self.version}; {hint}"
                f"available: {', '.join(known) or 'none'}"
            )
        return min(candidates, key=lambda e: (round(abs(math.log(e.snr / snr)), 12), e.snr))

    def path(self, entry: ModelEntry) -> Path:
        """The verified file of an entry: present, inside the zoo, and matching its hash."""
        path = (self.root / entry.path).resolve()
        if self.root.resolve() not in path.parents:
            raise ZooIntegrityError(f"{entry.id}: path {entry.path!r} leaves the zoo")
        if not path.is_file():
            raise ZooIntegrityError(
                f"{entry.id}: file {entry.path} is missing from zoo {self.root}"
            )
        digest = sha256_file(path)
        if digest != entry.sha256:
            raise ZooIntegrityError(
                f"{entry.id}: {entry.path} has sha256 {digest[:12]}..., the manifest says "
                f"{entry.sha256[:12]}...; refusing it, reinstall or re-fetch the zoo"
            )
        return path

    def table_path(self, name: str) -> Path:
        return self.root / "tables" / name
