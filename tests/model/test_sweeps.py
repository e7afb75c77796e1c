"""Learning-rate sweeps on the lecture's quadratic bowl: one linear neuron, mse.

E(w, b) = mean ½(x·w + b − t)² has Hessian H = X̃ᵀX̃/n with X̃ = [X, 1], so
batch gradient descent converges iff η < 2/λ_max(H) and diverges above it.
"""

import math

import numpy as np
import pytest

from model.analysis.sweeps import gd_variants, log_spaced, lr_range_test, lr_sweep, suggest_lr
from model.nn.network import Network, NetworkSpec
from model.train.trainer import TrainSettings


@pytest.fixture
def bowl():
    rng = np.random.default_rng(0)
    n = 40
    X = rng.normal(size=(n, 2)) * [2.0, 0.5]
    T = X @ [[1.5], [-2.0]] + 0.3 + 0.1 * rng.normal(size=(n, 1))
    net = Network(NetworkSpec(layer_sizes=[2, 1], activations=["linear"], loss="mse", seed=3, init="uniform"))
    Xa = np.c_[X, np.ones(n)]
    lam_max = float(np.linalg.eigvalsh(Xa.T @ Xa / n).max())
    return net, X, T, 2.0 / lam_max


BATCH_SGD = TrainSettings(optimizer="sgd", lr=0.1)


def test_log_spaced():
    lrs = log_spaced(1e-3, 1.0, 4)
    np.testing.assert_allclose(lrs, [1e-3, 1e-2, 1e-1, 1.0])
    assert log_spaced(0.5, 0.5, 1).tolist() == [0.5]
    with pytest.raises(ValueError):
        log_spaced(0, 1, 3)


def test_sweep_diverges_above_two_over_lambda_max_only(bowl):
    net, X, T, crit = bowl
    factors = np.array([0.1, 0.5, 0.9, 1.5, 3.0])
    before = [w.copy() for w in net.parameters()]
    r = lr_sweep(net, X, T, BATCH_SGD, crit * factors, epochs=60)
    assert r.losses.shape == (5, 60) and r.epochs.tolist() == list(range(1, 61))
    assert r.diverged.tolist() == [False, False, False, True, True]
    assert (r.diverged_at[3:] > 0).all() and (r.diverged_at[:3] == 0).all()
    assert np.isnan(r.final_loss[3:]).all() and np.isfinite(r.final_loss[:3]).all()
    # NaN from the divergence epoch on, finite before
    for i in (3, 4):
        k = r.diverged_at[i]
        assert np.isfinite(r.losses[i, : k - 1]).all() and np.isnan(r.losses[i, k - 1 :]).all()
    # too small is slow: 0.1·crit ends higher than 0.9·crit
    assert r.final_loss[0] > r.final_loss[2]
    assert r.best_lr == pytest.approx(crit * 0.9) or r.best_lr == pytest.approx(crit * 0.5)
    # the caller's network is untouched
    for a, b in zip(before, net.parameters()):
        np.testing.assert_array_equal(a, b)


def test_sweep_runs_share_initial_weights(bowl):
    net, X, T, crit = bowl
    r = lr_sweep(net, X, T, BATCH_SGD, crit * np.array([0.01, 0.2, 0.8]), epochs=3)
    # batch GD: epoch 1's loss is the loss at the start weights, for every lr
    np.testing.assert_allclose(r.losses[:, 0], r.initial_loss)
    assert r.initial_loss == pytest.approx(net.loss(X, T))


def test_range_test_suggestion_inside_range_and_below_divergence(bowl):
    net, X, T, crit = bowl
    lo, hi = crit * 1e-4, crit * 10
    r = lr_range_test(net, X, T, BATCH_SGD, lo, hi, n_updates=120)
    assert r.stopped_early  # η passed 2/λ_max, the loss blew up
    assert len(r.lrs) == len(r.losses) == len(r.smoothed) < 120
    assert np.all(np.diff(r.lrs) > 0) and r.lrs[0] == pytest.approx(lo)
    lr, (a, b) = r.suggestion()
    assert lo <= a <= lr <= b <= hi
    assert lr < crit
    assert np.nanmin(r.losses) < 0.1 * r.losses[0]


def test_suggest_lr_on_a_synthetic_curve():
    lrs = np.geomspace(1e-4, 1, 81)
    x = np.log10(lrs)
    losses = 1.0 / (1.0 + np.exp(3.0 * (x + 2.0))) + 0.05 * (x > -0.5) * (x + 0.5) ** 2
    lr, (a, b) = suggest_lr(lrs, losses)
    assert lr == pytest.approx(1e-2, rel=0.15)
    assert a < lr < b


def test_gd_variants_update_counts_and_same_start(bowl):
    net, X, T, crit = bowl
    n = len(X)
    r = gd_variants(net, X, T, TrainSettings(optimizer="sgd", lr=0.05), epochs=4, batch_size_mini=16)
    assert [run.name for run in r.runs] == ["batch", "stochastic", "mini-batch"]
    assert [run.updates_per_epoch for run in r.runs] == [1, n, math.ceil(n / 16)]
    for run in r.runs:
        assert run.updates.tolist() == [k * run.updates_per_epoch for k in range(5)]
        assert run.loss[0] == pytest.approx(net.loss(X, T))
        assert run.seconds[0] == 0 and np.all(np.diff(run.seconds) >= 0)
        assert run.final_loss < run.loss[0]
    rows = r.table()
    assert [row[2] for row in rows] == [1, n, 3] and len(rows[0]) == len(r.TABLE_HEADER)
    assert all(row[3] > 0 for row in rows)


def test_should_stop_cancels_promptly(bowl):
    net, X, T, crit = bowl
    X = np.repeat(X, 50, axis=0)
    T = np.repeat(T, 50, axis=0)
    s = TrainSettings(optimizer="sgd", lr=1e-3, batch_size=1)
    for run in (
        lambda stop: lr_sweep(net, X, T, s, [1e-3, 2e-3, 3e-3], 10_000, should_stop=stop),
        lambda stop: gd_variants(net, X, T, s, 10_000, should_stop=stop),
        lambda stop: lr_range_test(net, X, T, s, 1e-6, 1e-5, 10**7, should_stop=stop),
    ):
        # promptness without a clock: once should_stop() says yes, the run asks
        # at most once more (it checks after every update) and returns
        calls = {"n": 0, "after": 0}

        def stop():
            calls["n"] += 1
            if calls["n"] > 50:
                calls["after"] += 1
                return True
            return False

        r = run(stop)
        assert r.cancelled
        assert calls["after"] <= 2


def test_progress_reaches_one(bowl):
    net, X, T, crit = bowl
    seen = []
    lr_sweep(net, X, T, BATCH_SGD, [0.01, 0.02], 5, progress=seen.append)
    assert seen[-1] == pytest.approx(1.0) and all(0 <= f <= 1 for f in seen)
    assert seen == sorted(seen)
