"""Panels that fit any screen: their content scrolls instead of imposing a
minimum size on the window.

A QMainWindow grows to the largest minimum size of its docks' contents; one
wide panel (the optimizer race's controls, 866 px) used to widen the whole
window past a 1366-px laptop screen. Inside a scroll area the content keeps
its own minimum and the panel's minimum is just the scroll area's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

__all__ = ["scroll_body"]


class _PanelBody(QWidget):
    """The scrolled content. A resizable QScrollArea makes a height-for-width
    widget at least ``heightForWidth(w)`` tall, and a layout answers that with
    its *preferred* height: one word-wrapped label made a panel as tall as its
    plots' size hints (a 300-px dock scrolled a 528-px predict panel). Answer
    with the minimum instead, so the content fills the viewport and scrolls
    only when it truly does not fit."""

    def heightForWidth(self, width: int) -> int:
        lay = self.layout()
        if lay is None or not lay.hasHeightForWidth():
            return super().heightForWidth(width)
        return lay.totalMinimumHeightForWidth(width)


class _PanelScroll(QScrollArea):
    """Scrolls by wheel and bars only: arrow keys stay the panel's (the chain
    rule and step-through panels step with ← →)."""

    def keyPressEvent(self, event) -> None:
        event.ignore()


def scroll_body(panel: QWidget) -> QWidget:
    """Give ``panel`` a frameless scroll area and return the widget to lay out
    the panel's content in (``QVBoxLayout(scroll_body(self))``)."""
    outer = QVBoxLayout(panel)
    outer.setContentsMargins(0, 0, 0, 0)
    area = _PanelScroll(panel)
    area.setObjectName("panel_scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setToolTip("")
    body = _PanelBody()
    body.setObjectName("panel_body")
    area.setWidget(body)
    outer.addWidget(area)
    return body
