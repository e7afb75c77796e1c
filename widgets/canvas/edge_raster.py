"""Drawing the canvas's edges cheaply: QLineF batches and a device-pixel cache.

Batches (:class:`LineBatch`): one pen's segments as an (n, 4) float64 array
that Qt reads in place as n ``QLineF`` — one ``drawLines`` call per pen, no
``QPainterPath`` built and no Python object per edge (what pyqtgraph's
``PrimitiveArray`` does for its connect="pairs" curves). Same pixels as the
paths they replace (stroking a path of move/line pairs and drawing the lines
rasterise alike).

Cache (:class:`DeviceCache`): what the edge layer draws under everything else
(layer bands, edges) is rasterised once into a transparent image the size of
the paint device, in device pixels, and only blitted on later paints until
the picture changes (its ``content`` key: the bins, the bands) or the view
moves (another world transform or device size). A repaint for a node's
colour, the selection, a wave's node fill or the legend then costs one blit,
not K draw calls over thousands of lines.

Ahead of time (:meth:`DeviceCache.prepare`, :meth:`DeviceCache.step`): a
picture known to come next (the waves' next front) is rasterised in slices of
a few milliseconds between frames, into a second image; when the layer then
shows that content, the paint swaps the images instead of rasterising.
``rasters`` counts rasterisations done while painting, ``prepared`` pictures
finished ahead (tests read them; nothing is timed).
"""

from __future__ import annotations

import time

import numpy as np
import shiboken6
from PySide6.QtCore import QLineF, QPointF
from PySide6.QtGui import QImage, QPainter, QPen

__all__ = ["LineBatch", "DeviceCache"]

_ARGB = QImage.Format.Format_ARGB32_Premultiplied
CHUNK = 400  # lines per slice of an ahead-of-time rasterisation


class LineBatch:
    """Segments (x0, y0, x1, y1 per row) drawn with one pen in one call."""

    __slots__ = ("pen", "lines")

    def __init__(self, pen: QPen, segments: np.ndarray):
        self.pen = pen
        self.lines = np.ascontiguousarray(segments, dtype=np.float64).reshape(-1, 4)

    def __len__(self) -> int:
        return len(self.lines)

    def draw(self, painter: QPainter, lo: int = 0, hi: int | None = None) -> None:
        """Lines ``lo:hi`` (all by default); a QLineF is four qreals (doubles),
        so Qt reads the array's rows in place."""
        hi = len(self.lines) if hi is None else min(hi, len(self.lines))
        if hi > lo:
            painter.setPen(self.pen)
            painter.drawLines(shiboken6.wrapInstance(self.lines.ctypes.data + 32 * lo, QLineF), hi - lo)

    def slices(self, size: int = CHUNK) -> list:
        """The batch as ops drawing ``size`` lines each (ahead-of-time slices)."""
        return [lambda p, lo=lo: self.draw(p, lo, lo + size) for lo in range(0, len(self.lines), size)]


class _Pending:
    __slots__ = ("content", "device", "transform", "image", "setup", "ops", "next")

    def __init__(self, content, device, transform, image, setup, ops):
        self.content, self.device, self.transform, self.image = content, device, transform, image
        self.setup, self.ops, self.next = setup, ops, 0


class DeviceCache:
    """One cached picture in device pixels; see the module docstring.

    A picture is ``setup(painter)`` (render hints) followed by ``ops``, each
    ``op(painter)`` drawing a part, in order."""

    MAX_PIXELS = 4096 * 4096  # larger devices (big exports) are drawn directly

    def __init__(self):
        self._image: QImage | None = None
        self._spare: QImage | None = None
        self._key: tuple | None = None
        self._device: tuple | None = None  # (device key, world transform) of the last paint
        self._pending: list[_Pending] = []  # prepared pictures, oldest first (≤ 2)
        self.rasters = 0
        self.prepared = 0

    def _image_for(self, w: int, h: int, dpr: float) -> QImage:
        img, self._spare = self._spare, None
        if img is None or (img.width(), img.height()) != (w, h):
            img = QImage(w, h, _ARGB)
        img.setDevicePixelRatio(dpr)
        img.fill(0)
        return img

    def draw(self, painter: QPainter, content, setup, ops) -> None:
        """Blit the picture ``content``, rasterising it first (or finishing the
        one prepared ahead) when the cache holds another or the view moved."""
        dev = painter.device()
        dpr = dev.devicePixelRatioF() if dev is not None else 1.0
        w, h = (dev.width(), dev.height()) if dev is not None else (0, 0)
        t = painter.worldTransform()
        if w <= 0 or h <= 0 or w * h * dpr * dpr > self.MAX_PIXELS:
            self.rasters += 1
            setup(painter)
            for op in ops:
                op(painter)
            return
        device = (w, h, dpr, t.m11(), t.m12(), t.m21(), t.m22(), t.m31(), t.m32(), t.m13(), t.m23(), t.m33())
        self._device = (device, t)
        if (device, content) != self._key:
            self._pending = [p for p in self._pending if p.device == device]  # the view moved: stale
            match = [p for p in self._pending if p.content == content]
            if match:
                p = match[0]
                self._finish(p)
                image = p.image
                self._pending.remove(p)
            else:
                image = self._image_for(round(w * dpr), round(h * dpr), dpr)
                q = QPainter(image)
                q.setWorldTransform(t)
                setup(q)
                for op in ops:
                    op(q)
                q.end()
                self.rasters += 1
            self._spare, self._image, self._key = self._image, image, (device, content)
        painter.save()
        painter.resetTransform()
        painter.drawImage(QPointF(0, 0), self._image)
        painter.restore()

    def prepare(self, content, setup, ops) -> None:
        """Start rasterising picture ``content`` ahead, for the view as last
        painted (nothing when it was never painted or already shows it)."""
        if self._device is None or (self._key is not None and self._key[1] == content):
            return
        if any(p.content == content for p in self._pending):
            return
        device, t = self._device
        w, h, dpr = device[0], device[1], device[2]
        # the one prepared before stays: the front it is for may be shown only now
        self._pending = self._pending[-1:]
        image = self._image_for(round(w * dpr), round(h * dpr), dpr)
        self._pending.append(_Pending(content, device, t, image, setup, list(ops)))

    def step(self, seconds: float | None = 0.002) -> bool:
        """Rasterise the prepared pictures, oldest first, for about ``seconds``;
        True when nothing is left to do."""
        t0 = time.perf_counter()
        for p in self._pending:
            if p.next < len(p.ops):
                self._finish(p, None if seconds is None else t0 + seconds)
                if p.next < len(p.ops):
                    return False
        return True

    def _finish(self, p: _Pending, until: float | None = None) -> None:
        """Run ``p``'s remaining ops (until the clock passes ``until``, at least one)."""
        if p.next >= len(p.ops):
            return
        q = QPainter(p.image)
        q.setWorldTransform(p.transform)
        p.setup(q)
        while p.next < len(p.ops):
            p.ops[p.next](q)
            p.next += 1
            if until is not None and time.perf_counter() >= until:
                break
        q.end()
        self.prepared += p.next >= len(p.ops)
