import json
import math
import random

import pytest

from model.teaching.chain_rule import EXAMPLES, ChainGraph, ChainRuleError, build_graph, parse_expression

ALLOWED_MSG = "only numbers, variables, + - * / ** and exp, log, sin, cos, tanh, sigmoid, relu"


def node(g: ChainGraph, label):
    return g.node_for(label)


def numeric_grads(text, values, h=1e-6):
    out = {}
    for v in values:
        up, dn = dict(values), dict(values)
        up[v] += h
        dn[v] -= h
        out[v] = (build_graph(text, up).value - build_graph(text, dn).value) / (2 * h)
    return out


def assert_matches_fd(text, values, rel=1e-5, abs_=1e-6):
    g = build_graph(text, values)
    fd = numeric_grads(text, values)
    for v, grad in g.gradients().items():
        assert grad == pytest.approx(fd[v], rel=rel, abs=abs_), (text, values, v)


# --- lecture examples -------------------------------------------------------------


def test_lecture_fxyz():
    ex = EXAMPLES["lecture_fxyz"]
    g = build_graph(ex["text"], ex["values"])
    assert g.value == -12
    assert node(g, "q").value == 3 and node(g, "q").op == "+"
    assert g.gradients() == {"x": -4, "y": -4, "z": 3}
    assert node(g, "q").grad == -4
    assert node(g, "f").grad == 1
    assert g.variables == ["x", "y", "z"]
    assert g.nodes[g.output].label == "f"
    # local derivative on the edges into f = q*z: df/dq = z, df/dz = q
    f = node(g, "f")
    assert dict(zip([g.nodes[i].label for i in f.inputs], f.local_grads)) == {"q": -4, "z": 3}


def test_single_expression_form_matches():
    g = build_graph("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    assert g.value == -12
    assert g.gradients() == {"x": -4, "y": -4, "z": 3}


@pytest.mark.parametrize("v", [1.0, -0.5, 2.0, 0.3])
def test_lecture_chain(v):
    ex = EXAMPLES["lecture_chain"]
    g = build_graph(ex["text"], {"v": v})
    x = 5 * v - 2
    y = 3 * x - 2
    assert g.variables == ["v"]
    assert node(g, "x").value == pytest.approx(x)
    assert node(g, "y").value == pytest.approx(y)
    assert g.value == pytest.approx(y**2)
    assert g.gradients()["v"] == pytest.approx(2 * y * 3 * 5)
    assert node(g, "y").grad == pytest.approx(2 * y)  # dz/dy
    assert node(g, "x").grad == pytest.approx(2 * y * 3)  # dz/dy * dy/dx
    if v == 1.0:
        assert (x, y, g.gradients()["v"]) == (3, 7, 210)


def test_newline_statements_and_indentation():
    g = build_graph("  q = x + y\n  f = q * z\n", {"x": -2, "y": 5, "z": -4})
    assert g.value == -12 and node(g, "q").grad == -4


# --- structure ------------------------------------------------------------------


def test_topological_inputs_first_and_depth():
    g = build_graph("q = x + y; f = q * z", EXAMPLES["lecture_fxyz"]["values"])
    assert [n.op for n in g.nodes[:3]] == ["input"] * 3
    for n in g.nodes:
        assert n.id == g.nodes.index(n)
        assert all(i < n.id for i in n.inputs)
        assert len(n.local_grads) == len(n.inputs)
        assert n.depth == (1 + max(g.nodes[i].depth for i in n.inputs) if n.inputs else 0)
    assert node(g, "f").depth == 2


@pytest.mark.parametrize(
    "text",
    [
        "q = x + y; f = q * z",
        "x = 5*v - 2; y = 3*x - 2; z = y**2",
        "a = x*x; b = exp(a) + a; c = b / (1 + a)",
        "x",
        "x*x + 3",
    ],
)
def test_backward_order(text):
    g = build_graph(text, {"x": 0.7, "y": 1.5, "z": -2.0, "v": 0.4})
    order = g.backward_order()
    assert order[0] == g.output
    assert sorted(order) == list(range(len(g.nodes)))
    pos = {nid: k for k, nid in enumerate(order)}
    for n in g.nodes:  # every consumer is visited before its operands
        for i in n.inputs:
            assert pos[n.id] < pos[i]


def test_constants_are_nodes_without_gradient_entry():
    g = build_graph("3 * x + 2", {"x": 1.0})
    consts = [n for n in g.nodes if n.op == "const"]
    assert sorted(n.label for n in consts) == ["2", "3"]
    assert g.gradients() == {"x": 3.0}


def test_reused_variable_accumulates():
    g = build_graph("x * x", {"x": 3.0})
    assert g.gradients() == {"x": 6.0}
    assert len([n for n in g.nodes if n.op == "input"]) == 1
    g = build_graph("a = x * y; b = a + x; c = b * a", {"x": 2.0, "y": -3.0})
    assert_matches_fd("a = x * y; b = a + x; c = b * a", {"x": 2.0, "y": -3.0})


def test_alias_and_bare_final_expression():
    g = build_graph("q = x + y; r = q; r * 2", {"x": 1.0, "y": 2.0})
    assert g.value == 6.0
    assert node(g, "q").op == "+" and node(g, "r").op == "="
    assert g.gradients() == {"x": 2.0, "y": 2.0}
    g = build_graph("c = 3; f = c * x", {"x": 2.0})
    assert node(g, "c").op == "const" and g.gradients() == {"x": 3.0}


def test_unary_and_to_dict_is_json():
    g = build_graph("-x + +y", {"x": 2.0, "y": 1.0})
    assert g.value == -1.0 and g.gradients() == {"x": -1.0, "y": 1.0}
    d = json.loads(json.dumps(g.to_dict()))
    assert d["output"] == g.output and d["gradients"] == {"x": -1.0, "y": 1.0}
    assert d["backward_order"][0] == g.output and len(d["nodes"]) == len(g.nodes)
    assert set(d["nodes"][0]) >= {"id", "op", "label", "inputs", "value", "grad", "local_grads", "depth"}


def test_parse_expression_free_variables():
    p = parse_expression("x = 5*v - 2; y = 3*x - 2; z = y**2")
    assert p.variables == ["v"] and p.assigned == ["x", "y", "z"] and p.output == "z"
    p = parse_expression("sigmoid(b + w * a) * w")
    assert p.variables == ["b", "w", "a"] and p.output is None


def test_missing_value_named():
    with pytest.raises(ChainRuleError, match="'z'"):
        build_graph("(x + y) * z", {"x": 1, "y": 2})


# --- gradients vs central finite differences -------------------------------------

OPERATOR_CASES = [
    ("x + y", None),
    ("x - y", None),
    ("x * y", None),
    ("x / y", "y_nonzero"),
    ("x ** 3", None),
    ("x ** y", "x_pos"),
    ("2 ** y", None),
    ("x ** 2.5", "x_pos"),
    ("x ** -2", "x_nonzero"),
    ("-x", None),
    ("exp(x)", None),
    ("log(x)", "x_pos"),
    ("sin(x)", None),
    ("cos(x)", None),
    ("tanh(x)", None),
    ("sigmoid(x)", None),
    ("relu(x)", "x_nonzero"),
    ("sigmoid(x * y) / (1 + exp(-y)) - log(1 + x ** 2)", None),
    ("a = tanh(x) * y; b = a ** 2 + sin(a); relu(b - 0.1) + cos(x * b)", None),
]


@pytest.mark.parametrize("text,cond", OPERATOR_CASES)
def test_gradients_match_finite_differences(text, cond):
    rng = random.Random(hash(text) & 0xFFFF)
    for _ in range(20):
        x, y = rng.uniform(-2, 2), rng.uniform(-2, 2)
        if cond == "x_pos":
            x = abs(x) + 0.1
        if cond == "y_nonzero" and abs(y) < 0.2 or cond == "x_nonzero" and abs(x) < 0.2:
            continue
        values = {v: {"x": x, "y": y}[v] for v in parse_expression(text).variables}
        assert_matches_fd(text, values, rel=1e-4, abs_=1e-5)


def test_exponent_gradient_formula():
    g = build_graph("a ** b", {"a": 2.0, "b": 3.0})
    assert g.gradients() == pytest.approx({"a": 3 * 2.0**2, "b": 8 * math.log(2.0)})


def test_hypothesis_random_points():
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies

    @hyp.settings(max_examples=60, deadline=None)
    @hyp.given(st.floats(-3, 3), st.floats(-3, 3), st.floats(0.1, 3))
    def check(x, y, p):
        text = "q = x * y + p; f = exp(sin(q)) * log(p) + tanh(x - y) ** 2 + p ** x / (1 + y ** 2)"
        assert_matches_fd(text, {"x": x, "y": y, "p": p}, rel=1e-4, abs_=1e-5)

    check()


# --- rejection messages ---------------------------------------------------------


@pytest.mark.parametrize(
    "text,shown",
    [
        ("__import__('os')", "__import__('os')"),
        ("a.b", "'a.b'"),
        ("a[0]", "'a[0]'"),
        ("lambda: 1", "'lambda: 1'"),
        ("f(x)", "'f(x)'"),
        ("x if y else z", "'x if y else z'"),
        ("'hello'", "hello"),
        ("x + os.system('ls')", "os.system('ls')"),
        ("x < y", "'x < y'"),
        ("exp(x, y=1)", "exp(x, y=1)"),
    ],
)
def test_rejects_disallowed_syntax(text, shown):
    with pytest.raises(ChainRuleError) as err:
        parse_expression(text)
    msg = str(err.value)
    assert shown in msg and "is not allowed" in msg and "column" in msg
    assert ALLOWED_MSG in msg


def test_reject_column_is_reported():
    with pytest.raises(ChainRuleError, match=r"'a\.b' is not allowed \(column 5\)"):
        parse_expression("x + a.b")
    with pytest.raises(ChainRuleError, match=r"line 2, column 5"):
        parse_expression("q = x\nf = a[0]")


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("import os", "is not allowed"),
        ("x = 1; del x", "is not allowed"),
        ("x +* y", "syntax error"),
        ("", "empty"),
        ("x ^ 2", r"use \*\*"),
        ("x + 1; y = x", "last statement"),
        ("a = b = 1", "name = expression"),
        ("x = 1; x = 2", "assigned twice"),
        ("y = x + 1; x = 2", "before it is assigned"),
        ("exp + 1", "is a function"),
        ("log(x, 2)", "exactly one argument"),
        ("x + True", "not allowed"),
        ("x += 1", "not allowed"),
        ("1e999 * x", "too large"),
        ("__x", "not allowed"),
    ],
)
def test_rejects_other(text, pattern):
    with pytest.raises(ChainRuleError, match=pattern):
        parse_expression(text)


def test_rejects_too_long_and_too_many_nodes():
    with pytest.raises(ChainRuleError, match="too long"):
        parse_expression("x + " * 600 + "x")
    with pytest.raises(ChainRuleError, match="too large"):
        parse_expression("+".join(["x"] * 150))
    parse_expression("+".join(["x"] * 100))  # 199 nodes: fine
    with pytest.raises(ChainRuleError):
        parse_expression("(" * 300 + "x" + ")" * 300)


def test_chain_rule_error_is_value_error():
    assert issubclass(ChainRuleError, ValueError)


# --- domain errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text,values,pattern",
    [
        ("log(x)", {"x": 0.0}, "log"),
        ("log(x)", {"x": -1.0}, "positive"),
        ("x / y", {"x": 1.0, "y": 0.0}, "division by zero"),
        ("1 / (x - x)", {"x": 2.0}, "division by zero"),
        ("exp(x)", {"x": 1000.0}, "overflow"),
        ("x * x * x", {"x": 1e200}, "overflow"),
        ("x ** 0.5", {"x": -4.0}, "negative base"),
        ("x ** y", {"x": -2.0, "y": 2.0}, "positive base"),
        ("x ** -1", {"x": 0.0}, "division by zero"),
        ("x ** 1000", {"x": 10.0}, "overflow"),
    ],
)
def test_domain_errors(text, values, pattern):
    with pytest.raises(ChainRuleError, match=pattern):
        build_graph(text, values)


def test_negative_base_integer_exponent_ok():
    g = build_graph("x ** 3", {"x": -2.0})
    assert g.value == -8.0 and g.gradients() == {"x": 12.0}
