"""Network: contract shapes, forward values, gradients against finite differences."""

import zlib

import numpy as np
import pytest

from model.nn.gradcheck import max_relative_error, numerical_gradients
from model.nn.network import Network, NetworkSpec

HIDDEN = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]


def _data(rng, n, k_in, k_out, loss):
    X = rng.normal(size=(n, k_in))
    if loss == "cross_entropy":
        T = np.eye(k_out)[rng.integers(0, k_out, n)]
    elif loss == "bce":
        T = rng.integers(0, 2, (n, k_out)).astype(float)
    else:
        T = rng.normal(size=(n, k_out))
    return X, T


def test_contract_shapes():
    spec = NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=0)
    net = Network(spec)
    assert [w.shape for w in net.weights] == [(2, 3), (3, 1)]
    assert [b.shape for b in net.biases] == [(3,), (1,)]
    assert all(w.dtype == np.float64 for w in net.weights)
    assert net.predict(np.zeros((5, 2))).shape == (5, 1)
    loss, gW, gb = net.loss_and_gradients(np.ones((4, 2)), np.zeros((4, 1)))
    assert isinstance(loss, float)
    assert [g.shape for g in gW] == [(2, 3), (3, 1)] and [g.shape for g in gb] == [(3,), (1,)]


def test_forward_matches_hand_formula():
    spec = NetworkSpec([2, 2, 1], ["tanh", "linear"])
    W1 = np.array([[0.5, -1.0], [2.0, 0.25]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[1.5], [-0.5]])
    b2 = np.array([0.3])
    net = Network(spec, [W1, W2], [b1, b2])
    x = np.array([[1.0, -2.0]])
    h = np.tanh(x @ W1 + b1)
    assert np.allclose(net.predict(x), h @ W2 + b2)
    tr = net.forward(x)
    assert np.allclose(tr.b[0], x @ W1 + b1) and np.allclose(tr.V[1], h)


@pytest.mark.parametrize("act", HIDDEN)
@pytest.mark.parametrize(
    "loss,out_act",
    [
        ("mse", "linear"),
        ("mse", "sigmoid"),
        ("mse", "tanh"),
        ("bce", "sigmoid"),
        ("cross_entropy", "softmax"),
    ],
)
def test_gradients_match_finite_differences(act, loss, out_act):
    rng = np.random.default_rng(zlib.crc32(f"{act}{loss}{out_act}".encode()))
    depth = int(rng.integers(0, 4))
    sizes = [3] + [int(rng.integers(2, 5)) for _ in range(depth)] + [3]
    spec = NetworkSpec(sizes, [act] * depth + [out_act], loss=loss, seed=int(rng.integers(100)))
    net = Network(spec)
    for b in net.biases:
        b[...] = rng.normal(scale=0.3, size=b.shape)
    X, T = _data(rng, 7, 3, 3, loss)
    if act in ("relu", "leaky_relu"):  # keep away from the kink
        X += np.sign(X) * 0.05
    assert max_relative_error(net, X, T) < 1e-5


def test_fast_path_equals_plain_path():
    rng = np.random.default_rng(3)
    spec = NetworkSpec([4, 6, 5, 3], ["relu", "tanh", "softmax"], loss="cross_entropy", seed=1)
    net = Network(spec)
    X, T = _data(rng, 9, 4, 3, "cross_entropy")
    loss, gW, gb = net.loss_and_gradients(X, T)
    loss2, grads = net.gradients_into(X, T)
    assert loss == pytest.approx(loss2)
    for a, b in zip(gW + gb, grads):
        assert np.allclose(a, b)


def test_loss_conventions_by_hand():
    # mse: mean over samples of ½Σ(y−t)²
    net = Network(NetworkSpec([1, 2], ["linear"], loss="mse"), [np.array([[1.0, 2.0]])], [np.zeros(2)])
    X = np.array([[1.0], [2.0]])
    T = np.array([[0.0, 0.0], [1.0, 1.0]])
    # outputs (1,2) and (2,4): errors (1,2),(1,3) → ½(1+4)=2.5, ½(1+9)=5 → mean 3.75
    assert net.loss(X, T) == pytest.approx(3.75)
    # bce: mean over all outputs
    net = Network(NetworkSpec([1, 2], ["sigmoid"], loss="bce"), [np.zeros((1, 2))], [np.zeros(2)])
    assert net.loss(X, T) == pytest.approx(np.log(2))
    # cross-entropy: mean over samples of −Σ t log softmax
    net = Network(NetworkSpec([1, 3], ["softmax"], loss="cross_entropy"), [np.zeros((1, 3))], [np.zeros(3)])
    assert net.loss(X, np.array([[1, 0, 0], [0, 0, 1.0]])) == pytest.approx(np.log(3))


def test_deltas_follow_lecture_sign():
    # one sigmoid output, mse: δ = g'(b)(t − V)
    net = Network(NetworkSpec([1, 1], ["sigmoid"]), [np.array([[0.5]])], [np.array([0.1])])
    x, t = np.array([[2.0]]), np.array([[1.0]])
    tr = net.forward(x)
    V = 1 / (1 + np.exp(-(2 * 0.5 + 0.1)))
    bw = net.backward(tr, t)
    assert bw.deltas[0][0, 0] == pytest.approx(V * (1 - V) * (1 - V))
    # gradient of E is −δ·V_prev, so w + η δ V is a descent step
    assert bw.grad_W[0][0, 0] == pytest.approx(-bw.deltas[0][0, 0] * 2.0)


def test_xor_hand_wired_weights_from_lecture():
    W1 = np.array([[20.0, -20.0], [20.0, -20.0]])
    b1 = np.array([-10.0, 30.0])
    W2 = np.array([[20.0], [20.0]])
    b2 = np.array([-30.0])
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    for acts in (["sigmoid", "sigmoid"], ["step", "step"]):
        net = Network(NetworkSpec([2, 2, 1], acts), [W1, W2], [b1, b2])
        assert np.array_equal(net.predict(X).round().ravel(), [0, 1, 1, 0])


def test_initialisers_and_dtype():
    spec = NetworkSpec([100, 50, 1], ["tanh", "linear"], init="he", seed=5, dtype="float32")
    net = Network(spec)
    assert net.weights[0].dtype == np.float32
    assert np.std(net.weights[0]) == pytest.approx(np.sqrt(2 / 100), rel=0.1)
    net = Network(spec.replace(init="xavier"))
    assert np.abs(net.weights[0]).max() <= np.sqrt(6 / 150)
    net = Network(spec.replace(init="uniform", init_range=0.1))
    assert np.abs(net.weights[0]).max() <= 0.1
    assert not np.any(Network(spec.replace(init="zeros")).weights[0])
    a, b = Network(spec), Network(spec)
    assert np.array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], Network(spec.replace(seed=6)).weights[0])


@pytest.mark.parametrize(
    "kwargs,msg",
    [
        (dict(layer_sizes=[2], activations=[]), "at least an input and an output"),
        (dict(layer_sizes=[2, 0, 1], activations=["tanh", "sigmoid"]), "hidden layer 1 has 0 neurons"),
        (dict(layer_sizes=[2, 10**6, 1], activations=["tanh", "sigmoid"]), "allowed: 1 to 4096"),
        (dict(layer_sizes=[2] + [2] * 33 + [1], activations=["tanh"] * 34), "at most 32"),
        (dict(layer_sizes=[2, 3, 1], activations=["tanh"]), "2 activations needed"),
        (
            dict(layer_sizes=[2, 3, 1], activations=["swish", "sigmoid"]),
            "hidden layer 1: unknown activation 'swish'",
        ),
        (
            dict(layer_sizes=[2, 3, 2], activations=["softmax", "softmax"], loss="cross_entropy"),
            "only allowed on the output",
        ),
        (dict(layer_sizes=[2, 3, 2], activations=["tanh", "softmax"], loss="mse"), "needs the cross_entropy"),
        (dict(layer_sizes=[2, 3, 1], activations=["tanh", "tanh"], loss="bce"), "needs a sigmoid output"),
        (dict(layer_sizes=[2, 3, 1], activations=["tanh", "tanh"], loss="hinge"), "unknown loss"),
        (dict(layer_sizes=[2, 3, 1], activations=["tanh", "tanh"], init="magic"), "unknown initialiser"),
    ],
)
def test_bad_specs_are_explained(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        NetworkSpec(**kwargs)


def test_set_parameters_checks_shapes_and_finiteness():
    net = Network(NetworkSpec([2, 3, 1], ["tanh", "sigmoid"]))
    with pytest.raises(ValueError, match=r"W2: expected shape \(3, 1\)"):
        net.set_parameters([np.zeros((2, 3)), np.zeros((3, 2))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.set_parameters([np.full((2, 3), np.nan), np.zeros((3, 1))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match=r"inputs must have shape \(n, 2\)"):
        net.predict(np.zeros((3, 5)))


def test_numerical_gradient_of_step_is_zero_almost_everywhere():
    net = Network(NetworkSpec([2, 2, 1], ["step", "linear"], seed=2))
    X = np.array([[0.3, -0.7]])
    _, gW, _ = net.loss_and_gradients(X, [[1.0]])
    nW, _ = numerical_gradients(net, X, [[1.0]])
    assert np.allclose(gW[0], 0) and np.allclose(nW[0], 0)


def test_probe_record_matches_network():
    from model.nn.probe import probe

    net = Network(NetworkSpec([2, 3, 1], ["tanh", "sigmoid"], seed=4))
    x, t = np.array([0.3, -0.8]), np.array([1.0])
    rec = probe(net, x, t)
    assert np.allclose(rec.V[-1], net.predict(x[None])[0])
    _, gW, gb = net.loss_and_gradients(x[None], t[None])
    assert all(np.allclose(a, b) for a, b in zip(rec.grad_W, gW))
    # per-edge forward contribution w_ij · V_i sums to the pre-activation minus bias
    assert np.allclose(rec.contrib[0].sum(axis=0) + net.biases[0], rec.b[0])
    # ∂E/∂w = −δ_j V_i for one sample (lecture sign)
    assert np.allclose(rec.grad_W[1], -np.outer(rec.V[1], rec.deltas[1]))
