"""The GUI fields for a hidden layer's dropout rate (inspector, a hidden node
selected) and the data's test fraction (data form): typed as a person would,
one undo step each, saved, validated, and used by the trainer."""

from __future__ import annotations

from qt_helpers import type_text

from app.document import Document
from model.io.project import load_project

EX = "resources/examples/"


def test_dropout_rate_typed_in_the_inspector(qtbot, make_window, tmp_path):
    w = make_window(Document(load_project(EX + "xor_train.json")))
    doc, ins = w.doc, w.inspector
    assert len(doc.spec.layer_sizes) == 3 and doc.spec.dropout_rates == [0.0]
    w.canvas.select_node(1, 0)
    w.canvas.nodeSelected.emit(1, 0)  # what a click on the node sends
    assert ins.stack.currentIndex() == 2 and ins._node_form.isRowVisible(ins.dropout_spin)
    weights = [x.copy() for x in doc.net.weights]
    type_text(qtbot, ins.dropout_spin, "0.25")
    assert doc.spec.dropout == [0.25] and doc.net.spec.dropout == [0.25]  # the trainer reads net.spec
    assert all((a == b).all() for a, b in zip(doc.net.weights, weights))  # weights kept
    assert doc.undo_stack.undoText() == "Layer 1: dropout 0.25"
    assert ins.stack.currentIndex() == 2  # the node stays inspected: the field does not jump away
    path = tmp_path / "drop.json"
    doc.save(path)
    assert load_project(path).spec.dropout == [0.25]
    doc.undo_stack.undo()
    assert doc.spec.dropout_rates == [0.0] and ins.dropout_spin.value() == 0.0
    doc.undo_stack.redo()
    assert ins.dropout_spin.value() == 0.25
    # input and output nodes have no dropout row; a rate of 1 is refused with one line
    w.canvas.nodeSelected.emit(0, 0)
    assert not ins._node_form.isRowVisible(ins.dropout_spin)
    assert ins.dropout_spin.maximum() < 1
    depth = doc.undo_stack.count()
    assert w.apply_edit(w.edits.set_dropout, 1, 1.0) is None
    assert "below 1" in w.last_error and doc.undo_stack.count() == depth
    assert w.apply_edit(w.edits.set_dropout, 2, 0.5) is None and "hidden layers only" in w.last_error


def test_dropout_edit_pauses_a_running_training(qtbot, make_window):
    p = load_project(EX + "xor_train.json")
    p.training.epochs, p.training.target_loss = 10_000_000, None
    w = make_window(Document(p))
    w.canvas.nodeSelected.emit(1, 0)
    w.controller.play()
    qtbot.waitUntil(lambda: len(w.doc.history) > 2, timeout=60_000)
    type_text(qtbot, w.inspector.dropout_spin, "0.5")
    assert w.doc.spec.dropout == [0.5] and not w.controller.running
    assert "training paused" in w.statusBar().currentMessage()
    w.controller.play()  # the next run trains the thinned network
    qtbot.waitUntil(lambda: w.controller.running, timeout=10_000)
    w.controller.pause()
    qtbot.waitUntil(lambda: not w.controller.running, timeout=30_000)


def test_test_fraction_typed_in_the_data_form(qtbot, make_window, tmp_path):
    w = make_window(Document(load_project(EX + "overfitting_l2.json")))
    doc, panel = w.doc, w.data_panel
    n = len(doc.data.train) + len(doc.data.val) + len(doc.data.test)
    start = doc.project.data.test_fraction
    assert panel.test_spin.value() == start
    type_text(qtbot, panel.test_spin, "0.3")
    assert doc.project.data.test_fraction == 0.3
    assert (
        len(doc.data.test) == round(0.3 * n)
        and len(doc.data.train) + len(doc.data.val) + len(doc.data.test) == n
    )
    assert doc.undo_stack.undoText() == "Change data"
    path = tmp_path / "t.json"
    doc.save(path)
    assert load_project(path).data.test_fraction == 0.3
    doc.undo_stack.undo()
    assert doc.project.data.test_fraction == start and panel.test_spin.value() == start
    # validation + test must leave room for training: refused, nothing pushed, the form shows the document
    depth = doc.undo_stack.count()
    type_text(qtbot, panel.test_spin, "0.9")
    assert "must be below 1" in w.last_error
    assert doc.undo_stack.count() == depth and doc.project.data.test_fraction == start
    assert panel.test_spin.value() == start
