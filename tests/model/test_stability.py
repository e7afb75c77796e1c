"""λ_max of the loss Hessian: exact on the linear neuron, matches a finite-difference Hessian on an MLP."""

import json

import numpy as np

from model.analysis.stability import METHOD_EXACT, METHOD_FD, hessian_vector_product, lambda_max
from model.nn.network import Network
from model.nn.param_vector import get_vector, gradient_vector, set_vector
from model.nn.spec import NetworkSpec


def _fd_hessian(net, X, T, h=1e-5):
    theta = get_vector(net)
    P = theta.size
    H = np.zeros((P, P))
    for i in range(P):
        e = np.zeros(P)
        e[i] = h
        set_vector(net, theta + e)
        _, gu = gradient_vector(net, X, T)
        set_vector(net, theta - e)
        _, gd = gradient_vector(net, X, T)
        H[:, i] = (gu - gd) / (2 * h)
    set_vector(net, theta)
    return 0.5 * (H + H.T)


def test_linear_neuron_equals_analytic_eigenvalue():
    # <x x~^T> with x~ = (x1, x2, 1) is diag(0.5, 2, 1): the bowl's steepest curvature is 2
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
    T = np.array([[0.3], [-0.1], [0.7], [0.2]])
    net = Network(NetworkSpec(layer_sizes=[2, 1], activations=["linear"], loss="mse", seed=3))
    exact = lambda_max(net, X, T)
    assert exact.method == METHOD_EXACT
    assert abs(exact.lambda_max - 2.0) < 1e-12
    assert abs(exact.eta_limit - 1.0) < 1e-12
    # the general path (power iteration on difference Hessian-vector products) agrees to 1e-6
    fd = lambda_max(net, X, T, exact=False)
    assert fd.method == METHOD_FD
    assert abs(fd.lambda_max - 2.0) < 1e-6
    assert fd.accuracy < 1e-6


def test_linear_neuron_with_two_outputs_and_correlated_inputs():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3)) @ np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.2], [0.0, 0.0, 0.3]])
    T = rng.normal(size=(30, 2))
    net = Network(NetworkSpec(layer_sizes=[3, 2], activations=["linear"], loss="mse", seed=0))
    Xa = np.hstack([X, np.ones((30, 1))])
    analytic = np.linalg.eigvalsh(Xa.T @ Xa / 30)[-1]
    assert abs(lambda_max(net, X, T).lambda_max - analytic) < 1e-10
    assert abs(lambda_max(net, X, T, exact=False).lambda_max - analytic) < 1e-6


def test_small_mlp_matches_finite_difference_hessian():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    T = (X[:, :1] * X[:, 1:] > 0).astype(float)
    net = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=2))
    H = _fd_hessian(net, X, T)
    top = np.linalg.eigvalsh(H)[-1]
    res = lambda_max(net, X, T)
    assert abs(res.lambda_max - top) < 1e-4
    assert res.accuracy < 1e-4
    # and Hv itself matches the dense difference Hessian
    v = rng.normal(size=H.shape[0])
    assert np.allclose(hessian_vector_product(net, X, T, v), H @ v, atol=1e-5)


def test_negative_dominant_eigenvalue_still_gives_the_top_one():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(12, 2)) * 3
    T = rng.uniform(size=(12, 2))
    net = Network(NetworkSpec(layer_sizes=[2, 4, 2], activations=["tanh", "linear"], loss="mse", seed=7))
    net.weights[0][...] *= 3
    H = _fd_hessian(net, X, T)
    top = np.linalg.eigvalsh(H)[-1]
    assert abs(lambda_max(net, X, T).lambda_max - top) < 1e-4 * max(1.0, abs(top))


def test_result_dict_and_warm_start():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = Network(NetworkSpec(layer_sizes=[2, 2, 1], activations=["sigmoid", "sigmoid"], loss="mse", seed=0))
    before = get_vector(net)
    r = lambda_max(net, X, T)
    assert np.array_equal(get_vector(net), before)  # the caller's network is not touched
    d = r.to_dict(eta=0.5)
    json.dumps(d, allow_nan=False)
    assert d["eta_limit"] == 2 / d["lambda_max"] and d["eta_lambda_max"] == 0.5 * d["lambda_max"]
    warm = lambda_max(net, X, T, v0=r.vector, max_iter=5)
    assert abs(warm.lambda_max - r.lambda_max) < 1e-6


def test_live_analyses_stay_within_their_time_budget():
    from model.analysis.live import LiveAnalyses

    t = [0.0]

    def clock():
        t[0] += 0.01  # every reading of the clock: 10 ms later (the computation "costs" 10 ms)
        return t[0]

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=0))
    live = LiveAnalyses(budget=20.0, min_gap=0.1, clock=clock)
    first = live.update(net, X, T)
    assert first is not None and first["health"].ok
    assert abs(first["stability"].lambda_max - lambda_max(net, X, T).lambda_max) < 1e-6
    assert live.next - t[0] >= 20 * 0.01 - 1e-9  # waits 20 × the cost: at most 5 % of the time
    assert live.update(net, X, T) is None  # not due yet
    t[0] = live.next
    assert live.update(net, X, T) is not None


def test_live_analyses_skip_lambda_max_for_big_problems():
    from model.analysis.live import LiveAnalyses

    X = np.zeros((10, 2))
    T = np.zeros((10, 1))
    net = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=0))
    out = LiveAnalyses(max_work=100).update(net, X, T)  # 13 parameters × 10 samples > 100
    assert out["stability"] is None and out["health"] is not None
