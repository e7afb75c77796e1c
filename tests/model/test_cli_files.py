"""The CLI and its files: --init-weights, limits that agree with the loader
(what --out writes loads again), formula cells neutralised in CSV output,
round trips of everything the app writes."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from model.data import data_prep
from model.data.table import read_table
from model.io.csv_safe import SafeWriter, safe_cell
from model.io.numbers import MAX_EPOCHS, MAX_SEED
from model.io.project import load_project, save_project
from model.io.weights_io import export_json, export_npz, load_weights
from model.nn.network import Network, NetworkSpec
from model.train.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "resources" / "examples" / "xor_train.json"


def run(argv) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as e:  # usage errors exit through argparse
            rc = e.code
    return rc, err.getvalue()


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_init_weights_starts_training_from_the_file(tmp_path, suffix):
    p = load_project(XOR)
    start = Network(NetworkSpec(p.spec.layer_sizes, p.spec.activations, seed=123))
    w = tmp_path / f"start{suffix}"
    (export_npz if suffix == ".npz" else export_json)(start, w)
    rc, err = run(
        [
            "train",
            XOR,
            "--epochs",
            3,
            "--init-weights",
            w,
            "--export-weights",
            tmp_path / "out.npz",
            "--quiet",
        ]
    )
    assert rc == 0, err
    # the same 3 epochs in process, from the same weights
    data = data_prep.prepare(p)
    net = start.copy()
    p.training.epochs = 3
    Trainer(net, data.X_train, data.train.T, p.training, task=data.task).train()
    got = load_weights(tmp_path / "out.npz")
    for a, b in zip(got.weights, net.weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_init_weights_of_the_wrong_shape_or_kind_is_one_line(tmp_path):
    export_npz(Network(NetworkSpec([3, 2, 1], ["tanh", "sigmoid"])), tmp_path / "w.npz")
    rc, err = run(["train", XOR, "--epochs", 1, "--init-weights", tmp_path / "w.npz", "--quiet"])
    assert rc == 1 and err.count("\n") == 1 and "--init-weights" in err and "shape" in err, err
    (tmp_path / "w.txt").write_text("1")
    rc, err = run(["train", XOR, "--epochs", 1, "--init-weights", tmp_path / "w.txt", "--quiet"])
    assert rc == 1 and "must end in .npz or .json" in err


def test_init_weights_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "w.npz"
    os.mkfifo(fifo)
    res = subprocess.run(
        [sys.executable, "-m", "app", "train", str(XOR), "--epochs", "1", "--init-weights", str(fifo)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert res.returncode == 1 and "named pipe (FIFO)" in res.stderr and res.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--epochs", "20000000", "must be at most 10,000,000"),
        ("--epochs", "9" * 5000, "expected a whole number"),
        ("--seed", str(2**64), "must be at most"),
    ],
)
def test_cli_limits_match_the_loader(tmp_path, option, value, needle):
    rc, err = run(["train", XOR, option, value, "--out", tmp_path / "q.json"])
    assert rc == 2 and err.count("\n") == 1 and needle in err, err
    assert not (tmp_path / "q.json").exists()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    epochs=st.integers(1, 3),
    seed=st.one_of(st.integers(0, 100), st.just(MAX_SEED)),
    big_limit=st.booleans(),
)
def test_what_train_out_writes_loads_again(tmp_path, epochs, seed, big_limit):
    out = tmp_path / "q.json"
    d = json.loads(XOR.read_text())
    d["training"]["epochs"] = MAX_EPOCHS if big_limit else 10
    src = tmp_path / "p.json"
    src.write_text(json.dumps(d))
    rc, err = run(["train", src, "--epochs", epochs, "--seed", seed, "--out", out, "--quiet"])
    assert rc in (0, 3), err
    q = load_project(out)  # the app's own loader accepts what it wrote
    assert q.training.epochs == epochs and q.spec.seed == seed and len(q.history) <= epochs
    save_project(q, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text()) == json.loads(out.read_text())


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    scale=st.sampled_from([1e-300, 1e-5, 1.0, 1e6, 1e7]),
    seed=st.integers(0, 2**32),
)
def test_weight_exports_round_trip_exactly(tmp_path_factory, sizes, scale, seed):
    d = tmp_path_factory.mktemp("w")
    acts = ["tanh"] * (len(sizes) - 2) + ["linear"]
    net = Network(NetworkSpec(sizes, acts, seed=seed % 1000))
    rng = np.random.default_rng(seed)
    net.set_parameters(
        [rng.normal(size=w.shape) * scale for w in net.weights],
        [rng.normal(size=b.shape) for b in net.biases],
    )
    for name, export in (("w.npz", export_npz), ("w.json", export_json)):
        export(net, d / name)
        ws = load_weights(d / name)
        assert ws.layer_sizes == sizes and ws.activations == acts
        for a, b in zip(ws.weights + ws.biases, net.weights + net.biases):
            np.testing.assert_array_equal(a, b)


def test_history_csv_reads_back_with_the_same_numbers(tmp_path):
    rc, err = run(
        [
            "train",
            XOR,
            "--epochs",
            5,
            "--history",
            tmp_path / "h.csv",
            "--out",
            tmp_path / "q.json",
            "--quiet",
        ]
    )
    assert rc == 0, err
    t = read_table(tmp_path / "h.csv")
    h = load_project(tmp_path / "q.json").history
    np.testing.assert_array_equal(t.numeric("train_loss"), h["train_loss"])
    np.testing.assert_array_equal(t.numeric("epoch"), h["epoch"])


# ------------------------------------------------------------ CSV injection
@pytest.mark.parametrize(
    ("cell", "want"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\t5", "'\t5"),
        ("-0.5", "-0.5"),
        ("-1e-3", "-1e-3"),
        ("+3", "+3"),
        ("setosa", "setosa"),
        ("", ""),
        (-0.5, -0.5),
    ],
)
def test_formula_cells_are_neutralised_numbers_are_not(cell, want):
    assert safe_cell(cell) == want


def test_predict_output_neutralises_formula_payloads(tmp_path):
    rows = ["x,colour,y"]
    payloads = ['=HYPERLINK("http://evil")', "@SUM(A1)", "+cmd|calc", "red"]
    for i in range(40):
        rows.append(f"{-0.5 + i / 40},{payloads[i % 4]},{i % 2}")
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    d = json.loads(XOR.read_text())
    d["network"].update(layer_sizes=[5, 3, 1])
    d["data"] = dict(kind="csv", path="d.csv", inputs=["x", "colour"], targets=["y"], task="classification")
    (tmp_path / "p.json").write_text(json.dumps(d))
    rc, err = run(["train", tmp_path / "p.json", "--epochs", 2, "--out", tmp_path / "t.json", "--quiet"])
    assert rc == 0, err
    rc, err = run(
        ["predict", tmp_path / "t.json", "--input", tmp_path / "d.csv", "--output", tmp_path / "y.csv"]
    )
    assert rc == 0, err
    import csv

    out = list(csv.reader((tmp_path / "y.csv").open()))
    assert out[1][:2] == ["-0.5", '\'=HYPERLINK("http://evil")']  # the number stays a number
    assert [r[1] for r in out[2:5]] == ["'@SUM(A1)", "'+cmd|calc", "red"]
    assert not any(r[1].startswith(("=", "@", "+")) for r in out[1:])


def test_safe_writer_quotes_only_text():
    buf = io.StringIO()
    SafeWriter(buf).writerows([["=1", -2.5, "-2.5", "ok"]])
    assert buf.getvalue() == "'=1,-2.5,-2.5,ok\n"
