"""A document may outlive its window: after shutdown, edits reach nothing of the window."""

import sys

from PySide6.QtWidgets import QApplication

from app.commands import SetWeightCommand
from app.document import Document


def test_edits_after_shutdown_reach_no_view_of_the_window(make_window, monkeypatch):
    doc = Document()
    w = make_window(doc)
    w.shutdown()
    reached = []
    monkeypatch.setattr(w.views, "refresh", lambda *a, **k: reached.append(a))
    monkeypatch.setattr(w.classroom, "_steady", lambda *a, **k: reached.append(a))
    errors = []
    old, sys.excepthook = sys.excepthook, lambda *exc: errors.append(exc)
    try:
        doc.undo_stack.push(SetWeightCommand(doc, 0, 0, 0, 0.5))
        doc.undo_stack.undo()
        QApplication.processEvents()
    finally:
        sys.excepthook = old
    assert errors == [] and reached == []
    assert doc.undo_stack.canRedo() and doc.net.weights[0][0, 0] != 0.5
