"""``mlp-studio analyze KIND PROJECT --json OUT [--csv OUT]``: the panels' computations headless.

In-process ``main([...])`` runs (no Qt: the analyze modules must not import it)
plus one real subprocess for the exit code and the one-line error.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.analyze_cli import KINDS, main
from model.analysis import sweeps
from model.analysis.curvature import lambda_max
from model.data import data_prep
from model.io.project import load_project

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "resources" / "examples"
LINEAR = EX / "linear_neuron.json"


def _run(tmp_path, *args) -> dict:
    out = tmp_path / "out.json"
    assert main([*args, "--json", str(out), "--csv", str(tmp_path / "out.csv")]) == 0
    return json.loads(out.read_text())


def test_every_kind_is_one_table_entry():
    assert list(KINDS) == [
        "sweep",
        "range-test",
        "gd-variants",
        "race",
        "gradient-flow",
        "chain-rule",
        "stability",
        "suggest-lr",
        "convexity",
    ]
    # a new kind (issue 15's "stability") is one more entry
    for kind in KINDS.values():
        assert callable(kind.add_options) and callable(kind.run) and kind.help


def test_sweep_contract_and_equals_the_model_function(tmp_path):
    d = _run(
        tmp_path, "sweep", str(LINEAR), "--lr-from", "0.01", "--lr-to", "5", "--runs", "6", "--epochs", "40"
    )
    assert len(d["runs"]) == 6 and {"lr", "final_loss", "diverged"} <= set(d["runs"][0])
    pr = load_project(LINEAR)
    data = data_prep.prepare(pr)
    r = sweeps.lr_sweep(
        pr.network(), data.X_train, data.train.T, pr.training, sweeps.log_spaced(0.01, 5, 6), 40
    )
    assert [x["lr"] for x in d["runs"]] == pytest.approx(r.lrs.tolist())
    assert [x["diverged"] for x in d["runs"]] == r.diverged.tolist()
    for x, f in zip(d["runs"], r.final_loss):
        assert (x["final_loss"] is None and np.isnan(f)) or x["final_loss"] == pytest.approx(f, rel=1e-12)
    assert d["best_lr"] == pytest.approx(r.best_lr)
    assert d["curvature"]["exact"] and d["curvature"]["lr_limit"] == pytest.approx(
        lambda_max(pr.network(), data.X_train, data.train.T).lr_limit
    )
    rows = list(csv.reader((tmp_path / "out.csv").open()))
    assert rows[0][:3] == ["lr", "final_loss", "diverged"] and len(rows) == 7


def test_sweep_from_current_differs_only_when_asked(tmp_path):
    trained = tmp_path / "trained.json"
    from app.cli import main as cli_main

    assert cli_main(["train", str(LINEAR), "--epochs", "20", "--out", str(trained), "--quiet"]) == 0
    args = ["sweep", "--runs", "3", "--epochs", "10"]
    fresh = _run(tmp_path, args[0], str(LINEAR), *args[1:])
    again = _run(tmp_path, args[0], str(trained), *args[1:])
    assert again["runs"] == fresh["runs"]  # initial weights by default: training does not change it
    cur = _run(tmp_path, args[0], str(trained), *args[1:], "--from-current")
    assert cur["start"] == "from the current weights" and cur["runs"] != fresh["runs"]


def test_range_test_on_the_linear_neuron_lands_below_two_over_lambda_max(tmp_path):
    d = _run(tmp_path, "range-test", str(LINEAR))
    limit = d["curvature"]["lr_limit"]
    assert 0.1 * limit <= d["suggested_lr"] <= limit
    d2 = _run(tmp_path, "range-test", str(LINEAR), "--lr-from", "1e-5", "--lr-to", "30", "--updates", "300")
    assert 0.1 * limit <= d2["suggested_lr"] <= limit and d2["updates_done"] <= 300


def test_gd_variants_contract(tmp_path):
    d = _run(tmp_path, "gd-variants", str(EX / "iris.json"), "--epochs", "5", "--batch-size", "16")
    names = [v["name"] for v in d["variants"]]
    assert names == ["batch", "stochastic", "mini-batch"]
    need = {
        "name",
        "batch_size",
        "updates_per_epoch",
        "final_loss",
        "diverged",
        "ms_per_update",
        "ms_per_epoch",
        "memory_bytes",
        "online",
    }
    for v in d["variants"]:
        assert need <= set(v)
        assert v["ms_per_epoch"] == pytest.approx(v["ms_per_update"] * v["updates_per_epoch"])
    assert [v["online"] for v in d["variants"]] == [False, True, True]
    assert [v["batch_size"] for v in d["variants"]][1:] == [1, 16]
    assert all(0 <= v["final_accuracy"] <= 1 for v in d["variants"])  # classification: accuracy column


def test_race_and_batch_path(tmp_path):
    d = _run(tmp_path, "race", str(LINEAR), "--steps", "30", "--optimizers", "sgd,adam", "--lr", "adam=0.1")
    assert [r["name"] for r in d["racers"]] == ["sgd", "adam"] and d["steps"] == 30
    assert d["racers"][1]["lr"] == 0.1 and len(d["racers"][0]["path"]) == 31
    s = _run(tmp_path, "race", str(LINEAR), "--steps", "30", "--optimizers", "sgd", "--batch-size", "1")
    assert len(s["batch_path"]) == 31 and s["racers"][0]["path"] != s["batch_path"]


def test_gradient_flow_and_chain_rule(tmp_path):
    d = _run(tmp_path, "gradient-flow", str(EX / "xor_train.json"), "--epochs", "5")
    assert set(d["compare"]) == {"sigmoid", "relu"} and "conclusion" in d
    c = _run(tmp_path, "chain-rule", str(LINEAR))
    assert c["value"] == -12 and c["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}  # the lecture's f=(x+y)z
    c2 = _run(tmp_path, "chain-rule", str(LINEAR), "--expression", "y = 3*x - 2; z = y**2", "--values", "x=1")
    assert c2["gradients"] == {"x": 6.0}


def test_bad_input_is_one_line(tmp_path, capsys):
    out = str(tmp_path / "o.json")
    assert main(["sweep", str(tmp_path / "missing.json"), "--json", out]) == 1
    assert main(["sweep", str(LINEAR), "--json", out, "--lr-from", "5", "--lr-to", "1"]) == 1
    assert (
        main(
            [
                "race",
                str(LINEAR),
                "--json",
                out,
                "--optimizers",
                "sgd",
                "--batch-size",
                "2",
                "--surface",
                "rosenbrock",
            ]
        )
        == 1
    )
    assert main(["chain-rule", str(LINEAR), "--json", out, "--expression", "__import__('os')"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("mlp-studio: error: ") for line in err)
    with pytest.raises(SystemExit) as e:
        main(["nonsense", str(LINEAR), "--json", out])
    assert e.value.code == 2


def test_subprocess_end_to_end(tmp_path):
    out = tmp_path / "s.json"
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "analyze",
            "gd-variants",
            str(LINEAR),
            "--epochs",
            "2",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert len(json.loads(out.read_text())["variants"]) == 3
    p = subprocess.run(
        [sys.executable, "-m", "app", "analyze", "sweep", "nope.json", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_no_qt_imported():
    code = "import sys, app.analyze_cli; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=120).returncode == 0


def test_gradient_flow_conclusion_only_when_supported():
    from model.analysis.gradient_flow import comparison_summary
    from model.train.history import History

    def hist(profile):
        h = History(len(profile))
        h.add_epoch({"epoch": 1, "train_loss": 1.0}, profile, [1.0] * len(profile))
        return h

    close = comparison_summary({"sigmoid": hist([2.6, 1.0]), "relu": hist([2.4, 1.0])})
    assert close["vanishing"] is None and "barely" not in close["text"] and "No clear" in close["text"]
    far = comparison_summary({"sigmoid": hist([0.01, 0.1, 1.0]), "relu": hist([0.8, 0.9, 1.0])})
    assert far["vanishing"] == "sigmoid" and "barely learn" in far["text"]


def test_convexity_kind_equals_the_chord_function(tmp_path):
    from model.analysis.convexity import chord
    from model.analysis.surfaces import get_surface

    d = _run(tmp_path, "convexity", str(LINEAR), "--a", "3,1", "--b=-1,-2.5", "--samples", "21")
    c = chord(get_surface("bowl"), (3, 1), (-1, -2.5), samples=21)
    assert d["chord_above"] and d["surface"] == pytest.approx(c.surface.tolist())
    assert d["chord"] == pytest.approx(c.chord.tolist()) and d["min_gap"] == pytest.approx(c.min_gap)
    rows = list(csv.reader(open(tmp_path / "out.csv")))
    assert rows[0] == ["lambda", "x", "y", "surface", "chord"] and len(rows) == 22
    r = _run(tmp_path, "convexity", str(LINEAR), "--surface", "rosenbrock", "--a=-1.5,2", "--b", "1.5,2")
    assert not r["chord_above"] and "not convex" in r["summary"]


def test_race_batch_one_defaults_to_a_converging_sgd_rate(tmp_path):
    d = _run(tmp_path, "race", str(LINEAR), "--optimizers", "sgd", "--batch-size", "1", "--steps", "400")
    sgd = d["racers"][0]
    assert sgd["lr"] == pytest.approx(1 / 3.4) and not sgd["diverged"] and sgd["final_loss"] < 1e-3
