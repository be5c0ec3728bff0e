"""A small zoo built by the tests: tiny ONNX graphs with a known output, templates and tables.

Every model's statistic is F, the fraction of a histogram's events in the upper half of the pT
bins (rows 15-29), so the tests can compute what the models must answer by hand:

- `multimodel_binary` outputs F ([N] or [N, 1]);
- `multiclass` outputs softmax(F * W + C) over 8 classes ([N, 8]).

The SM template is flat, so F of an SM-only toy of n events is Binomial(n, 1/2) / n; the
`spin1_offshell` template puts all its events but the pseudo-count in the upper half.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from dmzoo import binning, constants

LABELS = {
    "0": "sm",
    "1": "alp",
    "2": "spin0_offshell",
    "3": "spin0_onshell",
    "4": "spin1_offshell",
    "5": "spin1_offshell_ps",
    "6": "spin2_onshell",
    "7": "spin2_offshell_ps",
}
W = np.array([-8.0, 0.0, 0.0, 0.0, 8.0, 0.0, 0.0, 0.0], dtype=np.float32)
C = np.array([4.0, 0.0, 0.0, 0.0, -4.0, 0.0, 0.0, 0.0], dtype=np.float32)
SM_COUNTS = np.full((30, 30), 1.0e6)
SIGNAL_COUNTS = np.zeros((30, 30))
SIGNAL_COUNTS[15:, :] = 1.0e6


def upper_fraction(counts: np.ndarray) -> np.ndarray:
    """F for a batch [N, 30, 30], as the graphs compute it."""
    return counts[:, 15:, :].sum(axis=(1, 2)) / counts.sum(axis=(1, 2))


def multiclass_probabilities(counts: np.ndarray) -> np.ndarray:
    logits = upper_fraction(counts)[:, None] * W + C
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _graph(kind: str, output_shape: str):
    """ONNX graph of the kind: histogram [N, 30, 30] -> F, or softmax(F * W + C)."""
    from onnx import TensorProto, helper, numpy_helper

    init = [
        numpy_helper.from_array(np.array([15], dtype=np.int64), "start"),
        numpy_helper.from_array(np.array([30], dtype=np.int64), "stop"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis"),
        numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "sum_axes"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "out_axis"),
    ]
    nodes = [
        helper.make_node("Slice", ["histogram", "start", "stop", "axis"], ["upper"]),
        helper.make_node("ReduceSum", ["upper", "sum_axes"], ["n_upper"], keepdims=0),
        helper.make_node("ReduceSum", ["histogram", "sum_axes"], ["n_all"], keepdims=0),
        helper.make_node("Div", ["n_upper", "n_all"], ["fraction"]),
    ]
    if kind == "multiclass":
        init += [numpy_helper.from_array(W[None], "w"), numpy_helper.from_array(C, "c")]
        nodes += [
            helper.make_node("Unsqueeze", ["fraction", "out_axis"], ["column"]),
            helper.make_node("MatMul", ["column", "w"], ["scaled"]),
            helper.make_node("Add", ["scaled", "c"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probability"], axis=1),
        ]
        shape = ["N", 8]
    elif output_shape == "N,1":
        nodes.append(helper.make_node("Unsqueeze", ["fraction", "out_axis"], ["probability"]))
        shape = ["N", 1]
    elif output_shape == "N,3":  # breaks the contract on purpose
        init.append(numpy_helper.from_array(np.ones((1, 3), dtype=np.float32), "three"))
        nodes += [
            helper.make_node("Unsqueeze", ["fraction", "out_axis"], ["column"]),
            helper.make_node("MatMul", ["column", "three"], ["probability"]),
        ]
        shape = ["N", 3]
    else:
        nodes.append(helper.make_node("Identity", ["fraction"], ["probability"]))
        shape = ["N"]
    graph = helper.make_graph(
        nodes,
        kind,
        [helper.make_tensor_value_info("histogram", TensorProto.FLOAT, ["N", 30, 30])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, shape)],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _metadata(kind: str, snr: float, labels: dict[str, str]) -> dict[str, str]:
    return {
        "kind": kind,
        "labels": json.dumps(labels),
        "snr": json.dumps(snr),
        "b_train": "50000",
        "binning": binning.binning_json(),
        "normalization": "none: the test graphs take the fraction of events in the upper pT half",
        "dmzoo_format_version": constants.FORMAT_VERSION,
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(
    root: Path,
    *,
    kinds=("multimodel_binary", "multiclass"),
    snrs=(0.5, 2.0),
    output_shape: str = "N",
    labels: dict[str, str] | None = None,
) -> Path:
    """Write a zoo under root and return it."""
    import onnx

    (root / "models").mkdir(parents=True)
    (root / "tables").mkdir()
    (root / "templates").mkdir()
    models = []
    for kind in kinds:
        for snr in snrs:
            proto = _graph(kind, output_shape)
            meta = _metadata(
                kind,
                snr,
                labels or (LABELS if kind == "multiclass" else {"0": "sm", "1": "new_physics"}),
            )
            for key, value in sorted(meta.items()):
                entry = proto.metadata_props.add()
                entry.key, entry.value = key, value
            model_id = f"{kind}-snr{snr:g}"
            path = root / "models" / f"{model_id}.onnx"
            onnx.save(proto, path)
            models.append(
                {
                    "id": model_id,
                    "path": f"models/{path.name}",
                    "sha256": _sha(path),
                    "kind": kind,
                    "snr": snr,
                }
            )
    header = "benchmark,snr,auc,auc_std,n_trainings,auc_optimal\n"
    tables = {
        "auc_individual.csv": header,
        "auc_multimodel_binary.csv": header + "spin1_offshell,0.5,0.6,0.01,1,0.62\n"
        "spin1_offshell,2,0.9,0.01,1,0.93\n",
        "auc_multiclass.csv": header + "spin1_offshell,0.5,0.55,0.01,1,0.6\n"
        "spin1_offshell,2,0.8,0.01,1,0.9\n",
    }
    for name, text in tables.items():
        (root / "tables" / name).write_text(text)
    samples = {
        "sm": {"counts": SM_COUNTS.tolist()},
        "spin1_offshell": {"counts": SIGNAL_COUNTS.tolist()},
        "spin1_onshell": {"counts": SIGNAL_COUNTS.tolist()},
    }
    (root / "templates" / "templates.json").write_text(json.dumps({"samples": samples}))
    files = {
        f"{d}/{p.name}": _sha(p)
        for d in ("tables", "templates")
        for p in sorted((root / d).iterdir())
    }
    manifest = {
        "dmzoo_format_version": constants.FORMAT_VERSION,
        "zoo_version": "test",
        "models": models,
        "files": files,
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root
