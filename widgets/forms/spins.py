"""The forms' number fields: a spin box that commits on Enter, not per keystroke."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox

__all__ = ["double_spin"]


def double_spin(lo: float, hi: float, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setKeyboardTracking(False)
    spin.setToolTip(tip)
    return spin
