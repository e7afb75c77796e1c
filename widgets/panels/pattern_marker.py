"""The step-through's pattern on the data plot: which training example μ the
update being stepped is about (Algorithm 4 applies one pattern at a time)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from widgets.common.themed import Ink, paint

__all__ = ["PatternMarker", "MARK_COLOUR"]

MARK_COLOUR = "#c2185b"  # magenta: neither class colour nor the probe ring's ink
BATCH_COLOUR = (194, 24, 91, 120)  # the same, faint: the rest of the batch


class PatternMarker:
    """A bold magenta square round the current pattern with its label ("μ = 4"),
    faint dashed squares round the other patterns of a stepped batch."""

    def __init__(self, plot: pg.PlotWidget):
        self.current = pg.ScatterPlotItem(
            size=30, pxMode=True, symbol="s", brush=None, pen=pg.mkPen(MARK_COLOUR, width=4)
        )
        self.batch = pg.ScatterPlotItem(
            size=20,
            pxMode=True,
            symbol="s",
            brush=None,
            pen=pg.mkPen(BATCH_COLOUR, width=1.2, style=Qt.PenStyle.DashLine),
        )
        # beside the frame (towards the plot's middle), on a pale card: readable over points and the map
        self.label = paint(
            pg.TextItem("", anchor=(-0.3, 0.5)), text=Ink(MARK_COLOUR), fill=Ink("plot_background", 215)
        )
        self._plot = plot
        f = self.label.textItem.font()
        f.setBold(True)
        f.setPointSizeF(11)
        self.label.setFont(f)
        for item, z in ((self.batch, 21), (self.current, 22), (self.label, 23)):
            item.setZValue(z)
            plot.addItem(item)
        self.clear()

    def clear(self) -> None:
        self.current.setData([], [])
        self.batch.setData([], [])
        self.label.setText("")
        self.label.hide()

    def show(self, x, y, current: int | None, batch, text: str) -> None:
        """Frame row ``current`` (None: no single pattern) and the rows ``batch``
        of the point coordinates ``x``, ``y``; ``text`` labels the current one."""
        rows = [i for i in batch if 0 <= i < len(x) and i != current]
        self.batch.setData([x[i] for i in rows], [y[i] for i in rows])
        if current is None or not 0 <= current < len(x):
            self.current.setData([], [])
            self.label.hide()
            return
        self.current.setData([x[current]], [y[current]])
        self.label.setText(text)
        px, py = float(x[current]), float(y[current])
        (x0, x1), _ = self._plot.getViewBox().viewRange()
        self.label.setAnchor((1.3, 0.5) if px > (x0 + x1) / 2 else (-0.3, 0.5))
        self.label.setPos(px, py)
        self.label.show()
