"""Speed and memory of reading a large tree: prints figures, asserts nothing.

    python tests/benchmark_reading.py [N_EVENTS]

Writes a NanoAOD-like file of N_EVENTS (default 4M) jagged events in a temporary folder, fills
the histogram with `dmzoo.events.read` and prints events per second and the peak resident memory
of the reading process, which stays bounded by the chunk size rather than the file size.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import awkward as ak
import numpy as np


def write(path: Path, n: int) -> None:
    import uproot

    rng = np.random.default_rng(1)
    with uproot.recreate(path) as f:
        f.mktree("Events", {"Jet_pt": "var * float32", "Jet_eta": "var * float32"})
        for _ in range(n // 500_000):
            counts = rng.poisson(4, size=500_000)
            total = int(counts.sum())
            pt = ak.unflatten(rng.exponential(80.0, total).astype(np.float32) + 20, counts)
            eta = ak.unflatten(rng.normal(0, 2, total).astype(np.float32), counts)
            f["Events"].extend({"Jet_pt": pt, "Jet_eta": eta})


def read(path: Path) -> None:
    from dmzoo import events

    start = time.perf_counter()
    filled = events.read(str(path))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read {filled.n_events} events ({path.stat().st_size / 1e6:.0f} MB) in {seconds:.1f} s: "
        f"{filled.n_events / seconds:,.0f} events/s, peak memory {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--read":
        read(Path(sys.argv[2]))
        sys.exit(0)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.root"
        write(path, n)
        subprocess.run([sys.executable, __file__, "--read", str(path)], check=True)
