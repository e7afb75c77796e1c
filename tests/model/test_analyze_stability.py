"""mlp-studio analyze stability: the contract fields, exact on the linear neuron."""

import json

import numpy as np

from app.analyze_cli import main
from model.analysis.stability import lambda_max
from model.data import data_prep
from model.io.project import load_project


def _run(tmp_path, name):
    out = tmp_path / f"{name}.json"
    assert main(["analyze", "stability", f"resources/examples/{name}.json", "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_linear_neuron_is_exact(tmp_path):
    d = _run(tmp_path, "linear_neuron")
    p = load_project("resources/examples/linear_neuron.json")
    X = data_prep.prepare(p).X_train
    Xa = np.hstack([X, np.ones((len(X), 1))])
    want = np.linalg.eigvalsh(Xa.T @ Xa / len(X))[-1]
    assert abs(d["lambda_max"] - want) < 1e-10
    assert d["eta_limit"] == 2 / d["lambda_max"] and d["method"].startswith("exact")


def test_mlp_matches_the_model_and_states_its_accuracy(tmp_path):
    d = _run(tmp_path, "xor_train")
    p = load_project("resources/examples/xor_train.json")
    data = data_prep.prepare(p)
    r = lambda_max(p.network(), data.X_train, data.train.T)
    assert abs(d["lambda_max"] - r.lambda_max) < 1e-9
    assert {"lambda_max", "eta_limit", "method", "accuracy"} <= set(d)
    assert d["accuracy"] < 1e-6 and "power iteration" in d["method"]
    assert d["eta_lambda_max"] == p.training.lr * d["lambda_max"]


def test_bad_project_is_one_line(tmp_path, capsys):
    assert (
        main(["analyze", "stability", str(tmp_path / "missing.json"), "--json", str(tmp_path / "o.json")])
        != 0
    )
    err = capsys.readouterr().err
    assert err.startswith("mlp-studio: error:") and "Traceback" not in err
