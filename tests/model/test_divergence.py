"""Divergence: each of the four conditions fires where it should, and a tiny
first loss followed by an ordinary one is not called divergence."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.data import data_prep
from model.io.project import load_project
from model.train import divergence
from model.train.trainer import STOP_DIVERGED, STOP_EPOCHS, Trainer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"


def _trainer(project, history=None, net=None):
    d = data_prep.prepare(project)
    net = net if net is not None else project.network()
    return Trainer(net, d.X_train, d.train.T, project.training, task=d.task, history=history)


def test_loss_floor_is_the_constant_predictors_loss():
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    assert divergence.loss_floor("mse", T) == pytest.approx(0.5 * 0.25)  # ½·var, var = ¼
    assert divergence.loss_floor("bce", T) == pytest.approx(math.log(2))
    T3 = np.eye(3)
    assert divergence.loss_floor("cross_entropy", T3) == pytest.approx(math.log(3))
    assert divergence.loss_floor("mse", np.ones((5, 1))) == 1e-12  # constant targets


@pytest.mark.parametrize("lr", [1e9, 1e12, 1e100, 1e300])
def test_saturating_sigmoid_mse_with_huge_lr_diverges_and_restores_small_weights(lr):
    p = load_project(EXAMPLES / "xor_train.json")
    p.training.lr, p.training.epochs, p.training.target_loss = lr, 200, None
    tr = _trainer(p)
    start = tr.net._flat.copy()
    assert tr.train() == STOP_DIVERGED
    msg = tr.divergence_message
    assert "saturated" in msg or "beyond the limit of 1e+08" in msg, msg
    if lr == 1e9:  # weights ~1e7 (below the magnitude limit): only saturation can catch it
        assert "saturated" in msg and "stuck at 0.25" in msg
        np.testing.assert_array_equal(tr.net._flat, start)
    assert np.abs(tr.net._flat).max() < 1e8


def test_tiny_first_loss_then_an_edited_weight_is_not_divergence():
    p = load_project(EXAMPLES / "xor_hand_wired.json")
    tr = _trainer(p)
    tr.train(5)
    assert tr.first_loss < 1e-8
    net = tr.net
    net.weights[0][0, 0] = 0.0  # breaks the OR unit: loss jumps to ~0.125
    tr2 = _trainer(p, history=tr.history, net=net)
    assert tr2.train(20) == STOP_EPOCHS, tr2.divergence_message
    assert tr2.history["train_loss"][-1] == pytest.approx(0.125, rel=0.2)


def test_sane_training_does_not_trip_any_condition():
    p = load_project(EXAMPLES / "xor_train.json")
    p.training.lr, p.training.epochs, p.training.target_loss = 2.0, 500, None
    tr = _trainer(p)
    assert tr.train() == STOP_EPOCHS


def test_check_epoch_names_each_condition():
    start = np.zeros(3)
    V = np.array([[1.0], [0.0]])
    assert "non-finite parameter" in divergence.check_epoch(
        np.array([np.nan, 0, 0]), start, 0.1, 0.1, V, "sigmoid"
    )
    assert "non-finite loss" in divergence.check_epoch(start, start, math.inf, 0.1, V, "sigmoid")
    assert "reached 2e+08" in divergence.check_epoch(np.array([0, -2e8, 0]), start, 0.1, 0.1, V, "sigmoid")
    far = np.array([5e3, 0, 0])
    assert divergence.check_epoch(far, start, 0.25, 0.125, V, "sigmoid").startswith(divergence.SATURATED)
    # the same move with unsaturated outputs, a linear output or an improving loss is fine
    assert divergence.check_epoch(far, start, 0.25, 0.125, np.array([[0.5], [0.4]]), "sigmoid") == ""
    assert divergence.check_epoch(far, start, 0.25, 0.125, V, "linear") == ""
    assert divergence.check_epoch(far, start, 0.01, 0.125, V, "sigmoid") == ""


def test_cli_exits_3_on_saturation_with_one_line_and_no_warnings(tmp_path):
    d = json.loads((EXAMPLES / "xor_train.json").read_text())
    d["training"].update(lr=1e300, epochs=50, target_loss=None)
    (tmp_path / "p.json").write_text(json.dumps(d))
    res = subprocess.run(
        [sys.executable, "-m", "app", "train", str(tmp_path / "p.json"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert res.returncode == 3, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "diverged" in lines[0] and "Warning" not in res.stderr, res.stderr


def test_continuing_history_of_a_diverged_copy_keeps_limit_from_the_floor():
    p = load_project(EXAMPLES / "xor_hand_wired.json")
    tr = _trainer(p)
    tr.train(1)
    assert tr._limit == pytest.approx(1e6 * 0.125)  # the floor, not 1e6 × 1e-9
    q = copy.deepcopy(p)
    assert _trainer(q)._floor == pytest.approx(0.125)
