"""The project file's text: the same JSON values as before, lists of numbers on one line,
encoded a bounded chunk at a time (model/io/project_encode.py)."""

import json

import numpy as np

import model.io.project_encode as enc
from model.io.project import DataSource, Project, load_project, project_to_dict, save_project
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.history import History

EPOCHS = 5000


def _project() -> Project:
    spec = NetworkSpec([2, 3, 2], ["tanh", "sigmoid"], loss="mse")
    h, rng = History(spec.n_layers), np.random.default_rng(1)
    for e in range(EPOCHS):
        rec = {"epoch": e + 1, "train_loss": float(rng.random()), "updates": e + 1, "lr": 0.1}
        h.add_epoch(rec, rng.random(2), rng.random(2))  # val_loss etc. stay NaN: null in the file
        h.add_update(float(rng.random()), 0.1)
    h.mark("note", 'a note with "], [" and a newline\nin it')
    X = rng.random((7, 2)).tolist()
    T = rng.random((7, 2)).tolist()
    names = {"inputs": ["x1", "x2"], "targets": ["a", "b"]}
    data = DataSource(kind="embedded", X=X, T=T, task="regression", names=names)
    net = Network(spec)
    return Project(spec=spec, data=data, weights=(net.weights, net.biases), history=h, name="enc")


def test_the_file_holds_the_same_json_values_and_loads_back(tmp_path):
    p = _project()
    path = tmp_path / "p.json"
    save_project(p, path)
    assert json.loads(path.read_text()) == json.loads(json.dumps(project_to_dict(p)))
    back = load_project(path)
    assert np.array_equal(back.history["train_loss"], p.history["train_loss"])
    assert np.isnan(back.history["val_loss"]).all()
    assert np.array_equal(back.history.grad_norms.values, p.history.grad_norms.values)
    assert back.history.events == p.history.events
    assert all(np.array_equal(a, b) for a, b in zip(back.weights[0], p.weights[0]))
    assert back.data.X == p.data.X and back.data.names == p.data.names


def test_lists_of_numbers_are_one_line_and_matrices_one_row_a_line(tmp_path):
    path = tmp_path / "p.json"
    save_project(_project(), path)
    lines = path.read_text().splitlines()
    # indent=1 put every number on its own line: ~11 per epoch
    assert len(lines) < 2 * EPOCHS + 200
    epoch_line = next(line for line in lines if line.startswith('  "epoch": ['))
    assert epoch_line.endswith("],") and epoch_line.count(",") == EPOCHS  # 5000 values, one line
    start = lines.index('  "grad_norms": [')
    rows = lines[start + 1 : start + 1 + EPOCHS]
    assert all(r.startswith("   [") and r.count(",") in (1, 2) for r in rows)  # "[a, b]," one a line
    assert lines[0] == "{" and lines[1] == ' "format": "mlp-studio",'  # structure still indented


def test_the_encoder_takes_bounded_chunks(monkeypatch):
    """Each encoder call gets at most CHUNK values: a saving thread hands the GIL back in between."""
    sizes = []
    real = json.dumps

    def counting(v, **kw):
        if isinstance(v, list):
            sizes.append(sum(len(x) if isinstance(x, list) else 1 for x in v))
        return real(v, **kw)

    monkeypatch.setattr(enc.json, "dumps", counting)
    enc.encode_project(_project())
    assert max(sizes) <= enc.CHUNK
    assert sum(sizes) >= 11 * EPOCHS  # the whole history went through it
