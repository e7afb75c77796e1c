"""Open an MLP stored as ONNX (optional dependency ``onnx``).

Accepted: one input ``[batch, n]`` and a chain of dense layers — ``Gemm``, or
``MatMul`` followed by ``Add`` — with ``Relu``, ``Sigmoid``, ``Tanh``,
``Softmax``, ``LeakyRelu``, ``Elu``, ``Softplus`` or ``Identity`` between
them, float32 or float64, as written by ``torch.onnx.export``, tf2onnx,
skl2onnx or this app (whose leading ``Sub``/``Div`` input scaler becomes the
project's preprocessing). Anything else raises :class:`ValueError` naming
the first node that is not part of such an MLP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.io.safe_read import read_bytes
from model.nn import activations as act_table
from model.nn.activations import LEAKY_SLOPE

INSTALL_HINT = "opening ONNX files needs the optional 'onnx' package: pip install 'mlp-studio[onnx]'"
MAX_ONNX_BYTES = 512 * 1024 * 1024

# ONNX operator -> the app's activation name (when the app has it)
ACTIVATION_OPS = {
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Softmax": "softmax",
    "LeakyRelu": "leaky_relu",
    "Elu": "elu",
    "Softplus": "softplus",
}
PASS_THROUGH = {"Identity", "Cast", "Dropout"}  # no change to the values (Dropout: inference)


@dataclass
class ImportedMLP:
    """Weights (inputs × outputs, float64), activations, names and an optional scaler."""

    weights: list[np.ndarray] = field(default_factory=list)
    biases: list[np.ndarray] = field(default_factory=list)
    activations: list[str] = field(default_factory=list)
    input_names: list[str] | None = None
    output_names: list[str] | None = None
    scaler: tuple[np.ndarray, np.ndarray] | None = None  # (offset, scale): x ↦ (x − offset)/scale

    @property
    def layer_sizes(self) -> list[int]:
        return [self.weights[0].shape[0]] + [W.shape[1] for W in self.weights]


def load_model(path):
    """The ``onnx.ModelProto`` at ``path``; ValueError (one line) on any problem."""
    try:
        import onnx
    except ImportError:
        raise ValueError(INSTALL_HINT) from None
    path = Path(path)
    data = read_bytes(path, MAX_ONNX_BYTES, "ONNX file")  # regular files only, bounded while reading
    try:
        return onnx.load_model_from_string(data)
    except Exception:  # protobuf DecodeError and friends
        raise ValueError(f"{path.name} is not an ONNX model") from None


def parse_mlp(model) -> ImportedMLP:
    """Walk the graph from its input along the dense chain; see the module docstring."""

    g = model.graph
    consts = {t.name: _tensor_values(t) for t in g.initializer}
    inputs = [i for i in g.input if i.name not in consts]
    if len(inputs) != 1:
        raise ValueError(f"an MLP has one input tensor; this graph has {len(inputs)}")
    mlp = ImportedMLP()
    cur = inputs[0].name
    pending = None  # a MatMul's weights waiting for their Add
    for node in g.node:
        op, what = node.op_type, _describe(node)
        if op == "Constant":
            consts[node.output[0]] = _constant_value(node, what)
            continue
        if all(i in consts for i in node.input if i) and op in ("Transpose", "Identity", "Cast", "Reshape"):
            consts[node.output[0]] = _fold(node, consts, what)
            continue
        if cur not in node.input:
            raise ValueError(f"{what} is not part of a plain MLP (it does not read the layer chain)")
        if op == "Gemm":
            _finish(mlp, pending)
            pending = None
            _add_layer(mlp, *_gemm(node, consts, cur, what))
        elif op == "MatMul":
            _finish(mlp, pending)
            pending = _matmul(node, consts, cur, what)
        elif op == "Add" and pending is not None:
            other = [i for i in node.input if i != cur]
            b = _const(consts, other[0] if other else "", what).astype(np.float64)
            _add_layer(mlp, pending, _bias(b, pending.shape[1], what))
            pending = None
        elif op in ("Sub", "Div") and not mlp.weights and pending is None:
            _scaler_step(mlp, node, consts, cur, what)
        elif op in ACTIVATION_OPS:
            _finish(mlp, pending)
            pending = None
            _set_activation(mlp, node, what)
        elif op in PASS_THROUGH:
            pass
        else:
            raise ValueError(f"{what} is not supported in an MLP (allowed: Gemm, MatMul + Add, activations)")
        cur = node.output[0]
    _finish(mlp, pending)
    if not mlp.weights:
        raise ValueError("the graph holds no dense layer (Gemm or MatMul)")
    outs = [o.name for o in g.output]
    if cur not in outs or len(outs) != 1:
        raise ValueError(f"the graph's output must be the last layer's; it has outputs {outs}")
    _check_input_shape(inputs[0])  # after the nodes, so a CNN is refused by naming its Conv
    mlp.input_names, mlp.output_names = _names(model, mlp.layer_sizes)
    return mlp


# ------------------------------------------------------------------ nodes
def _tensor_values(t) -> np.ndarray:
    """A tensor's values from the file itself: external data (a path the file names,
    which may be a device or outside its folder) is refused, as is anything onnx
    cannot decode (its errors are not ValueErrors)."""
    from onnx import TensorProto, numpy_helper

    name = t.name or "a constant"
    if t.data_location == TensorProto.EXTERNAL or len(t.external_data):
        raise ValueError(
            f"tensor '{name}' keeps its values in an external file; only self-contained ONNX files open"
        )
    try:
        return numpy_helper.to_array(t)
    except Exception as e:  # onnx's ValidationError, reshape errors of lying dims...
        raise ValueError(f"tensor '{name}' cannot be read ({type(e).__name__})") from None


def _describe(node) -> str:
    return f"node '{node.name}' ({node.op_type})" if node.name else f"a {node.op_type} node"


def _attrs(node) -> dict:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _const(consts, name: str, what: str) -> np.ndarray:
    if name not in consts:
        raise ValueError(f"{what}: its weights are not constants stored in the file")
    a = np.asarray(consts[name])
    if a.dtype.kind != "f":
        raise ValueError(f"{what}: weights of type {a.dtype} (expected float32 or float64)")
    return a


def _constant_value(node, what):

    a = _attrs(node)
    if "value" not in a:
        raise ValueError(f"{what}: only tensor constants are supported")
    return _tensor_values(a["value"])


def _fold(node, consts, what):
    x = consts[node.input[0]]
    if node.op_type == "Transpose":
        perm = _attrs(node).get("perm")
        return np.transpose(x, perm if perm else None)
    if node.op_type == "Reshape":
        return np.reshape(x, [int(v) for v in consts[node.input[1]]])
    return x


def _gemm(node, consts, cur, what):
    a = _attrs(node)
    if node.input[0] != cur or a.get("transA", 0):
        raise ValueError(f"{what}: only Y = X·B (+ C) with the layer input as X is supported")
    W = _const(consts, node.input[1], what).astype(np.float64)
    if W.ndim != 2:
        raise ValueError(f"{what}: weights of shape {W.shape} (expected a matrix)")
    W = (W.T if a.get("transB", 0) else W) * float(a.get("alpha", 1.0))
    b = np.zeros(W.shape[1])
    if len(node.input) > 2 and node.input[2]:
        b = _const(consts, node.input[2], what).astype(np.float64) * float(a.get("beta", 1.0))
    return W, _bias(b, W.shape[1], what)


def _matmul(node, consts, cur, what):
    if node.input[0] != cur:
        raise ValueError(f"{what}: only X·W with the layer input as X is supported")
    W = _const(consts, node.input[1], what).astype(np.float64)
    if W.ndim != 2:
        raise ValueError(f"{what}: weights of shape {W.shape} (expected a matrix)")
    return W


def _bias(b, n_out: int, what: str) -> np.ndarray:
    try:
        return np.broadcast_to(b.reshape(-1) if b.size == n_out else b, (1, n_out)).reshape(n_out).copy()
    except ValueError:
        raise ValueError(f"{what}: a bias of shape {b.shape} does not fit {n_out} outputs") from None


def _add_layer(mlp: ImportedMLP, W, b) -> None:
    if mlp.weights and mlp.weights[-1].shape[1] != W.shape[0]:
        raise ValueError(
            f"layer {len(mlp.weights) + 1} takes {W.shape[0]} inputs but gets {mlp.weights[-1].shape[1]}"
        )
    mlp.weights.append(W)
    mlp.biases.append(b)
    mlp.activations.append("linear")


def _finish(mlp: ImportedMLP, pending) -> None:
    """A MatMul with no Add after it is a layer without bias."""
    if pending is not None:
        _add_layer(mlp, pending, np.zeros(pending.shape[1]))


def _set_activation(mlp: ImportedMLP, node, what: str) -> None:
    if not mlp.weights or mlp.activations[-1] != "linear":
        raise ValueError(f"{what} does not follow a dense layer")
    name = ACTIVATION_OPS[node.op_type]
    a = _attrs(node)
    if name not in act_table.ACTIVATIONS:
        raise ValueError(f"{what}: this version of the app has no {name} activation yet")
    if name == "leaky_relu" and not np.isclose(a.get("alpha", 0.01), LEAKY_SLOPE, rtol=1e-6):
        raise ValueError(f"{what}: slope {a.get('alpha'):g}; the app's leaky ReLU has slope {LEAKY_SLOPE:g}")
    if name == "elu" and not np.isclose(a.get("alpha", 1.0), 1.0):
        raise ValueError(f"{what}: alpha {a.get('alpha'):g}; the app's ELU has alpha 1")
    if name == "softmax" and a.get("axis", 1) not in (1, -1):
        raise ValueError(f"{what}: softmax over axis {a.get('axis')} (only over the units, axis 1)")
    mlp.activations[-1] = name


def _scaler_step(mlp: ImportedMLP, node, consts, cur, what) -> None:
    """This app's exporter writes the input scaler as Sub(offset) then Div(scale)."""
    if node.input[0] != cur:
        raise ValueError(f"{what} is not supported before the first layer")
    v = _const(consts, node.input[1], what).astype(np.float64).reshape(-1)
    offset, scale = mlp.scaler if mlp.scaler is not None else (None, None)
    if node.op_type == "Sub" and offset is None and scale is None:
        mlp.scaler = (v, np.ones_like(v))
    elif node.op_type == "Div" and offset is not None and np.all(scale == 1) and np.all(v != 0):
        mlp.scaler = (offset, v)
    else:
        raise ValueError(f"{what} is not supported before the first layer")


def _check_input_shape(value_info) -> None:
    t = value_info.type.tensor_type
    dims = t.shape.dim
    if t.HasField("shape") and len(dims) != 2:
        raise ValueError(
            f"input '{value_info.name}' has {len(dims)} dimensions; an MLP takes [batch, features]"
        )


def _names(model, sizes) -> tuple[list[str] | None, list[str] | None]:
    """Feature and output names from the file's metadata, if it carries them."""
    meta = {p.key: p.value for p in model.metadata_props}

    def names(keys, n):
        for k in keys:
            if k in meta:
                try:
                    v = json.loads(meta[k])
                except ValueError:
                    v = [s.strip() for s in meta[k].split(",")]
                if isinstance(v, list) and len(v) == n and all(isinstance(s, str) and s for s in v):
                    return v
        return None

    return (
        names(("input_names", "feature_names"), sizes[0]),
        names(("output_names", "class_names", "target_names"), sizes[-1]),
    )
