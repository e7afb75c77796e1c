"""Engineered input features switched on and off in the window: the chips on
the canvas (2-D data) and the Input Features dialog (any data), each one undo
step that resizes the input layer and keeps the weights of inputs that stay."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer

from app.document import Document
from model.io.project import load_project

EX = "resources/examples/"


def _click(qtbot, chip):
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)


def test_xor_without_hidden_layer_needs_the_feature_cross(qtbot, make_window, tmp_path):
    w = make_window(Document(load_project(EX + "xor_feature_cross.json")))
    strip, doc = w.features.strip, w.doc
    assert list(strip.chips) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    assert [n for n, c in strip.chips.items() if c.isChecked()] == ["x1", "x2", "x1*x2"]
    assert strip.isVisible() and strip.geometry().bottom() < w.canvas.height()

    _click(qtbot, strip.chips["x1*x2"])  # off: the plain perceptron of the lecture
    assert doc.spec.layer_sizes == [2, 1] and doc.project.data.features is None
    assert w.canvas.layer_sizes == [2, 1] and not strip.chips["x1*x2"].isChecked()
    kept = doc.net.weights[0].copy()

    _click(qtbot, strip.chips["x1*x2"])  # on again: a third input node, one undo step
    assert doc.spec.layer_sizes == [3, 1] and doc.project.data.features == ["x1", "x2", "x1*x2"]
    assert doc.undo_stack.undoText().startswith("Input features: x₁, x₂, x₁·x₂")
    np.testing.assert_array_equal(doc.net.weights[0][:2], kept)  # x1, x2 keep their weights
    assert w.canvas.input_names() == ["x₁", "x₂", "x₁·x₂"]
    np.testing.assert_allclose(doc.data.X_train[:, 2], doc.data.train.X[:, 0] * doc.data.train.X[:, 1])
    # the x1*x2 input node's own neuron map: the product over the input plane
    w.docks["neuron_map"].show()
    w.docks["neuron_map"].raise_()
    w.canvas.nodeSelected.emit(0, 2)  # what a click on the input node sends
    nm = w.teaching.neuron_map
    qtbot.waitUntil(lambda: nm.values is not None and "x1*x2" in nm.title.text(), timeout=10_000)
    x0, x1, y0, y1 = nm.extent
    r = nm.values.shape[0]
    xs, ys = np.linspace(x0, x1, r), np.linspace(y0, y1, r)
    np.testing.assert_allclose(nm.values, ys[:, None] * xs[None, :], atol=1e-9)

    w.controller.play()
    qtbot.waitUntil(lambda: not w.controller.running and len(doc.history) > 0, timeout=60_000)
    assert doc.history["train_acc"][-1] == 1.0
    assert ((doc.net.predict(doc.data.X_train)[:, 0] > 0.5) == (doc.data.train.T[:, 0] > 0.5)).all()

    path = tmp_path / "cross.json"
    doc.save(path)
    again = load_project(path)
    assert again.data.features == ["x1", "x2", "x1*x2"] and again.spec.layer_sizes == [3, 1]

    doc.undo_stack.undo()
    assert doc.spec.layer_sizes == [2, 1] and doc.project.data.features is None
    assert [n for n, c in strip.chips.items() if c.isChecked()] == ["x1", "x2"]
    assert w.canvas.layer_sizes == [2, 1]

    # the same switches in the input layer's right-click menu
    menu = w.canvas.layer_context_menu(0)
    feats = next(a.menu() for a in menu.actions() if a.text() == "Input features")
    sin = next(a for a in feats.actions() if a.text() == "sin x₁")
    assert not sin.isChecked()
    sin.trigger()
    assert doc.project.data.features == ["x1", "x2", "sin(x1)"] and strip.chips["sin(x1)"].isChecked()
    assert w.canvas.layer_context_menu(1).actions()[0].text() != "Input features"  # the input layer only


def test_the_last_input_cannot_be_switched_off(qtbot, make_window):
    w = make_window(Document(load_project(EX + "xor_feature_cross.json")))
    strip, doc = w.features.strip, w.doc
    for name in ("x1*x2", "x2"):
        _click(qtbot, strip.chips[name])
    assert doc.spec.layer_sizes == [1, 1]
    depth = doc.undo_stack.count()
    _click(qtbot, strip.chips["x1"])
    assert "at least one input" in w.last_error
    assert doc.spec.layer_sizes == [1, 1] and doc.undo_stack.count() == depth
    assert strip.chips["x1"].isChecked()  # the chip shows the document again


def test_csv_data_products_and_powers_through_the_dialog(qtbot, make_window):
    w = make_window(Document(load_project(EX + "iris.json")))
    strip, doc = w.features.strip, w.doc
    assert not strip.chips and strip.more.isVisible() and strip.title.text() == "Inputs: 4"

    def fill():
        dlg = w.features.dialog
        names = dlg.all_names()
        item = dlg.list.item(names.index("petal_length*petal_width"))
        item.setCheckState(Qt.CheckState.Checked)
        dlg.entry.setText("nope*petal_width")
        dlg.add_typed()
        assert "no input column 'nope'" in dlg.error.text()
        dlg.entry.setText("petal_length^3")
        dlg.add_typed()
        dlg.ok.click()

    QTimer.singleShot(0, fill)
    qtbot.mouseClick(strip.more, Qt.MouseButton.LeftButton)
    want = ["sepal_length", "sepal_width", "petal_length", "petal_width", "petal_length*petal_width"]
    assert doc.project.data.features == want + ["petal_length^3"]
    assert doc.spec.layer_sizes[0] == 6 and strip.title.text() == "Inputs: 6"
    X = doc.data.train.X
    raw = np.column_stack([X, X[:, 2] * X[:, 3], X[:, 2] ** 3])
    np.testing.assert_allclose(doc.data.X_train, doc.data.scaler.transform(raw))
    doc.undo_stack.undo()
    assert doc.spec.layer_sizes[0] == 4 and doc.project.data.features is None
