"""The benchmarks' input: a seeded flat ntuple of monojet events drawn from the zoo's SM template.

    python benchmarks/ntuple.py [N_EVENTS] [PATH]

One jet per entry in two float32 branches, `jet_pt` (GeV) and `jet_eta`, of the tree `ntuple`,
as an analysis's skim would hold them. Events come from the SM template's 30 x 30 bins (uniform
inside each bin), and 5% have a leading jet below the histogram's 130 GeV, so the runtime's
range cut has work to do. Written to a temporary name, then renamed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"  # gitignored
DEFAULT = DATA / "sm_3M.root"
CHUNK = 1_000_000
SEED = 31


def _chunk(rng: np.random.Generator, p: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    from dmzoo import binning

    flat = rng.choice(p.size, size=n, p=p.ravel())
    i, j = np.divmod(flat, binning.N_BINS)
    pt_w = binning.PT_EDGES[1] - binning.PT_EDGES[0]
    eta_w = binning.ETA_EDGES[1] - binning.ETA_EDGES[0]
    pt = binning.PT_EDGES[i] + pt_w * rng.random(n)
    eta = binning.ETA_EDGES[j] + eta_w * rng.random(n)
    low = rng.random(n) < 0.05
    pt[low] = rng.uniform(30.0, 130.0, low.sum())
    return pt.astype(np.float32), eta.astype(np.float32)


def make(path: Path = DEFAULT, n: int = 3_000_000, seed: int = SEED) -> Path:
    """Write the ntuple unless a file of that name exists; return its path."""
    import uproot

    from dmzoo import templates
    from dmzoo.registry import Zoo

    if path.exists():
        return path
    p = templates.get(Zoo.default(), "sm").probabilities
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with uproot.recreate(tmp) as f:
        f.mktree("ntuple", {"jet_pt": np.float32, "jet_eta": np.float32})
        for start in range(0, n, CHUNK):
            pt, eta = _chunk(rng, p, min(CHUNK, n - start))
            f["ntuple"].extend({"jet_pt": pt, "jet_eta": eta})
    tmp.replace(path)
    return path


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else DATA / f"sm_{n}.root"
    print(make(out, n))
