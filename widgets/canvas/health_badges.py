"""Health badges on the canvas: a small coloured disc with a glyph at a node's
top-right (dead ReLU "✕", saturated unit "≈") or above a weight layer
(vanishing "↓" / exploding "↑" gradient), each with the report's tooltip.

``HealthBadges(canvas).show(report)`` replaces the previous badges; the items
are children of the canvas's scene, positioned from the node items, so a
topology change simply calls ``show`` again (or ``clear``).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem

from widgets.common import theme as themes
from widgets.common.themed_widgets import ink

__all__ = ["HealthBadges", "BadgeItem", "STYLE"]

STYLE = {  # kind -> (fill's colour role, glyph); the glyph in badge_glyph, the ring the canvas's
    "dead": ("badge_dead", "✕"),
    "saturated": ("badge_saturated", "≈"),
    "vanishing": ("badge_vanishing", "↓"),
    "exploding": ("badge_exploding", "↑"),
}
RADIUS = 8.0
BATCH = 24  # new badges put on the scene per frame: ~90 at once cost one frame ~25 ms
BATCH_MS = 30  # between batches: about two frames


class BadgeItem(QGraphicsItem):
    """A fixed-size (screen pixels) disc with a glyph; hover shows ``tooltip``."""

    def __init__(self, kind: str, tooltip: str):
        super().__init__()
        self.kind = kind
        self.fill_role, self.glyph = STYLE[kind]
        self._font = QFont()
        self._font.setPointSizeF(7.5)
        self._font.setBold(True)
        self.setToolTip(tooltip)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setZValue(30)
        # drawn once into a device-pixel cache: the canvas repaints every frame while
        # the waves run, and a saturated 2-64-64-64-1 net has ~90 badges (6-8 ms of
        # Python per repaint). A theme switch updates every canvas item, renewing it.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_kind(self, kind: str, tooltip: str) -> None:
        """Reuse this badge for another finding at the same place."""
        if kind != self.kind:
            self.kind = kind
            self.fill_role, self.glyph = STYLE[kind]
            self.update()
        if tooltip != self.toolTip():
            self.setToolTip(tooltip)

    def boundingRect(self) -> QRectF:
        return QRectF(-RADIUS - 1, -RADIUS - 1, 2 * RADIUS + 2, 2 * RADIUS + 2)

    def paint(self, painter, option, widget=None) -> None:
        t = themes.current_theme()  # at every paint: a theme switch repaints the canvas
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor(t.canvas_background), 1.5))  # a halo parting it from the edges
        painter.setBrush(QBrush(ink(self.fill_role, t)))
        painter.drawEllipse(QRectF(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS))
        painter.setPen(ink("badge_glyph", t))
        painter.setFont(self._font)
        painter.drawText(
            QRectF(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS), Qt.AlignmentFlag.AlignCenter, self.glyph
        )


class HealthBadges:
    def __init__(self, canvas):
        self.canvas = canvas
        self.items: list[BadgeItem] = []
        self._at: dict[tuple, BadgeItem] = {}  # (layer, index | None, x, y) -> its badge
        self._queue: list[tuple] = []  # (key, kind, tooltip) of badges still to be added
        self._timer = QTimer(canvas)  # the next batch; a child of the canvas, gone with it
        self._timer.setSingleShot(True)
        self._timer.setInterval(BATCH_MS)
        self._timer.timeout.connect(self._next_batch)
        self.report = None

    def clear(self) -> None:
        for it in self.items:
            if it.scene() is not None:
                it.scene().removeItem(it)
        self.items = []
        self._at = {}
        self._queue = []
        self._timer.stop()

    def show(self, report) -> None:
        """Badges for ``report``. A new report every second or so while training mostly
        finds the same units: their badges stay (retitled if needed), only the rest are
        added or removed (re-adding ~90 items cost the GUI thread ~20 ms a report).
        New badges go on the scene ``BATCH`` per frame (``finish`` adds the rest now)."""
        self.report = report
        if report is None:
            self.clear()
            return
        wanted = []  # (key, kind, tooltip)
        for b in report.nodes:
            node = self.canvas.node_item(b.layer, b.index)
            if node is None:  # a node hidden by the level of detail
                continue
            r = node.rect().width() / 2
            wanted.append(((b.layer, b.index, node.x() + 0.75 * r, node.y() - 0.75 * r), b.kind, b.tooltip))
        for b in report.layers:
            top = [self.canvas.node_item(lay, 0) for lay in (b.layer - 1, b.layer)]
            if None in top:
                continue
            # between the two columns at the height of their top nodes: clear of the headers
            x = 0.5 * (top[0].x() + top[1].x())
            y = min(top[0].y(), top[1].y())
            wanted.append(((b.layer, None, x, y), b.kind, b.tooltip))
        scene = self.canvas.scene()
        old, self._at, self.items, self._queue = self._at, {}, [], []
        taken = set()
        for key, kind, tip in wanted:
            while key in taken:  # two findings at one place: each its own badge
                key = (*key, 0)
            taken.add(key)
            item = old.pop(key, None)
            if item is None or item.scene() is not scene:
                self._queue.append((key, kind, tip))
                continue
            item.set_kind(kind, tip)
            self._at[key] = item
            self.items.append(item)
        for item in old.values():
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._add_batch()

    def pending(self) -> int:
        """Badges of the current report not on the scene yet."""
        return len(self._queue)

    def finish(self) -> None:
        """Every badge of the current report on the scene now."""
        while self._queue:
            self._add_batch()
        self._timer.stop()

    def _add_batch(self) -> None:
        scene = self.canvas.scene()
        batch, self._queue = self._queue[:BATCH], self._queue[BATCH:]
        for key, kind, tip in batch:
            item = BadgeItem(kind, tip)
            item.setPos(key[2], key[3])
            scene.addItem(item)
            self._at[key] = item
            self.items.append(item)
        if self._queue and not self._timer.isActive():
            self._timer.start()

    def _next_batch(self) -> None:
        if self._queue:
            self._add_batch()

    def kinds_at(self) -> dict:
        """{(kind, layer, index | None): tooltip} of the badges drawn (for tests)."""
        out = {}
        rep = self.report
        if rep is None:
            return out
        for b in rep.nodes:
            if self.canvas.node_item(b.layer, b.index) is not None:
                out[(b.kind, b.layer, b.index)] = b.tooltip
        for b in rep.layers:
            out[(b.kind, b.layer, None)] = b.tooltip
        return out
