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
    r = lr_range_test(net, X, T, BATCH_SGD, lo, hi, n_updates=400)
    assert r.stopped_early  # η passed 2/λ_max, the loss blew up
    assert len(r.lrs) == len(r.losses) == len(r.smoothed) < 400
    assert np.all(np.diff(r.lrs) > 0) and r.lrs[0] == pytest.approx(lo)
    lr, (a, b) = r.suggestion()
    assert lo <= a <= lr <= b <= hi
    # on a convex problem the suggestion is a stable, fast rate: [0.1, 1] × 2/λ_max
    assert 0.1 * crit <= lr <= crit
    assert np.nanmin(r.losses) < 0.1 * r.losses[0]


@pytest.mark.parametrize("batch_size", [None, 16])
@pytest.mark.parametrize("n_updates", [300, 1000])
def test_range_test_on_the_linear_neuron_lands_below_two_over_lambda_max(bowl, batch_size, n_updates):
    """The old steepest-drop rule suggested ~0.003 × 2/λ_max here (where Σ η first reaches 1/λ)."""
    net, X, T, crit = bowl
    s = TrainSettings(optimizer="sgd", lr=0.1, batch_size=batch_size)
    r = lr_range_test(net, X, T, s, crit * 1e-5, crit * 100, n_updates=n_updates)
    assert 0.1 * crit <= r.suggestion()[0] <= crit


def test_suggest_lr_on_a_synthetic_curve():
    lrs = np.geomspace(1e-4, 1, 81)
    x = np.log10(lrs)
    losses = 1.0 / (1.0 + np.exp(3.0 * (x + 2.0))) + 0.05 * (x > -0.5) * (x + 0.5) ** 2
    lr, (a, b) = suggest_lr(lrs, losses)
    # the loss rises from its minimum to the end: the edge is the minimum, the band
    # starts where the loss first comes near its best (best·(start/best)^0.05)
    j = int(np.argmin(losses))
    assert b == pytest.approx(lrs[j]) and lr == pytest.approx(b / 4)
    best = losses.min()
    inside = np.flatnonzero(losses <= best * (losses[0] / best) ** 0.05)
    assert a == pytest.approx(min(lrs[inside[0]], lr))
    # a loss that keeps rising to the end after its best: the edge is where the rise starts
    y = np.concatenate([np.linspace(1, 0.1, 40), np.linspace(0.1, 0.5, 41)[1:]])
    lr, (a, b) = suggest_lr(lrs[:80], y)
    assert b == pytest.approx(lrs[39]) and lr == pytest.approx(lrs[39] / 4)


def test_sweep_unstable_and_diverged_follow_the_trainer(bowl):
    net, X, T, crit = bowl
    # just above 2/λ_max the loss grows slowly: not diverged (trainer's rule), but unstable
    r = lr_sweep(net, X, T, BATCH_SGD, crit * np.array([0.5, 1.02, 3.0]), epochs=60)
    assert r.diverged.tolist() == [False, False, True]
    assert r.unstable.tolist() == [False, True, False]
    assert r.final_loss[1] > r.initial_loss
    assert r.stable.tolist() == [True, False, False]
    assert r.status(1).startswith("unstable") and r.status(2).startswith("diverged at epoch")
    # the trainer's divergence factor decides, not a sweep-specific 1e4
    s = TrainSettings(optimizer="sgd", lr=0.1, divergence_factor=10.0)
    r2 = lr_sweep(net, X, T, s, [crit * 1.5], epochs=60)
    assert r2.diverged_at[0] < lr_sweep(net, X, T, BATCH_SGD, [crit * 1.5], epochs=60).diverged_at[0]


def test_best_lr_is_the_fastest_to_the_best_loss_ties_to_the_larger_rate():
    from model.analysis.sweeps import SweepResult

    losses = np.array(
        [
            [0.9, 0.8, 0.7, 0.6],  # slow
            [0.5, 0.2, 0.1, 0.1],  # reaches 0.1 at epoch 3
            [0.3, 0.1, 0.1, 0.1],  # reaches 0.1 at epoch 2
            [0.3, 0.1, 0.1, 0.1],  # same speed, larger η: the winner
            [0.3, 0.1, 2.0, 3.0],  # unstable: ends above the start
        ]
    )
    lrs = np.array([0.01, 0.1, 0.3, 0.5, 2.0])
    final = losses[:, -1]
    r = SweepResult(lrs, np.arange(1, 5), losses, final, np.zeros(5, bool), np.zeros(5, int), 1.0)
    assert r.unstable.tolist() == [False, False, False, False, True]
    assert r.epochs_to_best().tolist() == [0, 3, 2, 2, 0]
    assert r.best_lr == 0.5
    # the old argmin over ties picked the first of the equal losses (0.1)
    assert float(lrs[np.argmin(final[:4])]) == 0.1


def test_sweep_from_the_same_start_is_reproducible(bowl):
    net, X, T, crit = bowl
    lrs = crit * np.array([0.1, 0.5, 0.9])
    a = lr_sweep(net, X, T, BATCH_SGD, lrs, epochs=20)
    b = lr_sweep(net, X, T, BATCH_SGD, lrs, epochs=20)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.best_lr == b.best_lr


def test_lambda_max_exact_and_estimated(bowl):
    from model.analysis.curvature import lambda_max

    net, X, T, crit = bowl
    c = lambda_max(net, X, T)
    assert c.exact and c.lr_limit == pytest.approx(crit)
    # an all-linear 2-layer network: the estimate equals the largest eigenvalue of
    # the Hessian built column by column from central differences of the gradient
    deep = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "linear"], loss="mse", seed=1))
    est = lambda_max(deep, X, T, iterations=200)
    assert not est.exact
    theta = deep._flat.copy()
    H = np.empty((theta.size, theta.size))
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = 1e-5
        np.copyto(deep._flat, theta + e)
        deep.gradients_into(X, T)
        gp = deep._gflat.copy()
        np.copyto(deep._flat, theta - e)
        deep.gradients_into(X, T)
        H[:, k] = (gp - deep._gflat) / 2e-5
    np.copyto(deep._flat, theta)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    assert est.lam_max == pytest.approx(max(lam.max(), -lam.min()), rel=1e-3)


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
        assert run.final_loss == pytest.approx(run.loss[-1])
    rows = r.table()
    assert [row[2] for row in rows] == [1, n, 3] and len(rows[0]) == len(r.TABLE_HEADER)
    assert all(row[6] > 0 for row in rows)


def test_gd_variants_table_has_the_lectures_columns(bowl):
    from model.analysis.sweeps import memory_per_update

    net, X, T, crit = bowl
    n = len(X)
    r = gd_variants(net, X, T, TrainSettings(optimizer="sgd", lr=0.05), epochs=3, batch_size_mini=8)
    head = r.TABLE_HEADER
    for col in (
        "final loss",
        "accuracy",
        "updates/epoch",
        "ms/update",
        "ms/epoch",
        "memory/update",
        "online learning",
    ):
        assert col in head
    rows = {row[0]: dict(zip(head, row)) for row in r.table()}
    assert [rows[v]["online learning"] for v in ("batch", "stochastic", "mini-batch")] == [False, True, True]
    # working memory per update, by hand for a 2-1 network: b·(2 + 3·1) activations/δ + 3 gradients
    assert [rows[v]["memory/update"] for v in ("batch", "stochastic", "mini-batch")] == [
        8 * (n * 5 + 3),
        8 * (1 * 5 + 3),
        8 * (8 * 5 + 3),
    ]
    assert memory_per_update([2, 3, 1], 10) == 8 * (10 * (2 + 3 * 4) + 9 + 4)
    for row in rows.values():
        assert row["ms/epoch"] == pytest.approx(row["ms/update"] * row["updates/epoch"])


def test_gd_variants_diverged_run_is_named_not_nan(bowl):
    net, X, T, crit = bowl
    # η = 0.9·2/λ_max: batch GD converges, single-sample steps (curvature up to |x|²) blow up
    s = TrainSettings(optimizer="sgd", lr=0.9 * crit)
    r = gd_variants(net, X, T, s, epochs=30, batch_size_mini=20)
    sto = r.runs[1]
    assert sto.diverged and sto.diverged_at >= 1 and not r.runs[0].diverged
    text = {row[0]: row for row in r.table_text()}
    assert text["stochastic"][3] == f"diverged at epoch {sto.diverged_at}"
    assert not any("nan" in cell.lower() for row in r.table_text() for cell in row)
    summary = r.summary()
    assert "stochastic diverged at epoch" in summary.lower()
    assert "Lowest final loss: stochastic" not in summary


def test_gd_variants_accuracy_for_classification():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    T = np.array([[0.0], [0.0], [0.0], [1.0]])  # AND
    net = Network(NetworkSpec(layer_sizes=[2, 1], activations=["sigmoid"], loss="bce", seed=0))
    r = gd_variants(net, X, T, TrainSettings(optimizer="sgd", lr=2.0), 200, 2, task="classification")
    for run in r.runs:
        pred = net.copy()
        assert np.isfinite(run.final_accuracy) and 0 <= run.final_accuracy <= 1
    assert r.runs[0].final_accuracy == 1.0
    from model.teaching.decision_lines import binary_decisions

    # at the start (0, 0) gives exactly 0.5: undecided, counted as wrong
    start = binary_decisions(pred.predict(X)[:, 0])
    assert r.runs[0].accuracy[0] == pytest.approx(np.mean(start == T[:, 0]))


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
