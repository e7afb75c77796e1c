"""Edge values → palette bins → the line batches that draw them.

A :class:`Binning` is what the edge layer draws for one set of values: which
edges (the level of detail keeps the strongest), in which bin of which
palette, and the legend's scale. Two binnings with the same edges in the same
bins draw the same picture (:meth:`Binning.same_picture`): training's small
steps and a wave's prepared front compare equal and redraw nothing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QPen

from widgets.canvas.edge_raster import LineBatch

__all__ = ["Binning", "bin_values", "BINS_PER_SIGN"]

BINS_PER_SIGN = 8


class Binning:
    """See the module docstring; ``batches(seg)`` builds the draw calls once."""

    def __init__(self, mode, values, scale, drawn, palette_key, bins, pens, legend):
        self.mode, self.values, self.scale, self.drawn = mode, values, scale, drawn
        self.palette_key, self.bins, self.pens, self.legend = palette_key, bins, pens, legend
        self._batches: list[LineBatch] | None = None
        self._key: tuple | None = None

    @property
    def key(self) -> tuple:
        """Identifies the picture: equal keys draw equal pixels."""
        if self._key is None:
            bins = None if self.bins is None else self.bins.tobytes()
            self._key = (self.palette_key, self.drawn.tobytes(), bins)
        return self._key

    def same_picture(self, other: Binning | None) -> bool:
        return (
            other is not None
            and other.palette_key == self.palette_key
            and np.array_equal(other.drawn, self.drawn)
            and (other.bins is None) == (self.bins is None)
            and (self.bins is None or np.array_equal(other.bins, self.bins))
        )

    def batches(self, seg: np.ndarray) -> list[LineBatch]:
        if self._batches is None:
            self._batches = self._build(seg)
        return self._batches

    def _build(self, seg: np.ndarray) -> list[LineBatch]:
        drawn, bins, pens = self.drawn, self.bins, self.pens
        if bins is None:  # neutral grey, one batch
            return [LineBatch(pens[0], seg[drawn])] if len(drawn) else []
        if self.mode == "weight":
            # strongest on top; within a strength the sign drawn last alternates,
            # so neither hue systematically hides the other in dense pictures
            draw_order = [
                k + s * BINS_PER_SIGN for k in range(BINS_PER_SIGN) for s in ((0, 1) if k % 2 else (1, 0))
            ]
        else:
            draw_order = list(range(len(pens)))
        order = np.argsort(bins, kind="stable")
        sorted_idx = drawn[order]
        bounds = np.searchsorted(bins[order], np.arange(len(pens) + 1))
        return [
            LineBatch(pens[k], seg[sorted_idx[bounds[k] : bounds[k + 1]]])
            for k in draw_order
            if bounds[k + 1] > bounds[k]
        ]


def bin_values(n_edges, values, mode, scale, lod_threshold, palette, background, neutral) -> Binning:
    """Bin ``values`` (E,) — None: all neutral grey — for ``mode``'s pens.

    ``palette(mode, fade)`` gives a mode's 16 pens; ``background`` and
    ``neutral`` are the canvas colours (part of the picture's identity)."""
    E, lod = int(n_edges), n_edges > lod_threshold
    if values is None:
        drawn = np.arange(E) if not lod else np.linspace(0, E - 1, lod_threshold).astype(np.int64)
        pen = QPen(QColor(neutral), 1.2)
        pen.setCosmetic(True)
        return Binning(mode, None, 1.0, drawn, ("neutral", background), None, [pen], (mode, None))
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if v.shape[0] != E:
        raise ValueError(f"expected {E} edge values, got {v.shape[0]}")
    v = np.where(np.isfinite(v), v, 0.0)
    mag = np.abs(v)
    if lod:  # sorted: the same strongest set compares equal frame to frame
        drawn = np.sort(np.argpartition(mag, E - lod_threshold)[E - lod_threshold :])
    else:
        drawn = np.arange(E)
    if scale is None or not scale > 0:
        scale = float(mag.max()) if E else 1.0
        scale = scale if scale > 0 else 1.0
    scale = float(scale)
    t = np.clip(mag[drawn] / scale, 0.0, 1.0)
    # dense pictures: lighter tints, so the strongest edges (drawn last)
    # stand out instead of a solid mat of colour
    fade = round(float(np.clip(np.sqrt(800 / max(len(drawn), 1)), 0.5, 1.0)), 1)
    if mode == "weight":
        bins = np.minimum((t * BINS_PER_SIGN).astype(np.int64), BINS_PER_SIGN - 1)
        bins = bins + BINS_PER_SIGN * (v[drawn] < 0)
    else:
        n = 2 * BINS_PER_SIGN
        bins = np.minimum((t * n).astype(np.int64), n - 1)
    pens = palette(mode, fade)
    return Binning(mode, v, scale, drawn, (mode, fade, background), bins, pens, (mode, f"{scale:.3g}"))
