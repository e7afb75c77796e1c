"""Headless command line: ``mlp-studio predict`` (CSV in, predictions out, against the network)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from cli_support import (
    EXAMPLES_DIR,
    ROOT,
    assert_one_line_error,
    run_main,
)

from model.data import data_prep
from model.data.table import read_table
from model.io.project import load_project


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
