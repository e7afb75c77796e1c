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
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from widgets.common.fit import scroll_body
from widgets.common.plot_style import light_grid, screen_decimated
from widgets.common.themed import LABEL_FILL_ALPHA, Ink, Pen, colour, paint
from widgets.panels.stability_strip import StabilityStrip
from widgets.panels.timeline_bar import TimelineBar

TRAIN = "#2f6fdf"
VAL = "#e4572e"
UPDATES = (47, 111, 223, 70)
UPDATES_FAINT = (47, 111, 223, 35)  # the raw per-update curve behind its smoothed line
PENALTY = "#7d3c98"
GHOST_ALPHA = 70  # earlier runs: the theme's muted grey, faint
# marker colours as made for white; each theme keeps them readable on its plots (themed.readable)
EVENT_COLOURS = {
    "diverged": "#c0392b",
    "lr": "#8e44ad",
    "reset": "#555555",
    "optimizer": "#d35400",  # live settings changes (app/training_controller.py)
    "schedule": "#16a085",
    "batch": "#2471a3",
    "regularization": "#7d3c98",
    "early_stop": "#1e8449",
}
EVENT_LABELS = {"diverged": "diverged", "reset": "reset"}


def _fmt(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:.4g}"


def _next_nice(v: float) -> float:
    """The next value of the 1, 2, 5, 10, 20, 50 … sequence after v."""
    m = 10 ** np.floor(np.log10(v))
    for f in (2, 5, 10):
        if f * m > v * 1.0001:
            return float(f * m)
    return float(20 * m)


def update_epochs(history, idx) -> np.ndarray:
    """Fractional epoch positions of update counts ``idx`` (update k ends at k).

    ``history["updates"][e]`` is the update count when epoch ``history["epoch"][e]``
    ended; between epoch ends positions are linear, beyond the last one they
    continue at the last epoch's rate.
    """
    idx = np.asarray(idx, dtype=float)
    n = min(len(history["epoch"]), len(history["updates"]))
    ep, up = history["epoch"][:n], history["updates"][:n]
    ok = np.isfinite(ep) & np.isfinite(up)
    ep, up = ep[ok], up[ok]
    if len(ep) == 0:
        return idx.copy()  # no epoch finished yet: one update per unit
    start_ep = ep[0] - 1
    start_up = up[0] - (up[1] - up[0] if len(up) > 1 else up[0])
    xs = np.concatenate([[max(start_up, 0.0)], up])
    ys = np.concatenate([[start_ep], ep])
    rate = (ys[-1] - ys[-2]) / max(xs[-1] - xs[-2], 1e-12)
    out = np.interp(idx, xs, ys)
    beyond = idx > xs[-1]
    out[beyond] = ys[-1] + (idx[beyond] - xs[-1]) * rate
    return out


class LossPanel(QWidget):
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

        self.per_update = QCheckBox("per update")
        self.per_update.setToolTip(
            "Also draw the loss of every single update (mini-batch or sample): "
            "stochastic and mini-batch descent are noisy"
        )
        self.per_update.toggled.connect(self._toggle_updates)
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(60)
        self.smoothing.setFixedWidth(70)
        self.smoothing.setToolTip(
            "Smoothing of the per-update curve (TensorBoard's debiased moving average, weight 0…0.99); "
            "the raw curve stays faint behind it. 0 = no smoothing."
        )
        self.smoothing.setVisible(False)  # only with the per-update curve: the row stays narrow
        self.smoothing.valueChanged.connect(self._smoothing_changed)
        self.smoothing_label = QLabel("smooth 0.60", toolTip=self.smoothing.toolTip())
        self.smoothing_label.setVisible(False)
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
        # the same epoch range as the loss plot (by range, not XLink: XLink aligns by
        # pixel position, which skews plots of different widths)
        self.plot.sigXRangeChanged.connect(self._follow_x)
        row = QHBoxLayout()
        row.addWidget(self.acc_plot, 1)
        row.addWidget(self.stability, 1)
        lay.addLayout(row, 2)
        self.timeline = TimelineBar()
        lay.addWidget(self.timeline)
        self.timeline_line = paint(pg.InfiniteLine(angle=90), pen=Pen("#9467bd", width=2))
        self.timeline_line.setVisible(False)
        self.plot.addItem(self.timeline_line, ignoreBounds=True)

        self._history = None
        self._lengths: dict[str, int] = {}
        self._x_bound: float | None = None
        self._acc_visible = False
        self._y_bound: float | None = None
        self._event_key = None
        self._markers: list[pg.InfiniteLine] = []
        self._ghost_key: tuple = ()
        self._legend_key = None
        self._ema = (np.zeros(0), (0.0, 0), None)  # smoothed values, EMA state, (weight, layout)

    def _follow_x(self, _view, rng) -> None:
        for p in (self.acc_plot, self.stability.plot):
            p.setXRange(float(rng[0]), float(rng[1]), padding=0)

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

    def markers(self) -> list[tuple[float, str, str]]:
        """(epoch position, kind, label text) of the event markers drawn."""
        return [(m.value(), m.kind, m.label.textItem.toPlainText()) for m in self._markers]

    def ghost_count(self) -> int:
        return len(self._ghosts)

    # ------------------------------------------------------------ internal
    def _show_test(self, history) -> None:
        from model.train.test_report import describe_test

        text = describe_test(getattr(history, "test", None))
        self.test_label.setVisible(bool(text))
        if text:
            self.test_label.setText(f"Test split (held out, reported once at the end): {text}")

    def _smoothing_changed(self, value: int) -> None:
        self.smoothing_label.setText(f"smooth {value / 100:.2f}")
        self._lengths.pop("updates", None)
        if self.per_update.isChecked() and self._history is not None:
            self._set_update_data()

    def smoothing_weight(self) -> float:
        return self.smoothing.value() / 100.0

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

    def _toggle_updates(self, on: bool) -> None:
        self.updates_curve.setVisible(on)
        self.smooth_curve.setVisible(on and self.smoothing_weight() > 0)
        self.smoothing.setVisible(on)
        self.smoothing_label.setVisible(on)
        if on and self._history is not None:
            self._set_update_data()
        self._update_legend(self._has_val())

    def _set_update_data(self) -> None:
        h = self._history
        m = len(h.update_loss)
        if (
            self._lengths.get("updates") == m
            and self._lengths.get("updates_epochs") == self._lengths["epochs"]
        ):
            return
        self._lengths["updates"] = m
        self._lengths["updates_epochs"] = self._lengths["epochs"]
        # bounded however long the run: older updates come decimated (their min/max envelope)
        s = h.update_loss
        xs, y = s.curve()
        w = self.smoothing_weight()
        self.smooth_curve.setVisible(w > 0)
        self.updates_curve.setPen(pg.mkPen(UPDATES_FAINT if w > 0 else UPDATES, width=1))
        if w > 0:
            mx, my = s.mean_curve()  # the smoothed line follows the buckets' means
            self.smooth_curve.setData(update_epochs(h, mx), self._smoothed(my, w, (s.start, s.bucket)))
        self.updates_curve.setData(update_epochs(h, xs), y)

    def _smoothed(self, y: np.ndarray, w: float, layout=None) -> np.ndarray:
        """The EMA of ``y``, continuing from the last call when only points were added
        (``layout`` changes when older updates were decimated: then it starts over)."""
        from model.analysis.smoothing import ema_smooth

        done, state, key = self._ema
        if key != (w, layout) or len(done) > len(y):
            done, state = np.zeros(0), (0.0, 0)
        new, state = ema_smooth(y[len(done) :], w, state)
        done = np.concatenate([done, new])
        self._ema = (done, state, (w, layout))
        return done

    def _set_events(self, history) -> None:
        key = (len(history.events), len(history))
        if key == self._event_key:
            return
        self._event_key = key
        for m in self._markers:
            self.plot.removeItem(m)
        self._markers = []
        events = list(history.events)
        if not events:
            return
        xs = update_epochs(history, [e[0] for e in events])
        n = len(history)
        mid = 0.5 * (history["epoch"][0] + history["epoch"][n - 1]) if n else 0.0
        for x, (_, kind, text) in zip(xs, events):
            side = (1, 0.5) if x > mid else (0, 0.5)  # text towards the middle, never off the edge
            label = EVENT_LABELS.get(kind, text or kind)
            label = label if len(label) <= 24 else label[:23] + "…"
            line = pg.InfiniteLine(
                pos=float(x),
                angle=90,
                movable=False,
                label=label,
                labelOpts={
                    "position": 0.55 - 0.1 * (len(self._markers) % 3),  # clear of the legend
                    "anchors": [side, side],
                },
            )
            role = EVENT_COLOURS.get(kind, "muted")
            paint(
                line,
                pen=Pen(role, width=1.5, dashed=True),
                text=Ink(role),
                fill=Ink("plot_background", LABEL_FILL_ALPHA),
            )
            line.kind = kind
            line.setToolTip(text or kind)
            self.plot.addItem(line, ignoreBounds=True)
            self._markers.append(line)

    def _set_ghosts(self, ghosts) -> None:
        key = tuple(len(g) for g in ghosts)
        if key != self._ghost_key:
            self._ghost_key = key
            for g in self._ghosts:
                self.plot.removeItem(g)
            self._ghosts = []
            for g in ghosts:
                g = np.asarray(g, dtype=float)
                # add to the plot first: clipping needs the view box
                item = paint(self.plot.plot(np.arange(1, len(g) + 1), g), pen=Pen("muted", GHOST_ALPHA))
                screen_decimated(item)
                item.setZValue(-10)
                self._ghosts.append(item)
            self._legend_key = None
            self._update_legend(self._has_val())
        self.clear_ghosts.setEnabled(bool(self._ghosts))

    def _fit_x(self, last_epoch: float) -> None:
        """Grow the epoch axis in 1-2-5 steps, not every epoch: each range
        change re-renders both plots' axes, the costliest part of a repaint."""
        bound = 10.0  # the first few epochs fit without re-ranging
        while bound < last_epoch * 1.02:
            bound = _next_nice(bound)
        if bound != self._x_bound:
            self._x_bound = bound
            self.plot.setXRange(0, bound, padding=0.02)

    def _fit_y(self, *curves) -> None:
        """Linear loss axis from 0 to a 1-2-5 bound above the largest loss, so
        it changes rarely; the log axis keeps pyqtgraph's auto-range."""
        if self.log_y.isChecked():
            return
        vals = [c[np.isfinite(c)] for c in curves if len(c)]
        top = max((float(v.max()) for v in vals if len(v)), default=0.0)
        if top <= 0:
            return
        bound = 10.0 ** np.floor(np.log10(top)) / 10
        while bound < top * 1.02:
            bound = _next_nice(bound)
        if bound != self._y_bound:
            self._y_bound = bound
            self.plot.setYRange(0, bound, padding=0.02)

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
