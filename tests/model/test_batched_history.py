"""Stacked runs with per-run activations keep the trainer's whole History
(model.train.batched_history) and compare_activations trains them as one stack."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import model.analysis.gradient_flow as gf
from model.analysis.gradient_flow import compare_activations, variant_spec
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.optim.schedules import Schedule
from model.train.batched import BatchedTrainer
from model.train.batched_history import train_histories
from model.train.history import EPOCH_FIELDS
from model.train.regularization import Regularization
from model.train.trainer import STOP_DIVERGED, STOP_TARGET, STOP_USER, Trainer, TrainSettings

# every field a History records for these runs, except the wall-clock "seconds"
COMPARED = [f for f in EPOCH_FIELDS if f != "seconds"] + [
    "grad_norms",
    "weight_norms",
    "update_loss",
    "update_lr",
]


def _data(n=40, k_out=1, seed=3):
    """Inputs (n, 3); the sign of x₁x₂ as one target, or k_out random one-hot classes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    labels = (X[:, 0] * X[:, 1] > 0).astype(int) if k_out == 1 else rng.integers(0, k_out, n)
    return X, (labels[:, None].astype(float) if k_out == 1 else np.eye(k_out)[labels])


def _spec(hidden=(6, 5, 4), out="sigmoid", loss="bce", k_out=1, **kw):
    sizes = [3, *hidden, k_out]
    return NetworkSpec(sizes, ["sigmoid"] * len(hidden) + [out], loss=loss, seed=2, **kw)


def _sequential(spec, X, T, settings, epochs, acts, task="classification", seed=0, should_stop=None):
    s = dataclasses.replace(settings, seed=seed)
    out = {}
    for a in acts:
        tr = Trainer(Network(variant_spec(spec, a, seed)), X, T, s, task=task)
        tr.train(epochs, should_stop=should_stop() if should_stop else None)
        out[a] = tr.history
    return out


def _assert_same(got, want):
    """Every History field (but seconds) equal to 1e-12, events and keyframes too."""
    assert list(got) == list(want)
    for name in want:
        g, w = got[name], want[name]
        assert len(g) == len(w) and len(g.update_loss) == len(w.update_loss), name
        for f in COMPARED:
            np.testing.assert_allclose(g[f], w[f], rtol=1e-12, atol=1e-14, err_msg=f"{name}.{f}")
        assert g.events == w.events, name
        assert [f.epoch for f in g.keyframes.frames] == [f.epoch for f in w.keyframes.frames]
        for a, b in zip(g.keyframes.frames, w.keyframes.frames):
            for x, y in zip(a.weights + a.biases, b.weights + b.biases):
                np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(a.loss, b.loss, rtol=1e-12)
        assert np.isfinite(g["seconds"]).all() and (g["seconds"] >= 0).all()


@pytest.fixture
def stacked(monkeypatch):
    """Counts the stacked and the sequential paths taken by compare_activations."""
    calls = {"stack": 0}
    real = gf.train_histories

    def spy(*a, **k):
        calls["stack"] += 1
        return real(*a, **k)

    monkeypatch.setattr(gf, "train_histories", spy)
    return calls


@pytest.mark.parametrize(
    "acts,settings",
    [
        (("sigmoid", "relu"), TrainSettings(optimizer="sgd", lr=0.5, batch_size=8)),
        (("relu", "sigmoid", "tanh"), TrainSettings(optimizer="adam", lr=0.02, batch_size=7)),
        (("tanh", "relu", "tanh", "sigmoid"), TrainSettings(optimizer="momentum", lr=0.2, batch_size=None)),
        (
            ("sigmoid", "leaky_relu", "relu"),
            TrainSettings(
                optimizer="rmsprop",
                lr=0.01,
                batch_size=16,
                weight_decay=1e-3,
                regularization=Regularization(l1=1e-3, l2=1e-2),
                schedule=Schedule("step", step_size=2, gamma=0.5),
            ),
        ),
    ],
)
def test_stacked_comparison_equals_the_sequential_trainers(acts, settings, stacked):
    X, T = _data()
    spec = _spec()
    got = compare_activations(spec, X, T, settings, epochs=6, activations=acts, seed=5)
    assert stacked["stack"] == 1
    want = _sequential(spec, X, T, settings, 6, acts, seed=5)
    _assert_same(got, want)
    for h in got.values():  # real training happened: (epochs, L) gradient norms, accuracy
        assert h["grad_norms"].shape == (6, 4) and (h["grad_norms"] > 0).all()
        assert np.isfinite(h["train_acc"]).all()
    if settings.regularization.active:
        assert (got[acts[0]]["penalty"] > 0).all()


def test_softmax_output_and_regression(stacked):
    X, T = _data(k_out=3)
    spec = _spec(hidden=(5, 5), out="softmax", loss="cross_entropy", k_out=3)
    s = TrainSettings(optimizer="nesterov", lr=0.1, batch_size=9)
    _assert_same(
        compare_activations(spec, X, T, s, epochs=4, activations=("sigmoid", "relu", "tanh")),
        _sequential(spec, X, T, s, 4, ("sigmoid", "relu", "tanh")),
    )
    X1, T1 = _data(k_out=1)
    reg = _spec(out="linear", loss="mse")
    got = compare_activations(reg, X1, T1, s, epochs=4, task="regression")
    assert np.isnan(got["relu"]["train_acc"]).all()
    _assert_same(got, _sequential(reg, X1, T1, s, 4, ("sigmoid", "relu"), task="regression"))
    assert stacked["stack"] == 2


def test_a_diverging_run_stops_alone_with_the_trainers_message(stacked):
    """tanh with η = 1 on an mse net blows up in epoch 3; sigmoid and ReLU keep training."""
    X, T = _data()
    spec = _spec(out="linear", loss="mse")
    s = TrainSettings(optimizer="sgd", lr=1.0, batch_size=4)
    acts = ("sigmoid", "relu", "tanh")
    got = compare_activations(spec, X, T, s, epochs=8, activations=acts, task="regression")
    want = _sequential(spec, X, T, s, 8, acts, task="regression")
    _assert_same(got, want)
    assert stacked["stack"] == 1
    assert len(got["tanh"]) == 2 and got["tanh"].events[-1][1] == "diverged"
    assert "diverged at epoch 3" in got["tanh"].events[-1][2]
    assert len(got["sigmoid"]) == len(got["relu"]) == 8 and not got["relu"].events


def test_divergence_at_the_first_update_and_at_an_epoch_end():
    X, T = _data()
    spec = _spec(out="linear", loss="mse")
    nets = [Network(variant_spec(spec, a)) for a in ("relu", "sigmoid", "relu")]
    s = TrainSettings(optimizer="sgd", lr=1e6, batch_size=None)
    hs, reasons = train_histories([n.copy() for n in nets], X, T, s, 5, "regression")
    for net, h, why in zip(nets, hs, reasons):
        tr = Trainer(net.copy(), X, T, s, task="regression")
        tr.train(5)
        assert why == tr.stop_reason == STOP_DIVERGED
        assert h.events == tr.history.events and len(h) == len(tr.history)
        np.testing.assert_allclose(h["update_loss"], tr.history["update_loss"], rtol=1e-12)


def test_cancelling_stops_every_run_after_the_same_epoch(stacked):
    """should_stop is asked before each epoch, as the trainer asks: cancelled
    before epoch 4, every stacked run equals its own trainer stopped there."""

    def stop_after(k):
        def make():
            calls = iter(range(10**6))
            return lambda: next(calls) >= k

        return make

    X, T = _data()
    spec = _spec()
    s = TrainSettings(optimizer="adam", lr=0.05, batch_size=8)
    acts = ("sigmoid", "relu", "tanh")
    got = compare_activations(spec, X, T, s, epochs=10, activations=acts, should_stop=stop_after(3)())
    want = _sequential(spec, X, T, s, 10, acts, should_stop=stop_after(3))
    _assert_same(got, want)
    assert [len(h) for h in got.values()] == [3, 3, 3]
    _, reasons = train_histories(
        [Network(variant_spec(spec, a)) for a in acts], X, T, s, 10, should_stop=stop_after(0)()
    )
    assert reasons == [STOP_USER] * 3


def test_target_loss_stops_recording_each_run_where_its_trainer_stops():
    X, T = _data()
    spec = _spec(hidden=(6,))
    s = TrainSettings(optimizer="adam", lr=0.05, batch_size=8, target_loss=0.55)
    acts = ("sigmoid", "relu")
    nets = [Network(variant_spec(spec, a, s.seed)) for a in acts]
    hs, reasons = train_histories(nets, X, T, s, 40)
    want = _sequential(spec, X, T, s, 40, acts, seed=s.seed)
    _assert_same(dict(zip(acts, hs)), want)
    assert STOP_TARGET in reasons and len(hs[0]) != len(hs[1])


def test_dropout_and_early_stopping_fall_back_to_one_trainer_each(stacked):
    X, T = _data()
    drop = _spec(dropout=[0.0, 0.3, 0.0])
    s = TrainSettings(optimizer="sgd", lr=0.3, batch_size=8)
    got = compare_activations(drop, X, T, s, epochs=3)
    assert stacked["stack"] == 0
    _assert_same(got, _sequential(drop, X, T, s, 3, ("sigmoid", "relu")))
    one = compare_activations(_spec(), X, T, s, epochs=3, activations=("relu",))
    assert stacked["stack"] == 0 and len(one["relu"]) == 3  # one run: nothing to stack
    with pytest.raises(ValueError, match="NaN or infinite"):  # the trainer's own error
        compare_activations(_spec(), np.full_like(X, np.nan), T, s, epochs=3)


def test_per_run_activations_in_the_stack_give_each_networks_own_gradients():
    """One stacked forward/backward with runs grouped sigmoid | relu relu | tanh
    equals each network's own gradients bit for bit, also after a run is dropped."""
    X, T = _data(k_out=2)
    spec = _spec(hidden=(5, 4), out="softmax", loss="cross_entropy", k_out=2)
    acts = ("sigmoid", "relu", "relu", "tanh")
    nets = [Network(variant_spec(spec, a, seed=i)) for i, a in enumerate(acts)]
    bt = BatchedTrainer(nets[0], X, T, TrainSettings(optimizer="sgd"), [0.1] * 4, nets=nets)
    assert bt._acts[0] == ((slice(0, 1), "sigmoid"), (slice(1, 3), "relu"), (slice(3, 4), "tanh"))
    assert bt._acts[-1] == "softmax"
    loss = bt._gradients(bt._Xa, bt.T)
    for k, net in enumerate(nets):
        want, _ = net.gradients_augmented(bt._Xa, bt.T)
        np.testing.assert_array_equal(bt._gflat[k], net._gflat)
        assert loss[k] == pytest.approx(want, rel=1e-15)
    assert bt.network(2).spec.activations == nets[2].spec.activations
    bt.last_output = bt._buffers[len(X)].Y
    bt.optimizer.set_run_lrs(np.full((4, 1), 0.1))
    bt._freeze({1: "test"})
    assert bt._acts[0] == ((slice(0, 1), "sigmoid"), (slice(1, 2), "relu"), (slice(2, 3), "tanh"))
    bt._gradients(bt._Xa, bt.T)
    for r, k in enumerate(bt.active):
        nets[k].gradients_augmented(bt._Xa, bt.T)
        np.testing.assert_array_equal(bt._gflat[r], nets[k]._gflat)


def test_runs_that_differ_in_more_than_hidden_activations_do_not_stack():
    X, T = _data()
    a = Network(_spec(out="linear", loss="mse"))
    with pytest.raises(ValueError, match="output activation"):
        BatchedTrainer(a, X, T, TrainSettings(), [0.1, 0.1], nets=[a, Network(_spec(out="tanh", loss="mse"))])
    with pytest.raises(ValueError, match="topology"):
        BatchedTrainer(
            a,
            X,
            T,
            TrainSettings(),
            [0.1, 0.1],
            nets=[a, Network(_spec(hidden=(6, 5, 3), out="linear", loss="mse"))],
        )
