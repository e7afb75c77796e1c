"""The key to the edge palette drawn in the canvas's corner (screen pixels)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from widgets.canvas.edge_layer import _LEGEND_TITLES, BINS_PER_SIGN, _cached_palette
from widgets.common import theme as themes

__all__ = ["draw_legend"]


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
