"""Opening an MLP stored as ONNX: ``mlp-studio import`` and ``project_from_onnx``.

Models are built here with ``onnx.helper`` (Gemm and MatMul + Add forms, every
activation, float32 and float64) and by ``torch.onnx.export``; the imported
project's predictions must equal onnxruntime's to 1e-5.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from app import import_cli  # noqa: E402
from app.cli import main as cli_main  # noqa: E402
from app.onnx_project import project_from_onnx  # noqa: E402
from model.io.project import load_project  # noqa: E402
from model.nn.activations import ACTIVATIONS  # noqa: E402

HIDDEN_OPS = ["Relu", "Sigmoid", "Tanh", "LeakyRelu", "Identity", "Elu", "Softplus"]
APP_NAME = {"Elu": "elu", "Softplus": "softplus"}


def build(
    path, form="gemm", hidden="Tanh", out="Identity", dtype=np.float32, sizes=(3, 5, 4), batch="N", meta=None
):
    """An MLP written with onnx.helper; returns the path."""
    rng = np.random.default_rng(len(sizes) + sizes[1])
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    nodes, inits, cur = [], [], "input"
    L = len(sizes) - 1
    for l in range(L):
        W = rng.normal(size=(sizes[l], sizes[l + 1])).astype(dtype)
        b = rng.normal(size=sizes[l + 1]).astype(dtype)
        z = f"z{l}"
        if form == "gemm":  # torch style: weight stored outputs × inputs, transB=1
            inits += [numpy_helper.from_array(W.T.copy(), f"W{l}"), numpy_helper.from_array(b, f"b{l}")]
            nodes.append(helper.make_node("Gemm", [cur, f"W{l}", f"b{l}"], [z], transB=1, name=f"fc{l}"))
        else:  # tf2onnx / skl2onnx style: MatMul then Add (bias first in every other layer)
            inits += [numpy_helper.from_array(W, f"W{l}"), numpy_helper.from_array(b, f"b{l}")]
            nodes.append(helper.make_node("MatMul", [cur, f"W{l}"], [f"m{l}"], name=f"mm{l}"))
            order = [f"m{l}", f"b{l}"] if l % 2 == 0 else [f"b{l}", f"m{l}"]
            nodes.append(helper.make_node("Add", order, [z], name=f"add{l}"))
        op = hidden if l < L - 1 else out
        kw = {"alpha": 0.01} if op == "LeakyRelu" else ({"axis": 1} if op == "Softmax" else {})
        y = "output" if l == L - 1 else f"h{l}"
        nodes.append(helper.make_node(op, [z], [y], name=f"act{l}", **kw))
        cur = y
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("input", elem, [batch, sizes[0]])],
        [helper.make_tensor_value_info("output", elem, [batch, sizes[-1]])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    for k, v in (meta or {}).items():
        model.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def ort_predict(path, X):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    dt = np.float64 if "double" in inp.type else np.float32
    return sess.run(None, {inp.name: X.astype(dt)})[0]


def sample(n_in, n=40):
    return np.random.default_rng(5).normal(size=(n, n_in)) * 2


CASES = [
    (
        form,
        op,
        np.float64 if i % 2 and op not in ("LeakyRelu", "Elu", "Softplus") else np.float32,
    )  # onnxruntime: LeakyRelu, Elu and Softplus float32 only
    for i, (form, op) in enumerate((f, o) for f in ("gemm", "matmul") for o in HIDDEN_OPS)
]


@pytest.mark.parametrize("form, hidden, dtype", CASES)
def test_imports_each_activation_in_both_forms(tmp_path, form, hidden, dtype):
    batch = "batch" if dtype == np.float64 else 7  # a named or a fixed batch dimension
    path = build(tmp_path / "m.onnx", form, hidden, "Identity", dtype, batch=batch)
    app_name = APP_NAME.get(hidden)
    if app_name is not None and app_name not in ACTIVATIONS:
        with pytest.raises(ValueError) as e:
            project_from_onnx(path)
        msg = str(e.value)
        assert "\n" not in msg and f"no {app_name} activation" in msg and "act0" in msg
        return
    p = project_from_onnx(path)
    assert p.spec.layer_sizes == [3, 5, 4]
    expected = {
        "Relu": "relu",
        "Sigmoid": "sigmoid",
        "Tanh": "tanh",
        "LeakyRelu": "leaky_relu",
        "Identity": "linear",
    }
    assert p.spec.activations == [expected.get(hidden, app_name), "linear"]
    X = sample(3, 40 if batch == "batch" else 7)
    X = X if dtype == np.float64 else X.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(p.network().predict(X), ort_predict(path, X), atol=1e-5, rtol=0)


@pytest.mark.parametrize("form", ["gemm", "matmul"])
@pytest.mark.parametrize("out", ["Softmax", "Sigmoid"])
def test_classifier_outputs_and_predict_cli(tmp_path, form, out):
    path = build(tmp_path / "clf.onnx", form, "Relu", out, np.float32, sizes=(3, 6, 5, 3))
    proj = tmp_path / "clf.json"
    assert import_cli.main(["import", str(path), "--out", str(proj)]) == 0
    p = load_project(proj)
    assert p.spec.layer_sizes == [3, 6, 5, 3]
    assert p.spec.loss == ("cross_entropy" if out == "Softmax" else "bce")
    X = sample(3, 25).astype(np.float32).astype(np.float64)
    with open(tmp_path / "X.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "x3"])
        w.writerows([[repr(float(v)) for v in row] for row in X])
    assert (
        cli_main(
            ["predict", str(proj), "--input", str(tmp_path / "X.csv"), "--output", str(tmp_path / "Y.csv")]
        )
        == 0
    )
    rows = list(csv.reader(open(tmp_path / "Y.csv")))
    assert rows[0][:3] == ["x1", "x2", "x3"]
    assert rows[0][3:] == ["p(0)", "p(1)", "p(2)", "predicted"]
    got = np.array([[float(v) for v in r[3:6]] for r in rows[1:]])
    ref = ort_predict(path, X)
    np.testing.assert_allclose(got, ref, atol=1e-5, rtol=0)
    assert [r[6] for r in rows[1:]] == [str(k) for k in ref.argmax(axis=1)]


def test_regression_outputs_are_y1_to_ym(tmp_path):
    path = build(tmp_path / "reg.onnx", "matmul", "Tanh", "Identity", np.float64, sizes=(2, 4, 2))
    p = project_from_onnx(path)
    from model.data import data_prep

    ds, _ = data_prep.load_dataset(p.data)
    assert ds.feature_names == ["x1", "x2"] and ds.task == "regression"
    proj = tmp_path / "reg.json"
    assert import_cli.main(["import", str(path), "--out", str(proj)]) == 0
    (tmp_path / "X.csv").write_text("x1,x2\n0.5,-1\n2,3\n")
    assert (
        cli_main(
            ["predict", str(proj), "--input", str(tmp_path / "X.csv"), "--output", str(tmp_path / "Y.csv")]
        )
        == 0
    )
    rows = list(csv.reader(open(tmp_path / "Y.csv")))
    assert rows[0] == ["x1", "x2", "y1", "y2"]
    ref = ort_predict(path, np.array([[0.5, -1], [2, 3]]))
    np.testing.assert_allclose(np.array([[float(v) for v in r[2:]] for r in rows[1:]]), ref, atol=1e-5)


def test_names_carried_by_the_file_are_used(tmp_path):
    meta = {"input_names": json.dumps(["length", "width", "depth"]), "class_names": "cat,dog,eel"}
    path = build(tmp_path / "named.onnx", "gemm", "Tanh", "Softmax", np.float32, sizes=(3, 4, 3), meta=meta)
    from model.data import data_prep

    ds, _ = data_prep.load_dataset(project_from_onnx(path).data)
    assert ds.feature_names == ["length", "width", "depth"]
    assert ds.class_names == ["cat", "dog", "eel"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the TorchScript exporter (no onnxscript here)
def test_model_exported_by_torch(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 6),
        torch.nn.ReLU(),
        torch.nn.Linear(6, 3),
        torch.nn.Softmax(dim=1),
    )
    path = tmp_path / "torch.onnx"
    torch.onnx.export(
        net,
        (torch.zeros(2, 4),),
        str(path),
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
        dynamo=False,
    )
    p = project_from_onnx(path)
    assert p.spec.layer_sizes == [4, 8, 6, 3]
    assert p.spec.activations == ["tanh", "relu", "softmax"]
    X = sample(4).astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(p.network().predict(X), ort_predict(path, X), atol=1e-5, rtol=0)
    with torch.no_grad():
        ref = net(torch.tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(p.network().predict(X), ref, atol=1e-5, rtol=0)


def test_round_trip_of_the_apps_own_export_keeps_the_scaler(tmp_path):
    from app.onnx_export import export_onnx
    from model.data import data_prep
    from model.io.project import load_project as load

    src = load("resources/examples/iris.json")
    data = data_prep.prepare(src)
    net = src.network()
    export_onnx(net, tmp_path / "iris.onnx", scaler=data.scaler)
    p = project_from_onnx(tmp_path / "iris.onnx")
    assert p.preprocessing == "standardize" and p.scaler is not None
    X = data.train.X[:20]
    again = p.network().predict(data_prep.prepare(p).scaler.transform(X))
    np.testing.assert_allclose(again, ort_predict(tmp_path / "iris.onnx", X), atol=1e-5)


def test_a_conv_graph_is_refused_in_one_line_naming_the_node(tmp_path, capsys):
    W = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), "k")
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["img", "k"], ["feat"], name="conv1"),
            helper.make_node("Relu", ["feat"], ["out"]),
        ],
        "cnn",
        [helper.make_tensor_value_info("img", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 2, 6, 6])],
        initializer=[W],
    )
    path = tmp_path / "cnn.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    assert import_cli.main(["import", str(path), "--out", str(tmp_path / "p.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlp-studio: error: cnn.onnx:") and "\n" not in err
    assert "node 'conv1' (Conv)" in err
    assert not (tmp_path / "p.json").exists()


def test_not_onnx_and_missing_files_are_one_line(tmp_path, capsys):
    bad = tmp_path / "junk.onnx"
    bad.write_bytes(b"\x00\xffnot a protobuf" * 10)
    for path in (bad, tmp_path / "missing.onnx"):
        assert import_cli.main(["import", str(path), "--out", str(tmp_path / "p.json")]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("mlp-studio: error:") and "\n" not in err


def test_fifo_and_devices_as_onnx_are_refused_without_reading(tmp_path):
    import os
    import subprocess
    import sys

    fifo = tmp_path / "pipe.onnx"
    os.mkfifo(fifo)  # opening it for reading would block forever
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in (fifo, "/dev/zero", tmp_path):
        res = subprocess.run(
            [sys.executable, "-m", "app", "import", str(path), "--out", str(tmp_path / "p.json")],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        err = res.stderr.strip()
        assert res.returncode == 1 and err.startswith("mlp-studio: error:") and "\n" not in err, err
        assert not (tmp_path / "p.json").exists()
