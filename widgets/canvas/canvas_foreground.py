"""What the canvas draws over its scene at a fixed screen size: the edge
legend, the dropped-units legend and the level-of-detail notice."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from widgets.canvas.dropout_marks import draw_dropout_legend
from widgets.canvas.edge_legend import draw_legend
from widgets.canvas.node_item import ui_font
from widgets.common.themed_widgets import ink

__all__ = ["draw_foreground"]


def draw_foreground(canvas, painter, mode: str) -> None:
    """Edge legend, dropout legend and level-of-detail notice, in screen pixels × the presentation zoom."""
    painter.save()
    painter.resetTransform()
    z = canvas.zoom
    painter.scale(z, z)  # presentation: the legend and notice grow with everything else
    h = canvas.viewport().height() / z
    box = draw_legend(painter, QPointF(10, h - 10), mode, canvas.edge_layer.scale)
    draw_dropout_legend(painter, canvas, 12, box.top() - 6)
    notice = canvas.lod_notice()
    if notice:
        painter.setFont(ui_font(8.5))
        painter.setPen(ink("warn"))  # the current theme's, at every paint
        w = painter.fontMetrics().horizontalAdvance(notice)
        painter.drawText(QPointF(canvas.viewport().width() / z - w - 12, h - 14), notice)
    painter.restore()
