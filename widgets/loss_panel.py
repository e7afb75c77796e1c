"""Loss panel: train/validation loss per epoch, earlier runs as ghost curves."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

TRAIN = "#2f6fdf"
VAL = "#e4572e"
GHOST = (120, 120, 120, 70)


class LossPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.addLegend(offset=(-10, 10))
        self.train_curve = self.plot.plot(pen=pg.mkPen(TRAIN, width=2), name="training")
        self.val_curve = self.plot.plot(pen=pg.mkPen(VAL, width=2), name="validation")
        for c in (self.train_curve, self.val_curve):
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
        self._ghosts: list[pg.PlotDataItem] = []
        self.log_y = QCheckBox("log scale")
        self.log_y.setToolTip("Logarithmic loss axis: shows slow progress late in training")
        self.log_y.toggled.connect(lambda on: self.plot.setLogMode(y=on))
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.log_y)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.plot)

    def set_history(self, history, ghosts=()) -> None:
        ep = history["epoch"]
        tl, vl = history["train_loss"], history["val_loss"]
        self.train_curve.setData(ep, tl)
        ok = np.isfinite(vl)
        self.val_curve.setData(ep[ok], vl[ok])
        if len(ghosts) != len(self._ghosts):
            for g in self._ghosts:
                self.plot.removeItem(g)
            self._ghosts = [self.plot.plot(np.arange(1, len(g) + 1), g, pen=pg.mkPen(GHOST, width=1))
                            for g in ghosts]
