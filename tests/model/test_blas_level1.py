"""BLAS level-1 calls through ctypes (model.nn.blas_level1) and the sgd /
momentum steps that use them: the bits against the ufuncs, torch and the
stacked runs; the same result at 1 and 2 BLAS threads; clear errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.nn import blas_level1, blas_threads
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.optim import optimizer_base
from model.optim.optimizers import make_optimizer
from model.train.batched import BatchedTrainer
from model.train.trainer import Trainer, TrainSettings

pytestmark = pytest.mark.skipif(not blas_level1.usable(np.float64), reason="no OpenBLAS found")
DTYPES = (np.float32, np.float64)
N_BIG = optimizer_base.LEVEL1_MIN + 1000  # a network-sized parameter vector


@pytest.mark.parametrize("dt", DTYPES)
def test_scal_and_unit_axpy_round_as_the_ufuncs(dt):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=100_003).astype(dt), rng.normal(size=100_003).astype(dt)
    a = y.copy()
    blas_level1.scal(0.9, a)
    assert np.array_equal(a, y * dt(0.9))
    b = y.copy()
    blas_level1.axpy(1.0, x, b)
    assert np.array_equal(b, y + x)


@pytest.mark.parametrize("dt", DTYPES)
def test_axpy_is_one_fused_multiply_add(dt):
    rng = np.random.default_rng(1)
    x, y0 = rng.normal(size=50_001).astype(dt), rng.normal(size=50_001).astype(dt)
    y = y0.copy()
    blas_level1.axpy(-0.0123, x, y)
    a = dt(-0.0123)
    head = len(y) - len(y) % blas_level1.BLOCK
    if dt is np.float32:  # a·x is exact in float64 and the sum rounds once more to float32
        exact = (y0.astype(np.float64) + np.float64(a) * x.astype(np.float64)).astype(dt)
        assert np.mean(y[:head] == exact[:head]) > 0.9999
    two = y0 + a * x  # two roundings: differs from the fused result somewhere
    assert not np.array_equal(y, two)
    assert np.array_equal(y[head:], two[head:])  # the tail rounds twice
    ulp = np.spacing(np.maximum(np.abs(y0), np.abs(a * x)))
    assert np.all(np.abs(y - two) <= 2 * ulp)  # a rounding of a·x and one of the sum apart


@pytest.mark.parametrize("dt", DTYPES)
def test_the_result_does_not_depend_on_threads_alignment_or_rows(dt):
    rng = np.random.default_rng(2)
    K, n = 3, 70_001
    x, y0 = rng.normal(size=(K, n)).astype(dt), rng.normal(size=(K, n)).astype(dt)
    alphas = np.array([[-0.5], [0.25], [-3.0]], dt)
    out = []
    for threads in (1, 2):
        with blas_threads.limited_blas(threads):
            y = y0.copy()
            blas_level1.axpy(alphas, x, y)
            out.append(y)
    assert np.array_equal(out[0], out[1])
    for k in range(K):  # a row at a time, and at an odd offset into a bigger buffer
        buf = np.zeros(n + 1, dt)
        xb = np.zeros(n + 1, dt)
        buf[1:], xb[1:] = y0[k], x[k]
        blas_level1.axpy(float(alphas[k, 0]), xb[1:], buf[1:])
        assert np.array_equal(buf[1:], out[0][k])


def test_bad_arrays_are_refused():
    x = np.ones((4, 6))
    with pytest.raises(ValueError, match="C-contiguous"):
        blas_level1.axpy(1.0, x[:, ::2], x[:, 1::2].copy())
    with pytest.raises(ValueError, match="C-contiguous"):
        blas_level1.axpy(1.0, x, np.ones((4, 6), np.float32))
    frozen = np.ones(4)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        blas_level1.axpy(1.0, np.ones(4), frozen)
    with pytest.raises(ValueError, match="one alpha per row"):
        blas_level1.axpy(np.ones((3, 1)), x, x.copy())
    assert not blas_level1.usable(np.float16) and not blas_level1.usable(np.int64)


def _net_sized_step(name, dt, steps=5, **kw):
    rng = np.random.default_rng(3)
    n = N_BIG
    flat, gflat = rng.normal(size=n).astype(dt), np.empty(n, dt)
    views = [flat[:60_000].reshape(300, 200), flat[60_000:]]
    gviews = [gflat[:60_000].reshape(300, 200), gflat[60_000:]]
    opt = make_optimizer(name, **kw)
    start = flat.copy()
    grads = [rng.normal(size=n).astype(dt) for _ in range(steps)]
    for g in grads:
        gflat[:] = g
        opt.step(views, gviews)
    return opt, start, grads, flat


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name,kw", [("sgd", {"lr": 0.05}), ("momentum", {"lr": 0.05, "momentum": 0.8})])
def test_network_sized_steps_use_blas_and_match_torch(name, kw, dt, monkeypatch):
    torch = pytest.importorskip("torch")
    opt, start, grads, ours = _net_sized_step(name, dt, **kw)
    assert opt._level1
    monkeypatch.setattr(optimizer_base, "LEVEL1_MIN", 10**9)
    ufuncs = _net_sized_step(name, dt, **kw)[3]
    tp = torch.tensor(start.copy(), requires_grad=True)
    topt = torch.optim.SGD([tp], lr=kw["lr"], momentum=kw.get("momentum", 0.0))
    for g in grads:
        tp.grad = torch.tensor(g)
        topt.step()
    theirs = tp.detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5 if dt is np.float32 else 1e-13, atol=1e-6)
    # torch's add_(alpha=−lr) is fused too: after 5 steps 99.7 % of the elements are torch's
    # bits, against ~90 % for the ufuncs' two roundings
    assert np.mean(ours == theirs) > 0.99 > np.mean(ufuncs == theirs) + 0.03


def test_small_networks_and_nesterov_keep_the_ufuncs(monkeypatch):
    opt = make_optimizer("momentum", lr=0.1)
    p, g = np.ones(1000), np.ones(1000)
    opt.step([p], [g])
    assert not opt._level1  # under LEVEL1_MIN
    nesterov = _net_sized_step("nesterov", np.float64, lr=0.05)
    torch_like = nesterov[1].copy()  # nesterov's step is the ufuncs' whatever the size
    assert nesterov[0]._level1 and not np.array_equal(nesterov[3], torch_like)
    monkeypatch.setattr(optimizer_base, "LEVEL1_MIN", 10**9)
    off = _net_sized_step("momentum", np.float64, lr=0.05, momentum=0.8)
    monkeypatch.undo()
    on = _net_sized_step("momentum", np.float64, lr=0.05, momentum=0.8)
    assert not off[0]._level1 and on[0]._level1
    np.testing.assert_allclose(on[3], off[3], rtol=1e-14, atol=1e-15)  # the same maths


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_stacked_runs_take_the_same_path_as_their_runs(monkeypatch, optimizer):
    monkeypatch.setattr(optimizer_base, "LEVEL1_MIN", 16)  # this small net counts as big
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    net = Network(NetworkSpec([3, 6, 4, 1], ["tanh", "relu", "linear"], loss="mse", seed=2))
    s = TrainSettings(optimizer=optimizer, lr=0.05, batch_size=8, seed=1)
    lrs = [0.01, 0.05, 0.2]
    bt = BatchedTrainer(net, X, T, s, lrs)
    bt.train(4)
    assert bt.optimizer._level1
    for k, lr in enumerate(lrs):
        tr = Trainer(net.copy(), X, T, dataclasses.replace(s, lr=lr), task="regression")
        tr.train(4)
        assert tr.optimizer._level1
        # as the ufunc steps do (test_batched.py): a stack's gemms round unlike one run's
        np.testing.assert_allclose(bt.network(k)._flat, tr.net._flat, rtol=1e-12, atol=1e-12)
