"""The generalisation examples from the command line, and version-1 files."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np

from app.cli import main as cli_main
from model.io.project import load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def run(*argv) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = cli_main(["train", *map(str, argv), "--quiet"])
    return rc, err.getvalue().strip().splitlines()[-1]


def test_xor_feature_cross_reaches_100_percent_with_no_hidden_layer(tmp_path):
    p = load_project(EXAMPLES / "xor_feature_cross.json")
    assert p.spec.layer_sizes == [3, 1] and p.data.features == ["x1", "x2", "x1*x2"]
    rc, line = run(EXAMPLES / "xor_feature_cross.json", "--out", tmp_path / "t.json")
    assert rc == 0 and "accuracy 100.0%" in line, line
    trained = load_project(tmp_path / "t.json")
    from model.data.data_prep import prepare

    d = prepare(trained)
    y = trained.network().predict(d.inputs(np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])))
    np.testing.assert_array_equal(y[:, 0] > 0.5, [False, True, True, False])
    # without the cross feature the same single unit cannot do it
    raw = json.loads((EXAMPLES / "xor_feature_cross.json").read_text())
    raw["data"]["features"] = ["x1", "x2"]
    raw["network"]["layer_sizes"] = [2, 1]
    (tmp_path / "no_cross.json").write_text(json.dumps(raw))
    rc, line = run(tmp_path / "no_cross.json", "--epochs", "500")
    acc = float(re.search(r"accuracy ([\d.]+)%", line).group(1))
    assert rc == 0 and acc <= 75.0, line


def test_overfitting_validation_loss_rises_and_test_is_reported_once(tmp_path):
    rc, line = run(EXAMPLES / "overfitting.json", "--epochs", "1500", "--out", tmp_path / "o.json")
    assert rc == 0 and "test loss" in line and "(8 samples, after epoch 1500)" in line, line
    h = load_project(tmp_path / "o.json").history
    val = h["val_loss"]
    assert val[-1] > 1.5 * val.min() and h["train_loss"][-1] < 0.1 * h["train_loss"][0]
    assert h.test["epoch"] == 1500 and h.test["loss"] > 0


def test_early_stop_example_says_where_it_stopped_and_what_it_restored(tmp_path):
    rc, line = run(EXAMPLES / "overfitting_early_stop.json", "--out", tmp_path / "e.json")
    m = re.search(r"stopped early at epoch (\d+), restored epoch (\d+)", line)
    assert rc == 0 and m, line
    k, j = map(int, m.groups())
    assert k == j + 100
    h = load_project(tmp_path / "e.json").history
    assert int(np.argmin(h["val_loss"])) + 1 == j and len(h) == k
    assert f"validation loss {h['val_loss'][j - 1]:.6g}" in line  # the restored epoch's figures


def test_l2_example_draws_its_penalty_and_ends_below_the_overfit_validation_loss(tmp_path):
    run(EXAMPLES / "overfitting.json", "--out", tmp_path / "o.json")
    run(EXAMPLES / "overfitting_l2.json", "--out", tmp_path / "l2.json")
    over, l2 = (load_project(tmp_path / n).history for n in ("o.json", "l2.json"))
    assert l2["val_loss"][-1] < 0.5 * over["val_loss"][-1]  # 0.19 against 0.49 after 3,000 epochs
    assert l2["val_loss"][-1] < 1.3 * l2["val_loss"].min()  # stays near its best
    assert (l2["penalty"] > 0).all() and (over["penalty"] == 0).all()


def test_version_1_files_load_unchanged(tmp_path):
    raw = json.loads((EXAMPLES / "xor_train.json").read_text())
    assert raw["version"] == 1 or raw["version"] == 2
    raw["version"] = 1
    for key in ("weight_decay", "regularization", "early_stopping"):
        raw["training"].pop(key, None)
    raw["network"].pop("dropout", None)
    raw["data"].pop("test_fraction", None)
    raw["training"]["schedule"] = {
        k: v for k, v in raw["training"]["schedule"].items() if k not in ("base_lr", "max_lr")
    }
    (tmp_path / "v1.json").write_text(json.dumps(raw))
    p = load_project(tmp_path / "v1.json")
    assert p.training.weight_decay == 0.0 and not p.training.regularization.active
    assert p.training.early_stopping is None and p.spec.dropout == [] and p.data.features is None
    assert p.data.test_fraction == 0.0
    rc, line = run(tmp_path / "v1.json", "--out", tmp_path / "out.json")
    assert rc == 0 and "accuracy 100.0%" in line and "test" not in line
    saved = json.loads((tmp_path / "out.json").read_text())
    assert saved["version"] == 2 and saved["training"]["regularization"] == {"l1": 0.0, "l2": 0.0}


def test_bad_feature_is_one_line(tmp_path):
    raw = json.loads((EXAMPLES / "xor_feature_cross.json").read_text())
    raw["data"]["features"] = ["x1", "x2", "__import__('os')"]
    (tmp_path / "bad.json").write_text(json.dumps(raw))
    rc, line = run(tmp_path / "bad.json")
    assert rc == 1 and line.startswith("mlp-studio: error:") and "__import__" in line
