"""Hidden-space panel: the data and a warped grid of the input plane drawn in
the space of one hidden layer (its two units, or its first two principal
components), live while training.  The maths is
:func:`model.teaching.hidden_space.hidden_space`; this widget only draws it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from model.teaching.hidden_space import hidden_space
from widgets.common.plot_style import light_grid
from widgets.common.themed import Pen, paint
from widgets.panels.class_colours import BINARY_COLORS, CLASS_PALETTE

__all__ = ["HiddenSpacePanel"]

GRID_PEN = "muted"  # the theme's quiet grey (widgets.common.themed roles)


class HiddenSpacePanel(QWidget):
    """``set_problem(net, X, labels, lines_inputs)``; ``set_live_parameters(weights, biases)`` while training."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.net = None
        self.X = self.labels = self.lines_inputs = None
        self.result = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        self.layer_combo = QComboBox(
            toolTip="The hidden layer whose space is drawn (ℓ = 1 is next to the inputs)."
        )
        row.addWidget(self.layer_combo)
        self.info = QLabel(wordWrap=True)
        row.addWidget(self.info, 1)
        lay.addLayout(row)
        self.plot = pg.PlotWidget()
        self.plot.setBackground("default")
        light_grid(self.plot)
        self.plot.setMenuEnabled(False)
        for side in ("bottom", "left"):  # the hidden units' own values, no "(x0.001)" to decode
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.grid_curve = paint(pg.PlotCurveItem(connect="finite"), pen=Pen(GRID_PEN))
        # points ringed in the plot background: they stay apart where they overlap
        self.scatter = paint(pg.ScatterPlotItem(size=8), pen=Pen("plot_background", width=0.8))
        self.plot.addItem(self.grid_curve)
        self.plot.addItem(self.scatter)
        lay.addWidget(self.plot, 1)
        self.layer_combo.currentIndexChanged.connect(lambda _i: self.redraw())
        self.setToolTip(
            "Each point is a training sample drawn at its hidden layer's outputs V^(ℓ); the grey lines are a "
            "straight grid of the input plane bent by the same layers. A hidden layer can make XOR "
            "linearly separable: watch the classes pull apart."
        )

    # ------------------------------------------------------------------ feed
    def set_problem(self, net, X, labels, lines_inputs=None) -> None:
        """A copy of ``net``; ``X`` network inputs (n, n_in); ``labels`` (n,) class
        index or None; ``lines_inputs`` (k, m, n_in) grid lines as network inputs."""
        self.net = net.copy()
        self.X = np.asarray(X)
        self.labels = None if labels is None else np.asarray(labels)
        self.lines_inputs = lines_inputs
        hidden = net.n_layers - 1
        keep = self.layer_combo.currentIndex()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        for l in range(1, hidden + 1):
            self.layer_combo.addItem(f"hidden layer {l} ({net.layer_sizes[l]} units)", l)
        if hidden:
            self.layer_combo.setCurrentIndex(min(max(keep, 0), hidden - 1))
        self.layer_combo.blockSignals(False)
        self.redraw()

    def set_live_parameters(self, weights, biases) -> None:
        """The weights and biases of a training snapshot (drawn at once)."""
        if self.net is None:
            return
        try:
            self.net.set_parameters(weights, biases)
        except ValueError:
            return  # a snapshot of another topology; the next set_problem catches up
        self.redraw()

    def layer(self) -> int | None:
        return self.layer_combo.currentData()

    # ------------------------------------------------------------------ draw
    def redraw(self) -> None:
        layer = self.layer()
        if self.net is None or layer is None or self.X is None or not len(self.X):
            self.result = None
            self.scatter.clear()
            self.grid_curve.clear()
            self.info.setText("The network has no hidden layer: nothing to transform." if self.net else "")
            return
        r = self.result = hidden_space(self.net, self.X, layer, self.lines_inputs)
        brushes = None
        if self.labels is not None:
            k = int(self.labels.max()) + 1 if len(self.labels) else 1
            palette = BINARY_COLORS if k <= 2 else CLASS_PALETTE
            brushes = [pg.mkBrush(palette[int(c) % len(palette)]) for c in self.labels]
        self.scatter.setData(
            r.points[:, 0], r.points[:, 1], brush=brushes if brushes else pg.mkBrush("#1f77b4")
        )
        if r.lines is not None:
            # one curve for all lines: NaN rows break the path between them
            k, m, _ = r.lines.shape
            pad = np.full((k, 1, 2), np.nan)
            xy = np.concatenate([r.lines, pad], axis=1).reshape(-1, 2)
            self.grid_curve.setData(xy[:, 0], xy[:, 1])
        else:
            self.grid_curve.clear()
        self.plot.setLabel("bottom", r.axes[0])
        self.plot.setLabel("left", r.axes[1])
        how = {
            "units": "its two units' outputs",
            "pca": f"its first two principal components ({r.explained * 100:.0f} % of the variance)",
            "unit": "its single unit's output",
        }[r.method]
        self.info.setText(f"Hidden layer {layer} ({r.width} units), drawn by {how}.")
