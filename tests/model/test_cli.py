"""Headless command line: ``mlp-studio train`` / ``predict`` and the ONNX export.

Most runs call ``app.cli.main([...])`` in this process (fast); a few run
``python -m app`` as a real subprocess to check exit codes and stderr end to end.
No Qt anywhere: the CLI modules must not import it.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from model.data import data_prep
from model.data.datasets import make_dataset
from model.data.table import read_table
from model.io.project import load_project
from model.io.weights_io import apply_weights, load_weights
from model.nn.network import Network
from model.train.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "resources" / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
HAVE_ONNX = importlib.util.find_spec("onnx") is not None
HAVE_ORT = HAVE_ONNX and importlib.util.find_spec("onnxruntime") is not None
needs_ort = pytest.mark.skipif(not HAVE_ORT, reason="onnx/onnxruntime not installed")


def run_sub(*args, timeout=120):
    """``python -m app ARGS`` in the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_main(argv) -> tuple[int, str, str]:
    """app.cli.main in-process: (exit code, stdout, stderr); argparse exits become codes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def assert_one_line_error(rc, stderr):
    assert rc not in (0, None), stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mlp-studio: error:"), stderr


def retrain(project_path, epochs, seed=None):
    """What ``train PROJECT --epochs N`` does, in-process: (net, trainer, prepared data)."""
    project = load_project(project_path)
    if seed is not None:
        project.spec = project.spec.replace(seed=seed)
        project.training.seed = seed
        project.weights = None
    project.training.epochs = epochs
    data = data_prep.prepare(project)
    net = project.network()
    tr = Trainer(net, data.X_train, data.train.T, project.training, data.X_val, data.val.T, task=data.task)
    tr.train()
    return net, tr, data


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


# ------------------------------------------------------------------ predict
@pytest.fixture(scope="module")
def trained_iris(tmp_path_factory):
    base = tmp_path_factory.mktemp("iris")
    rc, _, err = run_main(
        ["train", EXAMPLES_DIR / "iris.json", "--epochs", 5, "--quiet", "--out", base / "iris_trained.json"]
    )
    assert rc == 0, err
    return base / "iris_trained.json"


def _read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_predict_iris_matches_network(trained_iris, tmp_path):
    src = ROOT / "resources" / "datasets" / "iris.csv"
    rc, _, err = run_main(["predict", trained_iris, "--input", src, "--output", tmp_path / "p.csv"])
    assert rc == 0, err
    header, rows = _read_csv(tmp_path / "p.csv")
    cols = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    classes = ["setosa", "versicolor", "virginica"]
    assert header == cols + [f"p({c})" for c in classes] + ["predicted"]
    table = read_table(src)
    X = np.column_stack([table.numeric(c) for c in cols])
    assert len(rows) == len(X) == 150
    p = load_project(trained_iris)
    want = p.network().predict(p.scaler.transform(X))
    got = np.array([[float(v) for v in r[4:7]] for r in rows])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert [r[7] for r in rows] == [classes[i] for i in want.argmax(axis=1)]
    assert [r[:4] for r in rows] == [[row[table.index(c)] for c in cols] for row in table.rows]
    # extra columns are ignored, column order does not matter
    (tmp_path / "shuffled.csv").write_text(
        "id,petal_width,petal_length,sepal_width,sepal_length\na,0.2,1.4,3.5,5.1\n"
    )
    rc, _, err = run_main(
        ["predict", trained_iris, "--input", tmp_path / "shuffled.csv", "--output", tmp_path / "q.csv"]
    )
    assert rc == 0, err
    _, rows2 = _read_csv(tmp_path / "q.csv")
    np.testing.assert_allclose([float(v) for v in rows2[0][4:7]], got[0], rtol=0, atol=1e-12)


def test_predict_input_errors(trained_iris, tmp_path):
    cases = {
        "nocol.csv": ("sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n", "'petal_width'"),
        "text.csv": (
            "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n4.9,three,1.4,0.2\n",
            "row 2",
        ),
        "empty_cell.csv": (
            "sepal_length,sepal_width,petal_length,petal_width\n5.1,,1.4,0.2\n",
            "'sepal_width'",
        ),
    }
    for name, (text, needle) in cases.items():
        (tmp_path / name).write_text(text)
        rc, _, err = run_main(
            ["predict", trained_iris, "--input", tmp_path / name, "--output", tmp_path / "out.csv"]
        )
        assert_one_line_error(rc, err)
        assert needle in err, err
        if name == "text.csv":
            assert "'sepal_width'" in err and "'three'" in err
    assert not (tmp_path / "out.csv").exists()
    rc, _, err = run_main(
        [
            "predict",
            EXAMPLES_DIR / "iris.json",
            "--input",
            tmp_path / "text.csv",
            "--output",
            tmp_path / "out.csv",
        ]
    )
    assert_one_line_error(rc, err)
    assert "has no trained weights" in err and "--out" in err


def test_predict_penguins_one_hot_uses_training_categories(tmp_path):
    out = tmp_path / "pen.json"
    rc, _, err = run_main(["train", EXAMPLES_DIR / "penguins.json", "--epochs", 2, "--quiet", "--out", out])
    assert rc == 0, err
    # only the first rows of one island / one sex: the encoding must still use all training categories
    ds, _ = data_prep.load_dataset(load_project(out).data)
    src = read_table(ROOT / "resources" / "datasets" / "penguins.csv")
    cols = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "island", "sex"]
    complete = [r for r in src.rows if all(r[src.index(c)] not in ("", "NA") for c in cols)]
    assert len(complete) == ds.n_samples
    keep = [i for i, r in enumerate(complete) if r[src.index("island")] == "Biscoe"][:5]
    text = ",".join(src.columns) + "\n" + "".join(",".join(complete[i]) + "\n" for i in keep)
    (tmp_path / "in.csv").write_text(text)
    rc, _, err = run_main(["predict", out, "--input", tmp_path / "in.csv", "--output", tmp_path / "p.csv"])
    assert rc == 0, err
    header, rows = _read_csv(tmp_path / "p.csv")
    assert header[:6] == cols and header[-1] == "predicted"
    p = load_project(out)
    want = p.network().predict(p.scaler.transform(ds.X[keep]))
    got = np.array([[float(v) for v in r[6:-1]] for r in rows])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    # a category never seen in training is named
    bad = text.replace("Biscoe", "Atlantis", 1)
    (tmp_path / "bad.csv").write_text(bad)
    rc, _, err = run_main(["predict", out, "--input", tmp_path / "bad.csv", "--output", tmp_path / "b.csv"])
    assert_one_line_error(rc, err)
    assert "'Atlantis'" in err and "'island'" in err and "row 1" in err


def test_predict_binary_and_regression_headers(tmp_path):
    (tmp_path / "x.csv").write_text("x1,x2\n0,0\n0,1\n1,0\n1,1\n")
    # hand-wired XOR already has weights: binary classification, one sigmoid output
    rc, _, err = run_main(
        [
            "predict",
            EXAMPLES_DIR / "xor_hand_wired.json",
            "--input",
            tmp_path / "x.csv",
            "--output",
            tmp_path / "p.csv",
        ]
    )
    assert rc == 0, err
    header, rows = _read_csv(tmp_path / "p.csv")
    assert header == ["x1", "x2", "p(1)", "predicted"]
    assert [r[-1] for r in rows] == ["0", "1", "1", "0"]
    # backprop_table is a two-output regression
    rc, _, err = run_main(
        [
            "train",
            EXAMPLES_DIR / "backprop_table.json",
            "--epochs",
            2,
            "--quiet",
            "--out",
            tmp_path / "bt.json",
        ]
    )
    assert rc == 0, err
    rc, _, err = run_main(
        ["predict", tmp_path / "bt.json", "--input", tmp_path / "x.csv", "--output", tmp_path / "r.csv"]
    )
    assert rc == 0, err
    header, rows = _read_csv(tmp_path / "r.csv")
    assert header == ["x1", "x2", "y1", "y2"] and len(rows) == 4
    p = load_project(tmp_path / "bt.json")
    want = p.network().predict(p.scaler.transform(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)))
    np.testing.assert_allclose([[float(v) for v in r[2:]] for r in rows], want, rtol=0, atol=1e-12)
