"""ONNX export (optional dependency ``onnx``).

The exported graph takes ``x`` (float32, shape [N, n_in]) and returns ``y``
(float32, shape [N, n_out]).  With ``bake_preprocessing`` the fitted input
scaler is part of the graph (``(x - offset) / scale``), so the model is fed
*raw* inputs, exactly like ``mlp-studio predict``.  Each layer is
``MatMul(W) + Add(b)`` followed by its activation node.
"""

from __future__ import annotations

import numpy as np

INSTALL_HINT = "ONNX export needs the optional 'onnx' package: pip install 'mlp-studio[onnx]'"
OPSET = 13  # GreaterOrEqual needs 12; Softmax(axis=1) has the per-axis meaning from 13 on
IR_VERSION = 7  # the IR version that goes with opset 13; accepted by every onnxruntime since 1.6


def check_available() -> None:
    """ValueError with an install hint when the ``onnx`` package is missing."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ValueError(INSTALL_HINT) from None


def build_model(net, scaler=None, bake_preprocessing: bool = True, name: str = "mlp-studio", features=None):
    """The network (and optionally its input scaler and engineered features) as a
    checked ``onnx.ModelProto``; with ``features`` the model takes the raw columns."""
    check_available()
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from model.nn.activations import LEAKY_SLOPE

    sizes = list(net.layer_sizes)
    nodes, inits = [], []

    def const(cname: str, value, dtype=np.float32) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=dtype), cname))
        return cname

    cur, n_x = "x", sizes[0]
    if features is not None:
        from .onnx_features import feature_nodes

        feat, cur = feature_nodes(helper, features, cur, const)
        nodes.extend(feat)
        n_x = len(features.columns)
    if bake_preprocessing and scaler is not None and scaler.method != "none":
        if scaler.n_features != sizes[0]:
            raise ValueError(
                f"the scaler is fitted for {scaler.n_features} inputs but the network has {sizes[0]}"
            )
        nodes.append(
            helper.make_node(
                "Sub", [cur, const("scaler_offset", scaler.offset)], ["x_centred"], name="scaler_sub"
            )
        )
        nodes.append(
            helper.make_node(
                "Div", ["x_centred", const("scaler_scale", scaler.scale)], ["x_scaled"], name="scaler_div"
            )
        )
        cur = "x_scaled"

    L = len(sizes) - 1
    for l, (W, b, act) in enumerate(zip(net.weights, net.biases, net.spec.activations), start=1):
        last = l == L
        mm, pre = f"matmul{l}", f"b{l}"
        nodes.append(helper.make_node("MatMul", [cur, const(f"W{l}", W)], [mm], name=f"layer{l}_matmul"))
        out = "y" if last else f"V{l}"
        if act == "linear":
            nodes.append(helper.make_node("Add", [mm, const(f"bias{l}", b)], [out], name=f"layer{l}_add"))
        else:
            nodes.append(helper.make_node("Add", [mm, const(f"bias{l}", b)], [pre], name=f"layer{l}_add"))
            nodes.extend(_activation_nodes(helper, TensorProto, act, pre, out, l, const, LEAKY_SLOPE))
        cur = out

    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n_x])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", sizes[-1]])],
        initializer=inits,
    )
    model = helper.make_model(
        graph, producer_name="mlp-studio", opset_imports=[helper.make_opsetid("", OPSET)]
    )
    model.ir_version = IR_VERSION
    doc = f"MLP {sizes} activations {list(net.spec.activations)}"
    if bake_preprocessing and scaler is not None and scaler.method != "none":
        doc += f"; input scaler '{scaler.method}' baked in (feed raw inputs)"
    model.doc_string = doc
    onnx.checker.check_model(model, full_check=True)
    return model


def _activation_nodes(helper, TensorProto, act, src, out, l, const, leaky_slope):
    if act == "sigmoid":
        return [helper.make_node("Sigmoid", [src], [out], name=f"layer{l}_sigmoid")]
    if act == "tanh":
        return [helper.make_node("Tanh", [src], [out], name=f"layer{l}_tanh")]
    if act == "relu":
        return [helper.make_node("Relu", [src], [out], name=f"layer{l}_relu")]
    if act == "leaky_relu":
        return [
            helper.make_node("LeakyRelu", [src], [out], alpha=float(leaky_slope), name=f"layer{l}_leaky_relu")
        ]
    if act == "softmax":
        return [helper.make_node("Softmax", [src], [out], axis=1, name=f"layer{l}_softmax")]
    simple = {"elu": "Elu", "softplus": "Softplus", "sine": "Sin"}
    if act in simple:
        return [helper.make_node(simple[act], [src], [out], name=f"layer{l}_{act}")]
    if act == "silu":  # b·σ(b)
        return [
            helper.make_node("Sigmoid", [src], [f"sig{l}"], name=f"layer{l}_sigmoid"),
            helper.make_node("Mul", [src, f"sig{l}"], [out], name=f"layer{l}_silu"),
        ]
    if act == "gelu":  # b·½(1 + erf(b/√2)), the exact form
        half = const(f"half{l}", np.full((), 0.5, np.float32))
        one = const(f"one{l}", np.ones((), np.float32))
        rsqrt2 = const(f"rsqrt2_{l}", np.full((), 0.5**0.5, np.float32))
        return [
            helper.make_node("Mul", [src, rsqrt2], [f"gs{l}"], name=f"layer{l}_gelu_scale"),
            helper.make_node("Erf", [f"gs{l}"], [f"ge{l}"], name=f"layer{l}_gelu_erf"),
            helper.make_node("Add", [f"ge{l}", one], [f"ga{l}"], name=f"layer{l}_gelu_add"),
            helper.make_node("Mul", [f"ga{l}", half], [f"gh{l}"], name=f"layer{l}_gelu_half"),
            helper.make_node("Mul", [src, f"gh{l}"], [out], name=f"layer{l}_gelu"),
        ]
    if act == "step":
        zero = const(f"zero{l}", np.zeros((), np.float32))
        return [
            helper.make_node("GreaterOrEqual", [src, zero], [f"ge{l}"], name=f"layer{l}_step"),
            helper.make_node("Cast", [f"ge{l}"], [out], to=TensorProto.FLOAT, name=f"layer{l}_cast"),
        ]
    raise ValueError(f"cannot export activation {act!r} to ONNX")


def export_onnx(net, path, scaler=None, bake_preprocessing: bool = True, features=None) -> None:
    """Write the network as an ONNX model (atomically: a failure keeps any old file)."""
    from model.io.project import atomic_write_bytes

    model = build_model(net, scaler=scaler, bake_preprocessing=bake_preprocessing, features=features)
    atomic_write_bytes(path, model.SerializeToString())
