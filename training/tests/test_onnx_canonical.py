"""The same computation written two ways by a converter comes out as one byte string."""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from dmzoo_training.onnx_canonical import canonicalize


def _graph(names: tuple[str, str], swap: bool) -> onnx.ModelProto:
    """x * 2 + x * 2, its two equal constants and two equal products under other names and in
    another order, as two conversions of one network gave."""
    a, b = names
    two = np.array([2.0], dtype=np.float32)
    inits = [numpy_helper.from_array(two, f"two__{a}"), numpy_helper.from_array(two, f"two__{b}")]
    products = [
        helper.make_node("Mul", ["x", f"two__{a}"], [f"m__{a}:0"], name=f"Mul__{a}"),
        helper.make_node("Mul", ["x", f"two__{b}"], [f"m__{b}:0"], name=f"Mul__{b}"),
    ]
    if swap:
        products.reverse()
        inits.reverse()
    add = helper.make_node("Add", [f"m__{a}:0", f"m__{b}:0"], ["y"], name="Add__9")
    graph = helper.make_graph(
        [*products, add],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N"])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def test_converter_choices_leave_no_trace():
    first, second = _graph(("11", "12"), False), _graph(("5155", "5434"), True)
    assert first.SerializeToString() != second.SerializeToString()
    for model in (first, second):
        canonicalize(model.graph)
    assert first.SerializeToString(deterministic=True) == second.SerializeToString(
        deterministic=True
    )
    # the equal constants and the equal products became one each; the answer is unchanged
    assert len(first.graph.initializer) == 1 and [n.op_type for n in first.graph.node] == [
        "Mul",
        "Add",
    ]
    onnx.checker.check_model(first)
    x = np.array([1.0, -3.0], dtype=np.float32)
    [y] = ort.InferenceSession(first.SerializeToString()).run(None, {"x": x})
    np.testing.assert_array_equal(y, 4 * x)
