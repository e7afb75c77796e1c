"""Topology edits keep every weight they can and re-initialise only the rest."""

import numpy as np
import pytest

from model.nn import topology
from model.nn.network import Network, NetworkSpec


def _net():
    return Network(NetworkSpec([2, 3, 4, 1], ["tanh", "tanh", "sigmoid"], seed=3))


def test_resize_hidden_keeps_overlap():
    net = _net()
    spec, W, b, msg = topology.resize_layer(net.spec, net.weights, net.biases, 1, 5)
    assert spec.layer_sizes == [2, 5, 4, 1]
    assert [w.shape for w in W] == [(2, 5), (5, 4), (4, 1)]
    assert np.array_equal(W[0][:, :3], net.weights[0]) and np.array_equal(W[1][:3], net.weights[1])
    assert np.array_equal(W[2], net.weights[2])
    assert "2 neuron(s) added" in msg
    Network(spec, W, b)  # consistent shapes
    spec2, W2, b2, msg = topology.resize_layer(spec, W, b, 1, 3)
    assert np.array_equal(W2[0], net.weights[0]) and np.array_equal(W2[1], net.weights[1])


def test_insert_and_remove_layer():
    net = _net()
    spec, W, b, msg = topology.insert_layer(net.spec, net.weights, net.biases, 2, 6, "relu")
    assert spec.layer_sizes == [2, 3, 6, 4, 1] and spec.activations == ["tanh", "relu", "tanh", "sigmoid"]
    assert np.array_equal(W[0], net.weights[0]) and np.array_equal(W[3], net.weights[2])
    assert W[1].shape == (3, 6) and W[2].shape == (6, 4)
    spec2, W2, b2, _ = topology.remove_layer(spec, W, b, 2)
    assert spec2.layer_sizes == [2, 3, 4, 1]
    assert np.array_equal(W2[0], net.weights[0]) and np.array_equal(W2[2], net.weights[2])
    with pytest.raises(ValueError, match="only hidden layers"):
        topology.remove_layer(spec, W, b, 0)


def test_set_activation_keeps_weights_and_checks_pairing():
    net = _net()
    spec, W, b, msg = topology.set_activation(net.spec, net.weights, net.biases, 1, "relu")
    assert spec.activations[0] == "relu" and all(np.array_equal(x, y) for x, y in zip(W, net.weights))
    with pytest.raises(ValueError, match="softmax"):
        topology.set_activation(net.spec, net.weights, net.biases, 3, "softmax")


def test_adapt_to_data():
    net = _net()
    spec, W, b, msg = topology.adapt_to_data(net.spec, net.weights, net.biases, 4, 3, "classification")
    assert spec.layer_sizes == [4, 3, 4, 3] and spec.activations[-1] == "softmax"
    assert spec.loss == "cross_entropy" and "input layer resized to 4" in msg
    spec, W, b, msg = topology.adapt_to_data(spec, W, b, 1, 1, "regression")
    assert spec.activations[-1] == "linear" and spec.loss == "mse"
    same = topology.adapt_to_data(net.spec, net.weights, net.biases, 2, 1, "classification")
    assert same[3] == ""


def test_regression_targets_outside_the_output_range_get_a_linear_output():
    net = _net()  # sigmoid output
    spec, *_ = topology.adapt_to_data(
        net.spec, net.weights, net.biases, 2, 1, "regression", target_range=(-3.0, 5.0)
    )
    assert spec.activations[-1] == "linear" and spec.loss == "mse"
    spec, *_ = topology.adapt_to_data(
        net.spec, net.weights, net.biases, 2, 1, "regression", target_range=(0.0, 1.0)
    )
    assert spec.activations[-1] == "sigmoid"  # 0/1 targets (the backprop table) keep it
