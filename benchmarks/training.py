"""Cost of rebuilding the zoo (without event generation), from the trainings on record.

    python benchmarks/training.py [--runs training/runs] [--workers 2] [--time-one]

Prints the seconds per model of every kind found in the runs (each training records its own
wall time, single-threaded), the number of trainings the full zoo needs under its repeat rule,
and the whole-zoo wall time that follows on this many workers. `--time-one` also times one
fresh training of the zoo's configuration as a whole process, to check the records against a
quiet machine. Goal: the whole zoo in under 4 hours on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
N_SNR = 13
N_BENCHMARKS = 10
N_VERSUS_PAIRS = 6
# The repeat rule: 2 trainings per grid point, 5 where 0.55 <= AUC <= 0.95. From the
# spin1_offshell grid, 7 of 13 points fall in that range.
REPEATS_PER_POINT = (6 * 2 + 7 * 5) / N_SNR


def seconds_by_kind(runs: Path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for path in runs.glob("*/repeat-*/result.json"):
        r = json.loads(path.read_text())
        out.setdefault(r.get("kind", "binary"), []).append(r["seconds"])
    return out


def plan() -> dict[str, float]:
    """Trainings the full zoo needs, by kind."""
    per_grid = N_SNR * REPEATS_PER_POINT
    return {
        "binary": N_BENCHMARKS * per_grid,
        "multimodel_binary": per_grid,
        "multiclass": per_grid,
        "model_vs_model": N_VERSUS_PAIRS * per_grid,
        "parametric": (N_BENCHMARKS + 1) * 2,  # one network per benchmark and a multimodel one
    }


def time_one() -> float:
    """One zoo-configuration training of spin1_offshell at S/sqrt(B) = 1, as a process."""
    code = (
        "import sys; from pathlib import Path; "
        "from dmzoo_training.train import TrainConfig, load_pools, train_one; "
        "train_one(load_pools('spin1_offshell'), 'spin1_offshell', 1.0, 99, TrainConfig(), "
        "Path(sys.argv[1]))"
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, tmp], check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=REPO / "training" / "runs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-one", action="store_true")
    args = parser.parse_args()

    measured = seconds_by_kind(args.runs)
    binary = measured.get("binary", [])
    if not binary:
        sys.exit(f"no binary trainings under {args.runs}; run dmzoo-train train first")
    print(f"{'kind':<20}{'trainings':>10}{'s/model median':>16}{'mean':>8}{'max':>8}")
    for kind, secs in sorted(measured.items()):
        print(
            f"{kind:<20}{len(secs):>10}{statistics.median(secs):>16.0f}"
            f"{statistics.mean(secs):>8.0f}{max(secs):>8.0f}"
        )
    total = 0.0
    print(f"\nfull zoo ({REPEATS_PER_POINT:.2f} trainings per grid point on average):")
    for kind, n in plan().items():
        # Kinds not trained yet are costed like a binary one, scaled by a guess: four times
        # for the multiclass network (eight classes, no likelihood-ratio start) and twenty for
        # a parametric one (the whole range, measured at 17 points).
        scale = {"multiclass": 4, "parametric": 20}.get(kind, 1)
        secs = measured.get(kind) or [s * scale for s in binary]
        cost = n * statistics.mean(secs)
        total += cost
        note = "" if kind in measured else "  (estimated from the binary trainings)"
        print(f"  {kind:<20}{n:>6.0f} trainings  {cost / 3600:6.2f} core-hours{note}")
    print(
        f"whole zoo: {total / 3600:.2f} core-hours = {total / 3600 / args.workers:.2f} h wall "
        f"on {args.workers} workers (goal: under 4 h)"
    )
    if args.time_one:
        print(f"\none fresh training as a whole process: {time_one():.0f} s")


if __name__ == "__main__":
    main()
