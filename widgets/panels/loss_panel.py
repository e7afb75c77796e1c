"""Loss panel: train/validation loss per epoch, per-update loss, accuracy,
event markers (divergence, learning-rate changes, resets), ghost curves of
earlier runs and a crosshair read-out.

Stays fast on long runs: curves downsample ('peak') and clip to the view, and
``set_history`` only hands a curve new data when its length changed, so it can
be called every frame while training.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from widgets.common.fit import scroll_body
from widgets.common.plot_style import light_grid, screen_decimated
from widgets.common.themed import Pen, colour, paint
from widgets.panels.loss_overlays import EVENT_COLOURS, EVENT_LABELS, GHOST_ALPHA, LossOverlays
from widgets.panels.loss_ranges import LossRanges
from widgets.panels.loss_updates import UPDATES, UPDATES_FAINT, PerUpdateCurve, update_epochs
from widgets.panels.stability_strip import StabilityStrip
from widgets.panels.timeline_bar import TimelineBar

# the per-update curve and the overlays live in their own modules; re-exported here
__all__ = [
    "EVENT_COLOURS",
    "EVENT_LABELS",
    "GHOST_ALPHA",
    "PENALTY",
    "TRAIN",
    "UPDATES",
    "UPDATES_FAINT",
    "VAL",
    "LossPanel",
    "update_epochs",
]

TRAIN = "#2f6fdf"
VAL = "#e4572e"
PENALTY = "#7d3c98"


def _fmt(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:.4g}"


class LossPanel(PerUpdateCurve, LossOverlays, LossRanges, QWidget):
    """``set_history(history, ghosts)``; ghosts are 1-D train-loss arrays of earlier runs."""

    clearGhostsRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="default")
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        light_grid(self.plot)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.legend = self.plot.addLegend(offset=(-10, 10), brush=pg.mkBrush(colour("plot_background", 200)))
        self._ghosts: list[pg.PlotDataItem] = []
        self.updates_curve = self.plot.plot(pen=pg.mkPen(UPDATES, width=1))
        self.train_curve = self.plot.plot(pen=pg.mkPen(TRAIN, width=2))
        self.val_curve = self.plot.plot(pen=pg.mkPen(VAL, width=2))
        # the L1/L2 penalty, its own curve (the training curve is the data loss alone)
        self.penalty_curve = self.plot.plot(pen=pg.mkPen(PENALTY, width=2, style=Qt.PenStyle.DashLine))
        # TensorBoard-style smoothing of the per-update curve; the raw one stays faint behind
        self.smooth_curve = self.plot.plot(pen=pg.mkPen(UPDATES, width=2))
        self.smooth_curve.setVisible(False)

        self.acc_plot = pg.PlotWidget(background="default")
        self.acc_plot.setLabel("bottom", "epoch")
        self.acc_plot.setLabel("left", "accuracy")
        light_grid(self.acc_plot)
        self.acc_plot.getAxis("left").enableAutoSIPrefix(False)
        self.acc_plot.setMouseEnabled(x=True, y=False)
        # same colours as the loss curves above, so no second legend
        self.acc_curve = self.acc_plot.plot(pen=pg.mkPen(TRAIN, width=2))
        self.val_acc_curve = self.acc_plot.plot(pen=pg.mkPen(VAL, width=2))
        self.acc_plot.disableAutoRange(axis="y")
        self.acc_plot.setYRange(-0.05, 1.08, padding=0)
        self.acc_plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
        self.acc_plot.setVisible(False)

        self._curves = {
            "train": self.train_curve,
            "val": self.val_curve,
            "updates": self.updates_curve,
            "acc": self.acc_curve,
            "val_acc": self.val_acc_curve,
            "penalty": self.penalty_curve,
            "smoothed": self.smooth_curve,
        }
        for c in self._curves.values():
            screen_decimated(c)
        self.updates_curve.setZValue(-5)
        self.updates_curve.setVisible(False)

        # crosshair: a vertical line follows the mouse, the label reads the data
        self.cursor_line = paint(pg.InfiniteLine(angle=90), pen=Pen("ink", alpha=90))
        self.cursor_line.setVisible(False)
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        self.readout = QLabel("")
        self.readout.setMinimumWidth(260)
        self._proxy = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=60, slot=self._mouse_moved)

        self._make_update_controls()
        self.test_label = QLabel("")
        self.test_label.setToolTip("The held-out test split, evaluated once when training ended")
        self.log_y = QCheckBox("log scale")
        self.log_y.setToolTip("Logarithmic loss axis: shows slow progress late in training")
        self.log_y.toggled.connect(self._set_log)
        self.clear_ghosts = QPushButton("Clear ghosts")
        self.clear_ghosts.setToolTip("Remove the faint curves of earlier runs")
        self.clear_ghosts.setEnabled(False)
        self.clear_ghosts.clicked.connect(self.clearGhostsRequested)
        top = QHBoxLayout()
        top.addWidget(self.readout, 1)
        for w in (self.per_update, self.smoothing, self.smoothing_label, self.log_y, self.clear_ghosts):
            top.addWidget(w)
        lay = QVBoxLayout(scroll_body(self))
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.test_label)
        self.test_label.setVisible(False)
        lay.addWidget(self.plot, 3)
        # issue 15: η·λ_max against the edge of stability beside the accuracy (one row,
        # so the loss plot keeps its height), and the keyframe scrubber under both
        self.stability = StabilityStrip()
        row = QHBoxLayout()
        row.addWidget(self.acc_plot, 1)
        row.addWidget(self.stability, 1)
        lay.addLayout(row, 2)
        self.timeline = TimelineBar()
        lay.addWidget(self.timeline)
        self.timeline_line = paint(pg.InfiniteLine(angle=90), pen=Pen("#9467bd", width=2))
        self.timeline_line.setVisible(False)
        self.plot.addItem(self.timeline_line, ignoreBounds=True)
        self._make_range_followers()  # the epoch axis shared with the plots below

        self._history = None
        self._lengths: dict[str, int] = {}
        self._acc_visible = False
        self._event_key = None
        self._markers: list[pg.InfiniteLine] = []
        self._ghost_key: tuple = ()
        self._legend_key = None
        self._ema = (np.zeros(0), (0.0, 0), None)  # smoothed values, EMA state, (weight, layout)

    # ----------------------------------------------------------------- api
    def set_timeline_cursor(self, epoch: float | None, loss: float | None = None) -> None:
        """A vertical line at the keyframe shown by the timeline (None: live, no line)."""
        self.timeline_line.setVisible(epoch is not None)
        if epoch is not None:
            self.timeline_line.setPos(float(epoch))
            if loss is not None and loss == loss:
                self.readout.setText(f"timeline: epoch {epoch}, training loss {loss:.6g}")

    def set_history(self, history, ghosts=()) -> None:
        if history is not self._history:
            self._history = history
            self._lengths.clear()
            self._event_key = None
            self._x_bound = self._y_bound = None
        n = min(len(history[k]) for k in ("epoch", "train_loss", "val_loss", "train_acc", "val_acc"))
        ep = history["epoch"][:n]
        if self._lengths.get("epochs") != n:
            self._lengths["epochs"] = n
            self.train_curve.setData(ep, history["train_loss"][:n])
            vl = history["val_loss"][:n]
            ok = np.isfinite(vl)
            self.val_curve.setData(ep[ok], vl[ok])
            ta, va = history["train_acc"][:n], history["val_acc"][:n]
            ok_t, ok_v = np.isfinite(ta), np.isfinite(va)
            self.acc_curve.setData(ep[ok_t], ta[ok_t])
            self.val_acc_curve.setData(ep[ok_v], va[ok_v])
            has_acc = bool(ok_t.any() or ok_v.any())
            if n and has_acc != self._acc_visible:  # relayout only when it changes
                self._acc_visible = has_acc
                self.acc_plot.setVisible(has_acc)
                self.plot.setLabel("bottom", "" if has_acc else "epoch")  # the accuracy plot's axis says it
            pen = history["penalty"][:n]
            has_pen = bool(np.nan_to_num(pen).any())
            self.penalty_curve.setData(ep, pen) if has_pen else self.penalty_curve.setData([], [])
            self._update_legend(bool(ok.any()))
            self._fit_x(float(ep[-1]) if n else 1.0)
            self._fit_y(history["train_loss"][:n], vl[ok])
        if self.per_update.isChecked():
            self._set_update_data()
        self._show_test(history)
        self._set_events(history)
        self._set_ghosts(ghosts)

    def set_accuracy_visible(self, visible: bool) -> None:
        """Show the accuracy plot up front (classification) so the first
        training epoch does not re-layout the panel."""
        if visible != self._acc_visible:
            self._acc_visible = visible
            self.acc_plot.setVisible(visible)
            self.plot.setLabel("bottom", "" if visible else "epoch")

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The full (x, y) given to a curve: 'train', 'val', 'updates', 'acc' or 'val_acc'."""
        c = self._curves[name]
        if c.xData is None:
            return np.empty(0), np.empty(0)
        return c.xData, c.yData

    def curve(self, name: str) -> pg.PlotDataItem:
        return self._curves[name]

    # ------------------------------------------------------------ internal
    def _show_test(self, history) -> None:
        from model.train.test_report import describe_test

        text = describe_test(getattr(history, "test", None))
        self.test_label.setVisible(bool(text))
        if text:
            self.test_label.setText(f"Test split (held out, reported once at the end): {text}")

    def _update_legend(self, has_val: bool) -> None:
        has_pen = self.penalty_curve.xData is not None and len(self.penalty_curve.xData) > 0
        key = (has_val, bool(self._ghosts), self.per_update.isChecked(), has_pen)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        self.legend.addItem(self.train_curve, "training")
        if has_val:
            self.legend.addItem(self.val_curve, "validation")
        if has_pen:
            self.legend.addItem(self.penalty_curve, "L1/L2 penalty")
        if self.per_update.isChecked():
            self.legend.addItem(self.updates_curve, "per update")
        if self._ghosts:
            self.legend.addItem(self._ghosts[0], "earlier runs")

    def _has_val(self) -> bool:
        return self.val_curve.xData is not None and len(self.val_curve.xData) > 0

    def _set_log(self, on: bool) -> None:
        self._y_bound = None
        self.plot.setLogMode(y=on)
        self.plot.enableAutoRange(y=True)

    def _mouse_moved(self, args) -> None:
        pos = args[0]
        vb = self.plot.getPlotItem().vb
        x_data = self.train_curve.xData
        if not self.plot.sceneBoundingRect().contains(pos) or x_data is None or len(x_data) == 0:
            self.cursor_line.setVisible(False)
            return
        x = vb.mapSceneToView(pos).x()
        i = int(np.clip(np.searchsorted(x_data, x), 0, len(x_data) - 1))
        if i > 0 and abs(x_data[i - 1] - x) < abs(x_data[i] - x):
            i -= 1
        epoch = x_data[i]
        text = f"epoch {epoch:.0f} · loss {_fmt(self.train_curve.yData[i])}"
        vx = self.val_curve.xData
        if vx is not None and len(vx):
            j = np.searchsorted(vx, epoch)
            if j < len(vx) and vx[j] == epoch:
                text += f" · val {_fmt(self.val_curve.yData[j])}"
        ax = self.acc_curve.xData
        if self.acc_plot.isVisible() and ax is not None and len(ax):
            j = np.searchsorted(ax, epoch)
            if j < len(ax) and ax[j] == epoch:
                text += f" · acc {self.acc_curve.yData[j]:.1%}"
        self.readout.setText(text)
        self.cursor_line.setPos(epoch)
        self.cursor_line.setVisible(True)
