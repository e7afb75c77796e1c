"""Headless command line: ``mlp-studio train`` and the ONNX export.

Most runs call ``app.cli.main([...])`` in this process (fast); a few run
``python -m app`` as a real subprocess to check exit codes and stderr end to end.
No Qt anywhere: the CLI modules must not import it.  ``predict``: test_cli_predict.py.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from cli_support import (
    EXAMPLES,
    EXAMPLES_DIR,
    HAVE_ONNX,
    ROOT,
    assert_one_line_error,
    needs_ort,
    retrain,
    run_main,
    run_sub,
)

from model.data import data_prep
from model.data.datasets import make_dataset
from model.io.project import load_project
from model.io.weights_io import apply_weights, load_weights
from model.nn.network import Network


# ------------------------------------------------------------------ no Qt
def test_cli_modules_import_no_qt():
    code = (
        "import sys\nimport app.cli, app.predict_cli, app.onnx_export, app.__main__\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'widgets')]\n"
        "assert not bad, bad\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr


# ------------------------------------------------------------------ Done criterion
def test_xor_train_exports_weights_that_solve_xor(tmp_path):
    w = tmp_path / "w.npz"
    res = run_sub("train", "resources/examples/xor_train.json", "--export-weights", w)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    project = load_project(EXAMPLES_DIR / "xor_train.json")
    net = Network(project.spec.replace(seed=123))
    ws = load_weights(w)
    assert ws.layer_sizes == project.spec.layer_sizes and ws.activations == project.spec.activations
    apply_weights(net, ws)
    ds = make_dataset("xor")
    pred = (net.predict(ds.X) > 0.5).astype(float)
    np.testing.assert_array_equal(pred, ds.T)  # 100 % accuracy


# ------------------------------------------------------------------ every example, end to end
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Every example trained for 3 epochs in one process, with every output written."""
    out = {}
    base = tmp_path_factory.mktemp("examples")
    for ex in EXAMPLES:
        paths = {
            k: base / f"{ex.stem}.{ext}"
            for k, ext in (("out", "json"), ("weights", "npz"), ("history", "csv"), ("onnx", "onnx"))
        }
        argv = [
            "train",
            ex,
            "--epochs",
            3,
            "--quiet",
            "--out",
            paths["out"],
            "--export-weights",
            paths["weights"],
            "--history",
            paths["history"],
        ]
        if HAVE_ONNX:
            argv += ["--export-onnx", paths["onnx"]]
        rc, _, err = run_main(argv)
        out[ex.stem] = (rc, err, paths)
    return out


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_example_trains_end_to_end(trained, name):
    rc, err, paths = trained[name]
    assert rc == 0, err
    assert "Traceback" not in err and "epoch" in err  # the summary line
    p = load_project(paths["out"])
    assert p.weights is not None and p.scaler is not None and p.history is not None
    n_epochs = len(p.history)
    assert 1 <= n_epochs <= 3
    with open(paths["history"], newline="") as f:
        assert len(list(csv.reader(f))) == n_epochs + 1
    ws = load_weights(paths["weights"])
    for a, b in zip(ws.weights + ws.biases, p.weights[0] + p.weights[1]):
        np.testing.assert_array_equal(a, b)


@needs_ort
@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_onnx_model_agrees_with_network_on_raw_inputs(trained, name):
    import onnxruntime as ort

    rc, err, paths = trained[name]
    assert rc == 0, err
    p = load_project(paths["out"])
    net = p.network()
    X, _ = data_prep.load_dataset(p.data)  # raw, unscaled: the scaler is baked into the graph
    X = X.X
    sess = ort.InferenceSession(str(paths["onnx"]), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["x"] and [o.name for o in sess.get_outputs()] == ["y"]
    y = sess.run(None, {"x": X.astype(np.float32)})[0]
    assert y.dtype == np.float32 and y.shape == (len(X), p.spec.layer_sizes[-1])
    np.testing.assert_allclose(y, net.predict(data_prep.prepare(p).inputs(X)), rtol=0, atol=1e-5)


# ------------------------------------------------------------------ ONNX export unit tests
@needs_ort
@pytest.mark.parametrize(
    "acts,loss",
    [
        (["sigmoid", "tanh", "linear"], "mse"),
        (["relu", "leaky_relu", "sigmoid"], "bce"),
        (["step", "relu", "softmax"], "cross_entropy"),
        (["leaky_relu", "step", "linear"], "mse"),
    ],
)
def test_onnx_activations(tmp_path, acts, loss):
    import onnx
    import onnxruntime as ort

    from app.onnx_export import export_onnx
    from model.data.preprocessing import fit_scaler

    net = Network(
        __import__("model.nn.spec", fromlist=["NetworkSpec"]).NetworkSpec(
            layer_sizes=[3, 6, 5, 4], activations=acts, loss=loss, seed=3
        )
    )
    rng = np.random.default_rng(0)
    X = rng.normal(2.0, 3.0, size=(50, 3))
    scaler = fit_scaler(X, "standardize")
    path = tmp_path / "m.onnx"
    export_onnx(net, path, scaler=scaler)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert model.opset_import[0].version >= 13
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert all(t.data_type == onnx.TensorProto.FLOAT for t in model.graph.initializer)
    if "leaky_relu" in acts:
        from model.nn.activations import LEAKY_SLOPE

        node = next(n for n in model.graph.node if n.op_type == "LeakyRelu")
        assert node.attribute[0].f == pytest.approx(LEAKY_SLOPE)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ref = net.predict(scaler.transform(X))
    for rows in (slice(0, 1), slice(0, 50)):  # dynamic batch size
        y = sess.run(None, {"x": X[rows].astype(np.float32)})[0]
        np.testing.assert_allclose(y, ref[rows], rtol=0, atol=1e-5)
    # without the baked scaler the model expects already scaled inputs
    export_onnx(net, tmp_path / "raw.onnx", scaler=scaler, bake_preprocessing=False)
    sess = ort.InferenceSession(str(tmp_path / "raw.onnx"), providers=["CPUExecutionProvider"])
    y = sess.run(None, {"x": scaler.transform(X).astype(np.float32)})[0]
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-5)
    assert sorted(f.name for f in tmp_path.iterdir()) == ["m.onnx", "raw.onnx"]


def test_missing_onnx_package_is_a_one_line_error(tmp_path, monkeypatch):
    from app.onnx_export import check_available

    monkeypatch.setitem(sys.modules, "onnx", None)  # makes "import onnx" raise ImportError
    with pytest.raises(ValueError, match=r"pip install 'mlp-studio\[onnx\]'"):
        check_available()
    rc, _, err = run_main(
        ["train", EXAMPLES_DIR / "xor_train.json", "--epochs", 1, "--export-onnx", tmp_path / "m.onnx"]
    )
    assert_one_line_error(rc, err)
    assert "optional 'onnx' package" in err
    assert not (tmp_path / "m.onnx").exists()


# ------------------------------------------------------------------ options
def test_history_csv_matches_a_retrain(tmp_path):
    h = tmp_path / "h.csv"
    rc, _, err = run_main(
        ["train", EXAMPLES_DIR / "xor_train.json", "--epochs", 20, "--quiet", "--history", h]
    )
    assert rc == 0, err
    with open(h, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["epoch", "train_loss", "val_loss"] and "grad_norm_1" in header
    assert len(body) == 20
    _, tr, _ = retrain(EXAMPLES_DIR / "xor_train.json", 20)
    ref = list(csv.reader(io.StringIO(tr.history.to_csv())))
    assert ref[0] == header
    for col, name in enumerate(header):
        if name == "seconds":
            continue
        got = [float(r[col]) if r[col] else np.nan for r in body]
        want = [float(r[col]) if r[col] else np.nan for r in ref[1:]]
        np.testing.assert_array_equal(got, want, err_msg=name)
    assert [float(r[0]) for r in body] == list(range(1, 21))  # written as 1.0, 2.0, …


def test_out_project_reproduces_predictions(tmp_path):
    out, w = tmp_path / "t.json", tmp_path / "w.json"
    rc, _, err = run_main(
        ["train", EXAMPLES_DIR / "iris.json", "--epochs", 5, "--quiet", "--out", out, "--export-weights", w]
    )
    assert rc == 0, err
    p = load_project(out)
    assert p.training.epochs == 5 and len(p.history) == 5
    net, tr, data = retrain(EXAMPLES_DIR / "iris.json", 5)
    X = np.vstack([data.train.X, data.val.X])
    np.testing.assert_array_equal(
        p.network().predict(p.scaler.transform(X)), net.predict(data.scaler.transform(X))
    )
    fresh = Network(p.spec)
    apply_weights(fresh, load_weights(w))
    np.testing.assert_array_equal(fresh.predict(X), p.network().predict(X))
    np.testing.assert_array_equal(p.history["train_loss"], tr.history["train_loss"])


def test_seed_changes_results_and_is_deterministic(tmp_path):
    def weights(seed, name):
        path = tmp_path / f"{name}.npz"
        rc, _, err = run_main(
            [
                "train",
                EXAMPLES_DIR / "circles.json",
                "--epochs",
                2,
                "--quiet",
                "--seed",
                seed,
                "--export-weights",
                path,
            ]
        )
        assert rc == 0, err
        return load_weights(path).weights

    a, a2, b = weights(1, "a"), weights(1, "a2"), weights(2, "b")
    for x, y in zip(a, a2):
        np.testing.assert_array_equal(x, y)
    assert not all(np.allclose(x, y) for x, y in zip(a, b))


def test_progress_line_unless_quiet():
    rc, _, err = run_main(["train", EXAMPLES_DIR / "xor_train.json", "--epochs", 3])
    assert rc == 0
    assert "epoch 3/3" in err and "loss" in err
    rc, _, err = run_main(["train", EXAMPLES_DIR / "xor_train.json", "--epochs", 3, "--quiet"])
    assert rc == 0
    assert "epoch 3/3" not in err
    assert err.strip().splitlines() == [err.strip()] and "after 3 epochs" in err


# ------------------------------------------------------------------ failures
def _bad_projects(tmp_path):
    good = json.loads((EXAMPLES_DIR / "xor_train.json").read_text())
    (tmp_path / "malformed.json").write_text('{"format": "mlp-studio", "version": 1,')
    csv_project = dict(
        good, data={"kind": "csv", "path": "no_such_file.csv", "inputs": ["a", "b"], "targets": ["t"]}
    )
    (tmp_path / "nocsv.json").write_text(json.dumps(csv_project))
    wrong_net = dict(good, network=dict(good["network"], layer_sizes=[3, 4, 1]))
    (tmp_path / "wrongnet.json").write_text(json.dumps(wrong_net))
    bad_seed = dict(good, data={"kind": "builtin", "name": "circles", "params": {"seed": "x"}})
    (tmp_path / "badseed.json").write_text(json.dumps(bad_seed))  # was a numpy TypeError traceback
    return good


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "{tmp}/missing.json"],
        ["train", "{tmp}/malformed.json"],
        ["train", "{examples}/xor_train.json", "--epochs", "0"],
        ["train", "{examples}/xor_train.json", "--epochs", "abc"],
        ["train", "{examples}/xor_train.json", "--seed", "-1"],
        ["train", "{tmp}/nocsv.json"],
        ["train", "{tmp}/wrongnet.json"],
        ["train", "{tmp}/badseed.json"],
        ["train"],
        [],
        ["predict", "{examples}/xor_train.json"],
    ],
    ids=[
        "missing",
        "malformed",
        "epochs0",
        "epochs_abc",
        "seed_neg",
        "csv_missing",
        "size_mismatch",
        "data_seed",
        "no_project",
        "no_command",
        "predict_no_input",
    ],
)
def test_bad_inputs_give_one_line_errors(tmp_path, argv):
    _bad_projects(tmp_path)
    argv = [a.format(tmp=tmp_path, examples=EXAMPLES_DIR) for a in argv]
    rc, out, err = run_main(argv)
    assert_one_line_error(rc, err)
    assert out == ""


@pytest.mark.parametrize(
    "args,needle",
    [
        (["train", "resources/examples/missing.json"], "missing.json"),
        (["train", "resources/examples/xor_train.json", "--epochs", "abc"], "--epochs"),
    ],
)
def test_bad_inputs_in_a_real_process(args, needle):
    res = run_sub(*args)
    assert_one_line_error(res.returncode, res.stderr)
    assert needle in res.stderr
    assert res.stdout == ""


def test_diverging_project_exits_3(tmp_path):
    d = json.loads((EXAMPLES_DIR / "xor_train.json").read_text())
    d["network"].update(layer_sizes=[1, 1], activations=["linear"], loss="mse")
    d["data"] = {"kind": "builtin", "name": "sine", "params": {"n": 50}}
    d["training"].update(optimizer="sgd", lr=1e3, epochs=50, target_loss=None)
    (tmp_path / "div.json").write_text(json.dumps(d))
    res = run_sub("train", tmp_path / "div.json", "--quiet", "--export-weights", tmp_path / "w.npz")
    assert res.returncode == 3, res.stderr
    assert "diverged" in res.stderr and "Traceback" not in res.stderr
    ws = load_weights(tmp_path / "w.npz")  # the last finite weights are still written
    assert all(np.isfinite(w).all() for w in ws.weights)
