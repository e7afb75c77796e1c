"""Challenges: the goal grammar (never eval), locks and limits, the checker and the result file."""

import json
import math

import pytest

from model.data import data_prep
from model.io.project import load_project, project_to_dict
from model.teaching.challenge import (
    Challenge,
    GoalError,
    check_goal,
    lock_values,
    lock_violations,
    measure,
    parse_goal,
    project_hash,
    result_record,
)


def test_goal_grammar():
    cs = parse_goal("val_acc >= 95% and hidden_neurons <= 12")
    assert [(c.metric, c.op, c.value) for c in cs] == [
        ("val_acc", ">=", 0.95),
        ("hidden_neurons", "<=", 12.0),
    ]
    cs = parse_goal("validation_accuracy ≥ 90, train_loss < 1e-2 && data = spiral")
    assert [(c.metric, c.op, c.value) for c in cs] == [
        ("val_acc", ">=", 0.9),
        ("train_loss", "<", 0.01),
        ("data", "==", "spiral"),
    ]
    for bad, why in [
        ("", "empty"),
        ("val_acc >=", "incomplete"),
        ("val_acc >= 95% or hidden_neurons < 3", "expected 'and'"),
        ("speed >= 3", "unknown quantity"),
        ("train_loss >= 5%", "% only"),
        ("__import__('os').system('rm -rf /')", "cannot read"),
        ("val_acc >= 0.9 and", "nothing after"),
        ("val_acc ~ 3", "cannot read"),
    ]:
        with pytest.raises(GoalError, match=why):
            parse_goal(bad)


def test_checker_passes_and_fails():
    ch = Challenge(goal="val_acc >= 95% and hidden_neurons <= 12")
    ok, rows = check_goal(ch, {"val_acc": 0.96, "hidden_neurons": 12})
    assert ok and all(r["passed"] for r in rows)
    ok, rows = check_goal(ch, {"val_acc": 0.949, "hidden_neurons": 12})
    assert not ok and [r["passed"] for r in rows] == [False, True]
    ok, rows = check_goal(ch, {"val_acc": math.nan, "hidden_neurons": 4})  # no validation split: not met
    assert not ok and rows[0]["actual"] is None


def test_locks_and_limits_on_a_real_project():
    p = load_project("resources/examples/spiral.json")
    locks = lock_values(p, ["data", "optimizer", "activations"])
    ch = Challenge(
        goal="val_acc >= 95%", locks=locks, limits={"max_hidden_neurons": 12, "max_hidden_layers": 2}
    )
    v = lock_violations(ch, p)  # the example has 4 × 16 hidden neurons
    assert v == [
        "at most 12 hidden neurons are allowed (this network has 64)",
        "at most 2 hidden layers are allowed (this network has 4)",
    ]
    p.spec = p.spec.replace(layer_sizes=[2, 8, 4, 1], activations=["tanh", "tanh", "sigmoid"])
    assert lock_violations(ch, p) == ["activation functions: locked by the challenge"]
    p = load_project("resources/examples/spiral.json")
    p.spec = p.spec.replace(layer_sizes=[2, 6, 6, 1], activations=["tanh", "tanh", "sigmoid"])
    ch = Challenge(goal="val_acc >= 95%", locks=lock_values(p, ["data", "optimizer", "activations"]))
    assert lock_violations(ch, p) == []
    p.training.optimizer = "sgd" if p.training.optimizer != "sgd" else "adam"
    assert lock_violations(ch, p) == ["optimizer and its hyper-parameters: locked by the challenge"]


def test_round_trip_and_result_file():
    p = load_project("resources/examples/xor_train.json")
    ch = Challenge(
        goal="train_acc >= 100% and hidden_neurons <= 4",
        title="XOR",
        hint="tanh",
        locks=lock_values(p, ["data"]),
    )
    again = Challenge.from_dict(json.loads(json.dumps(ch.to_dict())))
    assert again.to_dict() == ch.to_dict()
    with pytest.raises(ValueError, match="unknown control"):
        Challenge.from_dict({"goal": "epochs > 1", "locks": {"wifi": 1}})
    d = data_prep.prepare(p)
    net = p.network()
    fig = measure(p, net, d, epochs_trained=0)
    assert fig["hidden_neurons"] == 4 and fig["data"] == "xor" and 0 <= fig["train_acc"] <= 1
    pd = project_to_dict(p)
    rec = result_record(ch, pd, fig, "2026-12-01T20:00:00Z")
    text = json.dumps(rec, allow_nan=False)
    back = json.loads(text)
    assert back["project_sha256"] == project_hash(pd) and len(back["project_sha256"]) == 64
    assert back["passed"] == (fig["train_acc"] >= 1.0)
    assert back["settings"]["network"]["layer_sizes"] == [2, 4, 1]
    pd2 = json.loads(json.dumps(pd))
    pd2["training"]["lr"] = 0.3
    assert project_hash(pd2) != project_hash(pd)


def test_project_file_challenge_section_is_optional_and_validated(tmp_path):
    from model.io.project import ProjectError, save_project

    p = load_project("resources/examples/xor_train.json")
    assert p.challenge is None  # older files load without one
    p.challenge = Challenge(
        goal="train_acc >= 100%", hint="4 tanh units", locks=lock_values(p, ["data", "lr"])
    )
    save_project(p, tmp_path / "c.json")
    q = load_project(tmp_path / "c.json")
    assert q.challenge.to_dict() == p.challenge.to_dict()
    d = json.loads((tmp_path / "c.json").read_text())
    d["challenge"]["goal"] = "val_acc >= 95% or 1"
    (tmp_path / "bad.json").write_text(json.dumps(d))
    with pytest.raises(ProjectError, match="challenge: goal: expected 'and'"):
        load_project(tmp_path / "bad.json")
