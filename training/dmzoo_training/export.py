"""ONNX export with the zoo's metadata contract, and the manifest.

The graph takes `histogram`, float32 [N, 30, 30] raw counts (axis 0 pT, axis 1 eta), divides by
the largest bin inside the graph and returns `probability`, float32 [N]. Opset 17 gives IR
version 8, which onnxruntime 1.15 (the oldest that installs on current Pythons and what many
experiment frameworks ship) still loads. With Keras 3, tf2onnx.convert.from_keras fails, so
we convert a tf.function with an explicit input signature instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib.metadata import version
from pathlib import Path

import numpy as np

from dmzoo import binning, constants

log = logging.getLogger(__name__)

OPSET = 17
IR_VERSION = 8
LICENSE = "CC-BY-4.0"
NORMALIZATIONS = {
    "max": "counts / max(counts) over the 30 x 30 in-range bins, computed inside the graph",
    "sum": "counts / max(counts), then / sum over the 30 x 30 in-range bins (bin fractions), "
    "computed inside the graph",
}
INPUT_DOC = "histogram: float32 [N, 30, 30] raw counts, axis 0 leading-jet pT (GeV), axis 1 eta, no flow bins"
OUTPUT_DOC = (
    "probability: float32 [N], probability that the histogram holds signal on top of the SM"
)


def to_onnx(model, metadata: dict[str, str]):
    """The Keras model as an ONNX ModelProto with metadata_props set (sorted by key)."""
    import tensorflow as tf
    import tf2onnx

    histogram = tf.TensorSpec([None, binning.N_BINS, binning.N_BINS], tf.float32, name="histogram")
    if len(model.inputs) == 2:  # a parametric model also takes S/sqrt(B) itself, [N, 1]
        spec = (histogram, tf.TensorSpec([None, 1], tf.float32, name="snr"))

        @tf.function(input_signature=spec)
        def forward(histogram, snr):
            return _flat_output(tf, model([histogram, snr], training=False))

    else:
        spec = (histogram,)

        @tf.function(input_signature=spec)
        def forward(histogram):
            return _flat_output(tf, model(histogram, training=False))

    proto, _ = tf2onnx.convert.from_function(forward, input_signature=spec, opset=OPSET)
    proto.ir_version = IR_VERSION
    proto.producer_name = "dmzoo_training"
    proto.producer_version = version("dmzoo-training") if _installed("dmzoo-training") else "dev"
    del proto.metadata_props[:]
    for key in sorted(metadata):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, metadata[key]
    proto.graph.output[0].name = _rename_output(proto)
    _canonical_names(proto)
    return proto


def _flat_output(tf, out):
    if out.shape[-1] == 1:
        out = tf.reshape(out, [-1])
    return tf.identity(out, name="probability")


def _canonical_names(proto) -> None:
    """The graph in its canonical form (`onnx_canonical`), so that the same network exported
    twice gives the same bytes, and the batch dimension named `N`."""
    from dmzoo_training.onnx_canonical import canonicalize

    canonicalize(proto.graph)
    for info in (*proto.graph.input, *proto.graph.output):
        for dim in info.type.tensor_type.shape.dim:
            if dim.dim_param:
                dim.dim_param = "N"
    proto.graph.doc_string = "dmzoo histogram classifier"


def _installed(dist: str) -> bool:
    try:
        version(dist)
        return True
    except Exception:
        return False


def _rename_output(proto) -> str:
    """Name the graph's output `probability` wherever the converter put its own name."""
    old = proto.graph.output[0].name
    for node in proto.graph.node:
        for i, name in enumerate(node.output):
            if name == old:
                node.output[i] = "probability"
    return "probability"


OUTPUT_DOCS = {
    "binary": OUTPUT_DOC,
    "multimodel_binary": "probability: float32 [N], probability that the histogram holds any "
    "new physics (one of the trained benchmarks) on top of the SM",
    "model_vs_model": "probability: float32 [N], probability that the histogram holds the "
    "signal of label 1 rather than that of label 0 (both on top of the SM)",
    "multiclass": "probability: float32 [N, 8], probability of each class of `labels` "
    "(0: SM only, 1-7: SM plus that benchmark); rows sum to 1",
    "parametric": "probability: float32 [N], probability that the histogram holds signal on top "
    "of the SM, for the S/sqrt(B) given in the second input `snr` (float32 [N, 1], S/sqrt(B) "
    "itself; the graph takes its logarithm)",
}


def metadata(
    spec,
    *,
    snr: float,
    b_train: int,
    metrics: dict,
    training: dict,
    provenance: dict,
    normalization: str = "max",
) -> dict[str, str]:
    """The metadata contract every zoo model carries (see docs and the zoo-contract check)."""
    meta = {
        "dmzoo_format_version": constants.FORMAT_VERSION,
        "kind": spec.kind,
        "snr": json.dumps(snr),
        "b_train": json.dumps(b_train),
        "binning": binning.binning_json(),
        "normalization": NORMALIZATIONS[normalization],
        "labels": json.dumps(spec.labels, sort_keys=True),
        "classes": json.dumps([list(c) for c in spec.classes]),
        "metrics": json.dumps(metrics, sort_keys=True),
        "training": json.dumps(training, sort_keys=True),
        "provenance": json.dumps(provenance, sort_keys=True),
        "input": INPUT_DOC,
        "output": OUTPUT_DOCS[spec.kind],
        "sqrt_s_gev": "14000",
        "license": LICENSE,
        "opset": str(OPSET),
        "ir_version": str(IR_VERSION),
    }
    if spec.benchmark is not None:
        meta["benchmark"] = spec.benchmark
    return meta


def write_model(proto, path: Path) -> str:
    """Serialise deterministically, write atomically, return the sha256."""
    import onnx

    onnx.checker.check_model(proto)
    data = proto.SerializeToString(deterministic=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return hashlib.sha256(data).hexdigest()


def onnx_predict(path: Path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x.astype(np.float32)})[0]
