"""CollapsibleSection: a titled group of form rows that folds away under its title.

A laptop's Training dock shows ~270 px: the most-used controls come first,
unfolded, and the rest sit in sections a student folds when not needed. Folding
changes nothing above a section, so no control moves under the mouse.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QSizePolicy, QToolButton, QVBoxLayout, QWidget

__all__ = ["CollapsibleSection", "new_form"]


def new_form(parent: QWidget | None = None) -> QFormLayout:
    """The forms' layout: on a narrow dock a long row puts its label above the field."""
    form = QFormLayout(parent)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class CollapsibleSection(QWidget):
    """A flat arrow button titled ``title`` over :attr:`form`; ``toggled(key, unfolded)``."""

    toggled = Signal(str, bool)

    def __init__(self, key: str, title: str, tip: str, parent=None):
        super().__init__(parent)
        self.key = key
        self.header = QToolButton(text=title, checkable=True)
        self.header.setObjectName(f"section:{key}")
        self.header.setChecked(True)
        self.header.setAutoRaise(True)
        self.header.setArrowType(Qt.ArrowType.DownArrow)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.setToolTip(f"{tip} Click to fold or unfold (remembered).")
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.body = QWidget()
        self.form = new_form(self.body)
        self.form.setContentsMargins(0, 0, 0, 4)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.header)
        box.addWidget(self.body)
        self.header.toggled.connect(self._on_toggled)

    def unfolded(self) -> bool:
        return self.header.isChecked()

    def set_unfolded(self, on: bool) -> None:
        self.header.setChecked(bool(on))

    def _on_toggled(self, on: bool) -> None:
        self.body.setVisible(on)
        self.header.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.toggled.emit(self.key, on)
