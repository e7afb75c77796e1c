"""Your own points: clicks on the data plot add, drag moves, right-click deletes;
each edit is one undo step and the project saves the points embedded."""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from app.document import Document
from app.main_window import MainWindow


def _window(qtbot):
    w = MainWindow(Document())  # the XOR example: 4 points at the unit square's corners
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    return w


def _pixel(w, x, y) -> QPoint:
    plot = w.dataset_view.plot
    vb = plot.getPlotItem().getViewBox()
    return plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))


def _rows(w):
    return w.point_actions.dataset()


def test_click_adds_shift_click_adds_the_other_class_and_undo_removes(qtbot, tmp_path):
    w = _window(qtbot)
    ed = w.point_editor
    assert ed.isEnabled() and ed.class_combo.count() == 2
    ed.edit_check.setChecked(True)
    vp = w.dataset_view.plot.viewport()
    ed.class_combo.setCurrentIndex(1)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=_pixel(w, 0.5, 0.5))
    ds = _rows(w)
    assert len(ds) == 5 and w.doc.project.data.kind == "embedded"
    np.testing.assert_allclose(ds.X[-1], [0.5, 0.5], atol=0.02)
    assert ds.T[-1, 0] == 1.0
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, _pixel(w, 0.25, 0.75))
    ds = _rows(w)
    assert len(ds) == 6 and ds.T[-1, 0] == 0.0  # shift: the next class
    assert w.doc.undo_stack.undoText() == "Add point"
    w.doc.undo_stack.undo()
    assert len(_rows(w)) == 5
    w.doc.undo_stack.undo()
    assert len(_rows(w)) == 4 and w.doc.project.data.kind == "builtin"
    w.doc.undo_stack.redo()
    w.doc.save(tmp_path / "mine.json")
    saved = json.loads((tmp_path / "mine.json").read_text())
    assert saved["data"]["kind"] == "embedded" and len(saved["data"]["X"]) == 5


def test_drag_moves_and_right_click_deletes_each_one_undo_step(qtbot):
    w = _window(qtbot)
    w.point_editor.edit_check.setChecked(True)
    vp = w.dataset_view.plot.viewport()
    start = _pixel(w, 1.0, 1.0)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(vp, _pixel(w, 0.8, 0.6))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=_pixel(w, 0.8, 0.6))
    ds = _rows(w)
    assert len(ds) == 4
    np.testing.assert_allclose(ds.X[3], [0.8, 0.6], atol=0.02)
    assert w.doc.undo_stack.undoText() == "Move point"
    qtbot.mouseClick(vp, Qt.MouseButton.RightButton, pos=_pixel(w, 0.0, 0.0))
    ds = _rows(w)
    assert len(ds) == 3 and not any(np.allclose(x, [0, 0]) for x in ds.X)
    assert w.doc.undo_stack.undoText() == "Delete point"
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    np.testing.assert_array_equal(_rows(w).X, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_without_edit_mode_a_click_still_picks_the_probe(qtbot):
    w = _window(qtbot)
    qtbot.mouseClick(w.dataset_view.plot.viewport(), Qt.MouseButton.LeftButton, pos=_pixel(w, 0.5, 0.5))
    assert len(_rows(w)) == 4 and w.doc.project.data.kind == "builtin"
