"""The training form's learning-rate row: a spin box and a log-scale slider that
follow each other, plus the document's exact η when it has more digits than
the spin box shows."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSlider

from widgets.forms.spins import double_spin

__all__ = ["LearningRateRow", "LR_MIN_EXP", "LR_MAX_EXP", "SLIDER_STEPS"]

LR_MIN_EXP, LR_MAX_EXP, SLIDER_STEPS = -5.0, 1.0, 100  # slider: 100 ticks per decade


class LearningRateRow:
    """Owns the spin box and the slider; ``layout`` holds both for a form row."""

    def __init__(self) -> None:
        self.spin = double_spin(1e-6, 100.0, 6, 0.001, "η₀: the initial learning rate (step size).")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(int(LR_MIN_EXP * SLIDER_STEPS), int(LR_MAX_EXP * SLIDER_STEPS))
        self.slider.setToolTip("Learning rate on a log scale from 10⁻⁵ to 10.")
        self.layout = QHBoxLayout()
        self.layout.addWidget(self.spin)
        self.layout.addWidget(self.slider, 1)
        self.exact: float | None = None  # display cache: lr beyond the spin box's 6 decimals

    def show(self, lr: float, signals: bool = True) -> None:
        """Show ``lr`` (exactly remembered) in both; with ``signals`` False nothing is emitted."""
        self.exact = float(lr)
        for w, v in ((self.spin, lr), (self.slider, slider_pos(lr))):
            blocked = w.blockSignals(not signals)
            w.setValue(v)
            w.blockSignals(blocked)

    def value(self) -> float:
        v = float(self.spin.value())
        if self.exact is not None and round(self.exact, 6) == v:
            return self.exact  # the document's exact value, not its 6-decimal display
        return v

    def follow_spin(self, value: float) -> None:
        """The user typed η: the slider follows (silently), the exact value is forgotten."""
        self.exact = None
        self.slider.blockSignals(True)
        self.slider.setValue(slider_pos(value))
        self.slider.blockSignals(False)

    def follow_slider(self, pos: int) -> None:
        """The user dragged the slider: the spin box follows (silently)."""
        self.exact = None
        self.spin.blockSignals(True)
        self.spin.setValue(10.0 ** (pos / SLIDER_STEPS))
        self.spin.blockSignals(False)


def slider_pos(lr: float) -> int:
    e = math.log10(max(lr, 1e-300))
    return int(round(min(max(e, LR_MIN_EXP), LR_MAX_EXP) * SLIDER_STEPS))
