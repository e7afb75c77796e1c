"""A line edit for one real number: typed text is parsed, a bad entry is marked, a good one emitted."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit

from widgets.common.themed_widgets import set_sheet

__all__ = ["NumberEdit", "error_message", "parse_number"]

ERROR_STYLE = "QLineEdit { border: 2px solid @error_border; border-radius: 3px; }"


def parse_number(text: str) -> float | None:
    """A finite float from typed text (accepts a decimal comma), or None."""
    t = text.strip().replace(",", ".").replace("−", "-")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def error_message() -> QLabel:
    """The hidden label a :class:`NumberEdit` explains a rejected entry in."""
    lab = QLabel()
    lab.setWordWrap(True)
    lab.setToolTip("Why the typed value was not applied.")
    set_sheet(lab, "color: @error;")
    lab.hide()
    return lab


class NumberEdit(QLineEdit):
    """A line edit for one real number: Enter (or leaving after a change) commits.

    Text that is not a finite number gets a red border and a message in
    ``message``, and nothing is emitted."""

    committed = Signal(float)

    def __init__(self, tip: str, message: QLabel):
        super().__init__()
        self.setToolTip(tip)
        self._message = message
        self.editingFinished.connect(self._commit)

    def show_value(self, v: float) -> None:
        self.setText(f"{v:.10g}")
        self.setModified(False)
        self._mark(None)

    def _commit(self) -> None:
        if not self.isModified():
            return
        v = parse_number(self.text())
        if v is None:
            self._mark(f"“{self.text()}” is not a finite number; type e.g. 0.25 or -1.5e-3.")
            return
        self.setModified(False)
        self._mark(None)
        self.committed.emit(v)

    def _mark(self, message: str | None) -> None:
        set_sheet(self, ERROR_STYLE if message else "")
        self._message.setText(message or "")
        self._message.setVisible(bool(message))
