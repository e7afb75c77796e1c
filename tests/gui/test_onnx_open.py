"""File ▸ Open on an .onnx file: the MLP lands on the canvas with its weights;
anything else is one line and leaves the open project alone."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def _mlp(path, W1, b1, W2, b2):
    inits = [
        numpy_helper.from_array(a.astype(np.float32), n)
        for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2"))
    ]
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1"),
        helper.make_node("Relu", ["z1"], ["h1"], name="relu1"),
        helper.make_node("MatMul", ["h1", "W2"], ["m2"], name="fc2"),
        helper.make_node("Add", ["m2", "b2"], ["z2"], name="bias2"),
        helper.make_node("Softmax", ["z2"], ["y"], axis=1, name="softmax"),
    ]
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", W1.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", W2.shape[1]])],
        initializer=inits,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def test_file_open_puts_an_onnx_mlp_on_the_canvas(win, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(size=(2, 6)), rng.normal(size=6), rng.normal(size=(6, 3)), rng.normal(size=3)
    path = tmp_path / "three_class.onnx"
    _mlp(path, W1, b1, W2, b2)
    monkeypatch.setattr(
        win.dialogs, "ask_open_path", lambda caption, filt: str(path) if "*.onnx" in filt else None
    )
    win.acts["open"].trigger()
    doc = win.doc
    assert doc.spec.layer_sizes == [2, 6, 3] and doc.spec.activations == ["relu", "softmax"]
    assert win.canvas.layer_sizes == [2, 6, 3]
    np.testing.assert_allclose(doc.net.weights[0], W1.astype(np.float32), atol=1e-7)
    np.testing.assert_allclose(doc.net.biases[1], b2.astype(np.float32), atol=1e-7)
    assert doc.path is None and doc.dirty  # saving asks for a project name
    assert "three_class" in win.windowTitle()
    assert len(doc.data.train.X) > 0  # stand-in data, so the decision map has something to show


def test_a_graph_that_is_not_an_mlp_is_one_line(win, tmp_path):
    graph = helper.make_graph(
        [helper.make_node("Conv", ["img", "k"], ["y"], name="conv1")],
        "cnn",
        [helper.make_tensor_value_info("img", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1, 6, 6])],
        initializer=[numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "k")],
    )
    path = tmp_path / "cnn.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    before = win.doc.spec.layer_sizes
    assert not win.files.open_path(str(path), confirm=False)
    assert "node 'conv1' (Conv)" in win.last_error and "\n" not in win.last_error
    assert win.doc.spec.layer_sizes == before
