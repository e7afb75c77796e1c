"""Decision lines in raw input units, the collapsed linear map, and undecided outputs."""

import numpy as np

from model.data.preprocessing import fit_scaler
from model.nn.network import Network, NetworkSpec
from model.teaching.decision_lines import (
    UNDECIDED_TOL,
    binary_decisions,
    collapsed_line,
    collapsed_map,
    line_through_box,
    unit_lines,
)
from model.train.trainer import Trainer, TrainSettings


def test_unit_lines_are_where_the_units_net_input_is_zero_in_raw_units():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2)) * [3.0, 0.2] + [10.0, -4.0]
    scaler = fit_scaler(X, "standardize")
    net = Network(NetworkSpec([2, 3, 1], ["sigmoid", "sigmoid"], seed=4))
    lines = unit_lines(net.weights, net.biases, scaler)
    assert len(lines) == 3
    for i, (a1, a2, th) in enumerate(lines):
        # two raw points on the line: the unit's net input b = w·z − θ is zero there
        x1 = np.array([8.0, 12.0])
        x2 = (th - a1 * x1) / a2
        Z = scaler.transform(np.c_[x1, x2])
        b = Z @ net.weights[0][:, i] + net.biases[0][i]
        np.testing.assert_allclose(b, 0, atol=1e-9)
    # without scaling: w_i1 x1 + w_i2 x2 = θ_i exactly
    raw = unit_lines(net.weights, net.biases, None)
    for i, line in enumerate(raw):
        assert line == (net.weights[0][0, i], net.weights[0][1, i], -net.biases[0][i])


def test_collapsed_map_equals_the_network_and_has_one_line():
    spec = NetworkSpec([2, 8, 8, 8, 1], ["linear", "linear", "linear", "linear"], seed=0)
    net = Network(spec)
    W, b = collapsed_map(net.weights, net.biases, spec.activations)
    X = np.random.default_rng(1).normal(size=(20, 2))
    np.testing.assert_allclose(X @ W + b, net.predict(X), atol=1e-12)
    np.testing.assert_allclose(W, net.weights[0] @ net.weights[1] @ net.weights[2] @ net.weights[3])
    assert collapsed_map(net.weights, net.biases, ["tanh", "linear", "linear", "linear"]) is None
    a1, a2, th = collapsed_line(net.weights, net.biases, spec.activations)
    assert (a1, a2, th) == (W[0, 0], W[1, 0], -b[0])


def test_line_through_box():
    xs, ys = line_through_box((1.0, 1.0, 0.0), (-1, 1, -1, 1))  # x + y = 0: the diagonal
    np.testing.assert_allclose(xs, [-1, 1]) and np.testing.assert_allclose(ys, [1, -1])
    assert line_through_box((1.0, 0.0, 5.0), (-1, 1, -1, 1)) is None  # x = 5: outside


def test_exactly_one_half_is_undecided_and_accuracy_does_not_flicker():
    p = np.array([0.5, 0.5 + 1e-16, 0.5 - 1e-16, 0.5 + 2 * UNDECIDED_TOL, 0.2])
    assert binary_decisions(p).tolist() == [-1, -1, -1, 1, 0]
    # the linear-collapse situation: every output is 0.5 up to rounding noise
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    spec = NetworkSpec([2, 2, 1], ["linear", "sigmoid"], seed=0)
    net = Network(spec, [np.full((2, 2), 1e-17), np.full((2, 1), 1e-17)], [np.zeros(2), np.zeros(1)])
    tr = Trainer(net, X, T, TrainSettings(lr=1e-12), task="classification")
    tr.run_epoch()
    assert tr.history["train_acc"][-1] == 0.0  # all four undecided: neither 25 % nor 75 %
    assert tr.evaluate(X, T)[1] == 0.0
