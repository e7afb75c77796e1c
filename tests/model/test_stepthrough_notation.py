"""Step-through in the code's notation (View ▸ Code Notation): a = xW + b, ∂L/∂z,
0-based; every number checked against the network's own gradients."""

import re

import numpy as np
import pytest

from model.data.datasets import make_dataset
from model.nn.network import Network, NetworkSpec
from model.teaching.notation import CODE
from model.teaching.stepthrough import StepThrough, describe_edge, describe_node

DS = make_dataset("eleven_points")
NUMBER = r"(−?\d+(?:\.\d+)?(?:e[−+]\d+)?)"
LECTURE_ONLY = ("θ", "δ", "⁽", "μ =", "V⁽")


def make_net(seed=3):
    net = Network(NetworkSpec([2, 3, 1], ["tanh", "sigmoid"], loss="mse", seed=seed))
    rng = np.random.default_rng(seed + 100)
    net.set_parameters(net.weights, [rng.uniform(-0.5, 0.5, b.shape) for b in net.biases])
    return net


def last(eq: str) -> float:
    m = re.search(r"= " + NUMBER + r"\s*$", eq)
    assert m, eq
    return float(m.group(1).replace("−", "-"))


def close(shown, true):
    return abs(shown - true) <= max(5e-4, 5e-3 * abs(true))


@pytest.fixture
def walks():
    net = make_net()
    return net, StepThrough(net, DS.X, DS.T, [3], 0.5, notation=CODE), StepThrough(net, DS.X, DS.T, [3], 0.5)


def test_code_notation_equations_carry_the_codes_symbols_and_numbers(walks):
    net, code, lec = walks
    tr = net.forward(DS.X[3:4])
    bw = net.backward(tr, DS.T[3:4])  # one pattern: grad_b = ∂L/∂z, grad_W = aᵀ ∂L/∂z
    kinds = [s.kind for s in code.stages]
    assert kinds == [s.kind for s in lec.stages]
    inp, f1, f2, out, back, upd, new = code.stages
    assert inp.equation.startswith("sample x[3] (row 3, 0-based):\na0 = x[3] = (")
    assert "— sample 3" in inp.title and "μ = 4" in lec.stages[0].title
    e = f1.equations[1]
    assert e.startswith("z1[1] = Σᵢ a0[i]·W1[i, 1] + b1[1]\n") and "a1[1] = g(z) = tanh(" in e
    assert f"+ b({net.biases[0][1]:.3f})".replace("-", "−") in e  # the bias itself, not θ = −bias
    assert close(last(e), tr.V[1][0, 1])
    assert f1.table_headers == ["unit", "b", "z", "a"] and [r[0] for r in f1.table_rows] == ["0", "1", "2"]
    assert close(float(f1.table_rows[1][1].replace("−", "-")), net.biases[0][1])
    o = out.equation
    assert o.startswith("∂L/∂z2[0] = g′(z)·(a − t)\n") and out.title.startswith("Output gradients ∂L/∂z2")
    assert close(last(o), bw.grad_b[1][0]) and close(last(o), -lec.stages[3].deltas[2][0])
    assert out.table_headers == ["unit", "z", "a", "t", "∂L/∂z"]
    for j in range(3):
        b = back.equations[j]
        assert b.startswith(f"∂L/∂z1[{j}] = g′(z)·Σₖ W2[{j}, k]·∂L/∂z2[k]\n")
        assert close(last(b), bw.grad_b[0][j])
    u = upd.equation
    assert u.startswith("ΔW = −η·a·∂L/∂z,  Δb = −η·∂L/∂z") and upd.title == "Weight changes ΔW, Δb"
    dW = re.search(r"ΔW1\[0, 0\] = −η·a0\[0\]·∂L/∂z1\[0\]\n\s+= .*= " + NUMBER, u)
    assert dW and close(float(dW.group(1).replace("−", "-")), -0.5 * bw.grad_W[0][0, 0])
    db = re.search(r"Δb2\[0\] = −η·∂L/∂z2\[0\] = .*= " + NUMBER, u)
    assert db and close(float(db.group(1).replace("−", "-")), -0.5 * bw.grad_b[1][0])
    n = new.equation
    assert n.startswith("W ← W + ΔW,  b ← b + Δb\nW1[0, 0] ← ")
    nb = re.search(r"b1\[0\] ← .* = " + NUMBER, n)
    assert nb and close(float(nb.group(1).replace("−", "-")), net.biases[0][0] - 0.5 * bw.grad_b[0][0])
    assert new.table_headers == ["unit", "b before", "b after"]
    for st in code.stages:  # nothing of the lecture's notation is left
        texts = [st.equation, st.title, *st.equations.values(), *st.table_headers]
        assert not [t for t in texts for s in LECTURE_ONLY if s in t], st.kind


def test_lecture_notation_is_unchanged_by_default(walks):
    _net, _code, lec = walks
    assert lec.stages[1].equations[0].startswith("b₁⁽¹⁾ = Σₖ w·V − θ")
    assert lec.stages[3].equation.startswith("δ₁⁽²⁾ = g′(b)·(t − V)")
    assert lec.stages[1].table_headers == ["node", "θ", "b", "V"]
    assert lec.stages[-1].equation.startswith("w ← w + Δw,  θ ← θ + Δθ")
    for st in lec.stages:
        assert "∂L/∂z" not in st.equation + "".join(st.table_headers)


def test_hover_text_follows_the_notation(walks):
    net, code, lec = walks
    node = describe_node(code.stages[4], 1, 0)
    assert (
        node.startswith("hidden layer 1, unit 0")
        and f"bias b = {net.biases[0][0]:.3f}".replace("-", "−") in node
    )
    assert "∂L/∂z = " in node and "θ" not in node and "δ" not in node
    assert describe_node(lec.stages[3], 1, 0).startswith("hidden layer 1, node 1")
    edge = describe_edge(code.stages[1], 0, 0, 1)
    assert edge.startswith("W1[0, 1] = ") and "layer 0 unit 0 → layer 1 unit 1" in edge and "a·W = " in edge
    assert describe_edge(lec.stages[1], 0, 0, 1).startswith("w₂₁⁽¹⁾ = ")
    assert "∂L/∂W = " in describe_edge(code.stages[5], 0, 0, 1)


def test_a_batch_in_code_notation_averages_with_its_signs():
    net = make_net()
    walk = StepThrough(net, DS.X, DS.T, [0, 1, 2], 0.3, notation=CODE)
    tr = net.forward(DS.X[:3])
    bw = net.backward(tr, DS.T[:3])
    u = walk.stages[-2].equation
    assert "averaged over the batch of 3" in u and "ΔW = −η·∂L/∂W = −η·⟨a·∂L/∂z⟩" in u
    m = re.search(r"Δb1\[0\] = −η·\(1/3\)·Σ_μ ∂L/∂z1\[0\]\n\s+= −η·⟨∂L/∂z⟩ = .* = " + NUMBER, u)
    assert m and close(float(m.group(1).replace("−", "-")), -0.3 * bw.grad_b[0][0])
    assert walk.stages[-2].table_headers[1] == "mean ∂L/∂z"


def test_the_quiz_asks_in_the_stages_notation(walks):
    from model.teaching.quiz import question_for

    _net, code, lec = walks
    q = question_for(code.stages[3], 3)  # the output error
    ql = question_for(lec.stages[3], 3)
    assert ql.symbol == "δ₁⁽²⁾" and q.symbol == "∂L/∂z2[0]" and q.truth == pytest.approx(-ql.truth)
    assert question_for(code.stages[1], 1).symbol == "a1[0]"
    upd = code.stages[5]
    qb = question_for(upd, 5, ("node", 1, 2), eta=0.5)
    assert qb.symbol == "Δb1[2]" and qb.truth == pytest.approx(-upd.delta_theta[0][2])
    assert qb.formula.startswith("Δb1[2] = −η·∂L/∂z1[2]")
    qw = question_for(upd, 5, ("edge", 0, 1, 2), eta=0.5)
    assert qw.symbol == "ΔW1[1, 2]" and qw.truth == pytest.approx(upd.delta_W[0][1, 2])
    assert qw.formula.startswith("ΔW1[1, 2] = −η·a0[1]·∂L/∂z1[2]") and close(last(qw.formula), qw.truth)
