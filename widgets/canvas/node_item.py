"""The small scene items of the network canvas: nodes and their decorations.

``NodeItem`` is one neuron (one item per node is fine — there are hundreds at
most, ARCHITECTURE.md "Canvas rendering"): it holds the node's state, is
selected, hovered and hit-tested, but on the canvas it does not paint itself —
the canvas's :class:`~widgets.canvas.node_layer.NodeLayer` draws every node in
one call (``NodeItem.draw``). ``Label`` and ``HandleButton`` are the layer
headers and +/− width buttons, drawn at a fixed screen size.

The fill shows a value (the probe sample's activation) on a diverging scale:
orange for negative, white at zero, blue for positive — the same hue
convention as the weight edges. ``None`` means "no value": a neutral fill.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsObject, QStyle

from widgets.common import theme as themes
from widgets.common.themed import on_canvas

__all__ = ["NodeItem", "Label", "HandleButton", "value_colour", "value_range", "ui_font", "NODE_RADIUS"]

NODE_RADIUS = 13.0
NEUTRAL_FILL = QColor("#eef0f3")
OUTLINE = QColor("#5b6270")
SELECTED_OUTLINE = QColor("#1d1d1f")
TEXT = QColor("#30343b")


def _cosmetic(colour, width: float) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    return pen


_PEN, _PEN_SELECTED, _PEN_RING = (
    _cosmetic(OUTLINE, 1.0),
    _cosmetic(SELECTED_OUTLINE, 2.6),
    _cosmetic("#ffd54a", 2.0),
)
_TEXT_LIGHT, _TEXT_DARK = QColor("#ffffff"), QColor("#2b2f36")
_DROPPED_FILL, _PEN_CROSS = QColor("#c7cbd1"), _cosmetic("#4b5058", 2.2)
_SELECTED_CHANGED = QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged
_POS = np.array([0x2F, 0x6F, 0xDF], float)
_NEG = np.array([0xE4, 0x57, 0x2E], float)
_WHITE = np.array([255, 255, 255], float)


def value_colour(value: float | None, lo: float = -1.0, hi: float = 1.0) -> QColor:
    """Diverging colour for ``value`` on the range [lo, hi].

    Zero is white; ``hi`` is full blue, ``lo`` full orange (when ``lo < 0``).
    A range [0, hi] therefore gives a white → blue scale. None → neutral grey.
    """
    if value is None or not np.isfinite(value):
        return QColor(NEUTRAL_FILL)
    if value >= 0:
        t, end = (min(value / hi, 1.0) if hi > 0 else 0.0), _POS
    else:
        t, end = (min(-value / -lo, 1.0) if lo < 0 else 0.0), _NEG
    t = round(t * 32) / 32  # 32 shades per side: fewer repaints, no visible banding
    rgb = _WHITE + (end - _WHITE) * t
    return QColor(*(int(round(c)) for c in rgb))


SHADES = 32  # per side of zero


def value_levels(values: np.ndarray, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """Vectorised :func:`value_colour`: shade index −SHADES…SHADES per value
    (NaN → a separate neutral index ``SHADES + 1``)."""
    v = np.asarray(values, dtype=np.float64)
    pos = np.clip(v / hi, 0, 1) if hi > 0 else np.zeros_like(v)
    neg = np.clip(v / lo, 0, 1) if lo < 0 else np.zeros_like(v)
    t = np.nan_to_num(np.where(v >= 0, pos, -neg), nan=0.0)
    lev = np.rint(t * SHADES).astype(np.int64)
    lev[~np.isfinite(v)] = SHADES + 1
    return lev


def _level_colour(level: int) -> QColor:
    if level > SHADES:
        return QColor(NEUTRAL_FILL)
    end = _POS if level >= 0 else _NEG
    rgb = _WHITE + (end - _WHITE) * (abs(level) / SHADES)
    return QColor(*(int(round(c)) for c in rgb))


LEVEL_COLOURS = {lev: _level_colour(lev) for lev in range(-SHADES, SHADES + 2)}


_UNIT_RANGE = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "step": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def value_range(activation: str, values: np.ndarray) -> tuple[float, float]:
    """Colour range for a layer's values: the activation's own range when it
    is bounded, else the largest |value| (relu: [0, max]; "input", linear,
    leaky_relu: symmetric)."""
    if activation in _UNIT_RANGE:
        return _UNIT_RANGE[activation]
    m = float(np.max(np.abs(values))) if np.size(values) else 1.0
    m = m if m > 0 else 1.0
    return (0.0, m) if activation == "relu" else (-m, m)


class NodeItem(QGraphicsEllipseItem):
    """A selectable circle for node ``index`` of layer ``layer``.

    ``set_value`` recolours it; ``set_text`` puts a short label (e.g. "0.73")
    inside, drawn only when the node is at least ~18 px wide on screen. The
    canvas sets the hover tooltip (bias, activation, value) via ``setToolTip``.
    """

    def __init__(self, layer: int, index: int, x: float, y: float, radius: float = NODE_RADIUS, parent=None):
        r = float(radius)
        super().__init__(QRectF(-r, -r, 2 * r, 2 * r), parent)
        self.layer, self.index = int(layer), int(index)
        self.value: float | None = None
        self._text = ""
        self._font = QFont()
        self._font.setPointSizeF(6.5)
        self.setPos(x, y)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        self._fill = QColor(NEUTRAL_FILL)
        self.setBrush(QBrush(self._fill))
        self._r, self._d = QRectF(-r, -r, 2 * r, 2 * r), 2 * r
        self._ring = self._r.adjusted(-3, -3, 3, 3)
        self._bounds = self._r.adjusted(-5, -5, 5, 5)  # room for the selection ring
        self._thumb = None  # QImage of the neuron's map over the input plane
        self.value_px = 0.0  # > 0 (presentation): the value's font height in screen pixels
        self.dropped = False  # dropout: this unit was dropped in the update a wave shows
        self.layer_item = None  # the NodeLayer that paints this node (None: it paints itself)

    def _changed(self) -> None:
        """Repaint: the node layer when it draws this node (an item without contents
        is not repainted by its own update())."""
        (self.layer_item or self).update()

    def itemChange(self, change, value):  # noqa: N802  (Qt name)
        if change == _SELECTED_CHANGED and self.layer_item is not None:
            self.layer_item.update()  # the selection rings are the layer's to draw
        return super().itemChange(change, value)

    @property
    def key(self) -> tuple[int, int]:
        return self.layer, self.index

    def set_value(self, value: float | None, lo: float = -1.0, hi: float = 1.0) -> None:
        """Fill from ``value`` on [lo, hi] (see :func:`value_colour`); None clears.
        Repaints only when the colour changes (training moves values by tiny steps)."""
        self.value = None if value is None else float(value)
        self.set_fill(value_colour(self.value, lo, hi))

    def set_fill(self, fill: QColor) -> None:
        if fill != self._fill:
            self._fill = fill
            self.setBrush(QBrush(fill))
            self._changed()

    def set_dropped(self, on: bool) -> None:
        """Grey with a cross: the unit was dropped (output 0, no error back) in the shown update."""
        if bool(on) != self.dropped:
            self.dropped = bool(on)
            self._changed()

    def set_thumbnail(self, image) -> None:
        """Show a small image (e.g. the neuron's map) inside the node; None removes it."""
        self._thumb = image
        self._changed()

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._changed()

    def text(self) -> str:
        return self._text

    def paint(self, painter: QPainter, option, widget=None) -> None:
        """Only when no node layer draws this node (it then has no contents):
        the same picture as the layer's, one item at a time."""
        px = self._d * painter.worldTransform().m11()  # diameter in screen pixels
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, px >= 9)
        self.draw(painter, bool(option.state & QStyle.StateFlag.State_Selected), px)

    def is_plain(self, px: float) -> bool:
        """Drawn as a bare filled circle at ``px`` screen pixels (no image, mark or text)?
        The node layer draws those in a tight loop."""
        return (
            self._thumb is None and not self.dropped and not (self._text and (self.value_px > 0 or px >= 18))
        )

    def draw(self, painter: QPainter, selected: bool, px: float) -> None:
        """The node in item coordinates, ``px`` its diameter in screen pixels;
        antialiasing is the caller's (on from 9 px)."""
        painter.setPen(_PEN_SELECTED if selected else _PEN)
        painter.setBrush(self._fill)
        painter.drawEllipse(self._r)
        if self._thumb is not None:  # a neuron map replaces the flat fill (round mask in the image)
            painter.drawImage(self._r, self._thumb)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self._r)
        if self.dropped:  # dropout: a grey disc crossed out, whatever the value
            painter.setBrush(_DROPPED_FILL)
            painter.drawEllipse(self._r)
            painter.setPen(_PEN_CROSS)
            k = self._d * 0.3
            painter.drawLine(QPointF(-k, -k), QPointF(k, k))
            painter.drawLine(QPointF(-k, k), QPointF(k, -k))
            if selected:
                painter.setPen(_PEN_RING)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(self._ring)
            return
        if selected:  # a second ring reads as "selected" even on dark fills
            painter.setPen(_PEN_RING)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self._ring)
        if self._text and self._thumb is None and self.value_px > 0:
            self._paint_large_value(painter)
        elif self._text and px >= 18 and self._thumb is None:
            painter.setPen(_TEXT_LIGHT if self._fill.lightnessF() < 0.55 else _TEXT_DARK)
            painter.setFont(self._font)
            painter.drawText(self._r, Qt.AlignmentFlag.AlignCenter, self._text)

    def _paint_large_value(self, painter: QPainter) -> None:
        """Presentation: the value at ``value_px`` screen pixels on a pill of the
        node's fill, wider than a small node when it must be."""
        scale = painter.worldTransform().m11() or 1.0
        f = QFont(self._font)
        f.setPixelSize(max(1, round(self.value_px / scale)))
        fm = QFontMetricsF(f)
        tw = fm.horizontalAdvance(self._text) + fm.height() * 0.4
        w, h = max(self._d, tw), max(fm.height(), 1.0)
        pill = QRectF(-w / 2, -h / 2, w, h)
        if tw > self._d * 0.95 or h > self._d * 0.7:  # the text does not fit the node: a pill around it
            painter.setPen(_PEN)
            painter.setBrush(self._fill)
            painter.drawRoundedRect(pill, h / 2, h / 2)
        painter.setPen(_TEXT_LIGHT if self._fill.lightnessF() < 0.55 else _TEXT_DARK)
        painter.setFont(f)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self._text)

    def boundingRect(self) -> QRectF:
        if self.value_px > 0:  # the value's pill may be wider and taller than the node
            return self._bounds.adjusted(-3 * self._d, -self._d, 3 * self._d, self._d)
        return self._bounds


def ui_font(pt: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(pt)
    f.setBold(bold)
    return f


class Label(QGraphicsItem):
    """Text anchored at a scene point, drawn at a fixed screen size.
    ``valign``: "bottom" puts the text above the anchor, "top" below, "center";
    ``halign``: "center" centres it on the anchor, "right" ends it there."""

    def __init__(
        self,
        text: str,
        valign: str = "bottom",
        pt: float = 9.0,
        colour: QColor = TEXT,
        bold: bool = False,
        halign: str = "center",
    ):
        super().__init__()
        self._halign = halign  # "center" | "right": the text ends at the anchor
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(20)
        # static text: painted once into a device-pixel cache, blitted on every frame
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._font, self._colour, self._valign = ui_font(pt, bold), colour, valign
        self._pt = float(pt)
        self.set_text(text)

    def set_zoom(self, zoom: float) -> None:
        """Presentation zoom: the text grows, the anchor stays."""
        self._font.setPointSizeF(self._pt * float(zoom))
        self.set_text(self.text)

    def set_thumbnail(self, image) -> None:
        """Show a small image (e.g. the neuron's map) inside the node; None removes it."""
        self._thumb = image
        self.update()

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self.text = text
        fm = QFontMetricsF(self._font)
        lines = text.split("\n")
        w = max(fm.horizontalAdvance(t) for t in lines) + 8
        h = fm.height() * len(lines) + 2
        top = {"bottom": -h, "top": 0.0, "center": -h / 2}[self._valign]
        self._rect = QRectF(-w if self._halign == "right" else -w / 2, top, w, h)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        t = themes.current_theme()
        back = QColor(t.canvas_background)
        back.setAlpha(215)  # keeps text readable over edges
        painter.setBrush(back)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(self._font)
        painter.setPen(QColor(on_canvas(self._colour.name(), t)))  # made for the light canvas
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class HandleButton(QGraphicsObject):
    """A small "+" or "−" button drawn at a fixed screen size."""

    clicked = Signal()

    def __init__(self, symbol: str, tooltip: str):
        super().__init__()
        self.symbol = symbol
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setToolTip(tooltip)
        self.setZValue(20)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # repainted only when it changes
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def boundingRect(self) -> QRectF:
        return QRectF(-10, -10, 20, 20)

    def paint(self, painter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        on, t = self.isEnabled(), themes.current_theme()
        if t.dark:  # a dark card, the theme's ink; disabled: the ink faded into the card
            fill, ink = QColor(t.card), QColor(t.ink if on else themes.mix(t.ink, t.card, 0.6))
        else:
            fill, ink = QColor("#ffffff" if on else "#f1f2f4"), TEXT if on else QColor("#c4c8cf")
        painter.setPen(QPen(QColor("#b8bec8" if not t.dark else t.card_border), 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(-9, -9, 18, 18), 4, 4)
        painter.setPen(QPen(ink, 1.6))
        painter.drawLine(QPointF(-4.5, 0), QPointF(4.5, 0))
        if self.symbol == "+":
            painter.drawLine(QPointF(0, -4.5), QPointF(0, 4.5))

    def mousePressEvent(self, event) -> None:
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if self.boundingRect().contains(event.pos()):
            self.clicked.emit()
