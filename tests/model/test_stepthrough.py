"""Step-through mode (Algorithm 4): stage values equal the real network's
forward/backward numbers, equation text carries the same numbers, and the
end of the walk equals one plain-SGD update."""

import re

import numpy as np
import pytest

from model.data.datasets import make_dataset
from model.data.preprocessing import one_hot
from model.nn.network import Network, NetworkSpec
from model.teaching.stepthrough import StepThrough, describe_edge, describe_node
from model.train.trainer import Trainer, TrainSettings

DS = make_dataset("eleven_points")
NUMBER = r"(−?\d+(?:\.\d+)?(?:e[−+]\d+)?)"


def make_net(sizes=(2, 3, 1), acts=("tanh", "sigmoid"), loss="mse", seed=3):
    net = Network(NetworkSpec(list(sizes), list(acts), loss=loss, seed=seed))
    rng = np.random.default_rng(seed + 100)
    net.set_parameters(net.weights, [rng.uniform(-0.5, 0.5, b.shape) for b in net.biases])
    return net


def value(text: str) -> float:
    return float(text.replace("−", "-"))


def last_number(eq: str) -> float:
    m = re.search(r"= " + NUMBER + r"\s*$", eq)
    assert m, eq
    return value(m.group(1))


def close(shown: float, true: float) -> bool:
    return abs(shown - true) <= max(5e-4, 5e-3 * abs(true))


def per_sample(net, X, T, mu):
    tr = net.forward(X[mu : mu + 1])
    return tr, net.backward(tr, T[mu : mu + 1])


def test_stage_sequence_single_pattern():
    st = StepThrough(make_net(), DS.X, DS.T, [3], lr=0.5)
    assert [s.kind for s in st.stages] == [
        "input",
        "forward",
        "forward",
        "output_error",
        "backward",
        "update",
        "new_weights",
    ]
    assert [s.layer for s in st.stages] == [0, 1, 2, 2, 1, None, None]
    assert st[1].title.startswith("Forward: layer 1") and "μ = 4" in st[0].title
    assert [s.edge_mode for s in st.stages] == [
        None,
        "forward",
        "forward",
        "backward",
        "backward",
        "backward",
        None,
    ]
    assert st[-1].weights_after is not None and st[-2].weights_after is None


@pytest.mark.parametrize("mu", [0, 3, 10])
def test_stage_values_equal_network_forward_backward(mu):
    net = make_net()
    st = StepThrough(net, DS.X, DS.T, [mu], lr=0.2)
    tr, bw = per_sample(net, DS.X, DS.T, mu)
    for s in st.stages[:5]:
        assert s.pattern == mu
        for l in range(3):
            v = s.node_values[l]
            reached = s.kind != "input" and (s.kind != "forward" or l <= s.layer) or l == 0
            assert (v is not None) == reached
            if v is not None:
                np.testing.assert_allclose(v, tr.V[l][0])
                if l:
                    np.testing.assert_allclose(s.b[l], tr.b[l - 1][0])
        for l in (1, 2):
            if s.deltas[l] is not None:
                np.testing.assert_allclose(s.deltas[l], bw.deltas[l - 1][0])
    assert st[3].deltas[1] is None and st[4].deltas[1] is not None  # δ⁽¹⁾ only once reached
    # forward overlay = w·V contributions, backward overlay = ∂E_μ/∂w of this pattern
    np.testing.assert_allclose(st[1].edge_values[0], net.weights[0] * tr.V[0][0][:, None])
    assert not st[1].edge_values[1].any()
    np.testing.assert_allclose(st[2].edge_values[1], net.weights[1] * tr.V[1][0][:, None])
    np.testing.assert_allclose(st[3].edge_values[1], bw.grad_W[1])
    assert not st[3].edge_values[0].any()
    for l in range(2):
        np.testing.assert_allclose(st[4].edge_values[l], bw.grad_W[l])


def test_equation_numbers_parse_back_to_values():
    net = make_net(sizes=(2, 4, 3, 1), acts=("tanh", "relu", "sigmoid"))
    st = StepThrough(net, DS.X, DS.T, [5], lr=0.3)
    checked = 0
    for s in st.stages:
        for j, eq in s.equations.items():
            if s.kind == "forward":
                b_line = eq.split("\n")[2]  # "    = −0.704"
                assert close(last_number(b_line), s.b[s.layer][j]), eq
                assert close(last_number(eq), s.node_values[s.layer][j]), eq
            elif s.kind in ("output_error", "backward"):
                assert close(last_number(eq), s.deltas[s.layer][j]), eq
            else:
                continue
            checked += 1
    assert checked == 4 + 3 + 1 + 1 + 3 + 4  # forward, output, backward per node
    eq = st[1].equations[0]
    w, x, theta = net.weights[0][:, 0], DS.X[5], -net.biases[0][0]
    assert "tanh(" in eq and "θ(" in eq and eq.startswith("b₁⁽¹⁾")
    terms = re.findall(r"\(?" + NUMBER + r"\)?·\(?" + NUMBER + r"\)?", eq.split("\n")[1])
    np.testing.assert_allclose([value(a) for a, _ in terms], w, atol=5e-4)
    np.testing.assert_allclose([value(b) for _, b in terms], x, atol=5e-4)
    assert close(value(re.search(r"θ\(" + NUMBER, eq).group(1)), theta)


def _trainer_update(net, idx, lr):
    twin = net.copy()
    Trainer(
        twin,
        DS.X[idx],
        DS.T[idx],
        TrainSettings(optimizer="sgd", lr=lr, batch_size=len(idx)),
        task="regression",
    ).run_epoch()
    return twin


@pytest.mark.parametrize("idx", [[7], [0, 4, 6, 9]])
def test_walk_to_end_equals_one_sgd_update(idx):
    net = make_net()
    before = [p.copy() for p in net.parameters()]
    st = StepThrough(net, DS.X, DS.T, idx, lr=0.7)
    W, B = st.apply()
    twin = _trainer_update(net, idx, 0.7)
    for a, b in zip(W + B, twin.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        np.concatenate([w.ravel() for w in st[-1].weights_after]),
        np.concatenate([w.ravel() for w in twin.weights]),
        atol=1e-14,
    )
    _, gW, gb = net.loss_and_gradients(DS.X[idx], DS.T[idx])
    upd = next(s for s in st.stages if s.kind == "update")
    for l in range(2):
        np.testing.assert_allclose(upd.delta_W[l], -0.7 * gW[l])
        np.testing.assert_allclose(upd.edge_values[l], gW[l])
        np.testing.assert_allclose(upd.delta_theta[l], 0.7 * gb[l])  # Δθ = −Δbias
    seen = 0
    for block in re.split(r"\n(?=\S)", upd.equation):  # the text carries the same numbers
        m = re.match(r"Δ(w|θ)₁₁?⁽([¹²])⁾", block)
        if m:
            seen += 1
            l = "¹²".index(m.group(2))
            true = upd.delta_W[l][0, 0] if m.group(1) == "w" else upd.delta_theta[l][0]
            assert close(last_number(block), true), block
    assert seen == 4
    for a, b in zip(net.parameters(), before):  # the network itself is untouched
        np.testing.assert_array_equal(a, b)


def test_batch_stages_repeat_per_pattern_and_average():
    net = make_net()
    idx = [0, 4, 6, 9]
    st = StepThrough(net, DS.X, DS.T, idx, lr=0.5)
    assert len(st) == 4 * 5 + 2
    assert [s.pattern for s in st.stages if s.kind == "input"] == idx
    s = st[5 + 3]  # output errors of the second pattern
    assert s.kind == "output_error" and "(2 of 4)" in s.title
    tr, bw = per_sample(net, DS.X, DS.T, 4)
    np.testing.assert_allclose(s.deltas[2], bw.deltas[1][0])
    upd = st[-2]
    assert "averaged over the batch of 4" in upd.equation
    full = net.backward(net.forward(DS.X[idx]), DS.T[idx])
    np.testing.assert_allclose(upd.deltas[2], full.deltas[1].mean(axis=0))
    # the displayed Δw₁₁ of each layer is the mean over the batch
    blocks = re.split(r"\n(?=\S)", upd.equation)  # an equation and its "    = …" lines
    dw = [b for b in blocks if b.startswith("Δw₁₁")]
    dth = [b for b in blocks if b.startswith("Δθ₁")]
    assert len(dw) == len(dth) == 2
    for l in range(2):
        assert close(last_number(dw[l]), upd.delta_W[l][0, 0]), dw[l]
        assert close(last_number(dth[l]), upd.delta_theta[l][0]), dth[l]


def test_long_batch_shows_first_patterns_only():
    st = StepThrough(make_net(), DS.X, DS.T, list(range(11)), lr=0.1, max_patterns_shown=4)
    assert len(st) == 4 * 5 + 2 and st.n_shown == 4
    assert "(4 of 11 patterns shown step by step)" in st[-2].equation


def test_softmax_cross_entropy_delta():
    T = one_hot(DS.T[:, 0].astype(int), 2)
    net = make_net(sizes=(2, 3, 2), acts=("tanh", "softmax"), loss="cross_entropy")
    st = StepThrough(net, DS.X, T, [2], lr=0.1)
    out = next(s for s in st.stages if s.kind == "output_error")
    np.testing.assert_allclose(out.deltas[2], T[2] - out.node_values[2])
    assert "softmax + cross-entropy" in out.equation
    assert close(last_number(out.equations[1]), out.deltas[2][1])
    fwd = st[2]
    assert "e^" in fwd.equation and close(last_number(fwd.equation), fwd.node_values[2][0])
    W, B = st.apply()
    twin = net.copy()
    Trainer(twin, DS.X[[2]], T[[2]], TrainSettings(optimizer="sgd", lr=0.1, batch_size=1)).run_epoch()
    for a, b in zip(W + B, twin.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("k", [1, 2])
def test_bce_delta(k):
    T = np.repeat(DS.T, k, axis=1)
    net = make_net(sizes=(2, 3, k), acts=("relu", "sigmoid"), loss="bce")
    st = StepThrough(net, DS.X, T, [8], lr=0.1)
    out = next(s for s in st.stages if s.kind == "output_error")
    np.testing.assert_allclose(out.deltas[2], (T[8] - out.node_values[2]) / k)
    assert "bce" in out.equation and close(last_number(out.equation), out.deltas[2][0])


def test_loss_name_overrides_the_networks_loss():
    net = make_net(sizes=(2, 3, 1), acts=("tanh", "sigmoid"), loss="mse")
    st = StepThrough(net, DS.X, DS.T, [1], lr=0.1, loss_name="bce")
    out = st[3]
    np.testing.assert_allclose(out.deltas[2], DS.T[1] - out.node_values[2])
    assert net.spec.loss == "mse"


def test_describe_node_and_edge_grow_with_the_stages():
    net = make_net()
    st = StepThrough(net, DS.X, DS.T, [3], lr=0.5)
    assert "V =" not in describe_node(st[0], 1, 0) and "θ = −bias" in describe_node(st[0], 1, 0)
    assert "V =" in describe_node(st[1], 1, 0) and "δ" not in describe_node(st[1], 1, 0)
    assert "δ =" in describe_node(st[4], 1, 0)
    assert "Δθ" in describe_node(st[5], 1, 0) and "new θ" in describe_node(st[6], 2, 0)
    e0, e3, e6 = describe_edge(st[0], 0, 1, 2), describe_edge(st[3], 0, 1, 2), describe_edge(st[6], 0, 1, 2)
    assert e0.startswith("w₃₂⁽¹⁾ = ") and "∂E/∂w" not in e3 and "Δw" not in e3
    assert "∂E/∂w" in describe_edge(st[4], 0, 1, 2) and "∂E/∂w" in describe_edge(st[3], 1, 0, 0)
    assert "Δw" in e6 and "new w" in e6


def test_invalid_arguments():
    net = make_net()
    with pytest.raises(ValueError, match="at least one"):
        StepThrough(net, DS.X, DS.T, [], lr=0.1)
    with pytest.raises(ValueError, match="0…10"):
        StepThrough(net, DS.X, DS.T, [11], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        StepThrough(net, DS.X, DS.T, [0], lr=0.0)
