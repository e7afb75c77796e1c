"""The forms' number fields: spin boxes that commit on Enter, not per keystroke,
and :class:`SciSpinBox` for values across many decades (ε, a target loss, η ranges)."""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

__all__ = ["double_spin", "int_spin", "SciSpinBox"]


def double_spin(lo: float, hi: float, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setKeyboardTracking(False)
    spin.setToolTip(tip)
    return spin


def int_spin(lo: int, hi: int, tip: str, suffix: str = "") -> QSpinBox:
    spin = QSpinBox(suffix=suffix)
    spin.setRange(lo, hi)
    spin.setKeyboardTracking(False)  # commit on Enter / focus loss, not on every keystroke
    spin.setToolTip(tip)
    return spin


class SciSpinBox(QDoubleSpinBox):
    """A positive-number spin box shown in ``%g`` form; arrows step by ×10 / ÷10."""

    def __init__(self, lo: float, hi: float, parent=None):
        super().__init__(parent)
        self.setDecimals(323)  # keep the value exact: no rounding to a fixed number of decimals
        self.setRange(lo, hi)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        try:
            v = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = math.isfinite(v) and self.minimum() <= v <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:
        self.setValue(self.value() * 10.0**steps)
