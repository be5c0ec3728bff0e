"""The zoo: its manifest, its model ids, and the choice of a model for a request.

A model id reads `<kind>-<benchmark>-snr<S/sqrt(B)>`, e.g. `binary-spin1_offshell-snr1.5`;
a parametric model, trained for a range of S/sqrt(B), has none: `parametric-spin1_offshell`,
and `parametric` for the multimodel one. `parse_id` is the one parser. The manifest lists every model with its path (relative to the
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
import numbers
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dmzoo import constants
from dmzoo.errors import InvalidParameterError, ModelNotFoundError, ZooIntegrityError

log = logging.getLogger(__name__)

KINDS = ("binary", "multimodel_binary", "multiclass", "model_vs_model", "parametric")
# The paper's ten benchmark models (its Table 1), in its order; the SM is `sm`.
BENCHMARKS = (
    "alp",
    "spin0_offshell",
    "spin0_onshell",
    "spin0_offshell_ps",
    "spin1_offshell",
    "spin1_onshell",
    "spin1_offshell_ps",
    "spin2_offshell",
    "spin2_onshell",
    "spin2_offshell_ps",
)


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
    """S/sqrt(B) as a float, if it is a finite positive real number (numpy scalars included)."""
    if (
        isinstance(snr, bool)
        or not isinstance(snr, numbers.Real)
        or not (math.isfinite(float(snr)) and float(snr) > 0)
    ):
        raise InvalidParameterError(
            f"S/sqrt(B) must be a finite positive number, not {snr!r}; give one such as 1.5"
        )
    return float(snr)


def nearest_snr(snrs, snr: float) -> float:
    """The value of snrs nearest to snr in log S/sqrt(B); a tie goes to the lower one."""
    return min(snrs, key=lambda g: (round(abs(math.log(g / snr)), 12), g))


def shipped_zoo_path() -> Path:
    """The zoo inside the installed package, or the repository's when run from a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_zoo", here.parent / "zoo"):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise ZooIntegrityError("the shipped zoo is missing from this installation; reinstall dmzoo")


def _leaves_zoo(rel: str) -> bool:
    """True for a manifest path that is absolute or climbs out of the zoo folder."""
    parts = PurePosixPath(rel)
    return parts.is_absolute() or ".." in parts.parts or "\\" in rel or ":" in rel


def _snr_text(snr: object) -> str:
    """S/sqrt(B) of a manifest entry or metadata: a value, a trained range, or none."""
    if isinstance(snr, dict):
        return f"{snr.get('min')} to {snr.get('max')}"
    return "none (parametric)" if snr is None else str(snr)


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
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            raise ZooIntegrityError(
                f"{manifest}: no manifest; is {self.root} a dmzoo zoo? give the folder that "
                "holds manifest.json"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ZooIntegrityError(
                f"{manifest}: unreadable ({type(err).__name__}); re-fetch the zoo"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("models"), list):
            raise ZooIntegrityError(f"{manifest}: not a dmzoo manifest (no list of models)")
        fmt = str(data.get("dmzoo_format_version", constants.FORMAT_VERSION))
        if fmt != constants.FORMAT_VERSION:
            raise ZooIntegrityError(
                f"{manifest}: format {fmt}, this dmzoo reads {constants.FORMAT_VERSION}; "
                "upgrade dmzoo or use a matching zoo"
            )
        self.version = str(data.get("zoo_version", "unknown"))
        self.entries = [self._entry(m) for m in data["models"]]
        ids = [e.id for e in self.entries]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise ZooIntegrityError(f"{manifest}: model {dup!r} is listed twice")
        self.file_hashes = self._files(data.get("files", {}), manifest)

    @classmethod
    def default(cls) -> Zoo:
        return cls(constants.zoo_override() or shipped_zoo_path())

    @staticmethod
    def _files(files: object, manifest: Path) -> dict[str, str]:
        """The manifest's other files (tables, templates, examples): relative path -> sha256."""
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        ):
            raise ZooIntegrityError(f"{manifest}: 'files' must map relative paths to sha256")
        for rel in files:
            if _leaves_zoo(rel):
                raise ZooIntegrityError(
                    f"{manifest}: file {rel!r} leaves the zoo; refusing this zoo, use one "
                    "from a trusted source"
                )
        return dict(files)

    def _entry(self, m: object) -> ModelEntry:
        need = {"id": str, "path": str, "sha256": str, "kind": str}
        if not isinstance(m, dict) or any(not isinstance(m.get(k), t) for k, t in need.items()):
            raise ZooIntegrityError(
                f"manifest entry {m!r:.80}: needs string id, path, sha256, kind"
            )
        if _leaves_zoo(m["path"]):
            raise ZooIntegrityError(
                f"manifest entry {m['id']!r}: path {m['path']!r} leaves the zoo; refusing "
                "this zoo, use one from a trusted source"
            )
        snr = m.get("snr")
        if snr is not None and (
            isinstance(snr, bool) or not isinstance(snr, (int, float)) or not snr > 0
        ):
            raise ZooIntegrityError(
                f"manifest entry {m['id']!r}: snr {snr!r} is not a positive number"
            )
        metrics = m.get("metrics")
        return ModelEntry(
            id=m["id"],
            path=m["path"],
            sha256=m["sha256"],
            kind=m["kind"],
            benchmark=m.get("benchmark"),
            snr=float(snr) if snr is not None else None,
            metrics=metrics if isinstance(metrics, dict) else {},
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
            # a benchmark with only a parametric model is one `score` answers too
            extra = self.benchmarks("parametric") if kind == "binary" else []
            known = sorted({*self.benchmarks(kind), *extra})
            close = difflib.get_close_matches(benchmark, known, n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ModelNotFoundError(
                f"no {kind} model for benchmark {benchmark!r} in zoo {self.version}; {hint}"
                f"available: {', '.join(known) or 'none'}"
            )
        best = nearest_snr([e.snr for e in candidates], snr)
        return next(e for e in candidates if e.snr == best)

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

    def model(self, entry: ModelEntry):
        """The entry's verified model, whose metadata must agree with the manifest."""
        from dmzoo.inference import Model

        model = Model(self.path(entry))
        meta = model.metadata
        # A parametric file holds its trained range where the manifest has null: the range was
        # checked when the model loaded, so only the null is left to compare.
        snr = None if model.parametric else meta.get("snr")
        if (meta.get("kind"), meta.get("benchmark"), snr) != (
            entry.kind,
            entry.benchmark,
            entry.snr,
        ):
            raise ZooIntegrityError(
                f"{entry.id}: the file's metadata says {meta.get('kind')} {meta.get('benchmark')} "
                f"at S/sqrt(B) {_snr_text(meta.get('snr'))}; the manifest disagrees ({entry.kind} "
                f"{entry.benchmark} at {_snr_text(entry.snr)}), re-fetch the zoo"
            )
        return model

    def file_path(self, rel: str) -> Path:
        """A verified non-model file: listed in the manifest, present, matching its hash."""
        expected = self.file_hashes.get(rel)
        if expected is None:
            raise ZooIntegrityError(
                f"zoo {self.version} does not list {rel} in its manifest; use a newer zoo"
            )
        path = self.root / rel
        if not path.is_file():
            raise ZooIntegrityError(f"zoo {self.root} lacks {rel}; re-fetch the zoo")
        if sha256_file(path) != expected:
            raise ZooIntegrityError(f"{rel} does not match the manifest's sha256; re-fetch the zoo")
        return path

    def table_path(self, name: str) -> Path:
        return self.file_path(f"tables/{name}")
