"""Regularisation, dropout, early stopping, the test split and engineered
features: central differences, exact restores, hand-made data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.data.features import FeatureSet, candidate_features, parse_feature, pretty_name
from model.network import Network, NetworkSpec
from model.nn.dropout import draw_masks, gradients_with_masks, loss_with_masks
from model.train.early_stopping import EarlyStopper, EarlyStopping
from model.train.regularization import Regularization, add_penalty_gradient, penalty
from model.train.trainer import STOP_EARLY, Trainer, TrainSettings


def _central(f, params, h=1e-6):
    """∂f/∂p for every entry of every array in ``params`` (modified in place, restored)."""
    out = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = f()
            p[i] = old - h
            down = f()
            p[i] = old
            g[i] = (up - down) / (2 * h)
        out.append(g)
    return out


# ------------------------------------------------------------------ penalties
def test_penalty_by_hand_weights_only():
    W = [np.array([[1.0, -2.0]]), np.array([[3.0], [0.0]])]
    reg = Regularization(l1=0.1, l2=0.5)
    # 0.1·(1 + 2 + 3) + ½·0.5·(1 + 4 + 9)
    assert penalty(reg, W) == pytest.approx(0.6 + 3.5)
    assert penalty(Regularization(), W) == 0.0


def test_penalised_gradient_matches_central_differences():
    rng = np.random.default_rng(0)
    net = Network(NetworkSpec([2, 3, 1], ["tanh", "linear"], seed=1))
    X, T = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    reg = Regularization(l1=0.03, l2=0.2)
    _, gW, gb = net.loss_and_gradients(X, T)
    total = add_penalty_gradient(reg, net.weights, gW)
    assert total == pytest.approx(penalty(reg, net.weights))
    objective = lambda: net.loss(X, T) + penalty(reg, net.weights)
    num = _central(objective, net.weights + net.biases)
    for a, n in zip(gW + gb, num):
        np.testing.assert_allclose(a, n, rtol=1e-6, atol=1e-8)


def test_regularization_validation():
    with pytest.raises(ValueError, match="l1"):
        Regularization(l1=-1)
    with pytest.raises(ValueError, match="l3"):
        Regularization.from_dict({"l3": 1})


# ------------------------------------------------------------------ dropout
def test_dropout_mask_gradient_matches_central_differences():
    rng = np.random.default_rng(2)
    net = Network(
        NetworkSpec([3, 5, 4, 2], ["tanh", "relu", "sigmoid"], loss="bce", seed=3, dropout=[0.4, 0.25])
    )
    X, T = rng.normal(size=(8, 3)), (rng.random((8, 2)) > 0.5).astype(float)
    masks = draw_masks([0.4, 0.25], [5, 4], 8, np.random.default_rng(7))
    kept = masks[0] > 0
    assert 0 < kept.mean() < 1 and set(np.unique(masks[0])) == {0.0, 1 / 0.6}  # inverted: kept units ×1/(1−p)
    loss, gW, gb, _ = gradients_with_masks(net, X, T, masks)
    assert loss == pytest.approx(loss_with_masks(net, X, T, masks))
    num = _central(lambda: loss_with_masks(net, X, T, masks), net.weights + net.biases)
    for a, n in zip(gW + gb, num):
        np.testing.assert_allclose(a, n, rtol=1e-6, atol=1e-8)
    # no masks: exactly the reference loss_and_gradients
    loss0, gW0, gb0, _ = gradients_with_masks(net, X, T, [None, None])
    ref = net.loss_and_gradients(X, T)
    assert loss0 == pytest.approx(ref[0], rel=1e-13)
    for a, b in zip(gW0 + gb0, ref[1] + ref[2]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_dropout_rates_are_validated_and_round_trip():
    with pytest.raises(ValueError, match="one rate per hidden layer"):
        NetworkSpec([2, 3, 1], ["tanh", "sigmoid"], dropout=[0.1, 0.2])
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        NetworkSpec([2, 3, 1], ["tanh", "sigmoid"], dropout=[1.0])
    spec = NetworkSpec([2, 3, 4, 1], ["tanh", "tanh", "sigmoid"], dropout=[0.5, 0.0])
    assert NetworkSpec.from_dict(spec.to_dict()) == spec
    assert spec.replace(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"]).dropout == [0.5]
    assert NetworkSpec([2, 1], ["sigmoid"]).to_dict()["dropout"] == []


def test_training_with_dropout_is_seeded_and_predicts_with_the_full_network():
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(40, 2)), rng.normal(size=(40, 1))

    def run():
        net = Network(NetworkSpec([2, 16, 1], ["tanh", "linear"], seed=5, dropout=[0.5]))
        tr = Trainer(net, X, T, TrainSettings(lr=0.05, epochs=5, seed=9), task="regression")
        tr.train()
        return net, tr

    a, tr = run()
    b, _ = run()
    np.testing.assert_array_equal(a._flat, b._flat)
    assert tr.last_masks is not None and tr.last_masks[0].shape == (40, 16)
    # prediction uses every unit (no mask, no scaling): same as a dropout-free copy
    plain = Network(NetworkSpec([2, 16, 1], ["tanh", "linear"]), a.weights, a.biases)
    np.testing.assert_array_equal(a.predict(X), plain.predict(X))


# ------------------------------------------------------------------ early stopping
def test_early_stopper_rule():
    st = EarlyStopper(EarlyStopping(patience=2, min_delta=0.1))
    p = np.zeros(1)
    assert not st.update(1, 1.0, p + 1)
    assert not st.update(2, 0.95, p + 2)  # not better by more than min_delta
    assert st.update(3, 0.5, p + 3) is False and st.best_epoch == 3
    assert not st.update(4, 0.6, p + 4)
    assert st.update(5, 0.7, p + 5)
    q = np.zeros(1)
    assert st.restore(q) and q[0] == 3


def test_early_stopping_restores_the_best_epochs_weights_exactly():
    rng = np.random.default_rng(6)
    X = rng.uniform(-1, 1, size=(12, 1))
    T = np.sin(3 * X) + 0.3 * rng.normal(size=X.shape)
    Xv = rng.uniform(-1, 1, size=(40, 1))
    Tv = np.sin(3 * Xv)
    settings = TrainSettings(
        optimizer="adam", lr=0.03, epochs=3000, seed=1, early_stopping=EarlyStopping(patience=25)
    )
    net = Network(NetworkSpec([1, 64, 64, 1], ["tanh", "tanh", "linear"], seed=2))
    tr = Trainer(net, X, T, settings, Xv, Tv, task="regression")
    saved = {}
    orig = tr._record_epoch

    def spy(*a, **k):  # keep every epoch's parameters to compare with
        orig(*a, **k)
        saved.setdefault(tr.epoch, net._flat.copy())

    tr._record_epoch = spy
    tr.train()
    assert tr.stop_reason == STOP_EARLY
    val = tr.history["val_loss"]
    best = int(np.argmin(val)) + 1
    assert tr.stopper.best_epoch == best and tr.epoch == best + 25
    np.testing.assert_array_equal(net._flat, saved[best])
    assert tr.early_stop_message == f"stopped early at epoch {best + 25}, restored epoch {best}"
    assert tr.evaluate(Xv, Tv)[0] == pytest.approx(val[best - 1], rel=1e-12)


def test_early_stopping_needs_a_validation_split():
    net = Network(NetworkSpec([1, 1], ["linear"]))
    s = TrainSettings(early_stopping=EarlyStopping(patience=3))
    with pytest.raises(ValueError, match="validation"):
        Trainer(net, np.ones((3, 1)), np.ones((3, 1)), s, task="regression")


def test_weight_decay_and_regularization_settings_round_trip():
    s = TrainSettings(
        optimizer="adamw",
        weight_decay=0.01,
        regularization=Regularization(0.001, 0.01),
        early_stopping=EarlyStopping(10, 0.001, False),
    )
    d = s.to_dict()
    assert d["regularization"] == {"l1": 0.001, "l2": 0.01} and d["weight_decay"] == 0.01
    assert d["early_stopping"] == {"patience": 10, "min_delta": 0.001, "restore_best": False}
    back = TrainSettings.from_dict(d)
    assert back.regularization == s.regularization and back.early_stopping == s.early_stopping
    assert TrainSettings.from_dict({}).early_stopping is None
    with pytest.raises(ValueError, match="weight_decay"):
        TrainSettings.from_dict({"weight_decay": -1})


def test_l2_shrinks_the_weights_and_is_recorded():
    rng = np.random.default_rng(8)
    X, T = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    norms = []
    for l2 in (0.0, 0.5):
        net = Network(NetworkSpec([2, 8, 1], ["tanh", "linear"], seed=1))
        tr = Trainer(
            net,
            X,
            T,
            TrainSettings(lr=0.1, epochs=200, regularization=Regularization(l2=l2)),
            task="regression",
        )
        tr.train()
        norms.append(sum(float(np.vdot(w, w)) for w in net.weights))
        assert tr.history["penalty"][-1] == pytest.approx(0.5 * l2 * norms[-1])
    assert norms[1] < 0.5 * norms[0]


# ------------------------------------------------------------------ features
def test_feature_parser():
    X = np.array([[2.0, 3.0], [-1.0, 0.5]])
    cols = ["x1", "x2"]
    fs = FeatureSet(["x1", "x2", "x1*x2", "x1^2", "sin(x1)", "x2 ^ 3", "(x1*x2)^2", "cos(x1*x2)"], cols)
    np.testing.assert_allclose(
        fs.apply(X),
        [
            [2, 3, 6, 4, math.sin(2), 27, 36, math.cos(6)],
            [-1, 0.5, -0.5, 1, math.sin(-1), 0.125, 0.25, math.cos(-0.5)],
        ],
    )
    assert fs.names[5] == "x2^3"  # spaces dropped: one spelling per feature
    for bad, msg in [
        ("x3", "no input column 'x3'"),
        ("x1+x2", "unexpected"),
        ("x1^x2", "whole number"),
        ("__import__('os')", "unexpected"),
        ("sin(x1", "expected '\\)'"),
        ("", "non-empty"),
        ("x1^10", "1…9"),
    ]:
        with pytest.raises(ValueError, match=msg):
            parse_feature(bad, cols)
    with pytest.raises(ValueError, match="twice"):
        FeatureSet(["x1", "x1"], cols)
    assert candidate_features(cols) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    assert (
        pretty_name("x1^2") == "x1²"
        and pretty_name("x1*x2") == "x1·x2"
        and pretty_name("sin(x1)") == "sin x1"
    )
