"""Import and export from the main window: CSV data, ONNX, diagram, plots, everything."""

import json
import stat

import numpy as np
import pytest

from model.data.datasets import datasets_dir


def test_import_penguins_csv_one_hot_and_layers_follow(win):
    def choose(dlg):
        for col in ("island", "sex", "bill_length_mm", "flipper_length_mm"):
            dlg.set_role(col, "input")
        for col in ("bill_depth_mm", "body_mass_g", "year"):
            dlg.set_role(col, "ignore")
        dlg.set_role("species", "target")
        assert dlg.ok_button.isEnabled()
        return True

    assert win.io.import_csv(str(datasets_dir() / "penguins.csv"), dialog_cb=choose)
    ds = win.doc.data.train
    assert "island=Biscoe" in ds.feature_names and "sex=male" in ds.feature_names
    assert win.doc.spec.layer_sizes[0] == ds.n_inputs == 2 + 3 + 2
    assert win.doc.spec.layer_sizes[-1] == 3 and win.doc.spec.activations[-1] == "softmax"
    win.acts["undo"].trigger()  # one undo step restores the XOR data and network
    assert win.doc.spec.layer_sizes == [2, 4, 1] and win.doc.data.train.n_inputs == 2


def test_bad_csv_changes_nothing(win, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,t\n1,2,0\n3,4\n")

    def try_accept(dlg):
        assert not dlg.ok_button.isEnabled() and "line 3" in dlg.error_text()
        return False

    assert not win.io.import_csv(str(bad), dialog_cb=try_accept)
    assert win.doc.spec.layer_sizes == [2, 4, 1] and win.doc.undo_stack.count() == 0


def test_export_everything_after_training(win, qtbot, tmp_path):
    win.doc.open_example("iris")
    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 1, timeout=20_000)
    paths = win.io.export_all(str(tmp_path / "out"))
    names = {p.name for p in paths}
    assert {"weights.npz", "weights.json", "history.csv", "diagram.svg", "diagram.png", "README.md"} <= names
    with np.load(tmp_path / "out" / "weights.npz", allow_pickle=False) as z:
        assert np.array_equal(z["W1"], win.doc.net.weights[0])
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "weights.npz" in readme and "adam" in readme
    # files are readable by others like any normally written file (not mkstemp's 0600)
    assert (tmp_path / "out" / "weights.npz").stat().st_mode & stat.S_IRGRP


def test_export_onnx_agrees_with_the_network(win, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    win.doc.open_example("iris")
    assert win.io.export_onnx_file(str(tmp_path / "m.onnx"))
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"))
    X = win.doc.data.train.X[:10].astype(np.float32)  # raw units: scaling is inside the model
    got = sess.run(None, {"x": X})[0]
    want = win.doc.net.predict(win.doc.data.scaler.transform(X))
    assert np.allclose(got, want, atol=1e-5)


def test_predict_tab_matches_the_network(win):
    win.doc.open_example("iris")
    win.show_panel("predict")
    panel = win.plots.panels["predict"]
    x = win.doc.data.train.X[5]
    for name, v in zip(win.doc.data.train.feature_names, x):
        panel.set_text(name, repr(float(v)))
    panel.predict()
    want = win.doc.net.predict(win.doc.data.scaler.transform(x[None]))[0]
    assert np.allclose(panel.probabilities(), want, atol=1e-9)


def test_diagram_and_plot_exports(win, tmp_path):
    assert win.io.export_diagram_file(str(tmp_path / "net.svg"))
    assert "Hidden" in (tmp_path / "net.svg").read_text()
    paths = win.io.export_current_plots(str(tmp_path))
    assert any(p.suffix == ".csv" for p in paths) and any(p.suffix == ".svg" for p in paths)
    json.dumps([str(p) for p in paths])


def test_new_data_starts_a_new_history_and_undo_restores_it(win, qtbot):
    from model.io.project import DataSource

    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 1, timeout=20_000)
    old = win.doc.history
    win.edits.set_data(DataSource(kind="builtin", name="moons", params={"n": 50}), "none")
    assert len(win.doc.history) == 0
    win.acts["undo"].trigger()
    assert win.doc.history is old and len(win.doc.history) == 1


def test_csv_import_over_iris_leaves_nothing_of_iris_behind(win, tmp_path):
    """Before: 'Task: unknown, 5 inputs → 1 output', 'Samples n 150', title and README 'Iris flowers'."""
    win.doc.open_example("iris")
    old_name = win.doc.project.name

    def choose(dlg):
        for col in ("island", "sex", "bill_length_mm", "flipper_length_mm", "body_mass_g"):
            dlg.set_role(col, "input")
        for col in ("bill_depth_mm", "year"):
            dlg.set_role(col, "ignore")
        dlg.set_role("species", "target")
        return True

    assert win.io.import_csv(str(datasets_dir() / "penguins.csv"), dialog_cb=choose)
    d = win.doc
    assert d.project.data.task == "classification"
    n_in = d.data.train.n_inputs
    assert win.data_panel.info.text() == f"Task: classification, {n_in} inputs → 3 outputs"
    assert win.data_panel.n_spin.value() == len(d.data.train) + len(d.data.val)
    assert "penguins" in d.project.name and "Iris" not in d.project.name
    text = win.io.settings_text()
    assert old_name not in text and '"task": "classification"' in text
    win.acts["undo"].trigger()
    assert d.project.name == old_name
