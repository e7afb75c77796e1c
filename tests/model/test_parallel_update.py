"""The two-way split of one update (model.nn.parallel_update): the same results
as the serial path, its helper thread joined, BLAS threads restored."""

import threading

import numpy as np
import pytest

from model.nn import backprop, blas_threads, parallel_update
from model.nn.network import Network, NetworkSpec
from model.train.trainer import Trainer, TrainSettings


def _helpers():
    return [t for t in threading.enumerate() if t.name == "mlp-train-helper" and t.is_alive()]


def _data(n=93, n_in=7, k=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    T = np.eye(k)[rng.integers(0, k, n)]
    return X, T


def _train(monkeypatch, force, acts, loss, opt, dtype="float64", epochs=3, batch=16, seed=0):
    monkeypatch.setattr(parallel_update, "FORCE", force)
    X, T = _data()
    if loss == "mse":
        T = T[:, :1]
    sizes = [7, 12, 9, T.shape[1]]
    net = Network(NetworkSpec(sizes, acts, loss=loss, seed=seed, dtype=dtype))
    s = TrainSettings(optimizer=opt, lr=0.05, batch_size=batch, epochs=epochs, seed=seed)
    tr = Trainer(net, X, T, s)
    assert tr.train() == "epoch limit reached"
    return net._flat.copy(), np.array(tr.history.update_loss.values, float)


@pytest.mark.parametrize(
    "acts,loss,opt",
    [
        (["relu", "relu", "softmax"], "cross_entropy", "adam"),
        (["tanh", "sigmoid", "sigmoid"], "mse", "momentum"),
        (["sigmoid", "tanh", "sigmoid"], "bce", "sgd"),
    ],
)
def test_split_training_equals_serial(monkeypatch, acts, loss, opt):
    # 93 samples, batch 16: five full batches and an odd last one of 13 rows
    w_off, l_off = _train(monkeypatch, False, acts, loss, opt)
    w_on, l_on = _train(monkeypatch, True, acts, loss, opt)
    np.testing.assert_allclose(w_on, w_off, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(l_on, l_off, rtol=1e-12)
    assert not _helpers()


def test_split_is_deterministic(monkeypatch):
    a = _train(monkeypatch, True, ["relu", "relu", "softmax"], "cross_entropy", "adam")
    b = _train(monkeypatch, True, ["relu", "relu", "softmax"], "cross_entropy", "adam")
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_split_gradients_match_finite_differences(monkeypatch):
    monkeypatch.setattr(parallel_update, "FORCE", True)
    X, T = _data(n=10)
    net = Network(NetworkSpec([7, 6, 5, 3], ["tanh", "tanh", "softmax"], loss="cross_entropy", seed=3))
    Xa = np.hstack([X, np.ones((len(X), 1))])
    pair = parallel_update.PairWorker()
    try:
        loss, grads = net.gradients_augmented(Xa, T, pair=pair)
        g = [a.copy() for a in grads]
    finally:
        pair.close()
    assert np.isclose(loss, net.loss(X, T), rtol=1e-12)
    eps = 1e-6
    for p, gp in zip(net.parameters(), g):
        for idx in [(0,) * p.ndim, tuple(s - 1 for s in p.shape)]:
            old = p[idx]
            p[idx] = old + eps
            up = net.loss(X, T)
            p[idx] = old - eps
            down = net.loss(X, T)
            p[idx] = old
            assert abs((up - down) / (2 * eps) - gp[idx]) < 1e-7


def _forced_trainer(monkeypatch):
    monkeypatch.setattr(parallel_update, "FORCE", True)
    X, T = _data()
    net = Network(NetworkSpec([7, 12, 9, 3], ["relu", "relu", "softmax"], loss="cross_entropy", seed=0))
    return Trainer(net, X, T, TrainSettings(optimizer="sgd", lr=0.1, batch_size=16, epochs=5))


def test_helper_joined_and_blas_restored_when_an_epoch_is_abandoned(monkeypatch):
    tr, before = _forced_trainer(monkeypatch), blas_threads.blas_threads()
    gen = tr.updates()
    next(gen)
    assert len(_helpers()) == 1  # alive between updates of the epoch ...
    assert blas_threads.blas_threads() == before  # ... but BLAS is limited only inside an update
    gen.close()
    assert not _helpers()
    assert blas_threads.blas_threads() == before


def test_helper_error_reaches_the_caller_and_thread_is_joined():
    pair = parallel_update.PairWorker()

    def boom():
        raise RuntimeError("half failed")

    pair.submit(boom)
    with pytest.raises(RuntimeError, match="half failed"):
        pair.wait()
    pair.submit(np.add, 1, 2)  # still usable afterwards
    pair.wait()
    pair.close()
    pair.close()
    assert not pair.alive


def test_an_exception_mid_epoch_joins_the_helper(monkeypatch):
    tr, before = _forced_trainer(monkeypatch), blas_threads.blas_threads()
    calls = {"n": 0}
    real = backprop._weight_grads

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 5:
            raise MemoryError("simulated")
        real(*args)

    monkeypatch.setattr(backprop, "_weight_grads", failing)
    with pytest.raises(MemoryError):
        tr.run_epoch()
    assert not _helpers()
    assert blas_threads.blas_threads() == before


def test_split_policy(monkeypatch):
    monkeypatch.setattr(parallel_update, "FORCE", None)
    wide, digits = [784, 256, 128, 10], [64, 128, 64, 10]
    # the multiply-adds of forward, ∂E/∂[W; b] and δ below the first layer
    assert parallel_update.update_macs([2, 3, 1], 5) == 5 * (3 * (3 * 3 + 4 * 1) - 3 * 3)
    assert parallel_update.update_macs(digits, 32) < parallel_update.SPLIT_MIN_MACS
    assert not parallel_update.split_wanted(digits, 32)
    monkeypatch.setattr(parallel_update, "_cores", lambda: 2)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: 2)
    assert parallel_update.split_wanted(wide, 128)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: 1)  # the user asked for one thread
    assert not parallel_update.split_wanted(wide, 128)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: None)  # BLAS not controllable
    assert not parallel_update.split_wanted(wide, 128)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: 2)
    monkeypatch.setattr(parallel_update, "_cores", lambda: 1)
    assert not parallel_update.split_wanted(wide, 128)


def test_limited_blas_restores_the_count():
    before = blas_threads.blas_threads()
    if before is None:
        pytest.skip("OpenBLAS thread count not controllable here")
    with blas_threads.limited_blas(1):
        assert blas_threads.blas_threads() == 1
    assert blas_threads.blas_threads() == before


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_a_split_optimizer_step_equals_the_serial_one(name):
    from model.optim.optimizer_base import SPLIT_MIN_SIZE
    from model.optim.optimizers import make_optimizer

    sizes = [300, 200, 30]  # 66,230 parameters: above the split step's minimum
    assert sum((a + 1) * b for a, b in zip(sizes, sizes[1:])) >= SPLIT_MIN_SIZE
    rng = np.random.default_rng(4)
    nets = [Network(NetworkSpec(sizes, ["tanh", "sigmoid"], loss="mse", seed=2)) for _ in range(2)]
    opts = [make_optimizer(name, lr=0.01, weight_decay=0.001) for _ in range(2)]
    pair = parallel_update.PairWorker()
    try:
        for _ in range(3):
            g = rng.normal(size=nets[0]._gflat.shape)
            for net in nets:
                net._gflat[:] = g  # the gradient arrays the Trainer passes tile this buffer
            opts[0].step(nets[0].parameters(), nets[0]._grads)
            opts[1].step(nets[1].parameters(), nets[1]._grads, pair=pair)
            assert opts[1]._flat is not None  # the flat path, which is the one split
    finally:
        pair.close()
    assert np.array_equal(nets[0]._flat, nets[1]._flat)
    assert not np.array_equal(nets[0]._flat, Network(nets[0].spec)._flat)  # they did move
