"""Gradient check: backprop agrees with central differences on every example; a wrong gradient is flagged."""

import glob

import numpy as np
import pytest

from model.data import data_prep
from model.io.project import load_project
from model.nn.gradcheck import FLOOR, check_network, check_parameter, noise_floor
from model.nn.network import Network
from model.nn.spec import NetworkSpec

EXAMPLES = sorted(glob.glob("resources/examples/*.json"))


def _example(path):
    p = load_project(path)
    d = data_prep.prepare(p)
    return p.network(), d.X_train, d.train.T


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.split("/")[-1])
def test_backprop_agrees_with_central_differences_on_every_example(path):
    net, X, T = _example(path)
    before = [w.copy() for w in net.weights]
    check = check_network(net, X, T, max_per_layer=30, seed=1)
    assert check.ok, check.table()
    assert check.max_rel_error < 1e-6
    assert len(check.layers) == net.n_layers
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))  # parameters restored


def test_a_deliberately_wrong_gradient_is_flagged_in_its_layer():
    net, X, T = _example("resources/examples/xor_train.json")
    _, gW, gb = net.loss_and_gradients(X, T)
    gW[1][2, 0] *= 1.001  # a 0.1 % slip in w_13^(2)
    check = check_network(net, X, T, gradients=(gW, gb))
    assert not check.ok
    assert check.layers[0].ok and not check.layers[1].ok
    assert check.layers[1].worst.label == "w₁₃⁽²⁾"
    assert 5e-4 < check.layers[1].max_rel_error < 2e-3
    assert check.table()[1][4] == "WRONG at w₁₃⁽²⁾"


def test_the_floor_follows_the_quotients_rounding_noise():
    # ε·|E|·(1 + 8 + 8 + 1)/12 / h over the tolerance, never below FLOOR
    eps = np.finfo(float).eps
    assert noise_floor(2.3, 1e-3, 1e-6) == pytest.approx(eps * 2.3 * 1.5 / 1e-3 / 1e-6, rel=1e-12)
    assert noise_floor(2.3, 1e-3, 1e-6) == pytest.approx(7.66e-7, rel=1e-3)
    assert noise_floor(0.01) == FLOOR and noise_floor(-2.3) == noise_floor(2.3)


def test_a_zero_gradient_with_rounding_noise_passes_and_a_real_slip_there_fails():
    # digits' input 33 is 0 in every sample: ∂E/∂w₂₇,₃₃⁽¹⁾ = 0 exactly, the
    # quotient gives rounding noise (~1e-13 at E ≈ 2.3 on some gemm kernels)
    net, X, T = _example("resources/examples/digits.json")
    assert not X[:, 32].any()
    c = check_parameter(net, X, T, "w", 0, 32, 26)
    assert c.analytic == 0.0 and abs(c.numeric) < 1e-11 and c.ok and c.label == "w₂₇,₃₃⁽¹⁾"
    _, gW, gb = net.loss_and_gradients(X, T)
    gW[0][32, 26] = 1e-5  # a gradient where there is none, far above the noise
    check = check_network(net, X, T, gradients=(gW, gb), max_per_layer=None)
    assert not check.layers[0].ok and check.layers[0].worst.label == "w₂₇,₃₃⁽¹⁾"


def test_single_edge_and_bias():
    net = Network(NetworkSpec(layer_sizes=[2, 3, 2], activations=["tanh", "sigmoid"], loss="mse", seed=4))
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(10, 2)), rng.uniform(size=(10, 2))
    _, gW, gb = net.loss_and_gradients(X, T)
    c = check_parameter(net, X, T, "w", 0, 1, 2)
    assert c.analytic == gW[0][1, 2] and c.ok and c.label == "w₃₂⁽¹⁾"
    # the estimate is a real difference quotient: compare with a hand-made one
    w = net.weights[0]
    old = w[1, 2]
    w[1, 2] = old + 1e-5
    up = net.loss(X, T)
    w[1, 2] = old - 1e-5
    down = net.loss(X, T)
    w[1, 2] = old
    assert abs(c.numeric - (up - down) / 2e-5) < 1e-8
    b = check_parameter(net, X, T, "bias", 1, 1)
    assert b.analytic == gb[1][1] and b.rel_error < 1e-6 and b.label == "θ₂⁽²⁾"


def test_relu_kink_inside_the_stencil_is_not_counted_as_wrong():
    # one sample sits exactly on unit 1's kink: b = 0 for w = 0, θ = 0
    net = Network(NetworkSpec(layer_sizes=[1, 1, 1], activations=["relu", "linear"], loss="mse", seed=0))
    net.weights[0][...] = 0.0
    net.biases[0][...] = 0.0
    net.weights[1][...] = 1.0
    X, T = np.array([[1.0]]), np.array([[1.0]])
    check = check_network(net, X, T)
    assert check.layers[0].n_at_kink >= 1 and check.ok
