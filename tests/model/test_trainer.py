"""Trainer: gradient-descent variants, history, stopping rules, divergence."""

import math

import numpy as np
import pytest

from model.nn.network import Network, NetworkSpec
from model.optim.optimizers import make_optimizer
from model.optim.schedules import Schedule
from model.train.trainer import STOP_DIVERGED, STOP_EPOCHS, STOP_TARGET, Trainer, TrainSettings

X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
T_XOR = np.array([[0], [1], [1], [0]], float)


def _xor_net(seed=1):
    return Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], seed=seed))


def test_batch_update_equals_one_hand_sgd_step():
    net = _xor_net()
    ref = net.copy()
    tr = Trainer(net, X_XOR, T_XOR, TrainSettings(optimizer="sgd", lr=0.5, epochs=1))
    tr.run_epoch()
    _, gW, gb = ref.loss_and_gradients(X_XOR, T_XOR)
    for w, w0, g in zip(net.weights, ref.weights, gW):
        assert np.allclose(w, w0 - 0.5 * g)
    for b, b0, g in zip(net.biases, ref.biases, gb):
        assert np.allclose(b, b0 - 0.5 * g)
    assert tr.step == 1 and tr.epoch == 1


@pytest.mark.parametrize("batch_size,updates", [(None, 1), (1, 4), (3, 2)])
def test_variants_update_counts(batch_size, updates):
    tr = Trainer(_xor_net(), X_XOR, T_XOR, TrainSettings(batch_size=batch_size, epochs=3))
    tr.train()
    assert tr.step == 3 * updates
    assert len(tr.history.update_loss) == 3 * updates
    assert list(tr.history["updates"]) == [updates, 2 * updates, 3 * updates]


def test_stochastic_update_is_lecture_algorithm_4():
    # one sample, SGD: w ← w + η δ V, θ ← θ − η δ (θ = −bias)
    net = _xor_net(seed=3)
    ref = net.copy()
    tr = Trainer(net, X_XOR[:1], T_XOR[:1], TrainSettings(batch_size=1, lr=0.7, epochs=1))
    tr.run_epoch()
    bw = ref.backward(ref.forward(X_XOR[:1]), T_XOR[:1])
    V = ref.forward(X_XOR[:1]).V
    for l in range(2):
        assert np.allclose(net.weights[l], ref.weights[l] + 0.7 * np.outer(V[l][0], bw.deltas[l][0]))
        assert np.allclose(-net.biases[l], -ref.biases[l] - 0.7 * bw.deltas[l][0])


def test_shuffling_is_seeded():
    a = Trainer(_xor_net(), X_XOR, T_XOR, TrainSettings(batch_size=1, epochs=5, seed=4))
    b = Trainer(_xor_net(), X_XOR, T_XOR, TrainSettings(batch_size=1, epochs=5, seed=4))
    c = Trainer(_xor_net(), X_XOR, T_XOR, TrainSettings(batch_size=1, epochs=5, seed=5))
    for t in (a, b, c):
        t.train()
    assert np.array_equal(a.history.update_loss.values, b.history.update_loss.values)
    assert not np.array_equal(a.history.update_loss.values, c.history.update_loss.values)


def test_xor_trains_to_full_accuracy_and_stops_at_target():
    tr = Trainer(
        _xor_net(), X_XOR, T_XOR, TrainSettings(optimizer="adam", lr=0.05, epochs=5000, target_loss=0.01)
    )
    assert tr.train() == STOP_TARGET
    assert tr.history["train_loss"][-1] <= 0.01
    assert tr.history["train_acc"][-1] == 1.0
    assert np.array_equal(tr.net.predict(X_XOR).round(), T_XOR)


def test_epoch_limit_and_history_columns():
    Xv, Tv = X_XOR[:2], T_XOR[:2]
    tr = Trainer(_xor_net(), X_XOR, T_XOR, TrainSettings(epochs=7), X_val=Xv, T_val=Tv)
    assert tr.train() == STOP_EPOCHS
    h = tr.history
    assert len(h) == 7 and list(h["epoch"]) == list(range(1, 8))
    assert h["grad_norms"].shape == (7, 2) and h["weight_norms"].shape == (7, 2)
    assert np.isfinite(h["val_loss"]).all()
    # val loss equals the network's loss on the validation set after the last epoch
    assert h["val_loss"][-1] == pytest.approx(tr.net.loss(Xv, Tv))
    # weight norm recorded equals the real norm
    assert h["weight_norms"][-1, 0] == pytest.approx(np.linalg.norm(tr.net.weights[0]))


def test_divergence_stops_and_keeps_last_finite_weights():
    net = Network(NetworkSpec([2, 8, 1], ["relu", "linear"], seed=0))
    X = np.random.default_rng(0).normal(size=(50, 2)) * 10
    T = X.sum(axis=1, keepdims=True)
    tr = Trainer(net, X, T, TrainSettings(lr=5.0, epochs=1000))
    assert tr.train() == STOP_DIVERGED
    assert "diverged" in tr.divergence_message and "too large" in tr.divergence_message
    assert all(np.isfinite(p).all() for p in net.parameters())
    assert tr.history.events and tr.history.events[-1][1] == "diverged"


def test_schedule_sets_lr_per_epoch_and_base_lr_change_takes_effect():
    s = TrainSettings(lr=0.4, epochs=10, schedule=Schedule(kind="step", step_size=2, gamma=0.5))
    tr = Trainer(_xor_net(), X_XOR, T_XOR, s)
    tr.train(epochs=5)
    assert list(tr.history["lr"]) == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1])
    tr.set_base_lr(0.8)
    tr.run_epoch()
    assert tr.history["lr"][-1] == pytest.approx(0.8 * 0.5**2)
    assert tr.epoch == 6  # no reset


def test_optimizer_used_matches_make_optimizer():
    net = _xor_net()
    ref = net.copy()
    tr = Trainer(net, X_XOR, T_XOR, TrainSettings(optimizer="adam", lr=0.01, epochs=3))
    tr.train()
    opt = make_optimizer("adam", lr=0.01)
    for _ in range(3):
        _, gW, gb = ref.loss_and_gradients(X_XOR, T_XOR)
        opt.step(ref.parameters(), gW + gb)
    for a, b in zip(net.parameters(), ref.parameters()):
        assert np.allclose(a, b)


@pytest.mark.parametrize(
    "kwargs,msg",
    [
        (dict(lr=0), "learning rate must be a positive"),
        (dict(lr=float("nan")), "learning rate must be a positive"),
        (dict(batch_size=0), "batch size"),
        (dict(epochs=-1), "epochs"),
        (dict(optimizer="lbfgs"), "unknown optimizer"),
        (dict(target_loss=-1.0), "target loss"),
    ],
)
def test_bad_settings(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        TrainSettings(**kwargs)


def test_bad_data():
    with pytest.raises(ValueError, match="NaN or infinite"):
        Trainer(_xor_net(), np.array([[math.nan, 0]]), [[0.0]], TrainSettings())
    with pytest.raises(ValueError, match="has 2 inputs but the data has 3"):
        Trainer(_xor_net(), np.zeros((4, 3)), T_XOR, TrainSettings())


def test_settings_round_trip():
    s = TrainSettings(
        optimizer="momentum",
        lr=0.3,
        hyper={"momentum": 0.8},
        batch_size=16,
        schedule=Schedule(kind="exponential", decay=0.1),
        epochs=50,
        target_loss=0.1,
        seed=3,
    )
    assert TrainSettings.from_dict(s.to_dict()).to_dict() == s.to_dict()


def test_history_round_trip_and_csv():
    from model.train.history import History

    tr = Trainer(_xor_net(), X_XOR, T_XOR, TrainSettings(epochs=4))
    tr.train()
    h2 = History.from_dict(tr.history.to_dict(), 2)
    assert np.allclose(h2["train_loss"], tr.history["train_loss"])
    assert np.array_equal(h2.update_loss.values, tr.history.update_loss.values)
    lines = tr.history.to_csv().splitlines()
    assert lines[0].startswith("epoch,train_loss,val_loss") and len(lines) == 5
    assert float(lines[2].split(",")[1]) == pytest.approx(tr.history["train_loss"][1])
