"""StabilityStrip: η·λ_max over training against the edge of stability at 2.

Full-batch gradient descent at learning rate η is stable on the local
quadratic iff η·λ_max < 2 (λ_max: the loss Hessian's largest eigenvalue,
``model.analysis.stability``). The strip sits under the loss curves, shares
their epoch axis, and says the current figure with its accuracy.

The read-out line above the plot is placed by hand at the strip's width, fixed
in both directions, and picks the longest of its texts that fits: a new text
never changes a size hint, so the row it shares with the accuracy plot is
never split anew while training (widgets/common/steady_label.py says why).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.common.plot_style import light_grid
from widgets.common.steady_label import one_line_height
from widgets.common.themed import Ink, Pen, paint

__all__ = ["StabilityStrip"]

EDGE = 2.0
LEAST_TOP = 1.2 * EDGE  # the y axis always shows the edge line with room above it
CURVE = (148, 103, 189)
NOT_YET = "η·λ_max: not computed yet"


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
        self.label = QLabel(NOT_YET, self)  # not in the layout: _place_label sizes it
        self.label.setTextFormat(Qt.TextFormat.RichText)
        f = self.label.font()
        f.setPointSizeF(f.pointSizeF() * 0.9)
        self.label.setFont(f)
        self.label.setToolTip(
            "λ_max is the largest eigenvalue of the loss Hessian at the current weights (full training set), "
            "by power iteration on Hessian-vector products. Full-batch gradient descent is stable while "
            "η·λ_max < 2, i.e. η < 2/λ_max."
        )
        self._lay = QVBoxLayout(self)
        self._lay.addWidget(self.plot)
        self._forms: list[str] = [html.escape(NOT_YET)]  # the read-out's texts, longest first
        self._place_label()
        self._xy = np.empty((2, 64))  # epochs, η·λ_max in [:, :_n]; doubled when full
        self._n = 0
        self._top = -np.inf  # max of the kept η·λ_max
        self.last = None  # (StabilityResult, eta)
        self._empty_range()

    def _empty_range(self) -> None:
        # with no points, autorange would frame the edge line alone (1.6 … 2.4)
        self.plot.setYRange(0, LEAST_TOP, padding=0)

    # ------------------------------------------------------------ the read-out line
    def _place_label(self) -> None:
        h = one_line_height(self.label)
        self._lay.setContentsMargins(0, h, 0, 0)  # the room above the plot the line takes
        self.label.setGeometry(0, 0, max(self.width(), 1), h)
        self.label.setFixedSize(max(self.width(), 1), h)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt name)
        super().resizeEvent(event)
        self._place_label()

    def changeEvent(self, event) -> None:  # noqa: N802  (Qt name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._place_label()

    def set_message(self, text: str) -> None:
        """A plain sentence on the read-out line (elided to the strip's width)."""
        self._show([html.escape(text)])

    def _show(self, forms: list[str]) -> None:
        self._forms = forms
        self._fit()

    def _fit(self) -> None:
        """The longest form that fits the line (before the strip is laid out: the first)."""
        room = self.label.width() - 4
        text = self._forms[0]
        if self.isVisible():
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(self.label.font())
            for form in self._forms:
                doc.setHtml(form)
                if doc.idealWidth() <= room:
                    text = form
                    break
            else:
                doc.setHtml(self._forms[-1])
                plain = doc.toPlainText()
                text = html.escape(
                    self.label.fontMetrics().elidedText(plain, Qt.TextElideMode.ElideRight, room)
                )
        if self.label.text() != text:
            self.label.setText(text)

    def shown_text(self) -> str:
        """The read-out as a reader sees it (tags removed)."""
        doc = QTextDocument()
        doc.setHtml(self.label.text())
        return doc.toPlainText()

    # ------------------------------------------------------------ data
    def clear(self) -> None:
        self._n, self._top = 0, -np.inf
        self.curve.setData([], [])
        self.last = None
        self._empty_range()
        self._show([html.escape(NOT_YET)])

    def _keep(self, epoch: float, v: float) -> None:
        """Store a point: a later epoch appends, an earlier or equal one replaces the last.
        Past 2000 points the oldest 1000 are thinned to every other one (bounded memory)."""
        xy, n = self._xy, self._n
        if n and epoch <= xy[0, n - 1]:
            old, xy[:, n - 1] = xy[1, n - 1], (epoch, v)
            if old >= self._top and v < old:  # the maximum may have gone
                self._top = float(np.fmax.reduce(xy[1, :n]))  # fmax: a NaN point does not hide the rest
        else:
            if n == xy.shape[1]:
                self._xy = xy = np.concatenate([xy, np.empty_like(xy)], axis=1)
            xy[:, n] = (epoch, v)
            self._n = n = n + 1
        self._top = max(self._top, v)
        if n > 2000:
            xy[:, :500] = xy[:, :1000:2]
            xy[:, 500 : n - 500] = xy[:, 1000:n]  # NumPy copies overlapping slices safely
            self._n = n = n - 500
            self._top = float(np.fmax.reduce(xy[1, :n]))  # fmax: a NaN point does not hide the rest

    def add_point(self, epoch: float, result, eta: float) -> None:
        """One measurement: ``result`` a StabilityResult at the weights after ``epoch``."""
        v = result.eta_lambda(eta)
        self._keep(float(epoch), v)
        n = self._n
        self.curve.setData(self._xy[0, :n], self._xy[1, :n])  # views: setData copies nothing more
        self.plot.setYRange(0, max(LEAST_TOP, 1.1 * self._top), padding=0)
        self.last = (result, eta)
        lim = result.eta_limit
        acc = f"±{result.accuracy:.1g}" if result.accuracy > 0 else "exact"
        if result.accuracy > 0.01 * max(abs(result.lambda_max), 1e-12):
            # e.g. samples on a ReLU kink: the curvature is not defined there
            self._show(
                [
                    f"η·λ_max ≈ {v:.3g} (not converged, λ_max ± {result.accuracy:.2g})",
                    f"η·λ_max ≈ {v:.3g} (not converged)",
                ]
            )
        elif lim:
            verdict = "stable" if v < EDGE else "UNSTABLE"
            rel = "&lt;" if v < EDGE else "≥"
            self._show(
                [
                    f"η·λ_max = <b>{v:.3g}</b> {rel} 2: {verdict} · η limit {lim:.3g}",
                    f"η·λ_max = <b>{v:.3g}</b> {rel} 2: {verdict}",
                ]
            )
        else:
            self._show([f"η·λ_max = {v:.3g}: no positive curvature here", f"η·λ_max = {v:.3g}: no curvature"])
        self.label.setToolTip(
            f"λ_max = {result.lambda_max:.6g} ({acc}) at epoch {epoch:g}: {result.method}, "
            f"{result.n_samples} training samples, {result.iterations} iterations.\n"
            f"η = {eta:g}; full-batch gradient descent is stable while η·λ_max < 2, i.e. η < 2/λ_max = "
            + (f"{lim:.6g}." if lim else "∞ (no positive curvature).")
        )

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        n = self._n
        return self._xy[0, :n].copy(), self._xy[1, :n].copy()
