"""EdgeLayer: every edge of the network canvas in ONE graphics item.

Per-edge graphics items do not scale (ARCHITECTURE.md, "Canvas rendering"):
this item keeps all segment endpoints in one (E, 4) array, bins the per-edge
values into a small palette and draws one cached ``QPainterPath`` per bin —
at most 16 draw calls per frame whatever the edge count.

Palettes (``mode``):

* ``"weight"`` — sign → hue (positive blue, negative orange-red), |w| → width
  and opacity; 8 bins per sign.
* ``"forward"`` — activity |w·V| on a green → yellow ramp, 16 magnitude bins.
* ``"backward"`` — error |∂E/∂w| (or δ-weighted) on a lilac → purple ramp,
  16 magnitude bins.

The overlays show *how much flows* along an edge; the sign is the weight
view's job (and the inspector's), so their ramps use all 16 bins for
magnitude.

Level of detail: with more than ``lod_threshold`` edges only the
``lod_threshold`` strongest-|v| edges are drawn (and hit-tested);
``lod_active`` and ``lod_text`` tell the canvas to say so on screen.

Layer bands (:meth:`EdgeLayer.set_layer_bands`): one filled trapezoid per
layer pair, drawn *under* the edges, tinted from the forward or backward
palette by a strength in [0, 1] — how the waves travel in networks too dense
to show every edge. At most one polygon per layer pair, opaque
(pre-blended) brushes: the cost does not depend on the edge count.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsObject

from widgets.common import theme as themes

__all__ = ["EdgeLayer", "MODES", "BINS_PER_SIGN", "BAND_TINT", "palette", "band_colour", "draw_legend"]

MODES = ("weight", "forward", "backward")
BINS_PER_SIGN = 8
WEIGHT_POSITIVE = "#2f6fdf"
WEIGHT_NEGATIVE = "#e4572e"
NEUTRAL = "#9aa0a8"
BACKGROUND = "#fbfbfc"  # the canvas background the pens are blended onto
HIGHLIGHT = "#1d1d1f"
HIGHLIGHT_HALO = "#ffd54a"
BAND_TINT = 0.4  # how far a full-strength band goes from the background to its palette colour


def _ramp(
    c0: str, c1: str, n: int, a0: float, a1: float, w0: float, w1: float, fade: float = 1.0
) -> list[QPen]:
    """``n`` cosmetic pens interpolating colour, strength and width over bins.

    Strength is *pre-blended* onto the canvas background (opaque pens): in
    the software raster engine alpha-blended lines cost ~10× more than opaque
    ones, and pens thinner than ~1.2 px take a slower path too (measured on
    3,000 edges: ~100 ms vs ~10 ms), so widths start at 1.2.
    """
    q0, q1, bg = QColor(c0), QColor(c1), QColor(BACKGROUND)
    pens = []
    for k in range(n):
        t = k / (n - 1)
        a = a0 * fade + (a1 - a0 * fade) * t ** (1.0 / fade)  # fade: paler weak bins only
        rgb = [
            c0_ + (c1_ - c0_) * t
            for c0_, c1_ in ((q0.red(), q1.red()), (q0.green(), q1.green()), (q0.blue(), q1.blue()))
        ]
        back = (bg.red(), bg.green(), bg.blue())
        col = QColor(*(round(b + (c - b) * a) for c, b in zip(rgb, back)))
        pen = QPen(col, w0 + (w1 - w0) * t)
        pen.setCosmetic(True)  # width in screen pixels, whatever the zoom
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pens.append(pen)
    return pens


def set_background(colour: str) -> None:
    """The canvas background the pens are blended onto (a theme change): weak
    edges fade into it, on a dark canvas as on a light one."""
    global BACKGROUND
    if colour != BACKGROUND:
        BACKGROUND = colour
        _PALETTES.clear()


def palette(mode: str, fade: float = 1.0) -> list[QPen]:
    """The 16 pens of a mode, in bin order (weight: 8 positive then 8 negative).
    ``fade`` < 1 lightens the weak bins (used for dense pictures); the
    strongest bin keeps its full colour."""
    if mode == "weight":
        return _ramp(WEIGHT_POSITIVE, WEIGHT_POSITIVE, BINS_PER_SIGN, 0.2, 1.0, 1.2, 3.4, fade) + _ramp(
            WEIGHT_NEGATIVE, WEIGHT_NEGATIVE, BINS_PER_SIGN, 0.2, 1.0, 1.2, 3.4, fade
        )
    if mode == "forward":
        return _ramp("#2ca25f", "#e0b800", 2 * BINS_PER_SIGN, 0.2, 1.0, 1.2, 3.6, fade)
    if mode == "backward":
        return _ramp("#c9b3e6", "#8e24aa", 2 * BINS_PER_SIGN, 0.2, 1.0, 1.2, 3.6, fade)
    raise ValueError(f"unknown edge mode {mode!r}; allowed: {', '.join(MODES)}")


_PALETTES: dict[tuple[str, float], list[QPen]] = {}


def _cached_palette(mode: str, fade: float = 1.0) -> list[QPen]:
    key = (mode, round(fade, 1))
    if key not in _PALETTES:
        _PALETTES[key] = palette(mode, key[1])
    return _PALETTES[key]


def band_colour(mode: str, strength: float) -> QColor:
    """Opaque fill of a layer band: the ``mode`` palette's pen at ``strength``
    (0…1), lightened towards the background (the edges drawn over it stay
    legible). Pre-blended: semi-transparent fills are slow in software raster."""
    if mode not in ("forward", "backward"):
        raise ValueError(f"layer bands are for 'forward' or 'backward', not {mode!r}")
    pens = _cached_palette(mode)
    c = pens[int(round(float(np.clip(strength, 0.0, 1.0)) * (len(pens) - 1)))].color()
    bg = QColor(BACKGROUND)
    return QColor(
        *(
            round(b + (x - b) * BAND_TINT)
            for x, b in ((c.red(), bg.red()), (c.green(), bg.green()), (c.blue(), bg.blue()))
        )
    )


class EdgeLayer(QGraphicsObject):
    """All edges as arrays; K cached paths; vectorised hit-testing.

    ``segments`` is (E, 4) float: x0, y0, x1, y1 in scene units. Values are
    (E,) floats in the same order.
    """

    def __init__(self, parent=None, *, lod_threshold: int = 3000, antialias_limit: int = 150):
        super().__init__(parent)
        self.lod_threshold = int(lod_threshold)
        self.antialias_limit = int(antialias_limit)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the view hit-tests edges
        self.setAcceptHoverEvents(False)
        self.setCacheMode(QGraphicsObject.CacheMode.NoCache)
        self._seg = np.empty((0, 4))
        self._rect = QRectF()
        self._edge_rect = QRectF()
        self._bands: list[tuple[QColor, QPolygonF]] = []
        self.band_strengths: list[float] | None = None  # per layer pair; None: no bands
        self.band_mode: str | None = None
        self.values: np.ndarray | None = None
        self.mode = "weight"
        self.scale = 1.0
        self._drawn = np.empty(0, dtype=np.int64)  # indices of the edges drawn
        self._paths: list[tuple[QPen, QPainterPath]] = []
        self._highlight: int | None = None

    # ------------------------------------------------------------------ data
    @property
    def n_edges(self) -> int:
        return len(self._seg)

    @property
    def n_drawn(self) -> int:
        return len(self._drawn)

    @property
    def segments(self) -> np.ndarray:
        return self._seg

    @property
    def drawn_indices(self) -> np.ndarray:
        """Indices (into the segment array) of the edges drawn this frame."""
        return self._drawn

    @property
    def lod_active(self) -> bool:
        return self.n_edges > self.lod_threshold

    @property
    def lod_text(self) -> str:
        if not self.lod_active:
            return ""
        return f"showing {self.lod_threshold:,} strongest of {self.n_edges:,} edges"

    def set_geometry(self, segments) -> None:
        """Replace all endpoints, (E, 4). Values reset to neutral grey."""
        seg = np.ascontiguousarray(segments, dtype=np.float64).reshape(-1, 4)
        self.prepareGeometryChange()
        self._seg = seg
        if len(seg):
            pad = 4.0
            x0 = min(seg[:, 0].min(), seg[:, 2].min())
            x1 = max(seg[:, 0].max(), seg[:, 2].max())
            y0 = min(seg[:, 1].min(), seg[:, 3].min())
            y1 = max(seg[:, 1].max(), seg[:, 3].max())
            self._edge_rect = QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        else:
            self._edge_rect = QRectF()
        self._rect = QRectF(self._edge_rect)
        self._highlight = None
        self.set_layer_bands(None)
        self.set_values(None)

    def set_layer_bands(self, bands, strengths=None, mode: str = "forward") -> None:
        """One filled trapezoid per layer pair under the edges, or none (None).

        ``bands``: per pair ``(x0, y0_top, y0_bottom, x1, y1_top, y1_bottom)``
        in scene units; ``strengths``: per pair 0…1 (0: not drawn), coloured
        by :func:`band_colour` of ``mode`` ("forward" | "backward")."""
        if bands is None or strengths is None:
            self._bands, self.band_strengths, self.band_mode = [], None, None
            rect = QRectF(self._edge_rect)
        else:
            if len(strengths) != len(bands):
                raise ValueError(f"expected {len(bands)} band strengths, got {len(strengths)}")
            s = [float(np.clip(x, 0.0, 1.0)) if np.isfinite(x) else 0.0 for x in strengths]
            self._bands = [
                (
                    band_colour(mode, t),
                    QPolygonF([QPointF(x0, t0), QPointF(x1, t1), QPointF(x1, b1), QPointF(x0, b0)]),
                )
                for (x0, t0, b0, x1, t1, b1), t in zip(bands, s)
                if t > 0
            ]
            self.band_strengths, self.band_mode = s, mode
            rect = QRectF(self._edge_rect)
            for _, poly in self._bands:
                rect = rect.united(poly.boundingRect())
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    def set_values(self, values, mode: str = "weight", scale: float | None = None) -> None:
        """Colour the edges by ``values`` (E,) or neutral grey when None.

        ``scale`` is the |value| that maps to the strongest bin (default: the
        largest |value|); pass a fixed one to keep colours steady across frames.
        """
        if mode not in MODES:
            raise ValueError(f"unknown edge mode {mode!r}; allowed: {', '.join(MODES)}")
        E = self.n_edges
        self.mode = mode
        if values is None:
            self.values = None
            self._drawn = (
                np.arange(E)
                if not self.lod_active
                else np.linspace(0, E - 1, self.lod_threshold).astype(np.int64)
            )
            pen = QPen(QColor(NEUTRAL), 1.2)
            pen.setCosmetic(True)
            self._paths = [(pen, self._path(self._drawn))] if E else []
            self.update()
            return
        v = np.asarray(values, dtype=np.float64).reshape(-1)
        if v.shape[0] != E:
            raise ValueError(f"expected {E} edge values, got {v.shape[0]}")
        v = np.where(np.isfinite(v), v, 0.0)
        mag = np.abs(v)
        if self.lod_active:
            drawn = np.argpartition(mag, E - self.lod_threshold)[E - self.lod_threshold :]
        else:
            drawn = np.arange(E)
        if scale is None or not scale > 0:
            scale = float(mag.max()) if E else 1.0
            scale = scale if scale > 0 else 1.0
        self.values, self.scale, self._drawn = v, float(scale), drawn
        t = np.clip(mag[drawn] / scale, 0.0, 1.0)
        # dense pictures: lighter tints, so the strongest edges (drawn last)
        # stand out instead of a solid mat of colour
        pens = _cached_palette(mode, float(np.clip(np.sqrt(800 / max(len(drawn), 1)), 0.5, 1.0)))
        if mode == "weight":
            bins = np.minimum((t * BINS_PER_SIGN).astype(np.int64), BINS_PER_SIGN - 1)
            bins = bins + BINS_PER_SIGN * (v[drawn] < 0)
            # strongest on top; within a strength the sign drawn last alternates,
            # so neither hue systematically hides the other in dense pictures
            draw_order = [
                k + s * BINS_PER_SIGN for k in range(BINS_PER_SIGN) for s in ((0, 1) if k % 2 else (1, 0))
            ]
        else:
            n = len(pens)
            bins = np.minimum((t * n).astype(np.int64), n - 1)
            draw_order = list(range(n))
        order = np.argsort(bins, kind="stable")
        sorted_idx = drawn[order]
        bounds = np.searchsorted(bins[order], np.arange(len(pens) + 1))
        self._paths = []
        for k in draw_order:
            lo, hi = bounds[k], bounds[k + 1]
            if hi > lo:
                self._paths.append((pens[k], self._path(sorted_idx[lo:hi])))
        self.update()

    def _path(self, idx: np.ndarray) -> QPainterPath:
        s = self._seg[idx]
        x = np.ascontiguousarray(s[:, 0::2]).reshape(-1)  # x0, x1, x0, x1, ...
        y = np.ascontiguousarray(s[:, 1::2]).reshape(-1)
        return pg.arrayToQPath(x, y, connect="pairs", finiteCheck=False)

    # ------------------------------------------------------------- selection
    @property
    def highlighted(self) -> int | None:
        return self._highlight

    def set_highlight(self, index: int | None) -> None:
        """Draw edge ``index`` emphasised on top of the others (None: no highlight)."""
        if index is not None and not 0 <= int(index) < self.n_edges:
            raise IndexError(f"edge {index} out of range (0…{self.n_edges - 1})")
        self._highlight = None if index is None else int(index)
        self.update()

    def edge_at(self, scene_point, tolerance: float) -> int | None:
        """Index of the drawn edge nearest to ``scene_point`` within ``tolerance``
        scene units, else None; where edges cross, the strongest |value| wins.
        Vectorised point-to-segment distance."""
        if not self.n_drawn:
            return None
        p = np.array([scene_point.x(), scene_point.y()])
        idx = self._drawn
        s = self._seg[idx]
        a, d = s[:, 0:2], s[:, 2:4] - s[:, 0:2]
        len2 = np.einsum("ij,ij->i", d, d)
        t = np.einsum("ij,ij->i", p - a, d) / np.where(len2 > 0, len2, 1.0)
        t = np.clip(t, 0.0, 1.0)
        diff = a + t[:, None] * d - p
        dist2 = np.einsum("ij,ij->i", diff, diff)
        best = float(dist2.min())
        if best > tolerance * tolerance:
            return None
        # edges crossing under the point: take the strongest (drawn on top)
        near = np.flatnonzero(dist2 <= best + 0.25)
        if len(near) > 1 and self.values is not None:
            return int(idx[near[np.argmax(np.abs(self.values[idx[near]]))]])
        return int(idx[near[0]])

    # -------------------------------------------------------------- painting
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._bands:  # under the edges; few large opaque polygons, no antialiasing
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(Qt.PenStyle.NoPen)
            for colour, poly in self._bands:
                painter.setBrush(colour)
                painter.drawPolygon(poly)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, self.n_drawn <= self.antialias_limit)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen, path in self._paths:
            painter.setPen(pen)
            painter.drawPath(path)
        if self._highlight is not None:
            x0, y0, x1, y1 = self._seg[self._highlight]
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            for colour, width in ((HIGHLIGHT_HALO, 7.0), (HIGHLIGHT, 2.5)):
                pen = QPen(QColor(colour), width)
                pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))


_LEGEND_TITLES = {
    "weight": "edge: weight w",
    "forward": "edge: forward activity |w·V|",
    "backward": "edge: backward error |∂E/∂w|",
}


def draw_legend(painter: QPainter, corner: QPointF, mode: str, scale: float) -> QRectF:
    """Draw the key to a mode's palette in device pixels with its bottom-left
    at ``corner``; returns the box drawn. The painter must be untransformed."""
    font = QFont()
    font.setPointSizeF(8.5)
    fm = QFontMetricsF(font)
    pens = _cached_palette(mode)
    title = _LEGEND_TITLES[mode]
    sw, gap = 7.0, 2.0  # swatch step, pixels
    if mode == "weight":
        half = pens[:BINS_PER_SIGN]
        swatches = pens[2 * BINS_PER_SIGN - 1 : BINS_PER_SIGN - 1 : -1] + half  # −max … 0 … +max
        left, right = f"−{scale:.3g}", f"+{scale:.3g}"
    else:
        swatches, left, right = pens, "0", f"{scale:.3g}"
    ramp_w = len(swatches) * (sw + gap)
    w = (
        max(
            fm.horizontalAdvance(title),
            fm.horizontalAdvance(left) + ramp_w + fm.horizontalAdvance(right) + 12,
        )
        + 16
    )
    h = fm.height() * 2 + 18
    box = QRectF(corner.x(), corner.y() - h, w, h)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    t = themes.current_theme()
    card = QColor(t.card if t.dark else "#ffffff")
    card.setAlpha(235)
    painter.setPen(QPen(QColor(t.card_border), 1))
    painter.setBrush(card)
    painter.drawRoundedRect(box, 5, 5)
    painter.setFont(font)
    painter.setPen(QColor(t.ink))
    painter.drawText(QPointF(box.left() + 8, box.top() + 4 + fm.ascent()), title)
    y_mid = box.top() + 10 + fm.height() + fm.height() / 2
    x = box.left() + 8
    painter.setPen(QColor(t.muted))
    painter.drawText(QPointF(x, y_mid + fm.ascent() / 2 - 1), left)
    x += fm.horizontalAdvance(left) + 6
    for pen in swatches:
        p = QPen(pen)
        p.setCapStyle(Qt.PenCapStyle.FlatCap)
        p.setWidthF(pen.widthF() * 1.5)
        painter.setPen(p)
        painter.drawLine(QPointF(x + sw / 2, y_mid - 7), QPointF(x + sw / 2, y_mid + 7))
        x += sw + gap
    painter.setPen(QColor(t.muted))
    painter.drawText(QPointF(x + 6, y_mid + fm.ascent() / 2 - 1), right)
    painter.restore()
    return box
