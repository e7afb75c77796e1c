"""GUI tests never block on a modal dialog: questions answer "Discard"."""

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))


@pytest.fixture
def win(qtbot):
    """A shown main window on the XOR example; training and waves stopped afterwards."""
    from app.document import Document
    from app.main_window import MainWindow

    w = MainWindow(Document())
    qtbot.addWidget(w)
    w.show()
    yield w
    w.controller.shutdown()
    w.teaching.waves.stop()
