"""A small zoo built by the tests: tiny ONNX graphs with a known output, templates and tables.

Every model's statistic is F, the fraction of a histogram's events in the upper half of the pT
bins (rows 15-29), so the tests can compute what the models must answer by hand:

- `binary` (against spin1_offshell) and `multimodel_binary` output F ([N] or [N, 1]);
- `multiclass` outputs softmax(F * W + C) over 8 classes ([N, 8]);
- `model_vs_model` (the pair `alp_vs_spin1_offshell`, label 1 spin1_offshell) outputs F;
- `parametric` (two models: `parametric-spin1_offshell` with slope 8 and the multimodel
  `parametric` with slope 4) take S/sqrt(B) as a second input `snr` [N, 1] and output
  sigmoid(slope * (F - 1/2) + log snr) = x / (1 + x) with x = snr * exp(slope * (F - 1/2)).

The SM template is flat, so F of an SM-only toy of n events is Binomial(n, 1/2) / n; the
`spin1_offshell` template puts all its events but the pseudo-count in the upper half, the `alp`
one in the lower half.
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
SOFT_COUNTS = SIGNAL_COUNTS[::-1].copy()  # the alp template: the lower pT half only
PAIR = "alp_vs_spin1_offshell"


def upper_fraction(counts: np.ndarray) -> np.ndarray:
    """F for a batch [N, 30, 30], as the graphs compute it."""
    return counts[:, 15:, :].sum(axis=(1, 2)) / counts.sum(axis=(1, 2))


def parametric_probability(counts: np.ndarray, snr: float, slope: float = 8.0) -> np.ndarray:
    """What the parametric graphs answer, for a batch [N, 30, 30]."""
    x = snr * np.exp(slope * (upper_fraction(counts) - 0.5))
    return x / (1.0 + x)


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


def _parametric_graph(slope: float):
    """histogram [N, 30, 30], snr [N, 1] -> sigmoid(slope * (F - 1/2) + log snr), [N]."""
    from onnx import TensorProto, helper, numpy_helper

    fraction = _graph("binary", "N")
    init = list(fraction.graph.initializer) + [
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half"),
        numpy_helper.from_array(np.array(slope, dtype=np.float32), "slope"),
    ]
    nodes = list(fraction.graph.node)[:-1] + [  # F, without its Identity output
        helper.make_node("Log", ["snr"], ["log_snr"]),
        helper.make_node("Squeeze", ["log_snr", "out_axis"], ["log_snr_flat"]),
        helper.make_node("Sub", ["fraction", "half"], ["centred"]),
        helper.make_node("Mul", ["centred", "slope"], ["scaled"]),
        helper.make_node("Add", ["scaled", "log_snr_flat"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability"]),
    ]
    graph = helper.make_graph(
        nodes,
        "parametric",
        [
            helper.make_tensor_value_info("histogram", TensorProto.FLOAT, ["N", 30, 30]),
            helper.make_tensor_value_info("snr", TensorProto.FLOAT, ["N", 1]),
        ],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N"])],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _metadata(kind: str, snr: object, labels: dict[str, str]) -> dict[str, str]:
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


def _save(root: Path, model_id: str, proto, meta: dict[str, str], entry: dict) -> dict:
    """Write a model with its metadata; its manifest entry, hash included."""
    import onnx

    for key, value in sorted(meta.items()):
        prop = proto.metadata_props.add()
        prop.key, prop.value = key, value
    path = root / "models" / f"{model_id}.onnx"
    onnx.save(proto, path)
    return {"id": model_id, "path": f"models/{path.name}", "sha256": _sha(path), **entry}


PARAMETRIC_RANGE = {"min": 0.1, "max": 10.0}
PARAMETRIC_HEADER = "benchmark,snr,auc,auc_grid,auc_optimal,auc_std,n_trainings,snr_grid,model\n"
# auc_parametric.csv: the 1.2 asked for by the tests sits between the rows at 1 and 1.5
PARAMETRIC_TABLE = PARAMETRIC_HEADER + (
    "spin1_offshell,0.5,0.61,0.6,0.63,0.01,1,0.5,parametric-spin1_offshell\n"
    "spin1_offshell,1,0.7,0.68,0.72,0.01,1,1,parametric-spin1_offshell\n"
    "spin1_offshell,1.5,0.8,0.79,0.82,0.01,1,1.5,parametric-spin1_offshell\n"
    "spin1_offshell,2,0.9,0.9,0.93,0.01,1,2,parametric-spin1_offshell\n"
)
PARAMETRIC_MULTIMODEL_TABLE = PARAMETRIC_HEADER + (
    "spin1_offshell,0.5,0.58,0.6,0.62,0.01,1,0.5,parametric\n"
    "spin1_offshell,2,0.88,0.9,0.93,0.01,1,2,parametric\n"
)


def _parametric_models(root: Path) -> list[dict]:
    """The benchmark's parametric model (slope 8) and the multimodel one (slope 4)."""
    out = []
    for model_id, benchmark, slope in (
        ("parametric-spin1_offshell", "spin1_offshell", 8.0),
        ("parametric", None, 4.0),
    ):
        labels = {"0": "sm", "1": benchmark or "any of spin1_offshell, spin1_onshell"}
        meta = _metadata("parametric", PARAMETRIC_RANGE, labels)
        if benchmark:
            meta["benchmark"] = benchmark
        entry = {"kind": "parametric", "benchmark": benchmark, "snr": None}
        out.append(_save(root, model_id, _parametric_graph(slope), meta, entry))
    return out


def edit(root: Path, model_id: str, *, metadata: dict | None = None, entry: dict | None = None):
    """Change a built model's metadata (a None value drops the key) or manifest entry,
    keeping its hash right, so only the change is wrong."""
    import onnx

    manifest = json.loads((root / "manifest.json").read_text())
    (found,) = [m for m in manifest["models"] if m["id"] == model_id]
    path = root / found["path"]
    if metadata:
        proto = onnx.load(path)
        props = {p.key: p.value for p in proto.metadata_props}
        props.update(metadata)
        del proto.metadata_props[:]
        for key, value in sorted(props.items()):
            if value is not None:
                prop = proto.metadata_props.add()
                prop.key, prop.value = key, value
        onnx.save(proto, path)
        found["sha256"] = _sha(path)
    found.update(entry or {})
    (root / "manifest.json").write_text(json.dumps(manifest))


def build(
    root: Path,
    *,
    kinds=("multimodel_binary", "multiclass"),
    snrs=(0.5, 2.0),
    output_shape: str = "N",
    labels: dict[str, str] | None = None,
    extra_templates: dict[str, np.ndarray] | None = None,
) -> Path:
    """Write a zoo under root and return it.

    `binary` models are spin1_offshell's; `parametric` writes both parametric models and
    their tables; `extra_templates` adds sample templates by name (counts [30, 30]).
    """
    (root / "models").mkdir(parents=True)
    (root / "tables").mkdir()
    (root / "templates").mkdir()
    models = []
    for kind in kinds:
        if kind == "parametric":
            models += _parametric_models(root)
            continue
        benchmark = {"binary": "spin1_offshell", "model_vs_model": PAIR}.get(kind)
        default = {"0": "sm", "1": benchmark or "new_physics"}
        if kind == "model_vs_model":
            default = {"0": "alp", "1": "spin1_offshell"}
        for snr in snrs:
            meta = _metadata(kind, snr, labels or (LABELS if kind == "multiclass" else default))
            if benchmark:
                meta["benchmark"] = benchmark
            model_id = "-".join([kind] + ([benchmark] if benchmark else []) + [f"snr{snr:g}"])
            entry = {"kind": kind, "snr": snr} | ({"benchmark": benchmark} if benchmark else {})
            models.append(_save(root, model_id, _graph(kind, output_shape), meta, entry))
    header = "benchmark,snr,auc,auc_std,n_trainings,auc_optimal\n"
    tables = {
        "auc_individual.csv": header + "spin1_offshell,0.5,0.6,0.01,1,0.63\n"
        "spin1_offshell,2,0.9,0.01,1,0.93\n",
        "auc_multimodel_binary.csv": header + "spin1_offshell,0.5,0.6,0.01,1,0.62\n"
        "spin1_offshell,2,0.9,0.01,1,0.93\n",
        "auc_multiclass.csv": header + "spin1_offshell,0.5,0.55,0.01,1,0.6\n"
        "spin1_offshell,2,0.8,0.01,1,0.9\n",
    }
    if "model_vs_model" in kinds:
        tables["auc_model_vs_model.csv"] = (
            header + f"{PAIR},0.5,0.7,0.01,1,0.72\n{PAIR},2,0.95,0.01,1,0.96\n"
        )
    if "parametric" in kinds:
        tables["auc_parametric.csv"] = PARAMETRIC_TABLE
        tables["auc_parametric_multimodel.csv"] = PARAMETRIC_MULTIMODEL_TABLE
    for name, text in tables.items():
        (root / "tables" / name).write_text(text)
    samples = {
        "sm": {"counts": SM_COUNTS.tolist()},
        "spin1_offshell": {"counts": SIGNAL_COUNTS.tolist()},
        "spin1_onshell": {"counts": SIGNAL_COUNTS.tolist()},
        "alp": {"counts": SOFT_COUNTS.tolist()},
        **{k: {"counts": v.tolist()} for k, v in (extra_templates or {}).items()},
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
