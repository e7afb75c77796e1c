"""Drawing the chain-rule graph: boxes with forward values, ∂f/∂node under each node
the backward pass has reached, edges labelled "local × upstream"; and the view that
scales it to the visible space (scrolling, with the current node kept in view, where
it would have to shrink below half size)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from model.teaching.chain_rule import ChainGraph
from widgets.common import theme as themes
from widgets.panels.chain_rule_layout import (
    definition,
    display_names,
    is_named,
    layout,
    num,
    paren,
    place,
    wrap,
)

__all__ = ["GraphView", "Drawing", "draw_graph", "graph_names", "BOX_H", "MIN_SCALE", "MAX_SCALE"]

# fills made for white; Theme.tint darkens them for dark themes
FILL = {
    "input": "#dbe8fb",
    "const": "#f2f2f2",
    "op": "#ffffff",
    "output": "#fde3c8",
    "current": "#fde2e2",
}


def _inks():
    """(gradient, ink, muted, {kind: fill}, background) of the current theme."""
    t = themes.current_theme()
    fills = {k: QColor(t.tint(v) if k != "op" else t.plot_background) for k, v in FILL.items()}
    return QColor(t.alarm), QColor(t.ink), QColor(t.muted), fills, QColor(t.plot_background)


BOX_H = 34.0
MIN_SCALE, MAX_SCALE = 0.5, 1.4  # below half size the text is unreadable: scroll instead


class GraphView(QGraphicsView):
    """Leaves Left/Right to the panel (stepping) instead of scrolling."""

    def keyPressEvent(self, e):
        if e.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            e.ignore()
        else:
            super().keyPressEvent(e)

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self.fit()

    def sizeHint(self):
        # modest: the panel's scroll body sizes itself by its children's hints (the wrapped
        # equation makes it height-for-width), and the whole scene's size would make the
        # panel taller than a short dock, pushing the graph's bottom row out of sight
        return QSize(320, 160)

    def fit(self, focus: QRectF | None = None):
        """Whole graph in view, scaled MIN_SCALE–MAX_SCALE (smaller text is unreadable:
        scroll instead, with the current node kept in view)."""
        r = self.sceneRect()
        if r.isEmpty():
            return
        vp = self.viewport().size()
        s = min((vp.width() - 4) / r.width(), (vp.height() - 4) / r.height())
        s = min(max(s, MIN_SCALE), MAX_SCALE)
        self.resetTransform()
        self.scale(s, s)
        self.centerOn(r.center())
        if focus is not None:
            self.ensureVisible(focus, 30, 30)


def graph_names(g: ChainGraph):
    """Display names, the output's name, and ``deriv(a, b)`` writing da/db (∂ with several inputs)."""
    names = display_names(g)
    out = names[g.output] if is_named(g.nodes[g.output]) else "f"
    d = "d" if len(g.variables) == 1 else "∂"

    def deriv(a: str, b: str) -> str:
        return f"{d}{wrap(a)}/{d}{wrap(b)}"

    return names, out, deriv


@dataclass
class Drawing:
    """What :func:`draw_graph` drew: texts per node key, label rectangles, the current node."""

    node_texts: dict = field(default_factory=dict)
    grad_texts: dict = field(default_factory=dict)
    label_rects: dict = field(default_factory=dict)
    current_rect: QRectF | None = None
    current: int | None = None
    names: list = field(default_factory=list)
    out: str = "f"
    deriv: object = None


def draw_graph(sc: QGraphicsScene, g: ChainGraph, stages: list[int], stage: int) -> Drawing:
    """Draw ``g`` into ``sc`` with the backward pass at ``stage`` (of ``stages``)."""
    inks = GRAD, INK, MUTED, FILL, _bg = _inks()
    sc.clear()
    dr = Drawing()
    names, out, deriv = dr.names, dr.out, dr.deriv = graph_names(g)
    reached = set(stages[:stage])
    current = stages[stage - 1] if stage else None
    font, small = QFont(), QFont()
    font.setPointSizeF(11)
    small.setPointSizeF(9)
    fm, fs = QFontMetricsF(font), QFontMetricsF(small)
    texts = {n.id: names[n.id] if n.op == "const" else f"{names[n.id]} = {num(n.value)}" for n in g.nodes}
    box_w = {
        n.id: max(
            (fs if n.op == "const" else fm).horizontalAdvance(texts[n.id]) + 18,
            34 if n.op == "const" else 64,
        )
        for n in g.nodes
    }
    # room per node: its box, its gradient text (reserved before it shows), its caption
    room = {
        n.id: max(
            box_w[n.id],
            fm.horizontalAdvance(f"{deriv(out, names[n.id])} = {num(n.grad)}"),
            fs.horizontalAdvance(definition(g, n, names)) if is_named(n) else 0,
        )
        for n in g.nodes
    }
    px = place(g, layout(g), box_w, room)
    boxes: dict[int, QRectF] = {}
    for n in g.nodes:
        const = n.op == "const"
        text = texts[n.id]
        key, k = names[n.id], 2
        while key in dr.node_texts:
            key, k = f"{names[n.id]} ({k})", k + 1
        dr.node_texts[key] = text
        t = sc.addSimpleText(text, small if const else font)
        t.setBrush(MUTED if const else INK)
        tw, th = t.boundingRect().width(), t.boundingRect().height()
        w, h = box_w[n.id], BOX_H * (0.75 if const else 1.0)
        cx, cy = px[n.id]
        r = QRectF(cx - w / 2, cy - h / 2, w, h)
        boxes[n.id] = r
        path = QPainterPath()
        path.addRoundedRect(r, 8, 8)
        kind = "output" if n.id == g.output else n.op if const or n.op == "input" else "op"
        fill = FILL["current"] if n.id == current else FILL[kind]
        pen = QPen(GRAD if n.id in reached else MUTED, 2.2 if n.id in reached else 1.2)
        if const:
            pen.setStyle(Qt.PenStyle.DashLine)
        sc.addPath(path, pen, QBrush(fill)).setZValue(1)
        t.setPos(cx - tw / 2, cy - th / 2)
        t.setZValue(2)
        if is_named(n):  # what the node computes, above its box
            c = sc.addSimpleText(definition(g, n, names), small)
            c.setBrush(MUTED)
            c.setPos(cx - c.boundingRect().width() / 2, r.top() - c.boundingRect().height() - 1)
        if n.id in reached:
            gt = f"{deriv(out, names[n.id])} = {num(n.grad)}"
            dr.grad_texts[key] = gt
            gi = sc.addSimpleText(gt, font)
            gi.setBrush(GRAD)
            gi.setPos(cx - gi.boundingRect().width() / 2, r.bottom() + 2)
            gi.setZValue(2)
            dr.label_rects[gt] = gi.sceneBoundingRect()
            if n.id == current:
                dr.current_rect = r.united(gi.sceneBoundingRect())
        dr.label_rects[text] = r
    for n in g.nodes:  # edges input → consumer, labelled with the local derivative
        for i, (src, local) in enumerate(zip(n.inputs, n.local_grads)):
            dy = (i - (len(n.inputs) - 1) / 2) * 10.0  # separate arrowheads per input
            _edge(
                sc,
                inks,
                boxes[src],
                boxes[n.id],
                dy,
                g.nodes[src].op == "const",
                src in reached,
                local,
                n.grad,
                deriv(names[n.id], names[src]),
            )
    # scene rect with the room reserved for gradient texts not shown yet: no jumps, no clipping
    full = sc.itemsBoundingRect()
    for i, (x, y) in px.items():
        full = full.united(QRectF(x - room[i] / 2, y - BOX_H, room[i], 2 * BOX_H + 24))
    sc.setSceneRect(full.adjusted(-12, -12, 12, 12))
    dr.current = current
    if current is not None and dr.current_rect is None:
        dr.current_rect = boxes[current]
    return dr


def _edge(
    sc: QGraphicsScene,
    inks,
    a: QRectF,
    b: QRectF,
    dy: float,
    const: bool,
    active: bool,
    local: float,
    upstream: float,
    what: str,
) -> None:
    GRAD, _ink, MUTED, _fill, bg = inks
    p0, p1 = QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y() + dy)
    colour = GRAD if active else MUTED
    pen = QPen(colour, 1.8 if active else 1.1)
    sc.addLine(p0.x(), p0.y(), p1.x() - 6, p1.y(), pen).setZValue(0)
    v = p1 - p0
    length = max((v.x() ** 2 + v.y() ** 2) ** 0.5, 1e-9)
    ux, uy = v.x() / length, v.y() / length
    head = QPolygonF(
        [
            p1,
            p1 - QPointF(9 * ux - 4 * uy, 9 * uy + 4 * ux),
            p1 - QPointF(9 * ux + 4 * uy, 9 * uy - 4 * ux),
        ]
    )
    sc.addPolygon(head, QPen(colour), QBrush(colour)).setZValue(0)
    if const:
        return
    text = f"{num(local)} × {paren(upstream)}" if active else num(local)  # local × upstream
    f = QFont()
    f.setPointSizeF(9.5 if active else 10)
    t = sc.addSimpleText(text, f)
    t.setBrush(colour)
    t.setToolTip(
        f"{what} = {num(local)} (local derivative)"
        + (f"; × upstream {num(upstream)} = {num(local * upstream)}" if active else "")
    )
    br = t.boundingRect()
    m = (p0 + p1) / 2
    t.setPos(m.x() - br.width() / 2, m.y() - br.height() / 2)  # on the line it labels
    t.setZValue(4)
    bg = sc.addRect(
        t.sceneBoundingRect().adjusted(-2, 0, 2, 0),
        QPen(Qt.PenStyle.NoPen),
        QBrush(QColor(bg.red(), bg.green(), bg.blue(), 225)),
    )
    bg.setZValue(3)
