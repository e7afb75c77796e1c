"""Stacked runs (model.train.batched) equal the trainer's sequential runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.optim.schedules import Schedule
from model.train.batched import BatchedTrainer
from model.train.regularization import Regularization
from model.train.trainer import STOP_DIVERGED, Trainer, TrainSettings

LRS = [0.01, 0.3, 3.0, 1e4, 1e12]  # the largest diverges with every optimizer below


def _data(n=37, k_out=1, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    if k_out == 1:
        T = (X[:, :1] * X[:, 1:2] > 0).astype(float)
    else:
        T = np.eye(k_out)[rng.integers(0, k_out, n)]
    return X, T


def _sequential(net, X, T, settings, lr, epochs):
    s = dataclasses.replace(settings, lr=lr)
    tr = Trainer(net.copy(), X, T, s, task="regression")
    losses, diverged_at = [], 0
    for k in range(epochs):
        tr.run_epoch()
        if tr.stop_reason == STOP_DIVERGED:
            diverged_at = k + 1
            break
        losses.append(tr.history["train_loss"][-1])
    return np.array(losses), diverged_at, tr.net._flat.copy(), tr.divergence_message


def _check(net, X, T, settings, lrs, epochs):
    bt = BatchedTrainer(net, X, T, settings, lrs)
    bt.train(epochs)
    seen_divergence = False
    for k, lr in enumerate(lrs):
        losses, at, flat, message = _sequential(net, X, T, settings, lr, epochs)
        assert bt.diverged_at[k] == at, (settings.optimizer, lr)
        got = bt.epoch_loss[k]
        np.testing.assert_allclose(got[: len(losses)], losses, rtol=1e-12, atol=1e-14)
        assert np.isnan(got[len(losses) :]).all()
        np.testing.assert_allclose(bt.network(k)._flat, flat, rtol=1e-12, atol=1e-12)
        assert bt.reasons[k] == message
        seen_divergence |= at > 0
    return seen_divergence


@pytest.mark.parametrize(
    "optimizer,hyper",
    [
        ("sgd", {}),
        ("momentum", {"momentum": 0.8}),
        ("nesterov", {}),
        ("adagrad", {}),
        ("rmsprop", {}),
        ("adam", {}),
        ("adamw", {"weight_decay": 0.1}),
        ("sgd", {"weight_decay": 0.01}),
        ("momentum", {"regularization": Regularization(l1=1e-3, l2=1e-2)}),
    ],
)
@pytest.mark.parametrize("batch_size", [None, 8, 1])
def test_stacked_runs_equal_sequential(optimizer, hyper, batch_size):
    X, T = _data()
    net = Network(NetworkSpec([3, 5, 4, 1], ["tanh", "relu", "sigmoid"], seed=3))
    hyper = dict(hyper)
    extra = {k: hyper.pop(k) for k in ("weight_decay", "regularization") if k in hyper}
    s = TrainSettings(optimizer=optimizer, lr=0.1, hyper=hyper, batch_size=batch_size, seed=5, **extra)
    assert _check(net, X, T, s, LRS, 6)  # and the large rate diverged


def test_softmax_cross_entropy_schedule_and_divergence_at_epoch_end():
    X, T = _data(k_out=3)
    net = Network(NetworkSpec([3, 6, 3], ["sigmoid", "softmax"], loss="cross_entropy", seed=2))
    s = TrainSettings(optimizer="adam", lr=0.01, batch_size=10, schedule=Schedule("step", step_size=2))
    _check(net, X, T, s, [1e-3, 0.05, 1e4], 7)


def test_bce_and_saturation_restores_start():
    X, T = _data()
    net = Network(NetworkSpec([3, 4, 1], ["tanh", "sigmoid"], loss="bce", seed=4))
    _check(net, X, T, TrainSettings(optimizer="sgd", lr=0.5), [0.5, 1e9], 5)
    net = Network(NetworkSpec([3, 4, 1], ["tanh", "sigmoid"], seed=4))  # mse: saturation rule
    _check(net, X, T, TrainSettings(optimizer="sgd", lr=0.5), [0.5, 1e12, 1e300], 5)


def test_float32_close_and_stays_float32():
    X, T = _data()
    net = Network(NetworkSpec([3, 5, 1], ["relu", "sigmoid"], seed=3, dtype="float32"))
    s = TrainSettings(optimizer="adam", lr=0.01, batch_size=8)
    bt = BatchedTrainer(net, X, T, s, [0.01, 0.03])
    bt.train(4)
    assert bt._flat.dtype == np.float32 and bt.optimizer.state()["m"][0].dtype == np.float32
    losses, _, flat, _ = _sequential(net, X, T, s, 0.03, 4)
    np.testing.assert_allclose(bt.epoch_loss[1], losses, rtol=1e-4)
    np.testing.assert_allclose(bt.network(1)._flat, flat, rtol=1e-3, atol=1e-5)


def test_cancel_and_bad_input():
    X, T = _data()
    net = Network(NetworkSpec([3, 4, 1], ["tanh", "sigmoid"]))
    bt = BatchedTrainer(net, X, T, TrainSettings(batch_size=1), [0.1, 0.2])
    calls = []
    assert bt.train(10, should_stop=lambda: calls.append(1) or len(calls) > 3) == "stopped"
    assert len(calls) == 4 and bt.epoch_loss.shape == (2, 0)
    with pytest.raises(ValueError, match="positive"):
        BatchedTrainer(net, X, T, TrainSettings(), [0.1, -1.0])
    with pytest.raises(ValueError, match="shape"):
        BatchedTrainer(net, X[:, :2], T, TrainSettings(), [0.1])
    drop = Network(NetworkSpec([3, 4, 1], ["tanh", "sigmoid"], dropout=[0.5]))
    with pytest.raises(ValueError, match="dropout"):
        BatchedTrainer(drop, X, T, TrainSettings(), [0.1])


def test_lr_sweep_with_dropout_falls_back_to_sequential_runs():
    from model.analysis.sweeps import lr_sweep

    X, T = _data()
    net = Network(NetworkSpec([3, 4, 1], ["tanh", "sigmoid"], dropout=[0.5]))
    s = TrainSettings(optimizer="sgd", batch_size=8)
    r = lr_sweep(net, X, T, s, [0.1, 0.5], 3, curvature=False)
    losses, _, _, _ = _sequential(net, X, T, s, 0.5, 3)
    np.testing.assert_array_equal(r.losses[1], losses)


@pytest.mark.parametrize(
    "optimizer,hyper,out_act,lrs",
    [
        ("momentum", {"momentum": 0.9}, "linear", [0.05, 0.5, 2.2, 1e12]),
        ("adam", {}, "sigmoid", [0.01, 1.0, 82.0, 135.0]),
    ],
)
def test_divergence_mid_run_keeps_the_other_runs_optimizer_state(optimizer, hyper, out_act, lrs):
    """A run frozen after a few epochs takes its rows of the velocity / m, v state
    with it; the runs left keep training exactly as they would alone."""
    X, T = _data(n=40)
    net = Network(NetworkSpec([3, 5, 4, 1], ["tanh", "relu", out_act], seed=3))
    s = TrainSettings(optimizer=optimizer, lr=0.1, hyper=hyper, batch_size=8, seed=5)
    _check(net, X, T, s, lrs, 8)
    bt = BatchedTrainer(net, X, T, s, lrs)
    bt.train(8)
    assert (bt.diverged_at >= 2).any() and (bt.diverged_at == 0).sum() >= 2, bt.diverged_at


def test_narrow_layers_add_their_bias_through_a_tiled_row():
    """Full batches of 80 samples with 5 and 4 hidden units: the stacked bias add
    goes through the (K, 1, t·k) row (t = 40) and the runs still equal the
    sequential ones; so does a last mini-batch of another size (80 = 72 + 8).
    A layer whose row would hold the whole batch (one unit: t = 80) adds plainly."""
    from model.nn import backprop

    X, T = _data(n=80)
    net = Network(NetworkSpec([3, 5, 4, 1], ["tanh", "tanh", "sigmoid"], seed=7))
    bt = BatchedTrainer(net, X, T, TrainSettings(optimizer="sgd", lr=0.5), [0.1, 1.0])
    bt.train(1)
    buf = bt._buffers[80]
    assert buf.tiles[0] is None and buf.tiles[2] is None
    assert buf.tiles[1][0].shape == (2, 1, 40 * 4) and buf.tiles[1][1].shape == (2, 2, 40 * 4)
    _check(net, X, T, TrainSettings(optimizer="sgd", lr=0.5), [0.1, 1.0, 30.0], 5)
    _check(net, X, T, TrainSettings(optimizer="nesterov", batch_size=72, seed=2), [0.1, 1.0], 4)
    # the tiled add is bit for bit the broadcast add
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(3, 72, 4))
    b = rng.normal(size=(3, 1, 4))
    row, Zt = backprop._bias_tile(Z, Z.dtype)
    assert row.shape == (3, 1, 36 * 4)
    np.copyto(row.reshape(3, -1, 4), b)
    want = Z + b
    Zt += row
    np.testing.assert_array_equal(Z, want)
    assert backprop._bias_tile(np.empty((2, 37, 8)), float) is None  # 37 samples: no t ≤ 32 but 1
    assert backprop._bias_tile(np.empty((2, 8, 64)), float) is None  # wide layers: plain add
    # batches of 10 × 8 units: the row would be the whole batch, its copy the add's work again
    assert backprop._bias_tile(np.empty((2, 10, 8)), float) is None


def test_fused_softmax_cross_entropy_equals_softmax_then_loss():
    """The stacked output layer's shared-normaliser softmax + cross-entropy gives
    the same bits as the activation's softmax followed by run_loss, also for
    logits that overflow a naive exponential."""
    from model.nn import activations, backprop

    rng = np.random.default_rng(3)
    Z = rng.normal(size=(4, 9, 5)) * np.array([1.0, 30.0, 1e3, 1e-3])[:, None, None]
    T = np.eye(5)[rng.integers(0, 5, 9)]
    Y = np.empty_like(Z)
    loss = backprop._softmax_cross_entropy(Z, T, Y)
    np.testing.assert_array_equal(Y, activations.forward("softmax", Z))
    np.testing.assert_array_equal(loss, backprop.run_loss("cross_entropy", Z, T))
    assert loss.dtype == np.float64 and np.isfinite(loss).all()


def test_epoch_end_fast_path_flags_the_same_runs():
    """The one-reduction shortcut of the epoch-end test answers 'no suspect'
    only when the per-run test would: NaN, huge or stuck runs still reach it."""
    from model.train import batched

    rng = np.random.default_rng(1)
    start = rng.normal(size=(4, 6))
    Y = np.full((4, 5, 1), 0.5)
    healthy = start + 0.1
    assert len(batched._suspects(healthy, start, np.full(4, 0.1), 0.2, Y, "sigmoid")) == 0
    for r, (value, loss) in enumerate([(np.nan, 0.1), (2e8, 0.1), (0.0, np.nan), (0.0, 0.3)]):
        flat, losses = healthy.copy(), np.full(4, 0.1)
        flat[r, 2] = flat[r, 2] if value == 0.0 else value
        losses[r] = loss
        want = [] if loss == 0.3 else [r]  # loss above the floor alone: not saturated, not suspect
        assert list(batched._suspects(flat, start, losses, 0.2, Y, "sigmoid")) == want
    # stuck: loss above the floor, outputs at the bounds, weights moved > 1000× their size
    flat, losses = healthy.copy(), np.full(4, 0.1)
    flat[3] = start[3] * 5000.0
    losses[3] = 0.3
    Ys = Y.copy()
    Ys[3] = 1.0
    assert list(batched._suspects(flat, start, losses, 0.2, Ys, "sigmoid")) == [3]


def test_wide_layers_take_the_transposed_product_path():
    """Layers above 1024 weights compute the stacked ∂E/∂V as (W·Dᵀ)ᵀ: the same
    bits as each network's own D·Wᵀ, and whole runs equal the sequential ones."""
    X, T = _data(n=24, k_out=2)
    nets = [
        Network(
            NetworkSpec(
                [3, 40, 30, 2],
                ["relu", "tanh", "softmax"],
                loss="cross_entropy",
                seed=s,
            )
        )
        for s in range(3)
    ]
    bt = BatchedTrainer(nets[0], X, T, TrainSettings(optimizer="sgd"), [0.1, 0.2, 0.3], nets=nets)
    loss = bt._gradients(bt._Xa, bt.T)
    assert bt._views.WTc[1] is None and bt._buffers[24]._T  # the wide layer took the path
    for k, net in enumerate(nets):
        want, _ = net.gradients_augmented(bt._Xa, bt.T)
        np.testing.assert_array_equal(bt._gflat[k], net._gflat)
        assert loss[k] == pytest.approx(want, rel=1e-15)
    s = TrainSettings(optimizer="momentum", lr=0.1, batch_size=6, seed=4)
    _check(nets[0], X, T, s, [0.01, 0.3, 1e12], 4)


def test_one_unit_layers_take_the_padded_product_path():
    """A stacked output layer of one unit computes ∂E/∂V through zero-padded
    (…, n, 2) · (…, 2, n_in) products: the same bits as each network's own
    D·Wᵀ, and the padding stays zero update after update."""
    X, T = _data(n=30)
    nets = [Network(NetworkSpec([3, 6, 5, 1], ["tanh", "tanh", "sigmoid"], seed=s)) for s in range(3)]
    bt = BatchedTrainer(nets[0], X, T, TrainSettings(optimizer="sgd", lr=0.5), [0.1, 0.5, 2.0], nets=nets)
    bt.train(3)
    Dz, Wz = bt._buffers[30]._pad[2]
    assert Dz.shape == (3, 30, 2) and Wz.shape == (3, 2, 5)
    assert not Dz[..., 1].any() and not Wz[:, 1].any() and Wz[:, 0].any()
    bt._gradients(bt._Xa, bt.T)
    for k in range(3):
        net = bt.network(k)
        net.gradients_augmented(bt._Xa, bt.T)
        np.testing.assert_array_equal(bt._gflat[k], net._gflat)


def test_epoch_end_bound_skips_only_runs_that_cannot_be_stuck():
    """The second shortcut (losses above the floor, weights too small to have
    moved 1000× their start) answers 'no suspect' exactly when every row's
    check_epoch is silent, with or without the caller's StepReach."""
    from model.train import batched, divergence

    rng = np.random.default_rng(2)
    start = rng.normal(size=(5, 7))
    Y = np.ones((5, 4, 1))  # saturated: only the distance moved decides
    for scale in [1.0, 10.0, 200.0, 400.0, 2e3, 5e3]:
        flat = start * scale
        losses = np.full(5, 0.3)  # every row above the floor of 0.2
        reach = batched.StepReach(start).rows(np.arange(5))  # as the trainer keeps it
        got = list(batched._suspects(flat, start, losses, 0.2, Y, "sigmoid", reach))
        assert got == list(batched._suspects(flat, start, losses, 0.2, Y, "sigmoid"))
        fired = [r for r in range(5) if divergence.check_epoch(flat[r], start[r], 0.3, 0.2, Y[r], "sigmoid")]
        assert set(fired) <= set(got)
        if scale <= 10.0:  # √7·max|flat| + ‖start‖ well below 990·‖start‖: the shortcut
            assert got == []
        if scale >= 2e3:
            assert fired == got == list(range(5))


def test_stacked_mse_loss_has_each_runs_own_bits():
    """½·ΣD² per run in one vecdot call: the same bits as one network's vdot."""
    from model.nn import backprop

    D = np.random.default_rng(3).normal(size=(6, 37, 2))
    want = [0.5 * float(np.vdot(d, d)) for d in D]
    got = backprop._half_sq(D)
    assert got.dtype == np.float64 and list(got) == want


def _rates_set(bt) -> list:
    """The rate columns ``bt`` hands its optimizer, as lists, from now on."""
    calls, real = [], bt.optimizer.set_run_lrs
    bt.optimizer.set_run_lrs = lambda lrs: calls.append(lrs.ravel().tolist()) or real(lrs)
    return calls


def test_constant_rates_reach_the_optimizer_once_per_set_of_runs():
    # full batches end an epoch every update: setting the same (K, 1) column each
    # epoch cost ~3 µs of a ~133 µs circles epoch.  A frozen run changes the set
    X, T = _data()
    net = Network(NetworkSpec([3, 4, 1], ["tanh", "sigmoid"], seed=4))
    bt = BatchedTrainer(net, X, T, TrainSettings(optimizer="sgd", lr=0.5), [0.5, 0.1, 1e12])
    calls = _rates_set(bt)
    bt.train(6)
    assert bt.diverged_at[2] > 0 and calls == [[0.5, 0.1, 1e12], [0.5, 0.1]]
    assert bt.optimizer.lr.ravel().tolist() == [0.5, 0.1]
    s = TrainSettings(optimizer="sgd", lr=0.5, schedule=Schedule("step", step_size=2, gamma=0.5))
    bt = BatchedTrainer(net, X, T, s, [0.5, 0.1])
    calls = _rates_set(bt)
    bt.train(4)
    assert calls == [[0.5, 0.1], [0.5, 0.1], [0.25, 0.05], [0.25, 0.05]]
