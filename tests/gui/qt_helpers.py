"""Small helpers the GUI tests share: showing a widget, typing and clicking as a
person would, and reading rendered pixels."""

import numpy as np
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QImage, QPainter


def show(qtbot, w, size=(420, 560)):
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


def type_text(qtbot, widget, text):
    """Select all, type ``text`` and press Enter, as a person would."""
    edit = widget.lineEdit() if hasattr(widget, "lineEdit") else widget
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def click(qtbot, button):
    """Click a check box / radio button on its indicator (the left end of the widget)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def pixels(img: QImage) -> np.ndarray:
    """(h, w, 3) uint8 RGB of a QImage."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    return np.frombuffer(img.constBits(), np.uint8).reshape(h, bpl)[:, : w * 3].reshape(h, w, 3)


def scene_rgb(canvas) -> np.ndarray:
    """A NetworkCanvas's scene (edges, nodes, labels; not the legend) as (600, 900, 3) int RGB."""
    img = QImage(900, 600, QImage.Format.Format_RGB32)
    img.fill(0xFFFFFF)
    p = QPainter(img)
    canvas.scene().render(
        p, QRectF(0, 0, 900, 600), canvas.edge_layer.boundingRect().adjusted(-40, -40, 40, 40)
    )
    p.end()
    a = np.frombuffer(img.constBits(), np.uint8).reshape(600, 900, 4)
    return a[:, :, 2::-1].astype(int)  # BGRA → RGB


def history_with_marks(epochs: int, updates_per_epoch: int, marks: dict):
    """A History of ``epochs`` falling losses; ``marks`` {epoch: kind} adds an event
    (a live settings change) at the end of that epoch."""
    from model.train.history import History

    h = History(1)
    for e in range(1, epochs + 1):
        for _ in range(updates_per_epoch):
            h.add_update(1.0 / e, 0.1)
        h.add_epoch({"epoch": e, "train_loss": 1.0 / e, "updates": updates_per_epoch * e}, [1.0], [1.0])
        if e in marks:
            h.mark(marks[e], f"{marks[e]} change after epoch {e}")
    return h
