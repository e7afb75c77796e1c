"""Fitting the canvas's fixed-size decorations to the view's zoom.

Headers, −/+ buttons, input names and presented node values are drawn at a
fixed *screen* size while the network scales with the view, so zooming out (a
deep network on a laptop) brings them into each other. After every change of
the view's scale :func:`fit_decor` picks, per kind, the form that still fits:

* layer headers: "Hidden 1 / tanh · 16" → "H1 / tanh" → "H1";
* −/+ buttons (always the same clickable size): side by side under the layer,
  one above the other, or one above the other with every second layer's pair
  lower down, so no two layers' buttons overlap;
* input names: beside their node; stacked a line apart with a leader line to
  the node when the nodes stand closer than a line; every k-th when even the
  stack would not fit; elided to the left margin, the full name in the tooltip;
* presented node values (their own projector size, wider than small nodes):
  on every k-th node of a column, so the value pills never cover each other.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QTransform

from widgets.canvas import canvas_layout as lay
from widgets.canvas.node_item import NODE_RADIUS, TEXT, Label
from widgets.common import theme as themes
from widgets.common.themed import on_canvas

__all__ = ["InputLabel", "fit_decor", "fit_headers", "handle_form", "value_stride", "make_input_labels"]

PRESENTATION_VALUE_PX = 13.0  # value font pixels per unit of presentation zoom (digits ~ 0.75 of it)
HANDLE = 20.0  # a −/+ button's side at zoom 1 (screen px), see HandleButton.boundingRect
HANDLE_TOP = 17.0  # its centre's distance below the layer's last node (screen px at zoom 1)
LABEL_PT = 9.0
LABEL_ROOM = 88.0  # screen px left of the input column an input name may use (fit_view keeps 95)


class InputLabel(Label):
    """An input node's name, right-aligned left of the node; when stacked away from
    its node, a thin leader line runs from its end to the node."""

    def __init__(self, name: str, full: str):
        super().__init__(name, "center", LABEL_PT, TEXT, halign="right")
        self.short, self.full = name, full  # as the canvas names it; the column's own name
        self._leader: QLineF | None = None
        self.setToolTip(full)

    def set_leader(self, line: QLineF | None) -> None:
        self.prepareGeometryChange()
        self._leader = line
        self.update()  # a cached item: repaint it with (or without) the line

    def set_text(self, text: str) -> None:
        super().set_text(text)
        self.update()  # a cached item: repaint the (elided) text

    def text_rect(self) -> QRectF:
        """The text's pill, in the item's (screen-pixel) coordinates."""
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:
        if self._leader is None:
            return self._rect
        p, q = self._leader.p1(), self._leader.p2()
        return self._rect.united(QRectF(p, q).normalized().adjusted(-2, -2, 2, 2))

    def paint(self, painter, option, widget=None) -> None:
        super().paint(painter, option, widget)
        if self._leader is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(QColor(on_canvas(self._colour.name(), themes.current_theme())), 1.0))
            painter.drawLine(self._leader)


def make_input_labels(canvas) -> list[InputLabel]:
    """One label per visible input node (not yet placed: :func:`fit_decor` does)."""
    out, names = [], canvas._names if canvas._names and len(canvas._names) == canvas._sizes[0] else None
    for i, name, (x, y) in zip(canvas._vis[0], canvas.input_names(), canvas._pos[0]):
        label = InputLabel(name, names[int(i)] if names else name)
        label.set_zoom(canvas.zoom)
        label.setPos(x, y)
        out.append(label)
    return out


def value_px(canvas) -> float:
    """Presenting: a node value's font height in screen pixels; 0 otherwise."""
    return PRESENTATION_VALUE_PX * canvas.zoom if canvas.zoom != 1.0 else 0.0


def value_stride(canvas, scale: float | None = None) -> int:
    """Every how many nodes of a column a value is written (0: none at all).

    Not presenting, numbers go inside the nodes: only when a node is at least
    18 px wide. Presenting, a value has its own screen size and a pill around
    it: every k-th node, k the fewest node spacings that clear one pill."""
    s = canvas.transform().m11() if scale is None else scale
    px = value_px(canvas)
    if px <= 0:
        return 1 if 2 * NODE_RADIUS * s >= 18 else 0
    f = QFont()
    f.setPixelSize(max(1, round(px)))
    pill = QFontMetricsF(f).height() + 2  # + the pill's outline
    return max(1, math.ceil(pill / max(canvas.node_gap * s, 1e-9)))


def handle_form(layer_px: float, zoom: float) -> str:
    """How a layer's −/+ pair is laid out when layers stand ``layer_px`` apart on screen:
    "row" (side by side), "column" (− above +) or "staggered" (columns, every second lower)."""
    if layer_px >= (2 * HANDLE + 4 + 4) * zoom:
        return "row"
    if layer_px >= (HANDLE + 4) * zoom:
        return "column"
    return "staggered"


def _place_handles(canvas, scale: float) -> None:
    z = canvas.zoom
    form = handle_form(canvas._gap * scale, z)
    for k, (l, (minus, plus)) in enumerate(sorted(canvas._handles.items())):
        low = form == "staggered" and k % 2 == 1
        for item, row, dx in ((minus, 0, -12.0), (plus, 1, 12.0)):
            if form == "row":
                x, y = dx, HANDLE_TOP
            else:  # one above the other: − first, + a button lower (× 2 more when staggered down)
                x, y = 0.0, HANDLE_TOP + (row + 2 * low) * (HANDLE + 2)
            # offsets in screen pixels: the buttons ignore the view's zoom (not the presentation's)
            item.setTransform(QTransform.fromScale(z, z) * QTransform.fromTranslate(x * z, y * z))
    canvas.handle_form = form


def _place_input_labels(canvas, scale: float) -> None:
    labels = getattr(canvas, "_input_labels", [])
    if not labels:
        return
    z = canvas.zoom
    fm = QFontMetricsF(labels[0]._font)
    line = fm.height() + 3  # a label's pill and a pixel between two
    gap = canvas.node_gap * scale  # input nodes' spacing on screen
    reach = NODE_RADIUS * scale  # the node's (or the presented value's pill's) half width
    if value_px(canvas) > 0 and value_stride(canvas, scale):
        f = QFont()
        f.setPixelSize(max(1, round(value_px(canvas))))
        vm = QFontMetricsF(f)
        reach = max(reach, (vm.horizontalAdvance("−0.00") + vm.height() * 0.4) / 2)
    room = LABEL_ROOM * z - reach + NODE_RADIUS * scale
    for label in labels:  # elided to the room left of the column; the tooltip has it all
        label.set_text(fm.elidedText(label.short, Qt.TextElideMode.ElideRight, max(room - 8, fm.height())))
    n = len(labels)
    step = 1 if gap >= line else 0  # 1: beside the nodes, 0: stacked, k > 1: every k-th
    if step == 0 and n * line > max(canvas.viewport().height() - 40 * z, line):
        step = math.ceil(line / gap)
    for i, label in enumerate(labels):
        label.setVisible(True)
        dy = 0.0
        if step == 0:  # the stack: from the first node down, a line apart, a leader to the node
            dy = i * (line - gap)
        elif step > 1:
            label.setVisible(i % step == 0)
        label.setTransform(QTransform.fromTranslate(-reach - 4 * z, dy))
        label.set_leader(QLineF(QPointF(0, 0), QPointF(4 * z, -dy)) if abs(dy) > 0.5 else None)


def fit_headers(canvas, scale: float) -> None:
    """The longest header form whose neighbours do not overlap at ``scale``."""
    heads = getattr(canvas, "_headers", None)
    if not heads:
        return
    gap = canvas._gap * scale  # px between layers
    sizes, acts = canvas._sizes, canvas._acts
    n = range(len(heads))
    short = [lay.compact_title(l, sizes, acts) for l in n]
    forms = (
        [lay.layer_title(l, sizes, acts).replace(" · ", "\n", 1) for l in n],
        short,
        [t.split("\n")[0] for t in short],
    )
    fm = QFontMetricsF(heads[0]._font)  # measured as Label.set_text does, without items
    for texts in forms:
        ws = [max(fm.horizontalAdvance(line) for line in t.split("\n")) + 8 for t in texts]
        if all((a + b) / 2 + 4 <= gap for a, b in zip(ws, ws[1:])):
            break
    for h, t in zip(heads, texts):
        if h.text != t:
            h.set_text(t)


def fit_decor(canvas, scale: float | None = None) -> None:
    """Fit headers, −/+ buttons, input names and value strides to ``scale``
    (default: the view's; the diagram export asks for 1, where it draws the scene)."""
    if not getattr(canvas, "_sizes", None):
        return
    s = canvas.transform().m11() if scale is None else scale
    fit_headers(canvas, s)
    _place_handles(canvas, s)
    _place_input_labels(canvas, s)
    if scale is None and getattr(canvas, "_values", None) is not None:
        if value_stride(canvas) != getattr(canvas, "_value_stride", None):
            canvas.set_node_values(canvas._values)  # values on more (or fewer) nodes now
