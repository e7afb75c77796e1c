"""EdgeLayer: every edge of the network canvas in ONE graphics item.

Per-edge graphics items do not scale (ARCHITECTURE.md, "Canvas rendering"):
this item keeps all segment endpoints in one (E, 4) array, bins the per-edge
values into a small palette and draws one ``drawLines`` batch per bin — at
most 16 draw calls whatever the edge count — into a device-pixel cache that
later repaints only blit (widgets/canvas/edge_raster.py). New values that
leave every edge in its bin (training's small steps) change nothing drawn:
``set_values`` then returns False and nothing is repainted.

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
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsObject

from widgets.canvas.edge_bins import BINS_PER_SIGN, Binning, bin_values
from widgets.canvas.edge_raster import DeviceCache

__all__ = ["EdgeLayer", "MODES", "BINS_PER_SIGN", "BAND_TINT", "palette", "band_colour"]

MODES = ("weight", "forward", "backward")
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
        self._binning: Binning | None = None  # what is drawn
        self._bands_key: tuple | None = None
        self._next: tuple | None = None  # (values, mode, scale, Binning) prepared ahead
        self._highlight: int | None = None
        self._geometry = 0
        self._cache = DeviceCache()

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
        self._binning = self._next = None
        self._geometry += 1  # part of every picture's key: same bins on moved edges differ
        self.set_layer_bands(None)
        self.set_values(None)

    def set_layer_bands(self, bands, strengths=None, mode: str = "forward") -> None:
        """One filled trapezoid per layer pair under the edges, or none (None).

        ``bands``: per pair ``(x0, y0_top, y0_bottom, x1, y1_top, y1_bottom)``
        in scene units; ``strengths``: per pair 0…1 (0: not drawn), coloured
        by :func:`band_colour` of ``mode`` ("forward" | "backward")."""
        key, polys, s = self._band_polygons(bands, strengths, mode)
        self._bands, self.band_strengths, self.band_mode = polys, s, None if s is None else mode
        rect = QRectF(self._edge_rect)
        for _, poly in polys:
            rect = rect.united(poly.boundingRect())
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        if key != self._bands_key:
            self._bands_key = key
            self.update()

    def _band_polygons(self, bands, strengths, mode):
        """(picture key, [(colour, polygon)], clipped strengths or None)."""
        if bands is None or strengths is None:
            return None, [], None
        if len(strengths) != len(bands):
            raise ValueError(f"expected {len(bands)} band strengths, got {len(strengths)}")
        s = [float(np.clip(x, 0.0, 1.0)) if np.isfinite(x) else 0.0 for x in strengths]
        polys = [
            (
                band_colour(mode, t),
                QPolygonF([QPointF(x0, t0), QPointF(x1, t1), QPointF(x1, b1), QPointF(x0, b0)]),
            )
            for (x0, t0, b0, x1, t1, b1), t in zip(bands, s)
            if t > 0
        ]
        key = (mode, BACKGROUND, tuple(s), tuple(tuple(float(x) for x in b) for b in bands))
        return key, polys, s

    def set_values(self, values, mode: str = "weight", scale: float | None = None) -> bool:
        """Colour the edges by ``values`` (E,) or neutral grey when None.

        ``scale`` is the |value| that maps to the strongest bin (default: the
        largest |value|); pass a fixed one to keep colours steady across frames.
        Returns whether anything drawn changed (an edge's bin, the drawn set,
        the palette, the legend's scale); when not, nothing is repainted.
        """
        nxt = self._next
        if (
            nxt is not None
            and nxt[0] is values
            and nxt[1:3] == (mode, scale)
            and nxt[3].palette_key[-1] == BACKGROUND
        ):
            b = nxt[3]  # the prepared front: binned (and maybe rasterised) already
        else:
            b = self._bin(values, mode, scale)
        old, self._binning = self._binning, b
        self.mode, self.values, self.scale, self._drawn = mode, b.values, b.scale, b.drawn
        if b.same_picture(old):
            b._batches, b._key = old._batches, old._key  # reuse the built draw calls
            if b.legend != old.legend:
                self.update()
                return True
            return False
        self.update()
        return True

    def _bin(self, values, mode, scale) -> Binning:
        if mode not in MODES:
            raise ValueError(f"unknown edge mode {mode!r}; allowed: {', '.join(MODES)}")
        return bin_values(
            self.n_edges, values, mode, scale, self.lod_threshold, _cached_palette, BACKGROUND, NEUTRAL
        )

    def prepare(self, values, mode: str, scale: float | None, bands=None, strengths=None) -> None:
        """The picture coming next (the waves' next front: ``values`` for
        :meth:`set_values`, ``bands``/``strengths`` for :meth:`set_layer_bands`
        in ``mode``): binned now and rasterised ahead in slices by
        :meth:`prepare_step`, so showing it later (with the same ``values``
        object) costs a swap."""
        b = self._bin(values, mode, scale)
        self._next = (values, mode, scale, b)
        key, polys, _ = self._band_polygons(bands, strengths, mode)
        self._cache.prepare((self._geometry, b.key, key), self._setup_for(b), self._ops(b, polys))

    def prepare_step(self, seconds: float = 0.002) -> bool:
        """Rasterise the prepared picture for about ``seconds``; True when done."""
        return self._cache.step(seconds)

    @property
    def rasters(self) -> int:
        """How many times the bands and edges were rasterised while painting (the
        cache's misses); a repaint that only blits, or swaps in a picture
        prepared ahead, does not count."""
        return self._cache.rasters

    @property
    def prepared(self) -> int:
        """Pictures rasterised ahead (:meth:`prepare`) and finished."""
        return self._cache.prepared

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
        b = self._binning
        if b is not None:
            content = (self._geometry, b.key, self._bands_key)
            self._cache.draw(painter, content, self._setup_for(b), self._ops(b, self._bands))
        if self._highlight is not None:  # over the cache: selecting an edge re-rasterises nothing
            x0, y0, x1, y1 = self._seg[self._highlight]
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            for colour, width in ((HIGHLIGHT_HALO, 7.0), (HIGHLIGHT, 2.5)):
                pen = QPen(QColor(colour), width)
                pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))

    def _setup_for(self, b: Binning):
        aa = len(b.drawn) <= self.antialias_limit

        def setup(painter: QPainter) -> None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
            painter.setBrush(Qt.BrushStyle.NoBrush)

        return setup

    def _ops(self, b: Binning, bands) -> list:
        """The picture the cache holds, as ops in drawing order: the bands
        (under the edges; few large opaque polygons, no antialiasing), then
        the edges' batches in slices."""
        ops = []
        if bands:
            aa = len(b.drawn) <= self.antialias_limit

            def draw_bands(painter: QPainter) -> None:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.setPen(Qt.PenStyle.NoPen)
                for colour, poly in bands:
                    painter.setBrush(colour)
                    painter.drawPolygon(poly)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
                painter.setBrush(Qt.BrushStyle.NoBrush)

            ops.append(draw_bands)
        for batch in b.batches(self._seg):
            ops += batch.slices()
        return ops


_LEGEND_TITLES = {
    "weight": "edge: weight w",
    "forward": "edge: forward activity |w·V|",
    "backward": "edge: backward error |∂E/∂w|",
}
