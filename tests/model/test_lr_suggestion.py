"""The learning rate suggested when the optimizer changes (and by `analyze suggest-lr`)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.analysis.curvature import Curvature
from model.analysis.lr_suggestion import ESTIMATE_CAP, curvature_for, suggest_lr
from model.nn.network import Network, NetworkSpec
from model.optim.optimizers import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def test_adaptive_optimizers_get_their_usual_default_whatever_the_curvature():
    for name in ("adagrad", "rmsprop", "adam", "adamw"):
        for c in (None, Curvature(1.3, True), Curvature(40.0, False)):
            assert suggest_lr(name, c).lr == DEFAULTS[name]["lr"]
    s = suggest_lr("adam", Curvature(1.3, True))
    assert s.text == "Suggested η = 0.001 for Adam" and "adaptive" in s.reason


def test_gradient_descent_gets_half_of_two_over_lambda_max():
    exact = Curvature(1.3, True)
    assert suggest_lr("sgd", exact).lr == pytest.approx(round(0.5 * 2 / 1.3, 3))  # 0.769
    assert "2/λ_max = 1.54" in suggest_lr("sgd", exact).reason
    # with momentum μ the effective step η/(1 − μ) is the same
    assert suggest_lr("momentum", exact).lr == pytest.approx(0.0769)
    assert suggest_lr("nesterov", exact, momentum=0.5).lr == pytest.approx(0.385)
    # no curvature known: the optimizer's default
    assert suggest_lr("sgd").lr == DEFAULTS["sgd"]["lr"] and "not known" in suggest_lr("sgd").reason
    assert suggest_lr("sgd", Curvature(math.nan, False)).lr == DEFAULTS["sgd"]["lr"]
    # an estimate from a flat start is capped
    flat = Curvature(0.05, False)
    assert suggest_lr("sgd", flat).lr == ESTIMATE_CAP and "capped" in suggest_lr("sgd", flat).reason
    assert suggest_lr("sgd", Curvature(0.05, True)).lr == 20.0  # exact: no cap
    with pytest.raises(ValueError, match="unknown optimizer"):
        suggest_lr("lbfgs")


def test_curvature_for_the_linear_neuron_is_its_exact_hessian():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    T = X @ np.array([[1.0], [-0.5]]) + 0.2
    net = Network(NetworkSpec([2, 1], ["linear"], loss="mse", seed=0))
    c = curvature_for(net, X, T)
    Xt = np.hstack([X, np.ones((40, 1))])
    # E = mean ½(y − t)²: H = X̃ᵀX̃/n
    assert c.exact and c.lam_max == pytest.approx(np.linalg.eigvalsh(Xt.T @ Xt / 40)[-1], rel=1e-6)
    assert suggest_lr("sgd", c).lr == pytest.approx(float(f"{1 / c.lam_max:.3g}"))


def test_cli_prints_the_same_suggestions(tmp_path):
    out = tmp_path / "s.json"
    res = subprocess.run(
        [sys.executable, "-m", "app", "analyze", "suggest-lr", "resources/examples/linear_neuron.json"]
        + ["--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    assert res.returncode == 0, res.stderr
    d = json.loads(out.read_text())
    assert d["exact"] and d["lr_limit"] == pytest.approx(2 / d["lambda_max"])
    by = {s["optimizer"]: s["lr"] for s in d["suggestions"]}
    assert by["sgd"] == pytest.approx(float(f"{d['lr_limit'] / 2:.3g}")) and by["adam"] == 0.001
    assert by == {s: suggest_lr(s, Curvature(d["lambda_max"], True)).lr for s in by}
