"""Read-outs whose text changes every frame without re-laying out their window.

``QLabel.setText`` calls ``updateGeometry()``, and Qt skips the layout
invalidation that follows only for a widget whose minimum and maximum sizes
are equal in *both* directions. A label fixed in width only (the status
bar's figures were) or not at all re-lays out its parent's layout, and up the
chain the window's, on every frame; when its size hint changes, a plot beside
it in the same row gets a new width and regenerates its axes (the stability
strip's text cost the GUI thread ~15 ms a time that way).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel

__all__ = ["one_line_height", "pin_one_line"]


def one_line_height(label: QLabel) -> int:
    """The height of one line of text in ``label`` (its font, margins and frame)."""
    m = label.contentsMargins()
    return label.fontMetrics().height() + 2 * label.margin() + m.top() + m.bottom()


class _Repin(QObject):
    """Measures the label again when its font changes (presentation zoom)."""

    def __init__(self, label: QLabel, texts: tuple[str, ...]):
        super().__init__(label)
        self.texts = texts

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FontChange:
            _pin(obj, self.texts)
        return False


def _pin(label: QLabel, texts: tuple[str, ...]) -> None:
    m = label.contentsMargins()
    widest = max(label.fontMetrics().horizontalAdvance(t) for t in texts)
    label.setFixedSize(widest + 8 + 2 * label.margin() + m.left() + m.right(), one_line_height(label))


def pin_one_line(label: QLabel, *texts: str) -> QLabel:
    """Fix ``label`` to the width of the widest of ``texts`` and the height of one
    line, in its font (again whenever the font changes): its ``setText`` never
    touches a layout."""
    _pin(label, texts)
    label.installEventFilter(_Repin(label, texts))
    return label
