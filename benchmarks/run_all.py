"""Speed and footprint of the runtime, printed as one table. Figures, not tests.

    python benchmarks/run_all.py [--repeats 3] [--events 3000000]

Run from the repository's virtual environment with the training project installed (the Keras
peer needs TensorFlow). Every end-to-end figure times a whole process, started the same way,
in the same run, interleaved over the repeats; the median is shown. Peak memory is the child's
own maximum resident set (os.wait4), not this script's.

Goals: `dmzoo score` <= 1.5 x a bare uproot read of the same two branches; its peak memory
< 500 MB; batch inference >= 50k histograms/s; `dmzoo --help` < 0.5 s; the runtime's install
far smaller than TensorFlow's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import footprint  # noqa: E402
import ntuple  # noqa: E402

BIN = Path(sys.executable).parent
MODEL_ID = "binary-spin1_offshell-snr1"
BARE_READ = (
    "import sys, uproot; "
    "uproot.open(sys.argv[1])['ntuple'].arrays(['jet_pt', 'jet_eta'], library='np')"
)


def run(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident MB, stdout) of one child, its own rusage via os.wait4.

    stdout goes to a temporary file: a pipe could fill while we sit in wait4.
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, text


def inference_throughput(n: int = 20_000, rounds: int = 5) -> float:
    """Histograms per second through dmzoo's Model.predict, batches of n, best of rounds."""
    from dmzoo.registry import Zoo

    zoo = Zoo.default()
    model = zoo.model(zoo.get(MODEL_ID))
    batch = np.random.default_rng(0).poisson(50.0, size=(n, 30, 30)).astype(np.float32)
    model.predict(batch[:1000])
    best = min(_seconds(lambda: model.predict(batch)) for _ in range(rounds))
    return n / best


def _seconds(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def keras_model_path() -> Path:
    """The Keras file the zoo's ONNX model was exported from (the repeat its metadata names)."""
    from dmzoo.registry import Zoo

    zoo = Zoo.default()
    repeat = zoo.model(zoo.get(MODEL_ID)).metadata["training"]["repeat"]
    return HERE.parent / "training" / "runs" / MODEL_ID / f"repeat-{repeat}" / "model.keras"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--events", type=int, default=3_000_000)
    args = parser.parse_args()

    path = ntuple.make(ntuple.DATA / f"sm_{args.events}.root", args.events)
    keras_file = keras_model_path()
    score_cmd = [
        str(BIN / "dmzoo"),
        "score",
        str(path),
        "--benchmark",
        "spin1_offshell",
        "--snr",
        "1",
        # The grid network the Keras peer loads, so both run the same model.
        "--grid",
    ]
    commands = {
        "bare uproot read": [sys.executable, "-c", BARE_READ, str(path)],
        "dmzoo score": [*score_cmd, "--json"],
        # The same without the pseudo-experiments of the calibrated answer (1000 + 1000 by
        # default): what reading, filling and one inference cost.
        "dmzoo score --toys 0": [*score_cmd, "--json", "--toys", "0"],
        "keras peer": [sys.executable, str(HERE / "keras_peer.py"), str(path), str(keras_file)],
        "dmzoo --help": [str(BIN / "dmzoo"), "--help"],
    }
    runs: dict[str, list[tuple[float, float, str]]] = {k: [] for k in commands}
    for _ in range(args.repeats):
        for name, cmd in commands.items():
            runs[name].append(run(cmd))

    def median(name: str, i: int = 0) -> float:
        return statistics.median(r[i] for r in runs[name])

    dmzoo_out = json.loads(runs["dmzoo score"][0][2])
    keras_out = json.loads(runs["keras peer"][0][2])
    peer_tp = json.loads(
        run(
            [
                sys.executable,
                str(HERE / "keras_peer.py"),
                str(path),
                str(keras_file),
                "--throughput",
                "20000",
            ]
        )[2]  # fmt: skip
    )["histograms_per_s"]
    tp = inference_throughput()
    sizes = footprint.sizes()

    bare, score, peer = median("bare uproot read"), median("dmzoo score"), median("keras peer")
    rows = [
        ("events in the ntuple", f"{dmzoo_out['n_events']:,}", "", ""),
        ("bare uproot read (process)", f"{bare:.2f} s", "", f"{median('bare uproot read', 1):.0f} MB peak"),
        ("dmzoo score end to end (process)", f"{score:.2f} s", "<= 1.5 x bare read", f"{score / bare:.2f} x bare read"),
        ("dmzoo score --toys 0 (process)", f"{median('dmzoo score --toys 0'):.2f} s", "", f"{median('dmzoo score --toys 0') / bare:.2f} x bare read"),
        ("dmzoo score peak memory", f"{median('dmzoo score', 1):.0f} MB", "< 500 MB", ""),
        ("Keras peer end to end (process)", f"{peer:.2f} s", "", f"{peer / score:.1f} x dmzoo score, {median('keras peer', 1):.0f} MB peak"),
        ("score: dmzoo / Keras", f"{dmzoo_out['score']:.6f} / {keras_out['score']:.6f}", "", ""),
        ("batch inference, onnxruntime", f"{tp:,.0f} hist/s", ">= 50,000 hist/s", ""),
        ("batch inference, Keras", f"{peer_tp:,.0f} hist/s", "", f"dmzoo {tp / peer_tp:.1f} x faster"),
        ("dmzoo --help", f"{median('dmzoo --help'):.2f} s", "< 0.5 s", ""),
        ("install: dmzoo runtime", f"{sizes['dmzoo'] / 1e6:.0f} MB", "", footprint.DESCRIPTION),
        ("install: tensorflow-cpu", f"{sizes['tensorflow-cpu'] / 1e6:.0f} MB", "", f"{sizes['tensorflow-cpu'] / sizes['dmzoo']:.1f} x dmzoo"),
    ]  # fmt: skip
    print(f"median of {args.repeats} runs, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for head, value, goal, note in rows:
        print(f"{head:<{widths[0]}}  {value:>{widths[1]}}  {goal:<{widths[2]}}  {note}".rstrip())


if __name__ == "__main__":
    main()
