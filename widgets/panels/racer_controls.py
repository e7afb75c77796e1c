"""One racer's row in the optimizer panel: its controls and its plot items."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLabel

from model.analysis.race import KEY_HYPER
from model.optim.names import OPTIMIZER_TITLES
from model.optim.optimizers import DEFAULTS
from widgets.common.themed import Pen, paint
from widgets.common.themed_widgets import set_sheet

__all__ = ["LABELS", "COLORS", "HYPER_LABELS", "RacerRow"]

# Okabe & Ito's colour-blind-safe palette (checked in tests/gui/test_themes.py)
COLORS = {
    "sgd": "#d55e00",
    "momentum": "#e69f00",
    "nesterov": "#cc79a7",
    "adagrad": "#009e73",
    "rmsprop": "#56b4e9",
    "adam": "#0072b2",
}
LABELS = {name: OPTIMIZER_TITLES[name] for name in COLORS}  # the racers
HYPER_LABELS = {"momentum": "μ", "rho": "ρ", "beta1": "β₁"}


class RacerRow:
    """One optimizer's controls and plot items."""

    def __init__(self, panel, name: str):
        color = COLORS[name]
        self.check = QCheckBox(LABELS[name])
        self.check.setChecked(True)
        self.check.setToolTip(f"Race {LABELS[name]} (its path, arrow and row)")
        set_sheet(self.check, f"QCheckBox {{ color: @{color}; font-weight: bold; }}")  # reads on the window
        self.lr = QDoubleSpinBox(decimals=5, minimum=1e-5, maximum=10.0)
        self.lr.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.lr.setPrefix("lr ")
        self.lr.setToolTip("learning rate (changing it restarts the race)")
        self.key = KEY_HYPER[name]
        self.hyper = None
        if self.key:
            self.hyper = QDoubleSpinBox(decimals=3, minimum=0.0, maximum=0.999, singleStep=0.01)
            self.hyper.setPrefix(HYPER_LABELS[self.key] + " ")
            self.hyper.setValue(DEFAULTS[name][self.key])
            self.hyper.setToolTip(
                f"{HYPER_LABELS[self.key]} of {LABELS[name]} (changing it restarts the race)"
            )
        self.status = QLabel("")
        self.status.setMinimumWidth(80)  # narrow docks: the surface plot keeps its width
        pen = pg.mkPen(color, width=2.5)
        self.path = pg.PlotDataItem(pen=pen, name=LABELS[name])
        self.arrow = pg.PlotCurveItem(pen=pg.mkPen(color, width=2), connect="pairs")
        self.head = paint(pg.ScatterPlotItem(size=11, brush=pg.mkBrush(color)), pen=Pen("ink", width=1.2))
        for item, z in ((self.path, 10), (self.arrow, 11), (self.head, 20)):
            panel.plot.addItem(item)
            item.setZValue(z)
        for w in (self.lr, self.hyper):
            if w is not None:
                w.valueChanged.connect(lambda _v: panel.reset())
        self.check.toggled.connect(lambda _on: panel.reset())

    def spec(self, name):
        return name, self.lr.value(), {self.key: self.hyper.value()} if self.key else {}

    def set_visible(self, on: bool) -> None:
        for item in (self.path, self.arrow, self.head):
            item.setVisible(on)

    def set_arrow(self, point, g, length: float, dead: bool, g0: float) -> None:
        """The steepest-descent arrow −∇E at ``point``, ``length`` long; none
        once the racer diverged or its gradient fell below 1e-4 of ``g0``."""
        norm = float(np.hypot(*g)) if np.isfinite(g).all() else 0.0
        if dead or norm <= 1e-4 * g0:  # arrived: no arrow
            self.arrow.setData([], [])
            return
        u = -g / norm
        tip = point + length * u
        pts = [point, tip]
        for ang in (0.45, -0.45):
            c, s = np.cos(ang), np.sin(ang)
            pts += [tip, tip - 0.35 * length * np.array([c * u[0] - s * u[1], s * u[0] + c * u[1]])]
        pts = np.array(pts)
        self.arrow.setData(pts[:, 0], pts[:, 1])
