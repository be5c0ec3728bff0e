"""The embedding example (docs/examples/onnx_score.py) against dmzoo, in new and old onnxruntime.

The example imports only numpy and onnxruntime. Here it scores the same events as `dmzoo score`
with every shipped model, and then runs, on fixed histograms, in a separate environment holding
onnxruntime 1.15.1 (the oldest the zoo supports) to give the outputs of the newest release.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import awkward as ak
import numpy as np
import onnxruntime
import pytest
from _inputs import write_tree
from _legacy_onnxruntime import PINS
from _legacy_onnxruntime import python as legacy_python

from dmzoo import binning, events, templates
from dmzoo.cli import main
from dmzoo.registry import Zoo

ZOO = Zoo.default()
EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "onnx_score.py"
TOLERANCE = 1e-6
PARAMETRIC_TOLERANCE = 1e-5
# What onnxruntime 1.15 loads: IR version up to 9 and the default opset up to 19 (its docs).
ORT_1_15_MAX_IR, ORT_1_15_MAX_OPSET = 9, 19


def _run_example(python: Path | str, models: list[Path], *source: str) -> dict:
    done = subprocess.run(
        [str(python), str(EXAMPLE), *map(str, models), *source],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def model_paths() -> dict[str, Path]:
    return {e.id: ZOO.path(e) for e in ZOO.entries}


@pytest.fixture(scope="module")
def jets(tmp_path_factory) -> tuple[Path, Path]:
    """60k events written twice: a NanoAOD-like tree for dmzoo and an npz for the example.

    Jets come unsorted, some with NaN or infinite values, some events have none, some leading
    jets sit exactly on the histogram's edges (130 and -4 are in, 2000 and 4 are out).
    """
    rng = np.random.default_rng(2024)
    n_jets = rng.poisson(2.5, size=60_000)
    total = int(n_jets.sum())
    pt = (30.0 + rng.exponential(220.0, total)).astype(np.float32)
    eta = rng.normal(0.0, 1.7, total).astype(np.float32)
    pt[rng.random(total) < 0.01] = np.nan
    eta[rng.random(total) < 0.005] = np.inf
    single = np.flatnonzero(n_jets == 1)[:4]
    starts = np.cumsum(n_jets) - n_jets
    for k, (p, e) in zip(
        single, [(130.0, 0.0), (2000.0, 0.0), (500.0, -4.0), (500.0, 4.0)], strict=True
    ):
        pt[starts[k]], eta[starts[k]] = p, e
    folder = tmp_path_factory.mktemp("embedding")
    npz = folder / "events.npz"
    np.savez(npz, jet_pt=pt, jet_eta=eta, n_jets=n_jets)
    tree = write_tree(
        folder / "events.root",
        "Events",
        "Jet_pt",
        "Jet_eta",
        pt=ak.unflatten(pt, n_jets),
        eta=ak.unflatten(eta, n_jets),
    )
    return tree, npz


@pytest.fixture(scope="module")
def example_on_events(jets, model_paths) -> dict:
    return _run_example(
        sys.executable, list(model_paths.values()), "--events", str(jets[1]), "--snr", SNR
    )


SNR = "1.2"  # what the parametric models are fed: between grid points, as they are meant for


def test_example_imports_only_numpy_and_onnxruntime():
    tree = ast.parse(EXAMPLE.read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported - set(sys.stdlib_module_names) == {"numpy", "onnxruntime"}


def test_example_counts_events_as_dmzoo_does(jets, example_on_events):
    filled = events.read(str(jets[0]))
    assert example_on_events["histogram"] == {
        "n_events": 60_000,
        "n_selected": filled.n_selected,
        "n_no_jet": filled.n_no_jet,
        "n_out_of_range": filled.n_out_of_range,
    }
    # The fixture's events: about 8% have no jet, and most leading jets are inside.
    assert filled.n_no_jet == pytest.approx(60_000 * np.exp(-2.5), rel=0.1)
    assert 40_000 < filled.n_selected < 50_000


@pytest.mark.parametrize("entry", ZOO.entries, ids=lambda e: e.id)
def test_example_scores_as_dmzoo_score(entry, jets, example_on_events, model_paths, capsys):
    ours = example_on_events["models"][str(model_paths[entry.id])]["outputs"]
    if entry.kind in ("binary", "parametric") and entry.benchmark:
        snr = SNR if entry.kind == "parametric" else repr(entry.snr)
        grid = ["--grid"] if entry.kind == "binary" else []
        code = main(
            ["score", str(jets[0]), "--benchmark", entry.benchmark, "--snr", snr, "--json"] + grid
        )
        assert code == 0
        answer = json.loads(capsys.readouterr().out)
        assert answer["model"] == entry.id
        expected = [answer["score"]]
    else:
        counts = events.read(str(jets[0])).counts
        snr = float(SNR) if entry.kind == "parametric" else None
        expected = ZOO.model(entry).predict(counts[None], snr=snr).tolist()
    np.testing.assert_allclose(ours, expected, rtol=0, atol=TOLERANCE)


def _fixed_histograms() -> np.ndarray:
    """Histograms every model is run on in both onnxruntime releases.

    SM-only and SM + spin1_offshell pseudo-experiments at B = 50k, and the awkward ones: empty,
    one event, huge counts, every bin equal.
    """
    rng = np.random.default_rng(15)
    found = templates.load(ZOO)
    sm, signal = found["sm"].probabilities, found["spin1_offshell"].probabilities
    b = 50_000
    batch = [rng.poisson(b * sm) for _ in range(8)]
    batch += [rng.poisson(b * sm + snr * np.sqrt(b) * signal) for snr in (0.5, 1, 2, 4, 10)]
    one = np.zeros((binning.N_BINS, binning.N_BINS))
    one[3, 15] = 1
    batch += [np.zeros_like(one), one, rng.poisson(1e7 * sm), np.full_like(one, 7.0)]
    return np.asarray(batch, dtype=np.float32)


def test_oldest_onnxruntime_gives_the_newest_outputs(tmp_path, model_paths):
    counts = _fixed_histograms()
    np.save(tmp_path / "fixed.npy", counts)
    old = _run_example(
        legacy_python(),
        list(model_paths.values()),
        "--counts",
        tmp_path / "fixed.npy",
        "--snr",
        SNR,
    )
    assert old["onnxruntime"] == PINS[0].split("==")[1]
    assert old["numpy"] == PINS[1].split("==")[1]
    assert tuple(map(int, onnxruntime.__version__.split(".")[:2])) > (1, 15)
    for entry in ZOO.entries:
        snr = float(SNR) if entry.kind == "parametric" else None
        newest = ZOO.model(entry).predict(counts, snr=snr)
        out = np.asarray(old["models"][str(model_paths[entry.id])]["outputs"])
        assert out.shape == newest.shape and np.all(np.isfinite(out))
        # The parametric graph's exp, log and log-sum-exp kernels differ between onnxruntime
        # releases in the last float32 bits: measured, up to 1.6e-6 on probabilities near 0.5.
        atol = PARAMETRIC_TOLERANCE if entry.kind == "parametric" else TOLERANCE
        np.testing.assert_allclose(out, newest, rtol=0, atol=atol, err_msg=entry.id)


@pytest.mark.parametrize("entry", ZOO.entries, ids=lambda e: e.id)
def test_metadata_records_the_opset_and_ir_version_onnxruntime_1_15_loads(entry, model_paths):
    import onnx

    proto = onnx.load(str(model_paths[entry.id]), load_external_data=False)
    meta = {p.key: p.value for p in proto.metadata_props}
    opset = {o.domain: o.version for o in proto.opset_import}[""]
    assert meta["opset"] == str(opset) and meta["ir_version"] == str(proto.ir_version)
    assert (proto.ir_version, opset) == (8, 17)
    assert proto.ir_version <= ORT_1_15_MAX_IR and opset <= ORT_1_15_MAX_OPSET
    inputs = ["histogram", "snr"] if entry.kind == "parametric" else ["histogram"]
    assert [i.name for i in proto.graph.input] == inputs
    assert [o.name for o in proto.graph.output] == ["probability"]


@pytest.mark.parametrize(
    ("make", "model", "line"),
    [
        (
            lambda d: np.savez(d / "e.npz", jet_pt=[250.0, 30.0], jet_eta=[0.1], n_jets=[2]),
            None,
            "e.npz: 2 jet_pt and 1 jet_eta values, n_jets sums to 2; give one pT and one eta "
            "per jet and n_jets per event",
        ),
        (
            lambda d: np.savez(d / "e.npz", jet_pt=[250.0], n_jets=[1]),
            None,
            "e.npz: no array 'jet_eta is not a file in the archive'; it needs jet_pt, jet_eta "
            "and n_jets",
        ),
        (
            lambda d: np.savez(d / "e.npz", jet_pt=[250.0], jet_eta=[0.1], n_jets=[1]),
            "nope.onnx",
            "nope.onnx: onnxruntime cannot load it (NoSuchFile); check the path and that it is "
            "a dmzoo .onnx model",
        ),
    ],
    ids=["mismatched arrays", "missing array", "missing model"],
)
def test_example_bad_inputs_are_one_line(tmp_path, model_paths, make, model, line):
    make(tmp_path)
    model = tmp_path / model if model else next(iter(model_paths.values()))
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(model), "--events", str(tmp_path / "e.npz")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (1, "")
    (only,) = done.stderr.splitlines()
    assert only.startswith("error: ") and only.endswith(line)
