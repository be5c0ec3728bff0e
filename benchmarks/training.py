"""Cost of rebuilding the zoo (without event generation), from the trainings on record.

    python benchmarks/training.py [--runs training/runs] [--workers 2] [--time-one]

Prints, per kind of network, the trainings the zoo holds (what its repeat rule asked for), the
seconds each took and the core-hours, then the whole-zoo wall time on this many workers, with
the stages after training (evaluate, export, tables) that `dmzoo-train all` also runs. Each
training records its fit time (`seconds`) and, since the top-up round, its whole task
(`seconds_task`: validation draw, likelihood-ratio start, fit, test measurement); older records
are scaled by TASK_OVERHEAD. `--time-one` also times one fresh training of the zoo's
configuration as a whole process, pool loading included. Goal: under 4 hours on 2 cores.
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
# Whole task over fit, measured on the binary top-up round: 45 trainings on 2 workers in
# 439 s of wall time against a mean fit of 17.7 s (19.5 s per task).
TASK_OVERHEAD = 1.10
# The stages after training, measured on this machine: `evaluate` (wrong S/sqrt(B) and model,
# the parametric tables) 45.6 min while trainings shared the two cores, `export` 64 s and
# `tables` 40 s alone: an upper bound.
AFTER_TRAINING_S = 46 * 60 + 64 + 40


def task_seconds(runs: Path) -> dict[str, list[float]]:
    """Seconds of each recorded training's whole task, by kind."""
    out: dict[str, list[float]] = {}
    for path in runs.glob("*/repeat-*/result.json"):
        r = json.loads(path.read_text())
        secs = r.get("seconds_task") or r["seconds"] * TASK_OVERHEAD
        out.setdefault(r.get("kind", "binary"), []).append(secs)
    return out


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

    measured = task_seconds(args.runs)
    if not measured:
        sys.exit(f"no trainings under {args.runs}; run dmzoo-train train first")
    print(f"{'kind':<20}{'trainings':>10}{'s/task median':>15}{'mean':>8}{'max':>8}{'core-h':>8}")
    total = 0.0
    for kind, secs in sorted(measured.items()):
        total += sum(secs)
        print(
            f"{kind:<20}{len(secs):>10}{statistics.median(secs):>15.0f}"
            f"{statistics.mean(secs):>8.0f}{max(secs):>8.0f}{sum(secs) / 3600:>8.2f}"
        )
    wall = total / args.workers + AFTER_TRAINING_S
    print(
        f"\nwhole zoo: {total / 3600:.2f} core-hours of training = "
        f"{total / 3600 / args.workers:.2f} h on {args.workers} workers, plus "
        f"{AFTER_TRAINING_S / 60:.0f} min for evaluate, export and tables: {wall / 3600:.2f} h "
        f"(goal: under 4 h)"
    )
    if args.time_one:
        print(f"\none fresh training as a whole process: {time_one():.0f} s")


if __name__ == "__main__":
    main()
