"""Worksheets: the answer key equals the step-through values; the blank sheet holds none of them."""

import json
import math

import numpy as np
import pytest

from app.worksheet_cli import main as worksheet_main
from model.data import data_prep
from model.io.project import load_project
from model.teaching.stepthrough import StepThrough
from model.teaching.worksheet import BLANK, answer_values, fmt, worksheet_data, worksheet_markdown

EX = "resources/examples/"


def _prepared(name):
    p = load_project(EX + name + ".json")
    return p, data_prep.prepare(p)


@pytest.mark.parametrize("name", ["backprop_table", "xor_train"])
def test_answer_key_equals_stepthrough_values(name):
    p, d = _prepared(name)
    net = p.network()
    k = 1
    data = worksheet_data(net, d.X_train, d.train.T, [k], p.training.lr)
    st = StepThrough(net, d.X_train, d.train.T, [k], p.training.lr)
    assert data["pattern"] == k + 1 and data["eta"] == p.training.lr
    fwd_stages = [s for s in st.stages if s.kind == "forward"]
    last = fwd_stages[-1]
    for e in data["forward"]:
        assert e["V"] == last.node_values[e["layer"]][e["node"] - 1]
        if e["layer"]:
            assert e["b"] == last.b[e["layer"]][e["node"] - 1]
    back = [s for s in st.stages if s.kind in ("output_error", "backward")][-1]
    for e in data["deltas"]:
        assert e["delta"] == back.deltas[e["layer"]][e["node"] - 1]
    upd = next(s for s in st.stages if s.kind == "update")
    for e in data["weight_changes"]:  # Δw_ij^(ℓ): to i of layer ℓ from j of layer ℓ−1
        assert e["dw"] == upd.delta_W[e["layer"] - 1][e["from"] - 1, e["to"] - 1]
    for e in data["threshold_changes"]:
        assert e["dtheta"] == upd.delta_theta[e["layer"] - 1][e["node"] - 1]
    # Algorithm 4 by hand: Δw = η·δ_i·V_j, Δθ = −η·δ_i, δ^(L) = g'(b)(t − V)
    V = {(e["layer"], e["node"]): e["V"] for e in data["forward"]}
    de = {(e["layer"], e["node"]): e["delta"] for e in data["deltas"]}
    eta = p.training.lr
    for e in data["weight_changes"]:
        assert math.isclose(
            e["dw"], eta * de[(e["layer"], e["to"])] * V[(e["layer"] - 1, e["from"])], abs_tol=1e-15
        )
    for e in data["threshold_changes"]:
        assert math.isclose(e["dtheta"], -eta * de[(e["layer"], e["node"])], abs_tol=1e-15)
    L = len(p.spec.layer_sizes) - 1
    t = d.train.T[k]
    for e in data["derivatives"]:
        if e["layer"] == L:
            want = e["gprime"] * (t[e["node"] - 1] - V[(L, e["node"])])
            assert math.isclose(de[(L, e["node"])], want, rel_tol=1e-12)


def test_blank_sheet_contains_no_answer_and_key_contains_all():
    p, d = _prepared("xor_train")
    data = worksheet_data(p.network(), d.X_train, d.train.T, [2], p.training.lr)
    key, blank = worksheet_markdown(data), worksheet_markdown(data, blank=True)
    givens = {fmt(e["w"]) for e in data["given"]["weights"]} | {
        fmt(e["theta"]) for e in data["given"]["thresholds"]
    }
    answers = {fmt(v) for v in answer_values(data)} - givens - {"0", "1", "-1"}
    assert len(answers) > 20
    for a in answers:
        assert a not in blank, a
        assert a in key, a
    assert blank.count(BLANK) == len(answer_values(data))
    for g in givens:  # the givens are on both sheets
        assert g in blank


def test_batch_worksheet_averages_over_the_patterns():
    p, d = _prepared("xor_train")
    net = p.network()
    data = worksheet_data(net, d.X_train, d.train.T, range(4), p.training.lr)
    assert data["pattern"] == "all" and data["patterns"] == [1, 2, 3, 4]
    eta = p.training.lr
    for e in data["weight_changes"]:
        terms = [
            de["delta"] * v["V"]
            for de in data["deltas"]
            for v in data["forward"]
            if de["layer"] == e["layer"]
            and de["node"] == e["to"]
            and v["layer"] == e["layer"] - 1
            and v["node"] == e["from"]
            and v["pattern"] == de["pattern"]
        ]
        assert len(terms) == 4
        assert math.isclose(e["dw"], eta * np.mean(terms), rel_tol=1e-9, abs_tol=1e-15)


def test_cli_writes_json_and_markdown(tmp_path, capsys):
    out = tmp_path / "w.json"
    assert (
        worksheet_main(
            ["worksheet", EX + "backprop_table.json", "--pattern", "2", "--format", "json", "--out", str(out)]
        )
        == 0
    )
    data = json.loads(out.read_text())
    assert data["pattern"] == 2
    for key in ("eta", "forward", "deltas", "weight_changes", "threshold_changes"):
        assert key in data
    assert {"layer", "node", "b", "V"} <= set(data["forward"][0]) and data["forward"][0]["layer"] == 0
    assert {"layer", "to", "from", "dw"} <= set(data["weight_changes"][0])
    md = tmp_path / "w.md"
    assert (
        worksheet_main(
            ["worksheet", EX + "backprop_table.json", "--pattern", "2", "--out", str(md), "--blank"]
        )
        == 0
    )
    assert BLANK in md.read_text() and "$$" in md.read_text()
    assert worksheet_main(["worksheet", EX + "backprop_table.json", "--pattern", "0", "--out", str(md)]) == 1
    err = capsys.readouterr().err
    assert "mlp-studio: error: --pattern must be from 1 to 3" in err and "Traceback" not in err


def test_blank_json_has_no_answers():
    from model.teaching.worksheet import worksheet_text

    p, d = _prepared("backprop_table")
    data = worksheet_data(p.network(), d.X_train, d.train.T, [0], p.training.lr)
    blank = json.loads(worksheet_text(data, "json", blank=True))
    assert all(e["dw"] is None for e in blank["weight_changes"])
    assert all(e["delta"] is None for e in blank["deltas"])
    assert [e["V"] for e in blank["forward"] if e["layer"] == 0] == [0.0, 0.0]  # the input is given
    assert blank["given"] == data["given"]
    assert json.loads(worksheet_text(data, "json")) == data
