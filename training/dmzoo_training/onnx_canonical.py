"""One ONNX graph, one byte string: the converter's arbitrary choices undone.

tf2onnx names the tensors it invents with a counter that keeps growing across conversions in
one process, and its optimiser merges equal constants and orders equal-ranked nodes by set
iteration, which changes from one conversion (and one process) to the next. So the same Keras
network converted twice gave other names, another node order and other bytes. Here the graph is
brought to a form that depends only on what it computes:

1. equal initializers become one, then nodes that apply the same operation to the same inputs
   become one (repeated until nothing merges);
2. every tensor gets a key from its content (an initializer's bytes, a node output's operation,
   attributes and input keys), and the nodes are sorted topologically, ties by key;
3. every name but the graph's inputs and outputs is replaced by its place in that order.
"""

from __future__ import annotations

import hashlib
import heapq


def canonicalize(graph) -> None:
    """Rewrite `graph` (an onnx GraphProto) in place into its canonical form."""
    _merge_initializers(graph)
    while _merge_nodes(graph):
        pass
    keys = _keys(graph)
    _sort_nodes(graph, keys)
    _rename(graph)


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def _content(init) -> str:
    """An initializer's key: its type, shape and values, not its name."""
    bare = type(init)()
    bare.CopyFrom(init)
    bare.name = ""
    return _digest(bare.SerializeToString(deterministic=True))


def _replace_inputs(graph, mapping: dict[str, str]) -> None:
    for node in graph.node:
        node.input[:] = [mapping.get(n, n) for n in node.input]
    for out in graph.output:
        out.name = mapping.get(out.name, out.name)


def _merge_initializers(graph) -> None:
    first: dict[str, str] = {}
    mapping: dict[str, str] = {}
    keep = []
    for init in graph.initializer:
        key = _content(init)
        if key in first:
            mapping[init.name] = first[key]
        else:
            first[key] = init.name
            keep.append(init)
    if mapping:
        _replace(graph.initializer, keep)
        _replace_inputs(graph, mapping)


def _operation(node, inputs) -> str:
    """A node's key from its operation, attributes and the given names or keys of its inputs."""
    attrs = sorted(a.SerializeToString(deterministic=True) for a in node.attribute)
    return _digest(node.op_type, node.domain, *attrs, "|", *inputs)


def _merge_nodes(graph) -> bool:
    """Merge the nodes that repeat an earlier one; whether any did."""
    outputs = {o.name for o in graph.output}
    seen: dict[str, object] = {}
    mapping: dict[str, str] = {}
    keep = []
    for node in graph.node:
        node.input[:] = [mapping.get(n, n) for n in node.input]
        sig = _operation(node, node.input)
        twin = seen.get(sig)
        if (
            twin is not None
            and len(twin.output) == len(node.output)
            and not outputs & set(node.output)
        ):
            mapping.update(zip(node.output, twin.output, strict=True))
            continue
        seen[sig] = node
        keep.append(node)
    if not mapping:
        return False
    _replace(graph.node, keep)
    _replace_inputs(graph, mapping)
    return True


def _keys(graph) -> dict[str, str]:
    """The content key of every tensor: inputs by name, initializers by bytes, node outputs by
    operation, attributes and input keys."""
    keys = {i.name: _digest("input", i.name) for i in graph.input}
    keys.update({i.name: _content(i) for i in graph.initializer})
    pending = list(graph.node)
    while pending:
        stuck = []
        for node in pending:
            if not all(n == "" or n in keys for n in node.input):
                stuck.append(node)
                continue
            base = _operation(node, [keys.get(n, "") for n in node.input])
            for port, name in enumerate(node.output):
                keys[name] = _digest(base, str(port))
        if len(stuck) == len(pending):
            raise ValueError("the ONNX graph has a cycle or an input nothing produces")
        pending = stuck
    return keys


def _sort_nodes(graph, keys: dict[str, str]) -> None:
    """Topological order, ready nodes taken by the key of their first output."""
    nodes = list(graph.node)
    producer = {name: i for i, node in enumerate(nodes) for name in node.output}
    waiting = [0] * len(nodes)
    users: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        for name in set(node.input):
            if name in producer:
                waiting[i] += 1
                users.setdefault(producer[name], []).append(i)
    ready = [(keys[nodes[i].output[0]], i) for i in range(len(nodes)) if not waiting[i]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(nodes[i])
        for j in users.get(i, []):
            waiting[j] -= 1
            if not waiting[j]:
                heapq.heappush(ready, (keys[nodes[j].output[0]], j))
    _replace(graph.node, order)


def _rename(graph) -> None:
    """Initializers `const_K` in order of first use (unused ones dropped), tensors `t_K_P` and
    nodes `<Op>_K` in node order; the graph's inputs and outputs keep their names."""
    fixed = {i.name for i in graph.input} | {o.name for o in graph.output}
    inits = {i.name for i in graph.initializer}
    mapping: dict[str, str] = {}
    n_const = 0
    for k, node in enumerate(graph.node):
        for name in node.input:
            if name in inits and name not in mapping:
                mapping[name] = f"const_{n_const:04d}"
                n_const += 1
        for port, name in enumerate(node.output):
            if name and name not in fixed:
                mapping[name] = f"t_{k:04d}_{port}"
        node.name = f"{node.op_type}_{k:04d}"
    for node in graph.node:
        node.input[:] = [mapping.get(n, n) for n in node.input]
        node.output[:] = [mapping.get(n, n) for n in node.output]
    used = [i for i in graph.initializer if i.name in mapping]
    for init in used:
        init.name = mapping[init.name]
    _replace(graph.initializer, sorted(used, key=lambda t: t.name))
    kept = [v for v in graph.value_info if v.name in mapping]
    for v in kept:
        v.name = mapping[v.name]
    _replace(graph.value_info, sorted(kept, key=lambda v: v.name))


def _replace(field, items) -> None:
    """Set a repeated protobuf field to these messages (copies: clearing frees the originals)."""
    copies = [type(m)() for m in items]
    for copy, m in zip(copies, items, strict=True):
        copy.CopyFrom(m)
    del field[:]
    field.extend(copies)
