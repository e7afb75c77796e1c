"""Colours of the data plot: class palettes and the lookup tables of the
decision-map image (binary output, several classes, regression)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

__all__ = [
    "BINARY_COLORS",
    "CLASS_PALETTE",
    "HEAT_ALPHA",
    "binary_lut",
    "class_lut",
    "class_index_image",
    "colormap_lut",
]

BINARY_COLORS = ("#ff7f0e", "#1f77b4")  # class 0 orange, class 1 blue
CLASS_PALETTE = (  # Okabe & Ito first (colour-blind safe), then tab10's brown, olive, grey, cyan
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#8c564b",
    "#bcbd22",
    "#7f7f7f",
    "#17becf",
)
HEAT_ALPHA = 150  # strongest heat-map opacity (0-255): points stay visible on top


def _rgb(c: str) -> np.ndarray:
    q = QColor(c)
    return np.array([q.red(), q.green(), q.blue()], dtype=np.float64)


def binary_lut() -> np.ndarray:
    """(256, 4) ubyte: output 0 → orange, 0.5 → clear white, 1 → blue; alpha grows with confidence."""
    t = np.linspace(0.0, 1.0, 256)[:, None]
    lo, hi, white = _rgb(BINARY_COLORS[0]), _rgb(BINARY_COLORS[1]), np.full(3, 255.0)
    rgb = np.where(t < 0.5, white + (lo - white) * (1 - 2 * t), white + (hi - white) * (2 * t - 1))
    alpha = 15 + (HEAT_ALPHA - 15) * np.abs(2 * t - 1)
    return np.hstack([rgb, alpha]).round().astype(np.ubyte)


def class_lut(k: int) -> tuple[np.ndarray, int]:
    """LUT for :func:`class_index_image`: (k*s, 4) ubyte and s levels per class (k*s ≤ 256)."""
    s = max(2, 256 // k)
    rows = []
    for c in range(k):
        col = _rgb(CLASS_PALETTE[c % len(CLASS_PALETTE)])
        for q in range(s):
            rows.append([*col, 20 + (HEAT_ALPHA - 20) * q / (s - 1)])
    return np.array(rows).round().astype(np.ubyte), s


def class_index_image(values: np.ndarray, s: int) -> np.ndarray:
    """(r, r, k) class scores → float32 LUT index ``class·s + confidence level``.

    Confidence is the max score rescaled from chance (1/k) to certainty (1).
    """
    k = values.shape[-1]
    cls = np.argmax(values, axis=-1)
    conf = (np.max(values, axis=-1) - 1.0 / k) / (1.0 - 1.0 / k)
    q = np.clip(np.floor(conf * (s - 1) + 0.5), 0, s - 1)
    return (cls * s + q).astype(np.float32)


def colormap_lut(alpha: int) -> np.ndarray:
    rgb = pg.colormap.get("viridis").getLookupTable(nPts=256, alpha=False)
    return np.hstack([rgb, np.full((256, 1), alpha, np.ubyte)]).astype(np.ubyte)
