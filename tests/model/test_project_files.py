"""Project files: examples load, save/load round trips, atomic saves, validation errors."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.data import data_prep
from model.io.project import ProjectError, load_project, project_from_dict, project_to_dict, save_project
from model.train.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))


def _train(project, epochs=5):
    """A few epochs in place: the project gets weights, scaler and history."""
    data = data_prep.prepare(project)
    net = project.network()
    tr = Trainer(net, data.X_train, data.train.T, project.training, data.X_val, data.val.T, task=data.task)
    tr.train(epochs)
    project.weights = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
    project.history = tr.history
    project.scaler = data.scaler
    return project


_TRAINED_XOR = None


def trained_xor_dict() -> dict:
    """A valid project dict with weights, scaler and history (built once)."""
    global _TRAINED_XOR
    if _TRAINED_XOR is None:
        p = load_project(ROOT / "resources" / "examples" / "xor_train.json")
        p.preprocessing = "standardize"
        _TRAINED_XOR = json.loads(json.dumps(project_to_dict(_train(p, 3))))
    return copy.deepcopy(_TRAINED_XOR)


def write(tmp_path, d, name="p.json") -> Path:
    path = tmp_path / name
    path.write_text(d if isinstance(d, str) else json.dumps(d), encoding="utf-8")
    return path


# ------------------------------------------------------------------ examples
def test_there_are_sixteen_examples():
    # + linear_neuron (issue 12); + overfitting, overfitting_l2, overfitting_early_stop, xor_feature_cross (issue 14)
    assert len(EXAMPLES) == 16


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_loads_and_round_trips(path, tmp_path):
    p = load_project(path)
    assert p.name and p.description
    d = project_to_dict(p)
    save_project(p, tmp_path / "copy.json")
    assert project_to_dict(load_project(tmp_path / "copy.json")) == d
    # the data fits the network
    data = data_prep.prepare(p)
    assert data.X_train.shape[1] == p.spec.layer_sizes[0]
    assert data.train.T.shape[1] == p.spec.layer_sizes[-1]


@pytest.mark.parametrize("name", ["xor_train", "iris", "eleven_points"])
def test_round_trip_with_weights_and_history(name, tmp_path):
    p = _train(load_project(ROOT / "resources" / "examples" / f"{name}.json"), epochs=4)
    d = project_to_dict(p)
    assert d["weights"] is not None and d["history"] is not None
    save_project(p, tmp_path / "t.json")
    q = load_project(tmp_path / "t.json")
    assert project_to_dict(q) == d
    for a, b in zip(p.weights[0] + p.weights[1], q.weights[0] + q.weights[1]):
        np.testing.assert_array_equal(a, b)
    assert len(q.history) == 4
    np.testing.assert_array_equal(q.history["train_loss"], p.history["train_loss"])
    np.testing.assert_array_equal(q.scaler.offset, p.scaler.offset)
    X = data_prep.prepare(q).X_train
    np.testing.assert_array_equal(q.network().predict(X), p.network().predict(X))


def test_hand_wired_example_has_weights_that_solve_xor():
    p = load_project(ROOT / "resources" / "examples" / "xor_hand_wired.json")
    assert p.weights is not None
    data = data_prep.prepare(p)
    Y = p.network().predict(data.X_train)
    np.testing.assert_array_equal((Y > 0.5).astype(float), data.train.T)


# ------------------------------------------------------------------ atomic save
def test_failed_replace_keeps_the_old_file(tmp_path, monkeypatch):
    p = load_project(EXAMPLES[0])
    target = tmp_path / "project.json"
    save_project(p, target)
    before = target.read_bytes()
    p.name = "changed"

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_project(p, target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert sorted(f.name for f in tmp_path.iterdir()) == ["project.json"]


def test_save_onto_a_directory_fails_cleanly(tmp_path):
    p = load_project(EXAMPLES[0])
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "dir.json" / "keep.txt").write_text("x")
    with pytest.raises(OSError):
        save_project(p, tmp_path / "dir.json")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["dir.json"]
    assert (tmp_path / "dir.json" / "keep.txt").read_text() == "x"


def test_unserialisable_project_keeps_the_old_file(tmp_path):
    p = _train(load_project(ROOT / "resources" / "examples" / "xor_train.json"), 1)
    target = tmp_path / "p.json"
    save_project(p, target)
    before = target.read_bytes()
    p.weights[0][0][0, 0] = np.nan  # json.dumps(allow_nan=False) refuses
    with pytest.raises(ValueError):
        save_project(p, target)
    assert target.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["p.json"]


def test_save_then_load_many_times_leaves_no_temp_files(tmp_path):
    p = load_project(EXAMPLES[0])
    for i in range(5):
        p.name = f"n{i}"
        save_project(p, tmp_path / "p.json")
    assert load_project(tmp_path / "p.json").name == "n4"
    assert [f.name for f in tmp_path.iterdir()] == ["p.json"]


# ------------------------------------------------------------------ malformed files
def _set(d, dotted, value):
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d[k]
    d[keys[-1]] = value
    return d


def _mutated(path, value):
    d = trained_xor_dict()
    _set(d, path, value)
    return d


def _bad_weight_shape():
    d = trained_xor_dict()
    d["weights"]["W"][1] = [[0.0, 0.0]] * 4  # (4, 2) instead of (4, 1)
    return d


def _softmax_mse():
    d = trained_xor_dict()
    d["network"].update(layer_sizes=[2, 4, 2], activations=["tanh", "softmax"], loss="mse")
    d["weights"] = d["history"] = None
    return d


def _unknown_field():
    d = trained_xor_dict()
    d["colour"] = "blue"
    return d


MALFORMED = {
    "not_json": ('{"format": "mlp-studio", ', "", "not valid JSON"),
    "not_an_object": ("[1, 2]", "", "JSON object"),
    "wrong_format": (_mutated("format", "keras"), "format", "mlp-studio"),
    "wrong_version": (_mutated("version", 3), "version", "not supported"),
    "unknown_field": (_unknown_field(), "colour", "unknown field"),
    "layer_sizes_type": (_mutated("network.layer_sizes", "2-4-1"), "network", "layer_sizes must be a list"),
    "hidden_size_zero": (
        _mutated("network.layer_sizes", [2, 0, 1]),
        "network",
        "hidden layer 1 has 0 neurons",
    ),
    "softmax_mse": (_softmax_mse(), "network", "softmax"),
    "weights_wrong_shape": (_bad_weight_shape(), "weights.W[1]", "expected shape (4, 1), got (4, 2)"),
    "nan_literal": (None, "", "NaN"),
    "val_fraction": (_mutated("data.val_fraction", 1.5), "data.val_fraction", "[0, 1)"),
    "data_kind": (_mutated("data.kind", "sql"), "data.kind", "builtin, csv, embedded"),
    "preprocessing": (_mutated("preprocessing.inputs", "whiten"), "preprocessing.inputs", "unknown method"),
    "scaler_size": (
        _mutated("preprocessing.scaler.offset", [0.0, 0.0, 0.0]),
        "preprocessing.scaler",
        "differ in length",
    ),
    "training_lr": (_mutated("training.lr", -1), "training.lr", "must be a number > 0"),
    "history_type": (_mutated("history", [1, 2]), "history", "object"),
    "history_event_empty": (_mutated("history.events", [[]]), "history.events[0]", ""),  # was an IndexError
    "history_event_text": (_mutated("history.events", ["ab"]), "history.events[0]", ""),
    "deeply_nested": ("[" * 100_000 + "]" * 100_000, "", "nested too deeply"),  # was a RecursionError
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_files_are_rejected_with_path_and_reason(case, tmp_path):
    content, want_path, want_reason = MALFORMED[case]
    if case == "nan_literal":
        content = json.dumps(trained_xor_dict()).replace('"lr": 2.0', '"lr": NaN', 1)
        assert "NaN" in content
    with pytest.raises(ProjectError) as ei:
        load_project(write(tmp_path, content))
    err = ei.value
    assert isinstance(err, ValueError)
    assert err.path == want_path, str(err)
    assert want_reason in err.reason, str(err)
    assert str(err) == (f"{err.path}: {err.reason}" if err.path else err.reason)
    assert "\n" not in str(err)


def test_missing_file_is_a_project_error(tmp_path):
    with pytest.raises(ProjectError, match="cannot open"):
        load_project(tmp_path / "nope.json")


def test_binary_file_is_a_project_error(tmp_path):
    path = tmp_path / "b.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ProjectError):
        load_project(path)


def test_relative_csv_path_resolves_next_to_the_project(tmp_path):
    (tmp_path / "pts.csv").write_text("a,b,t\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    d = trained_xor_dict()
    d["data"] = {
        "kind": "csv",
        "path": "pts.csv",
        "inputs": ["a", "b"],
        "targets": ["t"],
        "task": "classification",
    }
    p = load_project(write(tmp_path, d))
    assert Path(p.data.path) == tmp_path / "pts.csv"
    assert data_prep.prepare(p).train.n_samples == 4


# ------------------------------------------------------------------ fuzzing
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=12,
)


def _paths(node, prefix=()):
    """Every (container, key) location inside a JSON tree."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(prefix + (k,))
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            out.append(prefix + (i,))
            out += _paths(v, prefix + (i,))
    return out


_ALL_PATHS = None


def _all_paths():
    global _ALL_PATHS
    if _ALL_PATHS is None:
        _ALL_PATHS = _paths(trained_xor_dict())
    return _ALL_PATHS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_substitutions_load_or_raise_project_error(data):
    d = trained_xor_dict()
    for _ in range(data.draw(st.integers(1, 2), label="n_changes")):
        path = data.draw(st.sampled_from(_all_paths()), label="path")
        value = data.draw(json_values, label="value")
        node = d
        try:
            for k in path[:-1]:
                node = node[k]
            if data.draw(st.booleans(), label="delete") and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier substitution removed this location
    text = json.dumps(d)
    try:
        p = project_from_dict(json.loads(text))
    except ProjectError as e:
        assert isinstance(e.path, str) and isinstance(e.reason, str)
        return
    # whatever loads must save again and reload to the same document
    again = project_to_dict(p)
    assert project_to_dict(project_from_dict(json.loads(json.dumps(again, allow_nan=False)))) == again


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "format",
                "version",
                "name",
                "description",
                "network",
                "data",
                "preprocessing",
                "training",
                "weights",
                "history",
                "extra",
            ]
        ),
        json_values,
        max_size=6,
    )
)
def test_random_top_level_documents_raise_project_error(d):
    base = {"format": "mlp-studio", "version": 1}
    base.update(d)
    try:
        project_from_dict(json.loads(json.dumps(base)))
    except ProjectError:
        pass
