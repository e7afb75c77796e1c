"""Health badges on constructed cases: a dead ReLU, a saturated sigmoid, vanishing gradients."""

import numpy as np

from model.analysis.health import network_health
from model.nn.network import Network
from model.nn.spec import NetworkSpec

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, size=(50, 2))
T = (X[:, :1] > 0).astype(float)


def _net(acts, sizes=(2, 3, 1), seed=0):
    return Network(NetworkSpec(layer_sizes=list(sizes), activations=list(acts), loss="mse", seed=seed))


def test_relu_with_a_large_negative_bias_is_dead():
    net = _net(["relu", "sigmoid"])
    net.biases[0][1] = -10.0  # b = w·x − θ ≤ −10 + |w|·|x| < 0 for every x in [−1, 1]²
    rep = network_health(net, X, T)
    dead = [(b.layer, b.index) for b in rep.nodes if b.kind == "dead"]
    assert dead == [(1, 1)]
    tip = rep.nodes[0].tooltip
    assert "50 training samples" in tip and "lower η" in tip and "leaky_relu" in tip
    net.biases[0][1] = 0.0
    assert not [b for b in network_health(net, X, T).nodes if b.kind == "dead"]


def test_sigmoid_with_large_weights_is_saturated():
    net = _net(["sigmoid", "sigmoid"])
    net.weights[0][:, 2] = [40.0, 40.0]  # |b| = 40|x1 + x2| > 4 unless |x1 + x2| < 0.1
    rep = network_health(net, X, T)
    sat = [b for b in rep.nodes if b.kind == "saturated"]
    assert [(b.layer, b.index) for b in sat] == [(1, 2)]
    frac = (np.abs(40 * X.sum(axis=1)) > 4).mean()
    assert sat[0].value == frac and frac >= 0.9
    assert "xavier" in sat[0].tooltip
    net.weights[0][:, 2] = [0.5, 0.5]
    assert not network_health(net, X, T).nodes


def test_deep_sigmoid_stack_has_vanishing_layers_and_big_weights_explode():
    net = _net(["sigmoid"] * 6 + ["linear"], sizes=(2, 8, 8, 8, 8, 8, 8, 1), seed=1)
    rep = network_health(net, X, T)
    van = [b.layer for b in rep.layers if b.kind == "vanishing"]
    assert van and van == list(range(1, len(van) + 1))  # the layers nearest the input
    for b in rep.layers:
        assert b.value == rep.grad_rms[b.layer - 1] / rep.grad_rms[-1] < 1e-2
    lin = _net(["linear", "linear", "linear"], sizes=(2, 4, 4, 1))
    # linear stack: ∂E/∂W¹ / ∂E/∂W³ ≈ |W³|/|W¹| (δ is carried down through W³, W²)
    lin.weights[2][...] *= 100.0
    lin.weights[0][...] *= 0.01
    rep = network_health(lin, X, T)
    assert [b.layer for b in rep.layers if b.kind == "exploding"] == [1]
    assert "lower η" in rep.layers[0].tooltip


def test_sub_sampling_keeps_it_bounded():
    Xb = RNG.uniform(-1, 1, size=(5000, 2))
    rep = network_health(_net(["tanh", "sigmoid"]), Xb, (Xb[:, :1] > 0).astype(float), max_samples=300)
    assert rep.n_samples == 300 and rep.ok
