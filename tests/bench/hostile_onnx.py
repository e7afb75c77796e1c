"""Hostile ONNX files for tests/bench/hostile_counts.py (needs the optional ``onnx``).

Non-regular paths, garbage bytes, and well-formed protobufs that lie: tensors
declaring more values than they hold, external data pointing at devices or
outside the folder, non-finite weights, huge widths and depths, non-MLP ops.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def _model(nodes, inits, n_in=2, n_out=1, in_dims=None):
    from onnx import TensorProto, helper

    dims = in_dims if in_dims is not None else ["batch", n_in]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", n_out])],
        initializer=inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _gemm_model(W, b=None, act="Sigmoid"):
    from onnx import helper, numpy_helper

    W = np.asarray(W, np.float32)
    b = np.zeros(W.shape[1], np.float32) if b is None else np.asarray(b, np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["h"])]
    nodes.append(helper.make_node(act, ["h"], ["y"]) if act else helper.make_node("Identity", ["h"], ["y"]))
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")]
    return _model(nodes, inits, W.shape[0], W.shape[1])


def onnx_cases(d: Path) -> list[Path]:
    from onnx import TensorProto, helper, numpy_helper

    out = []

    def save(name, model_or_bytes):
        p = d / f"o_{len(out)}_{name}.onnx"
        p.write_bytes(
            model_or_bytes if isinstance(model_or_bytes, bytes) else model_or_bytes.SerializeToString()
        )
        out.append(p)

    good = _gemm_model(np.ones((2, 1)))
    save("good", good)
    raw = good.SerializeToString()
    for name, data in (
        ("empty", b""),
        ("rand", os.urandom(5000)),
        ("text", b"hello"),
        ("trunc", raw[: len(raw) // 2]),
    ):
        save(name, data)
    save("nanW", _gemm_model([[np.nan], [1.0]]))
    save("infW", _gemm_model([[np.inf], [1.0]]))
    save("hugeW", _gemm_model([[3e38], [3e38]], act=None))
    save("wide", _gemm_model(np.zeros((2, 5000)), act=None))
    save("zerowide", _gemm_model(np.zeros((2, 0)), act=None))

    def lying(name, dims, raw_data=b"", location=None, dtype=TensorProto.FLOAT):
        t = TensorProto(name="W", data_type=dtype, dims=dims)  # no values checked: it lies
        if raw_data:
            t.raw_data = raw_data
        if location is not None:
            t.data_location = TensorProto.EXTERNAL
            e = t.external_data.add()
            e.key, e.value = "location", location
        b = numpy_helper.from_array(np.zeros(1, np.float32), "b")
        nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["h"]), helper.make_node("Identity", ["h"], ["y"])]
        save(name, _model(nodes, [t, b]))

    lying("declares_1e12", [10**6, 10**6], raw_data=b"\0" * 8)
    lying("declares_neg", [-1, 1], raw_data=b"\0" * 8)
    lying("ext_devzero", [2, 1], location="/dev/zero")
    lying("ext_devzero_big", [10**5, 10**5], location="/dev/zero")
    lying("ext_traversal", [2, 1], location="../../../../etc/passwd")
    lying("ext_fifo", [2, 1], location="pipe.bin")
    lying("string_w", [2, 1], dtype=TensorProto.STRING)
    os.mkfifo(d / "pipe.bin")
    # a deep chain: 3,000 Gemm layers of 1 unit
    from onnx import numpy_helper as nh

    nodes, inits, cur = [], [], "x"
    for i in range(3000):
        inits += [
            nh.from_array(np.ones((1 if i else 2, 1), np.float32), f"W{i}"),
            nh.from_array(np.zeros(1, np.float32), f"b{i}"),
        ]
        nodes.append(helper.make_node("Gemm", [cur, f"W{i}", f"b{i}"], [f"h{i}"]))
        cur = f"h{i}"
    nodes.append(helper.make_node("Identity", [cur], ["y"]))
    save("deep3000", _model(nodes, inits))
    # non-MLP ops and odd graphs
    conv = helper.make_node("Conv", ["x", "W"], ["y"])
    save(
        "conv", _model([conv], [nh.from_array(np.ones((1, 1, 1, 1), np.float32), "W")], in_dims=[1, 1, 4, 4])
    )
    save("nonodes", _model([], []))
    loop_body = helper.make_graph([], "body", [], [])
    save(
        "subgraph",
        _model([helper.make_node("If", ["x"], ["y"], then_branch=loop_body, else_branch=loop_body)], []),
    )
    big_alpha = helper.make_node("Gemm", ["x", "W", "b"], ["y"], alpha=1e39)
    save(
        "alpha_inf",
        _model(
            [big_alpha],
            [nh.from_array(np.ones((2, 1), np.float32), "W"), nh.from_array(np.zeros(1, np.float32), "b")],
        ),
    )
    reshape = [
        helper.make_node("Constant", [], ["s"], value=nh.from_array(np.array([10**12, 1], np.int64))),
        helper.make_node("Reshape", ["W", "s"], ["W2"]),
        helper.make_node("Gemm", ["x", "W2", "b"], ["y"]),
    ]
    save(
        "reshape_huge",
        _model(
            reshape,
            [nh.from_array(np.ones((2, 1), np.float32), "W"), nh.from_array(np.zeros(1, np.float32), "b")],
        ),
    )
    transpose = [
        helper.make_node("Transpose", ["W"], ["W2"], perm=[5, 9]),
        helper.make_node("Gemm", ["x", "W2", "b"], ["y"]),
    ]
    save(
        "transpose_bad",
        _model(
            transpose,
            [nh.from_array(np.ones((2, 1), np.float32), "W"), nh.from_array(np.zeros(1, np.float32), "b")],
        ),
    )
    save(
        "input_5d",
        _model(
            [helper.make_node("Gemm", ["x", "W", "b"], ["y"])],
            [nh.from_array(np.ones((2, 1), np.float32), "W"), nh.from_array(np.zeros(1, np.float32), "b")],
            in_dims=[1, 2, 3, 4, 5],
        ),
    )
    # non-regular paths
    fifo = d / "o_fifo.onnx"
    os.mkfifo(fifo)
    (d / "o_dir.onnx").mkdir()
    sparse = d / "o_sparse.onnx"
    with open(sparse, "wb") as f:
        f.truncate(600 << 20)
    loop = d / "o_loop.onnx"
    loop.symlink_to(loop)
    zl = d / "o_zero.onnx"
    zl.symlink_to("/dev/zero")
    out += [fifo, d / "o_dir.onnx", zl, Path("/dev/urandom"), d / "missing.onnx", sparse, loop]
    return out
