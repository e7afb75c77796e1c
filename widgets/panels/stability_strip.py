"""StabilityStrip: η·λ_max over training against the edge of stability at 2.

Full-batch gradient descent at learning rate η is stable on the local
quadratic iff η·λ_max < 2 (λ_max: the loss Hessian's largest eigenvalue,
``model.analysis.stability``). The strip sits under the loss curves, shares
their epoch axis, and says the current figure with its accuracy.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.common.plot_style import light_grid
from widgets.common.themed import Ink, Pen, paint

__all__ = ["StabilityStrip"]

EDGE = 2.0
CURVE = (148, 103, 189)


class StabilityStrip(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="default")
        self.plot.setLabel("left", "η·λ_max")
        self.plot.setMinimumHeight(70)
        light_grid(self.plot)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.edge = pg.InfiniteLine(
            pos=EDGE,
            angle=0,
            label="edge of stability: 2",
            labelOpts={"position": 0.55, "movable": False},
        )
        paint(self.edge, pen=Pen("alarm", width=1.5, dashed=True), text=Ink("alarm"))
        self.plot.addItem(self.edge, ignoreBounds=False)
        self.curve = self.plot.plot(
            pen=pg.mkPen(CURVE, width=2), symbol="o", symbolSize=4, symbolBrush=CURVE, symbolPen=CURVE
        )
        self.label = QLabel("η·λ_max: not computed yet")
        f = self.label.font()
        f.setPointSizeF(f.pointSizeF() * 0.9)
        self.label.setFont(f)
        self.label.setToolTip(
            "λ_max is the largest eigenvalue of the loss Hessian at the current weights (full training set), "
            "by power iteration on Hessian-vector products. Full-batch gradient descent is stable while "
            "η·λ_max < 2, i.e. η < 2/λ_max."
        )
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.plot)
        self._x: list[float] = []
        self._y: list[float] = []
        self.last = None  # (StabilityResult, eta)

    def clear(self) -> None:
        self._x.clear()
        self._y.clear()
        self.curve.setData([], [])
        self.last = None
        self.label.setText("η·λ_max: not computed yet")

    def add_point(self, epoch: float, result, eta: float) -> None:
        """One measurement: ``result`` a StabilityResult at the weights after ``epoch``."""
        v = result.eta_lambda(eta)
        if self._x and epoch <= self._x[-1]:
            self._x[-1], self._y[-1] = float(epoch), v
        else:
            self._x.append(float(epoch))
            self._y.append(v)
        if len(self._x) > 2000:  # bounded: keep every other old point
            self._x[:1000] = self._x[:1000:2]
            self._y[:1000] = self._y[:1000:2]
        self.curve.setData(np.array(self._x), np.array(self._y))
        self.plot.setYRange(0, max(2.4, 1.1 * max(self._y)), padding=0)
        self.last = (result, eta)
        lim = result.eta_limit
        acc = f"±{result.accuracy:.1g}" if result.accuracy > 0 else "exact"
        if result.accuracy > 0.01 * max(abs(result.lambda_max), 1e-12):
            # e.g. samples on a ReLU kink: the curvature is not defined there
            self.label.setText(f"η·λ_max ≈ {v:.3g} (not converged, λ_max ± {result.accuracy:.2g})")
        elif lim:
            verdict = "stable" if v < EDGE else "UNSTABLE"
            self.label.setText(
                f"η·λ_max = <b>{v:.3g}</b> {'&lt;' if v < EDGE else '≥'} 2: {verdict} · η limit {lim:.3g}"
            )
        else:
            self.label.setText(f"η·λ_max = {v:.3g}: no positive curvature here")
        self.label.setToolTip(
            f"λ_max = {result.lambda_max:.6g} ({acc}) at epoch {epoch:g}: {result.method}, "
            f"{result.n_samples} training samples, {result.iterations} iterations.\n"
            f"η = {eta:g}; full-batch gradient descent is stable while η·λ_max < 2, i.e. η < 2/λ_max = "
            + (f"{lim:.6g}." if lim else "∞ (no positive curvature).")
        )

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self._x), np.array(self._y)
