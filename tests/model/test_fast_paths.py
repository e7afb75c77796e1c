"""The trainer's fast paths (flat parameter buffer, folded biases, per-epoch
gathers, deferred accuracy) compute exactly what the plain paths compute."""

import math

import numpy as np
import pytest

from model.nn.network import Network, NetworkSpec
from model.optim.optimizers import OPTIMIZERS, make_optimizer
from model.train.trainer import Trainer, TrainSettings


def _net(dtype="float64", sizes=(3, 7, 5, 2), acts=("tanh", "relu", "sigmoid"), loss="mse"):
    return Network(NetworkSpec(list(sizes), list(acts), loss=loss, seed=2, dtype=dtype))


def test_parameters_are_views_of_one_buffer():
    net = _net()
    assert all(p.base is net._flat for p in net.parameters())
    assert sum(p.size for p in net.parameters()) == net._flat.size == net.spec.n_params
    net.weights[1][0, 0] = 5.0
    assert 5.0 in net._flat


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_flat_optimizer_step_equals_per_array_step(name):
    rng = np.random.default_rng(0)
    a, b = _net(), _net()
    X, T = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    oa, ob = make_optimizer(name, lr=0.05), make_optimizer(name, lr=0.05)
    for _ in range(4):
        _, ga = a.gradients_into(X, T)
        oa.step(a.parameters(), ga)  # flat fast path
        _, gb = b.gradients_into(X, T)
        ob.step([p[...] for p in b.parameters()], [g.copy() for g in gb])  # per array
    assert oa._flat is not None and ob._flat is None
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)
    for k in oa.state():
        for s, t in zip(oa.state()[k], ob.state()[k]):
            np.testing.assert_allclose(s, t, rtol=1e-12, atol=1e-15)


def test_switching_between_flat_and_per_array_calls_shares_state():
    net, ref = _net(), _net()
    X, T = np.ones((2, 3)), np.zeros((2, 2))
    opt, ro = make_optimizer("momentum", lr=0.1), make_optimizer("momentum", lr=0.1)
    for i in range(4):
        _, g = net.gradients_into(X, T)
        params = net.parameters() if i % 2 else [p[...] for p in net.parameters()]
        opt.step(params, g)
        _, gr = ref.gradients_into(X, T)
        ro.step(ref.parameters(), gr)
    for p, q in zip(net.parameters(), ref.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-12)


@pytest.mark.parametrize(
    "loss,acts",
    [
        ("mse", ("tanh", "relu", "sigmoid")),
        ("mse", ("leaky_relu", "linear", "linear")),
        ("bce", ("sigmoid", "tanh", "sigmoid")),
        ("cross_entropy", ("relu", "tanh", "softmax")),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_augmented_gradients_equal_plain_gradients(loss, acts, dtype):
    rng = np.random.default_rng(1)
    net = _net(dtype, acts=acts, loss=loss)
    X = rng.normal(size=(9, 3))
    T = np.eye(2)[rng.integers(0, 2, 9)] if loss != "mse" else rng.normal(size=(9, 2))
    l0, gW, gb = net.loss_and_gradients(X, T)
    l1, grads = net.gradients_into(X.astype(dtype), T.astype(dtype))
    tol = 1e-10 if dtype == "float64" else 2e-4
    assert l1 == pytest.approx(l0, rel=tol)
    for a, b in zip(gW + gb, grads):
        assert b.dtype == np.dtype(dtype)
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)


@pytest.mark.parametrize("batch_size", [None, 1, 3, 7])
@pytest.mark.parametrize("k", [1, 3])
def test_deferred_accuracy_and_epoch_loss_match_a_per_update_count(batch_size, k, monkeypatch):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, 3))
    T = (X[:, :1] > 0).astype(float) if k == 1 else np.eye(3)[rng.integers(0, 3, 20)]
    acts, loss = (
        (("tanh", "tanh", "sigmoid"), "mse") if k == 1 else (("tanh", "tanh", "softmax"), "cross_entropy")
    )
    net = Network(NetworkSpec([3, 4, 4, k], list(acts), loss=loss, seed=0))
    tr = Trainer(net, X, T, TrainSettings(lr=0.3, batch_size=batch_size, epochs=3))
    seen = []

    real = net.gradients_augmented

    def spy(xb, tb, buf=None):
        out = real(xb, tb, buf)
        Y = net.last_output
        c = (Y[:, 0] > 0.5) == (tb[:, 0] > 0.5) if k == 1 else Y.argmax(1) == tb.argmax(1)
        seen.append((int(c.sum()), len(tb), out[0]))
        return out

    monkeypatch.setattr(net, "gradients_augmented", spy)
    tr.run_epoch()
    assert tr.history["train_acc"][-1] == pytest.approx(sum(s[0] for s in seen) / 20)
    assert tr.history["train_loss"][-1] == pytest.approx(sum(s[2] * s[1] for s in seen) / 20)
    assert list(tr.history.update_loss.values) == [s[2] for s in seen]


def test_large_data_gathers_per_batch_with_same_results(monkeypatch):
    import model.train.trainer as trainer_mod

    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(50, 3)), rng.uniform(size=(50, 2))
    runs = []
    for limit in (1 << 30, 0):  # whole-epoch gather, then per-batch gather
        monkeypatch.setattr(trainer_mod, "_GATHER_EPOCH_BYTES", limit)
        tr = Trainer(
            _net(), X, T, TrainSettings(optimizer="adam", lr=0.01, batch_size=8, epochs=4), task="regression"
        )
        assert (tr._Xp is not None) == bool(limit)
        tr.train()
        runs.append((tr.net._flat.copy(), tr.history.update_loss.values.copy()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_divergence_limit_is_fixed_by_the_first_loss():
    X, T = np.array([[0.0, 1.0, 2.0]]), np.array([[1.0, 0.0]])
    tr = Trainer(_net(), X, T, TrainSettings(lr=0.1, epochs=2), task="regression")
    assert tr._limit == -math.inf
    tr.run_epoch()
    assert tr._limit == pytest.approx(1e6 * tr.first_loss)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_one_network_fused_softmax_cross_entropy_gives_the_same_bits(dtype):
    """One network's output layer computes softmax and cross-entropy together
    (one max, one normaliser): the outputs, the loss and every gradient equal,
    bit for bit, the activation's softmax followed by losses.loss_value, also
    for logits that overflow a naive exponential and for soft targets."""
    from model.nn import activations, backprop, losses

    rng = np.random.default_rng(4)
    for scale in (1.0, 40.0, 1e3):
        Z = (rng.normal(size=(11, 6)) * scale).astype(dtype)
        T = rng.dirichlet(np.ones(6), 11).astype(dtype)
        Y = np.empty_like(Z)
        loss = backprop._softmax_cross_entropy(Z, T, Y)
        np.testing.assert_array_equal(Y, activations.forward("softmax", Z))
        assert isinstance(loss, float) and math.isfinite(loss)
        assert loss == losses.loss_value("cross_entropy", Z, None, T)
    # through the layer loop: a trainer-sized update against the unfused formulas
    net = _net(dtype, sizes=(4, 9, 6), acts=("relu", "softmax"), loss="cross_entropy")
    X = rng.normal(size=(13, 4)).astype(dtype)
    T = np.eye(6, dtype=dtype)[rng.integers(0, 6, 13)]
    loss, grads = net.gradients_into(X, T)
    Z = net.batch_buffers(13).Z[-1]  # the fast path's own (bias-folded) logits
    assert loss == losses.loss_value("cross_entropy", Z, None, T)
    np.testing.assert_array_equal(net.last_output, activations.forward("softmax", Z))
    _, gW, gb = net.loss_and_gradients(X, T)
    tol = 1e-12 if dtype == "float64" else 1e-5
    for a, b in zip(gW + gb, grads):
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)
