"""NeuronMapView: one neuron's activation over the 2-D input plane, large —
plus small thumbnails of every neuron's map for painting inside nodes.

Maps come from :func:`model.teaching.neuron_maps.neuron_maps` (``[iy, ix]`` grid
order, y up). The colour map is diverging around the *middle of the
activation's range*: orange below, white at the middle, blue above — for a
sigmoid unit white is 0.5, its decision line, for tanh 0 — the same
orange/blue convention as the canvas's nodes and weights. A thin contour is
drawn at that middle level; the line where a first-layer unit switches.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from model.teaching.neuron_maps import grid_points, neuron_maps
from widgets.common.themed import Pen, colour, paint

__all__ = ["NeuronMapView", "thumbnail_images", "maps_for", "map_levels", "diverging_lut", "THUMBNAIL_LIMIT"]

THUMBNAIL_LIMIT = 64  # hidden neurons; above that thumbnails are too small to read
_NEG = np.array([0xE4, 0x57, 0x2E], float)
_POS = np.array([0x2F, 0x6F, 0xDF], float)
_WHITE = np.array([255.0, 255.0, 255.0])
# (fill, edge) roles of class 0 (hollow: the plot background), class 1 (solid: the ink) and
# unlabelled points, readable on both map hues; colours from the theme (widgets.common.themed)
POINT_STYLES = (("plot_background", "ink"), ("ink", "plot_background"), ("muted", "ink"))


def diverging_lut(n: int = 256) -> np.ndarray:
    """(n, 3) uint8: orange → white → blue."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    rgb = np.where(t < 0, _WHITE + (_NEG - _WHITE) * -t, _WHITE + (_POS - _WHITE) * t)
    return np.round(rgb).astype(np.uint8)


_LUT = diverging_lut()


def map_levels(values) -> tuple[float, float]:
    """Colour range of a map: (0, 1) for values inside it (sigmoid, step,
    softmax), (−1, 1) inside that (tanh), else symmetric ±max|v|."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    if not finite.size:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0
    if lo >= -1.0 and hi <= 1.0:
        return -1.0, 1.0
    m = max(abs(lo), abs(hi))
    return (-m, m) if m > 0 else (-1.0, 1.0)


def maps_for(net, scaler, extent, r: int = 64) -> list[np.ndarray]:
    """Neuron maps over ``extent`` = (x_min, x_max, y_min, y_max) in *raw*
    input units: the grid is scaled with ``scaler.transform`` (None: as is)
    before the forward pass. Returns ``neuron_maps``'s list of (r, r, n_l)."""
    raw = grid_points(extent, r)
    X = raw if scaler is None else scaler.transform(raw)
    return neuron_maps(net, X, r)


def thumbnail_images(maps, size: int = 24, round_mask: bool = True) -> list[QImage]:
    """One ``size``×``size`` ARGB32 QImage per neuron.

    ``maps``: a sequence of (r, r) arrays (one neuron each) or (r, r, n)
    arrays (n neurons each, in order) — e.g. ``neuron_maps``'s output, which
    gives hidden then output neurons. Each thumbnail has its own levels
    (:func:`map_levels`), y up, nearest-neighbour resampling; with
    ``round_mask`` the corners are transparent so it fits a circular node.
    """
    size = int(size)
    if size < 2:
        raise ValueError(f"thumbnail size must be at least 2 pixels, got {size}")
    c = (np.arange(size) + 0.5) / size - 0.5
    inside = (c[None, :] ** 2 + c[:, None] ** 2) <= 0.25 if round_mask else np.ones((size, size), bool)
    out = []
    for m in maps:
        m = np.asarray(m, dtype=np.float64)
        stack = m[..., None] if m.ndim == 2 else m
        r_y, r_x = stack.shape[:2]
        rows = (size - 1 - np.arange(size)) * r_y // size  # top row of the image = largest y
        cols = np.arange(size) * r_x // size
        for k in range(stack.shape[2]):
            v = stack[:, :, k]
            lo, hi = map_levels(v)
            small = np.nan_to_num(v[np.ix_(rows, cols)], nan=(lo + hi) / 2)
            idx = np.clip(((small - lo) / (hi - lo) * 255).round(), 0, 255).astype(np.intp)
            rgb = _LUT[idx]
            bgra = np.empty((size, size, 4), np.uint8)  # ARGB32 little-endian byte order
            bgra[..., 0], bgra[..., 1], bgra[..., 2] = rgb[..., 2], rgb[..., 1], rgb[..., 0]
            bgra[..., 3] = np.where(inside, 255, 0)
            img = QImage(bgra.tobytes(), size, size, 4 * size, QImage.Format.Format_ARGB32)
            out.append(img.copy())  # own the pixels: the bytes object is temporary
    return out


class NeuronMapView(QWidget):
    """A large map of one neuron: ``set_map(values, extent, title)``.

    ``set_points(X_raw, labels)`` overlays the training points (label 0
    hollow white, 1 solid black, others grey); ``set_points_visible(bool)`` toggles
    them. ``set_line((a, b, c))`` draws a·x + b·y + c = 0 (e.g. the
    analytic line of a first-layer unit); None removes it.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel("")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot = pg.PlotWidget(background="default")
        self.plot.setAspectLocked(False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getPlotItem().setMouseEnabled(False, False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.contour = paint(pg.IsocurveItem(level=0.5), pen=Pen("ink", width=1.5))
        self.contour.setParentItem(self.image)
        self.points = pg.ScatterPlotItem(size=9, pen=None)  # per-point pens, from the theme
        self.points.setZValue(5)
        self.plot.addItem(self.points)
        self.line = paint(pg.PlotCurveItem(), pen=Pen("ink", width=1.5, dashed=True))
        self.line.setZValue(6)
        self.plot.addItem(self.line)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)
        self._points = (None, None)
        self.values: np.ndarray | None = None
        self.extent: tuple[float, float, float, float] | None = None
        self.levels = (0.0, 1.0)
        self._line = None

    def set_map(self, values, extent, title: str = "") -> None:
        """Show ``values`` (r_y, r_x) in [iy, ix] order over ``extent`` =
        (x_min, x_max, y_min, y_max); None clears."""
        self.title.setText(title)
        if values is None:
            self.values = None
            self.image.clear()
            self.contour.setData(None)
            return
        v = np.asarray(values, dtype=np.float64)
        if v.ndim != 2:
            raise ValueError(f"a neuron map is 2-D (r, r), got shape {v.shape}")
        self.values, self.extent = v, tuple(float(e) for e in extent)
        lo, hi = self.levels = map_levels(v)
        img = np.ascontiguousarray(np.nan_to_num(v, nan=(lo + hi) / 2), dtype=np.float32)
        self.image.setImage(img, levels=(lo, hi), lut=_LUT, autoLevels=False)
        x0, x1, y0, y1 = self.extent
        r_y, r_x = v.shape
        dx, dy = (x1 - x0) / max(r_x - 1, 1), (y1 - y0) / max(r_y - 1, 1)
        # pixel centres on the grid points
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        self.contour.setLevel((lo + hi) / 2)
        # IsocurveItem reads data as [x, y] in image pixels; ours is [iy, ix]
        self.contour.setData(img.T if v.min() < (lo + hi) / 2 < v.max() else None)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._draw_line()

    def set_points(self, X, labels=None) -> None:
        """Training points (n, 2) in raw units; ``labels`` (n,) ints (optional)."""
        self._points = (X, labels)
        if X is None or len(X) == 0:
            self.points.setData([], [])
            return
        X = np.asarray(X, dtype=np.float64)
        lab = (
            np.full(len(X), 2)
            if labels is None
            else np.where(np.isin(labels, (0, 1)), np.asarray(labels).reshape(-1), 2).astype(int)
        )
        styles = [(pg.mkBrush(colour(f)), pg.mkPen(colour(e), width=1.2)) for f, e in POINT_STYLES]
        self.points.setData(
            X[:, 0], X[:, 1], brush=[styles[k][0] for k in lab], pen=[styles[k][1] for k in lab]
        )

    def theme_changed(self, _t) -> None:
        self.set_points(*self._points)  # per-point colours: drawn again from the theme

    def set_points_visible(self, on: bool) -> None:
        self.points.setVisible(bool(on))

    def set_line(self, line) -> None:
        """Draw the line a·x + b·y + c = 0 over the map (None: none)."""
        self._line = None if line is None else tuple(float(c) for c in line)
        self._draw_line()

    def _draw_line(self) -> None:
        if self._line is None or self.extent is None:
            self.line.setData([], [])
            return
        a, b, c = self._line
        x0, x1, y0, y1 = self.extent
        if abs(b) >= abs(a) and b != 0:
            xs = np.array([x0, x1])
            ys = -(a * xs + c) / b
        elif a != 0:
            ys = np.array([y0, y1])
            xs = -(b * ys + c) / a
        else:
            self.line.setData([], [])
            return
        self.line.setData(xs, ys)
