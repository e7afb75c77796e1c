"""Predict-then-reveal: the quiz grades right and wrong answers against the model's numbers."""

import math

import numpy as np
import pytest

from model.data import data_prep
from model.io.project import load_project
from model.teaching.quiz import Quiz, grade, parse_answer, question_for
from model.teaching.stepthrough import StepThrough


def _walk(name, pattern=0):
    p = load_project(f"resources/examples/{name}.json")
    d = data_prep.prepare(p)
    net = p.network()
    return StepThrough(net, d.X_train, d.train.T, [pattern], p.training.lr), net, d, p


@pytest.mark.parametrize("name", ["backprop_table", "xor_train", "xor_hand_wired"])
def test_every_stage_asks_the_models_number(name):
    st, net, d, p = _walk(name, 1)
    tr = net.forward(d.X_train[1:2])
    bw = net.backward(tr, d.train.T[1:2])
    quiz = Quiz()
    asked = 0
    for k, stage in enumerate(st.stages):
        q = question_for(stage, k, None, eta=p.training.lr)
        if stage.kind in ("input", "new_weights"):
            assert q is None
            continue
        asked += 1
        if stage.kind == "forward":
            assert q.quantity == "V" and q.truth == tr.V[stage.layer][0, 0]
        elif stage.kind in ("output_error", "backward"):
            assert q.quantity == "δ" and q.truth == bw.deltas[stage.layer - 1][0, 0]
        else:
            assert q.quantity == "Δw" and q.truth == -p.training.lr * bw.grad_W[-1][0, 0]
        assert quiz.answer(q, f"{q.truth:.6g}").correct
        assert quiz.is_answered(q) and quiz.is_answered(None)
    assert quiz.asked == asked and quiz.right == asked
    assert quiz.score_text() == f"score: {asked} of {asked} right (100 %)"


def test_wrong_answers_and_the_selected_node_and_edge():
    st, net, d, p = _walk("backprop_table", 0)
    eta = p.training.lr
    fwd = next(k for k, s in enumerate(st.stages) if s.kind == "forward" and s.layer == 1)
    q = question_for(st.stages[fwd], fwd, ("node", 1, 1))
    V = net.forward(d.X_train[:1]).V[1][0, 1]
    assert q.symbol == "V₂⁽¹⁾" and q.truth == V
    quiz = Quiz()
    g = quiz.answer(q, f"{-V:.4f}")  # sign slip
    assert not g.correct and "Not quite" in g.message
    assert not quiz.answer(q, f"{V:.6f}").correct or quiz.right == 0  # the first answer counts
    assert quiz.asked == 1 and quiz.right == 0
    # the update stage: Δw of a selected edge and Δθ of a selected node, Algorithm 4's formulas
    k = next(k for k, s in enumerate(st.stages) if s.kind == "update")
    stage = st.stages[k]
    bw = net.backward(net.forward(d.X_train[:1]), d.train.T[:1])
    Vin = d.X_train[0]
    qe = question_for(stage, k, ("edge", 0, 1, 0), eta=eta)  # w₁₂⁽¹⁾: input 2 → hidden 1
    assert qe.symbol == "Δw₁₂⁽¹⁾"
    assert math.isclose(qe.truth, eta * bw.deltas[0][0, 0] * Vin[1], rel_tol=1e-12, abs_tol=1e-15)
    qn = question_for(stage, k, ("node", 2, 1), eta=eta)
    assert qn.quantity == "Δθ" and math.isclose(qn.truth, -eta * bw.deltas[1][0, 1], rel_tol=1e-12)
    assert "−η·δ₂⁽²⁾" in qn.formula
    assert quiz.answer(qn, str(qn.truth * 1.005)).correct  # within 1 %
    assert not quiz.answer(qe, str(qe.truth * 1.05 + 0.01)).correct
    assert quiz.asked == 3 and quiz.right == 1


def test_grade_tolerance_and_parsing():
    assert grade("0.5", 0.5).correct and grade("0,5", 0.5).correct and grade("−0.25", -0.25).correct
    assert grade("0.101", 0.1, rtol=0.01).correct and not grade("0.102", 0.1, rtol=0.01).correct
    assert grade("0.102", 0.1, rtol=0.05).correct  # configurable
    assert grade("0", 1e-5).correct  # atol for values that are nearly 0
    bad = grade("__import__('os')", 1.0)
    assert not bad.correct and bad.value is None and "not a number" in bad.message
    assert parse_answer("1e-3") == 1e-3 and parse_answer("nan") is None and parse_answer("") is None
    assert np.isinf(grade("abc", 2.0).rel_error)


def test_teacher_mode_shows_everything():
    st, *_ = _walk("xor_train")
    q = question_for(st.stages[1], 1)
    quiz = Quiz()
    assert not quiz.is_answered(q)
    quiz.teacher = True
    assert quiz.is_answered(q) and quiz.asked == 0


def test_score_carries_over_walks():
    st, *_ = _walk("xor_train")
    quiz = Quiz()
    q = question_for(st.stages[1], 1)
    quiz.answer(q, f"{q.truth:.6g}")
    quiz.new_round()
    assert not quiz.is_answered(q)  # the same stage of a new walk is a new question
    quiz.answer(q, "12345")
    assert (quiz.right, quiz.asked) == (1, 2)
    quiz.reset()
    assert quiz.asked == 0
