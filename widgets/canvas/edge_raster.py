"""Drawing the canvas's edges cheaply: QLineF batches and a device-pixel cache.

Batches (:class:`LineBatch`): one pen's segments as an (n, 4) float64 array
that Qt reads in place as n ``QLineF`` — one ``drawLines`` call per pen, no
``QPainterPath`` built and no Python object per edge (what pyqtgraph's
``PrimitiveArray`` does for its connect="pairs" curves). Same pixels as the
paths they replace (stroking a path of move/line pairs and drawing the lines
rasterise alike).

Cache (:class:`DeviceCache`): what the edge layer draws under everything else
(layer bands, edges) is rasterised once into a transparent image the size of
the paint device, in device pixels, and only blitted on later paints, until it
changes (``invalidate``: new bins, bands, geometry, palette) or the view moves
(another world transform or device size). A repaint for a node's colour, the
selection, a wave's node fill or the legend then costs one blit, not K draw
calls over thousands of lines (on a 2-core software raster: ~0.1 ms instead
of ~4 ms for 3,000 edges). ``rasters`` counts the real rasterisations
(tests read it; nothing is timed).
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QLineF, QPointF
from PySide6.QtGui import QImage, QPainter, QPen

__all__ = ["LineBatch", "DeviceCache"]

_ARGB = QImage.Format.Format_ARGB32_Premultiplied


class LineBatch:
    """Segments (x0, y0, x1, y1 per row) drawn with one pen in one call."""

    __slots__ = ("pen", "lines", "_first")

    def __init__(self, pen: QPen, segments: np.ndarray):
        self.pen = pen
        self.lines = np.ascontiguousarray(segments, dtype=np.float64).reshape(-1, 4)
        # a QLineF is four qreals (doubles): Qt reads the array's rows in place
        self._first = shiboken6.wrapInstance(self.lines.ctypes.data, QLineF) if len(self.lines) else None

    def __len__(self) -> int:
        return len(self.lines)

    def draw(self, painter: QPainter) -> None:
        if self._first is not None:
            painter.setPen(self.pen)
            painter.drawLines(self._first, len(self.lines))


class DeviceCache:
    """One cached picture in device pixels; see the module docstring."""

    MAX_PIXELS = 4096 * 4096  # larger devices (big exports) are drawn directly

    def __init__(self):
        self._image: QImage | None = None
        self._key: tuple | None = None
        self.rasters = 0  # times draw_fn really drew

    def invalidate(self) -> None:
        self._key = None

    def draw(self, painter: QPainter, draw_fn) -> None:
        """Blit the cached picture, re-drawing it with ``draw_fn(painter)`` first
        when it is stale or the painter's device or transform changed."""
        dev = painter.device()
        dpr = dev.devicePixelRatioF() if dev is not None else 1.0
        w, h = (dev.width(), dev.height()) if dev is not None else (0, 0)
        t = painter.worldTransform()
        if w <= 0 or h <= 0 or w * h * dpr * dpr > self.MAX_PIXELS:
            self.rasters += 1
            draw_fn(painter)
            return
        key = (w, h, dpr, t.m11(), t.m12(), t.m21(), t.m22(), t.m31(), t.m32(), t.m13(), t.m23(), t.m33())
        if key != self._key:
            img = self._image
            size = (round(w * dpr), round(h * dpr))
            if img is None or (img.width(), img.height()) != size:
                img = QImage(size[0], size[1], _ARGB)
            img.setDevicePixelRatio(dpr)
            img.fill(0)
            p = QPainter(img)
            p.setWorldTransform(t)
            draw_fn(p)
            p.end()
            self._image, self._key = img, key
            self.rasters += 1
        painter.save()
        painter.resetTransform()
        painter.drawImage(QPointF(0, 0), self._image)
        painter.restore()
