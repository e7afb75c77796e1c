"""DatasetView: the data as points over the network's decision regions or fitted surface.

Points are drawn in RAW input units: training points filled, validation
points hollow, coloured by class (binary: blue = 1, orange = 0; more classes:
a qualitative palette) or by target value (regression: viridis).  Under them
an ``ImageItem`` shows the network's output on a grid that the *app*
computes (the view never runs the network):

    X_grid, extent = view.grid_inputs(r)        # (r*r, d) raw inputs
    Y = net.predict(scaler.transform(X_grid))   # (r*r, k)
    view.set_grid_output(Y.reshape(r, r, k), extent)

Grid order: ``X_grid.reshape(r, r, d)[iy, ix]`` has feature ``fx`` =
``xs[ix]``, ``fy`` = ``ys[iy]`` and every other feature at its training mean;
``extent = (x_min, x_max, y_min, y_max)`` are the first and last grid
centres.  One-input data (e.g. sine) is drawn as x against t with the
network's output as a curve: then ``X_grid`` is (r, 1) and values (r,) or (r, k).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from model.data.datasets import Dataset
from widgets.common import theme as themes
from widgets.common.plot_style import light_grid
from widgets.panels.confusion_table import ConfusionTable, confusion_counts
from widgets.panels.data_classes import (
    class_names,
    legend_html,
    n_classes,
    point_brushes,
    predicted_classes,
    region_image,
)
from widgets.panels.pattern_marker import PatternMarker
from widgets.panels.unit_lines_overlay import UnitLinesOverlay

__all__ = ["DatasetView"]

CLICK_RADIUS_PX = 8.0


class DatasetView(QWidget):
    """Scatter of the data over the network's output.  See the module docstring.

    Signals: ``pointClicked(int index_in_train)``, ``featuresChanged(int fx, int fy)``.
    """

    pointClicked = Signal(int)
    featuresChanged = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.train: Dataset | None = None
        self.val: Dataset | None = None
        self._probe: int | None = None
        self._build()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        self.x_combo = QComboBox(
            toolTip="Input feature on the horizontal axis (the others are held "
            "at their training means for the background)."
        )
        self.y_combo = QComboBox(toolTip="Input feature on the vertical axis.")
        self.feature_row = QWidget()
        row = QHBoxLayout(self.feature_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("x:"))
        row.addWidget(self.x_combo, 1)
        row.addWidget(QLabel("y:"))
        row.addWidget(self.y_combo, 1)
        self.legend = QLabel(wordWrap=True, toolTip="Filled markers: training samples; hollow: validation.")

        self.plot = pg.PlotWidget(background="default")
        self.plot.setToolTip("Click a training point to make it the probe sample.")
        self.plot.setMenuEnabled(False)
        light_grid(self.plot)
        for side in ("bottom", "left"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)  # raw units, no "(x0.001)"
        self.vb = self.plot.getPlotItem().getViewBox()
        self.heat = pg.ImageItem()
        self.heat.setZValue(-10)
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#d62728", width=2.5))
        self.train_pts = pg.ScatterPlotItem(size=9, pxMode=True)
        self.val_pts = pg.ScatterPlotItem(size=9, pxMode=True, brush=None)
        # the probe: an ink ring inside a halo of the background's colour, visible on
        # any map colour and in every theme (black alone vanished on high contrast's black)
        self.probe_halo = pg.ScatterPlotItem(size=26, pxMode=True, brush=None)
        self.probe_ring = pg.ScatterPlotItem(size=22, pxMode=True, brush=None)
        self.probe_halo.setZValue(19)
        self.probe_ring.setZValue(20)
        self.theme_changed(themes.current_theme())
        for item in (self.heat, self.curve, self.train_pts, self.val_pts, self.probe_halo, self.probe_ring):
            self.plot.addItem(item)
        self.overlay = UnitLinesOverlay(self.plot)
        self.step_marker = PatternMarker(self.plot)
        self._step: tuple[int | None, list[int], str] | None = None
        self.lines_check = QCheckBox("Hidden-unit lines")
        self.lines_check.setToolTip(
            "Draw each first-hidden-layer unit's decision line w_i1·x1 + w_i2·x2 = θ_i over the data "
            "(raw input units; the lecture's Fig. 5.23) (2-D data)"
        )
        self.lines_check.toggled.connect(lambda _on: self._draw_lines())
        self.lines_caption = QLabel(
            wordWrap=True, toolTip="The lines drawn over the data and their equations."
        )
        self._net_lines = None
        self.plot.scene().sigMouseClicked.connect(self._on_click)

        self.stats = ConfusionTable()
        self.accuracy, self.confusion = self.stats.accuracy, self.stats.table

        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.feature_row)
        lay.addWidget(self.legend)
        lay.addWidget(self.lines_check)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.lines_caption)
        lay.addWidget(self.stats)
        self.feature_row.hide(), self.stats.hide()
        self.x_combo.currentIndexChanged.connect(lambda i: self._on_feature(self.x_combo, self.y_combo))
        self.y_combo.currentIndexChanged.connect(lambda i: self._on_feature(self.y_combo, self.x_combo))

    # ------------------------------------------------------------------ data
    def set_data(self, train: Dataset, val: Dataset | None = None) -> None:
        """Show RAW training and validation data; clears grid output, predictions and probe."""
        self.train, self.val = train, val
        d = train.n_inputs
        names = list(train.feature_names)
        if d > 2:  # start with the two most variable features (constant pixels say nothing)
            fx, fy = sorted(np.argsort(-train.X.var(axis=0), kind="stable")[:2].tolist())
        else:
            fx, fy = 0, min(1, d - 1)
        for combo, idx in ((self.x_combo, fx), (self.y_combo, fy)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentIndex(idx)
            combo.blockSignals(False)
        self.feature_row.setVisible(d > 2)
        self.heat.clear()
        self.heat.setVisible(False)
        self.curve.setData([], [])
        self._probe = None
        self.probe_ring.setData([], [])
        self.probe_halo.setData([], [])
        classification = train.task == "classification"
        self.stats.setVisible(classification)
        if classification:
            self.stats.set_classes(class_names(self.train))
        self._draw_points()

    def features(self) -> tuple[int, int]:
        """(fx, fy): the input columns on the x and y axes."""
        return self.x_combo.currentIndex(), self.y_combo.currentIndex()

    def set_features(self, fx: int, fy: int) -> None:
        """Choose the axes' features (emits nothing)."""
        for combo, i in ((self.x_combo, fx), (self.y_combo, fy)):
            combo.blockSignals(True)
            combo.setCurrentIndex(i)
            combo.blockSignals(False)
        self.heat.setVisible(False)
        self._draw_points()

    def grid_inputs(self, resolution: int) -> tuple[np.ndarray, tuple[float, float, float, float]] | None:
        """Raw-unit grid inputs: ((r*r, d) or (r, 1) for 1-D data, (x_min, x_max, y_min, y_max)).

        None while no data set is shown.
        """
        if self.train is None:
            return None
        r = int(resolution)
        if r < 2:
            raise ValueError(f"grid resolution must be at least 2, got {resolution!r}")
        x0, x1, y0, y1 = self._extent()
        xs = np.linspace(x0, x1, r)
        if self.train.n_inputs == 1:
            return xs[:, None], (x0, x1, y0, y1)
        fx, fy = self.features()
        ys = np.linspace(y0, y1, r)
        X = np.repeat(self.train.X.mean(axis=0)[None, :], r * r, axis=0)
        gx, gy = np.meshgrid(xs, ys)  # gx[iy, ix] = xs[ix]
        X[:, fx] = gx.ravel()
        X[:, fy] = gy.ravel()
        return X, (x0, x1, y0, y1)

    def set_grid_output(self, values: np.ndarray | None, extent=None) -> None:
        """Network outputs on the grid of :meth:`grid_inputs`: (r, r) or (r, r, k); 1-D: (r,) or (r, k).

        ``None`` clears.  Binary classification: a diverging map around 0.5;
        k > 1 classes: the argmax class's colour, opacity = confidence;
        regression: output 0 on the viridis scale of the targets.
        """
        if values is None or self.train is None:
            self.heat.setVisible(False)
            self.curve.setData([], [])
            return
        v = np.asarray(values, dtype=np.float64)
        x0, x1, y0, y1 = (float(e) for e in extent)
        if self.train.n_inputs == 1:
            ys = v.reshape(v.shape[0], -1)[:, 0]
            self.curve.setData(np.linspace(x0, x1, len(ys)), ys)
            return
        r_y, r_x = v.shape[:2]
        img, lut, levels = region_image(v, self.train)
        # ImageItem is column-major (image[x, y]): transpose our [iy, ix] grid
        self.heat.setImage(np.ascontiguousarray(img.T), levels=levels, lut=lut, autoLevels=False)
        dx = (x1 - x0) / max(r_x - 1, 1)
        dy = (y1 - y0) / max(r_y - 1, 1)
        self.heat.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, (x1 - x0) + dx, (y1 - y0) + dy))
        self.heat.setVisible(True)

    def set_network_lines(self, weights, biases, activations, scaler) -> None:
        """The network whose first-layer lines (toggle) and collapsed linear map are drawn."""
        self._net_lines = (weights, biases, list(activations), scaler)
        self._draw_lines()

    def _draw_lines(self) -> None:
        two_d = self.train is not None and self.train.n_inputs == 2
        self.lines_check.setVisible(two_d)
        if not two_d or self._net_lines is None or len(self._net_lines[0]) == 0:
            self.overlay.clear()
            self.lines_caption.setText("")
            self.lines_caption.setVisible(False)
            return
        W, B, acts, scaler = self._net_lines
        units = self.lines_check.isChecked() and len(W) > 1
        text = self.overlay.update(W, B, acts, scaler, self._extent(0.3), units)
        self.lines_caption.setText(text)
        self.lines_caption.setVisible(bool(text))

    def set_predictions(
        self, train_pred: np.ndarray | None, val_pred: np.ndarray | None = None, at=None
    ) -> None:
        """Network outputs for the training (and validation) rows, (n, k): accuracy + confusion matrix.

        ``at`` = (epoch, updates) of the weights when they are a training snapshot's (the
        matrix refreshes less often than the status bar on big data, so it says when).

        Ignored for regression or when the row count does not match the shown data.
        """
        if self.train is None or self.train.task != "classification" or train_pred is None:
            return
        pred = predicted_classes(train_pred)
        true = self.train.labels()
        if pred is None or len(pred) != len(true):
            return
        cm = confusion_counts(true, pred, n_classes(self.train))
        vp = predicted_classes(val_pred) if val_pred is not None and self.val is not None else None
        val_acc = None
        if vp is not None and len(vp) == self.val.n_samples and len(vp):  # undecided (−1) never matches
            val_acc = float(np.mean(vp == self.val.labels()))
        self.stats.show_counts(cm, len(true), int((pred < 0).sum()), val_acc, at)

    def confusion_matrix(self) -> np.ndarray:
        """The counts shown: (k, k) int, rows = true class, columns = predicted."""
        return self.stats.counts()

    def theme_changed(self, t) -> None:
        self.probe_halo.setPen(pg.mkPen(t.plot_background, width=4))
        self.probe_ring.setPen(pg.mkPen(t.ink, width=2.5))
        self.train_pts.setPen(pg.mkPen(t.ink, width=0.8))

    def set_probe(self, index: int | None) -> None:
        """Ring training row ``index`` (None or out of range: no ring)."""
        self._probe = index
        pts = None if self.train is None else self._xy(self.train)
        if index is None or pts is None or not 0 <= index < len(pts[0]):
            self.probe_ring.setData([], [])
            self.probe_halo.setData([], [])
            return
        self.probe_ring.setData([pts[0][index]], [pts[1][index]])
        self.probe_halo.setData([pts[0][index]], [pts[1][index]])

    def set_step_pattern(self, current: int | None, batch=(), text: str = "") -> None:
        """Mark the training row the step-through is on (``current``, labelled ``text``)
        and the other rows of its batch; ``set_step_pattern(None)`` clears the marks."""
        self._step = None if current is None and not batch else (current, list(batch), text)
        self._draw_step()

    def _draw_step(self) -> None:
        if self._step is None or self.train is None:
            self.step_marker.clear()
            return
        x, y = self._xy(self.train)
        self.step_marker.show(x, y, *self._step)

    # ------------------------------------------------------------------ drawing
    def _xy(self, ds: Dataset):
        if ds.n_inputs == 1:
            return ds.X[:, 0], ds.T[:, 0]
        fx, fy = self.features()
        return ds.X[:, fx], ds.X[:, fy]

    def _draw_points(self) -> None:
        train, val = self.train, self.val
        if train is None:
            return
        x, y = self._xy(train)
        ink = themes.current_theme().ink  # a thin ring in the theme's ink keeps points apart
        self.train_pts.setData(x, y, brush=point_brushes(train, train), pen=pg.mkPen(ink, width=0.8))
        if val is not None and val.n_samples:
            vx, vy = self._xy(val)
            pens = [pg.mkPen(b.color(), width=2) for b in point_brushes(val, train)]
            self.val_pts.setData(vx, vy, pen=pens, brush=None)
        else:
            self.val_pts.setData([], [])
        names, (fx, fy) = train.feature_names, self.features()
        one_d = train.n_inputs == 1
        self.plot.setLabel("bottom", names[0] if one_d else names[fx])
        self.plot.setLabel("left", train.target_names[0] if one_d else names[fy])
        x0, x1, y0, y1 = self._extent(pad=0.1)
        self.vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.vb.disableAutoRange()
        self.legend.setText(legend_html(self.train))
        self.set_probe(self._probe)
        self._draw_step()

    # ------------------------------------------------------------------ helpers
    def _extent(self, pad: float = 0.1) -> tuple[float, float, float, float]:
        """Padded bounds of the shown features over training + validation rows."""
        sets = [ds for ds in (self.train, self.val) if ds is not None and ds.n_samples]
        xy = [self._xy(ds) for ds in sets]
        xs = np.concatenate([a for a, _ in xy])
        ys = np.concatenate([b for _, b in xy])

        def padded(a):
            lo, hi = float(a.min()), float(a.max())
            span = hi - lo if hi > lo else 1.0
            return lo - pad * span, hi + pad * span

        return (*padded(xs), *padded(ys))

    def _on_feature(self, changed: QComboBox, other: QComboBox) -> None:
        if changed.currentIndex() == other.currentIndex():  # never plot a feature against itself
            other.blockSignals(True)
            other.setCurrentIndex((changed.currentIndex() + 1) % max(other.count(), 1))
            other.blockSignals(False)
        self.heat.setVisible(False)  # the old background belongs to the old features
        self._draw_points()
        self.featuresChanged.emit(*self.features())

    def _on_click(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or self.train is None:
            return
        pos = ev.scenePos()
        if not self.vb.sceneBoundingRect().contains(pos):
            return
        p = self.vb.mapSceneToView(pos)
        pw, ph = self.vb.viewPixelSize()
        x, y = self._xy(self.train)
        d2 = ((x - p.x()) / pw) ** 2 + ((y - p.y()) / ph) ** 2
        i = int(np.argmin(d2)) if len(d2) else -1
        if i >= 0 and d2[i] <= CLICK_RADIUS_PX**2:
            ev.accept()
            self.pointClicked.emit(i)
