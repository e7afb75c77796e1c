"""The main window driven as a person would: edits, undo, training, files."""

import json
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from app.document import Document, example_path
from app.main_window import MainWindow


@pytest.fixture
def win(make_window, monkeypatch):
    w = make_window()
    monkeypatch.setattr(w.files, "confirm_discard", lambda: True)
    return w


def _menu_action(menu, text):
    """The action called ``text`` in a menu or any of its submenus."""
    for a in menu.findChildren(QAction):
        if a.text().replace("&", "") == text:
            return a
    return None


def test_build_2_4_4_1_through_canvas_and_undo_every_edit(win):
    doc, cv = win.doc, win.canvas
    assert doc.spec.layer_sizes == [2, 4, 1]
    # add a hidden layer after hidden layer 1 from the layer's context menu
    menu = cv.layer_context_menu(1)
    _menu_action(menu, "Add hidden layer after").trigger()
    assert doc.spec.layer_sizes == [2, 4, 4, 1]
    # widen and narrow it with the +/− handles
    minus, plus = cv.width_handles(2)
    plus.clicked.emit()
    assert doc.spec.layer_sizes[2] == 5
    cv.width_handles(2)[0].clicked.emit()  # handles are rebuilt with the network
    # change its activation from the menu
    menu = cv.layer_context_menu(2)  # keep the menu alive while its action runs
    _menu_action(menu, "relu").trigger()
    assert doc.spec.layer_sizes == [2, 4, 4, 1]
    assert doc.spec.activations == ["tanh", "relu", "sigmoid"]
    assert [w.shape for w in doc.net.weights] == [(2, 4), (4, 4), (4, 1)]
    # undo everything step by step, then redo
    stack = doc.undo_stack
    n = stack.count()
    assert n == 4
    for _ in range(n):
        win.acts["undo"].trigger()
    assert doc.spec.layer_sizes == [2, 4, 1] and doc.spec.activations == ["tanh", "sigmoid"]
    for _ in range(n):
        win.acts["redo"].trigger()
    assert doc.spec.layer_sizes == [2, 4, 4, 1] and doc.spec.activations == ["tanh", "relu", "sigmoid"]
    # removing a layer is one undo step too
    menu = cv.layer_context_menu(2)
    _menu_action(menu, "Remove layer").trigger()
    assert doc.spec.layer_sizes == [2, 4, 1]
    win.acts["undo"].trigger()
    assert doc.spec.layer_sizes == [2, 4, 4, 1]
    # the canvas followed every change
    assert cv.layer_sizes == [2, 4, 4, 1]


def test_input_layer_width_is_refused_with_a_message(win):
    win.canvas.layerWidthRequested.emit(0, 3)
    assert win.doc.spec.layer_sizes[0] == 2
    assert "input layer" in win.last_error


def test_incompatible_output_activation_is_explained(win):
    win.canvas.activationRequested.emit(2, "softmax")
    assert win.doc.spec.activations[-1] == "sigmoid"
    assert "softmax" in win.last_error


def test_type_a_weight_on_an_edge_and_undo(win, qtbot):
    win.canvas.edgeSelected.emit(0, 1, 2)
    win.inspector.weightEdited.emit(0, 1, 2, 7.25)
    assert win.doc.net.weights[0][1, 2] == 7.25
    win.inspector.weightEdited.emit(0, 1, 2, 8.5)  # same edge: merges into one undo step
    win.acts["undo"].trigger()
    assert win.doc.net.weights[0][1, 2] != 8.5 and win.doc.net.weights[0][1, 2] != 7.25
    win.acts["redo"].trigger()
    assert win.doc.net.weights[0][1, 2] == 8.5
    assert win.doc.dirty and "•" in win.windowTitle()


def test_play_trains_xor_to_full_accuracy_then_pause(win, qtbot):
    assert not win.controller.running
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert win.controller.running
    qtbot.waitUntil(lambda: len(win.doc.history) and win.doc.history["train_acc"][-1] == 1.0, timeout=20000)
    win.acts["play"].trigger()  # pause
    assert not win.controller.running
    X = win.doc.data.X_train
    assert np.array_equal(win.doc.net.predict(X).round(), win.doc.data.train.T)
    assert "accuracy 100.0 %" in win.status.labels["acc"].text()


def test_step_update_and_step_epoch(win, qtbot):
    win.acts["step_update"].trigger()
    qtbot.waitUntil(lambda: len(win.doc.history.update_loss) == 1, timeout=20_000)
    win.acts["step_epoch"].trigger()
    qtbot.waitUntil(lambda: len(win.doc.history) == 2, timeout=20_000)
    qtbot.wait(100)
    assert len(win.doc.history) == 2  # batch mode: one update per epoch, stopped after one epoch


def test_lr_change_mid_run_takes_effect_without_reset(win, qtbot):
    import copy

    long_run = copy.deepcopy(win.doc.settings)
    long_run.target_loss, long_run.epochs, long_run.lr = None, 10**6, 0.01
    win.edits.set_settings(long_run)
    win.controller.play()
    qtbot.waitUntil(lambda: len(win.doc.history) > 5, timeout=20_000)
    s2 = copy.deepcopy(win.doc.settings)
    s2.lr = 0.25
    win.training_panel.settingsEdited.emit(s2)
    qtbot.waitUntil(lambda: len(win.doc.history) and win.doc.history["lr"][-1] == 0.25, timeout=20_000)
    assert win.controller.running
    assert win.doc.history["epoch"][0] == 1  # same run continued
    win.controller.pause()


def test_save_close_reopen(win, qtbot, tmp_path):
    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 1, timeout=20_000)
    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 2, timeout=20_000)
    win.canvas.layerWidthRequested.emit(1, 5)
    path = tmp_path / "p.json"
    assert win.files.save_to(path)
    assert not win.doc.dirty and "•" not in win.windowTitle()
    spec, W, hist = (
        win.doc.spec,
        [w.copy() for w in win.doc.net.weights],
        win.doc.history["train_loss"].copy(),
    )
    win.close()
    w2 = MainWindow(Document())
    qtbot.addWidget(w2)
    assert w2.files.open_path(str(path), confirm=False)
    assert w2.doc.spec.layer_sizes == spec.layer_sizes == [2, 5, 1]
    assert all(np.array_equal(a, b) for a, b in zip(w2.doc.net.weights, W))
    assert np.array_equal(w2.doc.history["train_loss"], hist)
    assert w2.windowTitle().startswith("p — ")


def test_malformed_file_leaves_document_untouched(win, tmp_path):
    bad = tmp_path / "bad.json"
    d = json.loads(example_path("xor_train").read_text())
    d["network"]["layer_sizes"] = [2, 0, 1]
    bad.write_text(json.dumps(d))
    before = win.doc.net.weights[0].copy()
    win.canvas.layerWidthRequested.emit(1, 6)
    assert not win.files.open_path(str(bad), confirm=False)
    assert "network" in win.last_error and "0 neurons" in win.last_error
    assert win.doc.spec.layer_sizes == [2, 6, 1]
    assert np.array_equal(win.doc.net.weights[0][:, :4], before)
    (tmp_path / "junk.json").write_text("{not json")
    assert not win.files.open_path(str(tmp_path / "junk.json"), confirm=False)
    assert "not valid JSON" in win.last_error


def test_close_while_training_ends_thread(qtbot, recwarn):
    w = MainWindow(Document())
    qtbot.addWidget(w)
    w.doc.open_example("spiral")
    w.show()
    w.controller.play()
    qtbot.waitUntil(lambda: len(w.doc.history) >= 1, timeout=10000)
    worker = w.controller.worker
    w.files.confirm_discard = lambda: True
    w.close()
    assert not worker.is_alive()
    assert not [t for t in threading.enumerate() if t.name == "mlp-training"]
    assert not [r for r in recwarn if "QThread" in str(r.message)]


def test_open_example_from_menu_and_data_change_resizes_layers(win):
    next(a for a in win.menus.examples.actions() if a.data() == "iris").trigger()  # text: title — description
    assert win.doc.spec.layer_sizes[0] == 4 and win.doc.spec.layer_sizes[-1] == 3
    assert win.canvas.layer_sizes == win.doc.spec.layer_sizes


def test_dock_layout_and_recent_files_persist(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(tmp_path / "settings.ini"))
    w = MainWindow(Document())
    qtbot.addWidget(w)
    w.show()
    w.docks["plots"].hide()
    assert w.files.save_to(tmp_path / "a.json")
    w.close()
    w2 = MainWindow(Document())
    qtbot.addWidget(w2)
    w2.show()
    assert not w2.docks["plots"].isVisible() and w2.docks["data"].isVisible()
    recent = [a.text() for a in w2.menus.recent.actions()]
    assert str(tmp_path / "a.json") in recent
    w2.close()


def test_drop_a_project_file_opens_it(win, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from model.io.project import load_project, save_project

    p = load_project(example_path("iris"))
    save_project(p, tmp_path / "iris.json")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "iris.json"))])
    ev = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(ev)
    qtbot.waitUntil(lambda: win.doc.spec.layer_sizes[0] == 4, timeout=20_000)
    assert win.windowTitle().startswith("iris")


def test_divergence_in_the_gui_stops_with_a_message_and_finite_weights(win, qtbot):
    import copy

    from model.io.project import DataSource

    src = DataSource(kind="builtin", name="plane", params={"n": 100, "seed": 0})
    win.edits.set_data(src, "none")
    s = copy.deepcopy(win.doc.settings)
    s.optimizer, s.lr, s.hyper, s.target_loss, s.epochs = "sgd", 50.0, {}, None, 1000
    win.edits.set_settings(s)
    win.controller.play()
    qtbot.waitUntil(lambda: not win.controller.running, timeout=10000)
    assert "diverged" in win.last_error and "too large" in win.last_error
    assert all(np.isfinite(w).all() for w in win.doc.net.weights)
    assert win.doc.history.events[-1][1] == "diverged"


def test_clicking_a_data_point_makes_it_the_probe(win, qtbot):
    win.doc.open_example("eleven_points")
    view = win.dataset_view
    view.pointClicked.emit(7)
    assert win.doc.probe_index == 7
    x = win.doc.data.X_train[7]
    assert np.allclose(win.teaching.probe_rec.V[0], x)
    assert np.allclose(win.canvas.node_item(0, 0).value, x[0])


def test_unsaved_changes_prompt_can_cancel_new(win, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    win.canvas.layerWidthRequested.emit(1, 5)
    monkeypatch.undo()  # the real prompt, answered by a stub below
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel)
    )
    win.files.file_new()
    assert win.doc.spec.layer_sizes == [2, 5, 1] and win.doc.dirty
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    win.files.file_new()
    assert win.doc.spec.layer_sizes == [2, 4, 1] and not win.doc.dirty
