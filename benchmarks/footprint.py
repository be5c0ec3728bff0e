"""Install size of the runtime beside TensorFlow's, computed from this environment's packages.

Each distribution's size is the sum of the files its RECORD lists (what pip installed into
site-packages), over the distribution and everything it requires, recursively, with
environment markers evaluated and no extras. For dmzoo, an editable install here, the package
folder and the zoo it ships are counted instead (what the wheel holds). Shared dependencies
count on both sides: each figure is what a fresh environment holding only that would need.

    python benchmarks/footprint.py
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
DESCRIPTION = "site-packages of the dependency closure (python benchmarks/footprint.py)"


def closure(name: str) -> set[str]:
    """Canonical names of a distribution and all it requires (no extras)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = canonicalize_name(todo.pop())
        if current in seen:
            continue
        seen.add(current)
        for spec in metadata.requires(current) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def installed_bytes(name: str) -> int:
    """Bytes of the files pip installed for one distribution."""
    if canonicalize_name(name) == "dmzoo":
        return sum(_tree_bytes(REPO / folder) for folder in ("dmzoo", "zoo"))
    dist = metadata.distribution(name)
    total = 0
    for f in dist.files or []:
        if f.size is not None:
            total += f.size
        else:
            located = Path(dist.locate_file(f))
            total += located.stat().st_size if located.is_file() else 0
    return total


def _tree_bytes(folder: Path) -> int:
    return sum(
        p.stat().st_size for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )


def sizes() -> dict[str, int]:
    return {
        name: sum(installed_bytes(d) for d in closure(name)) for name in ("dmzoo", "tensorflow-cpu")
    }


if __name__ == "__main__":
    for name in ("dmzoo", "tensorflow-cpu"):
        deps = sorted(closure(name), key=lambda d: -installed_bytes(d))
        print(
            f"{name}: {sum(installed_bytes(d) for d in deps) / 1e6:.0f} MB in {len(deps)} distributions"
        )
        for d in deps[:6]:
            print(f"  {d:<24} {installed_bytes(d) / 1e6:8.1f} MB")
