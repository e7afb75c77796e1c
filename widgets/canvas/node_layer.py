"""NodeLayer: every node of the network canvas painted in ONE call.

Qt calls a Python ``paint`` per visible item per frame, and each call costs
far more than the circle it draws (the C++ → Python dispatch, the option
object, and on a GUI thread sharing the GIL with training, a chance to wait
for the worker). With 195 nodes that was ~2.3 ms of a 7 ms frame. So the
:class:`NodeItem` s keep their state, selection, hover and hit-testing but
have no contents (``ItemHasNoContents``: Qt never paints them); this one item
draws them all, in the order Qt painted them: a bare node is one
``setBrush`` (when its fill differs from the previous node's) and one
``drawEllipse`` at its scene rectangle; a node with an image, a dropout cross,
a value or the selection rings is drawn by its own :meth:`NodeItem.draw`
translated to its position — the same calls as when it painted itself.

It has no shape: clicks and tooltips reach the nodes under it. ``paints``
counts its paint calls (tests read it; nothing is timed).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem

from widgets.canvas.node_item import _PEN, NodeItem

__all__ = ["NodeLayer"]

_AA = QPainter.RenderHint.Antialiasing
_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


class NodeLayer(QGraphicsItem):
    """Draws the nodes handed to :meth:`set_nodes`; see the module docstring."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setZValue(10)  # where the nodes were: over the edges, under labels and buttons
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._nodes: list[NodeItem] = []
        self._rects: list[QRectF] = []
        self._rect = QRectF()
        self.paints = 0

    @property
    def nodes(self) -> list[NodeItem]:
        return list(self._nodes)

    def set_nodes(self, nodes) -> None:
        """Draw these nodes (in this order) from now on; they stop painting themselves."""
        self.prepareGeometryChange()
        for n in self._nodes:
            n.layer_item = None
        self._nodes = list(nodes)
        self._rects = []
        rect = QRectF()
        for n in self._nodes:
            n.setFlag(_NO_CONTENTS, True)
            n.layer_item = self
            self._rects.append(n.rect().translated(n.pos()))
            rect = rect.united(n.mapRectToScene(n.boundingRect()))
        self._rect = rect
        self.update()

    def release_nodes(self) -> None:
        """Hand the painting back to the nodes themselves (the per-item look; tests compare it)."""
        for n in self._nodes:
            n.setFlag(_NO_CONTENTS, False)
            n.layer_item = None
            n.update()
        self.prepareGeometryChange()
        self._nodes, self._rects, self._rect = [], [], QRectF()

    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never hit: the nodes under it are

    def paint(self, painter: QPainter, option, widget=None) -> None:
        self.paints += 1
        if not self._nodes:
            return
        base = painter.worldTransform()
        m11 = base.m11()
        selected = set(self.scene().selectedItems()) if self.scene() is not None else set()
        aa = None
        pen_ok = brush = None
        for n, r in zip(self._nodes, self._rects):
            if not n.isVisible():
                continue
            px = n._d * m11
            if (px >= 9) is not aa:
                aa = px >= 9
                painter.setRenderHint(_AA, aa)
            if n not in selected and n.is_plain(px):
                if not pen_ok:
                    painter.setPen(_PEN)
                    pen_ok = True
                if n._fill is not brush:
                    brush = n._fill
                    painter.setBrush(brush)
                painter.drawEllipse(r)
                continue
            painter.translate(n.x(), n.y())
            n.draw(painter, n in selected, px)
            painter.setWorldTransform(base)
            pen_ok = brush = None  # draw() left its own pen and brush
