"""Decision lines drawn over the data plot: one per first-hidden-layer unit (Fig. 5.23),
and for an all-linear network the one line of its collapsed map W₁W₂…W_L."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from model.teaching.decision_lines import collapsed_line, collapsed_map, line_through_box, unit_lines
from widgets.common.themed import Pen, paint
from widgets.common.ui_roles import swatch

__all__ = ["UnitLinesOverlay", "MAX_UNITS", "UNIT_COLOURS"]

MAX_UNITS = 12  # "a small first layer": more lines than this are a thicket, not a figure
UNIT_COLOURS = ("#9467bd", "#2ca02c", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class UnitLinesOverlay:
    """Line items on ``plot``; :meth:`update` recomputes them for new weights and a box."""

    def __init__(self, plot: pg.PlotWidget):
        self.plot = plot
        self.items: list[pg.PlotDataItem] = []
        # the collapsed map's line in the theme's ink (widgets.common.themed)
        self.collapse_item = paint(pg.PlotDataItem(), pen=Pen("ink", width=3, dashed=True))
        self.collapse_item.setZValue(15)
        plot.addItem(self.collapse_item)
        self.lines = []  # the Line (a1, a2, θ) of each drawn unit, raw units
        self.collapsed = None  # (W, b) of the collapsed map, or None

    def clear(self) -> None:
        for it in self.items:
            it.setData([], [])
            it.hide()
        self.collapse_item.setData([], [])
        self.lines, self.collapsed = [], None

    def update(self, weights, biases, activations, scaler, box, units: bool) -> str:
        """Draw the lines inside ``box`` (x0, x1, y0, y1); returns a caption ('' if none)."""
        self.clear()
        caption = []
        if units and np.asarray(weights[0]).shape[1] <= MAX_UNITS:
            self.lines = unit_lines(weights, biases, scaler)
            while len(self.items) < len(self.lines):
                it = pg.PlotDataItem()
                it.setZValue(14)
                self.plot.addItem(it)
                self.items.append(it)
            for i, line in enumerate(self.lines):
                seg = line_through_box(line, box)
                it = self.items[i]
                it.setPen(pg.mkPen(UNIT_COLOURS[i % len(UNIT_COLOURS)], width=2.5))
                if seg is not None:
                    it.setData(*seg)
                    it.show()
            caption.append(
                " ".join(
                    f"{swatch(UNIT_COLOURS[i % len(UNIT_COLOURS)], '━')} unit {i + 1}"
                    for i in range(len(self.lines))
                )
                + ": w_i1·x1 + w_i2·x2 = θ_i"
            )
        elif units:
            caption.append(f"Unit lines are drawn for first layers of up to {MAX_UNITS} units.")
        m = collapsed_map(weights, biases, activations)
        if m is not None:
            self.collapsed = m
            L = len(weights)
            W, b = m
            name = "".join(f"W{str(k + 1).translate(_SUB)}" for k in range(L))
            text = (
                f"All hidden layers are linear: one map x·{name} + b, {name} = {_matrix(W)}, b = {_matrix(b)}"
            )
            line = collapsed_line(weights, biases, activations, scaler)
            if line is not None:
                seg = line_through_box(line, box)
                if seg is not None:
                    self.collapse_item.setData(*seg)
                text += " — its single decision line (dashed)"
            caption.append(text)
        return "<br>".join(caption)


def _matrix(a) -> str:
    a = np.atleast_1d(np.asarray(a, float))
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
        return "[" + "; ".join(f"{v:.3g}" for v in a) + "]ᵀ"
    return "[" + ", ".join(f"{v:.3g}" for v in a.ravel()) + "]"
