"""Chain-rule panel: a scalar expression drawn as a computational graph, then
the backward pass stepped node by node (the lecture's f = (x + y)·z slide).

Forward values sit in the boxes; each backward stage reaches one more node,
writes ∂f/∂node under it in red, and labels the edges it used with
"local × upstream". Constants are drawn small, next to the node using them.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QBoxLayout,
    QDoubleSpinBox,
    QFrame,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from model.teaching.chain_rule import EXAMPLES, ChainGraph, ChainRuleError, build_graph, parse_expression
from widgets.common import theme as themes
from widgets.common.fit import scroll_body
from widgets.panels.chain_rule_layout import (
    SYMBOL,  # noqa: F401 (re-exported)
    definition,
    display_names,
    is_named,
    layout,
    local_symbol,
    num,
    paren,
    place,
    wrap,
)

DEFAULT = "lecture_fxyz"
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
SIDE_W = 225  # the controls column beside the graph on a short dock
CONTROLS_H = 165  # about the controls' height above the graph


class _GraphView(QGraphicsView):
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


class _Column(QScrollArea):
    """The controls column: scrolls itself rather than stretching the panel."""

    def sizeHint(self):
        return QSize(super().sizeHint().width(), 80)


class ChainRulePanel(QWidget):
    """Type an expression, set the inputs, step the backward pass (→ / ←)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.graph: ChainGraph | None = None
        self._text = ""
        self._stage = 0
        self.spins: dict[str, QDoubleSpinBox] = {}
        self._node_texts: dict[str, str] = {}
        self._grad_texts: dict[str, str] = {}

        self.expr = QLineEdit()
        self.expr.setPlaceholderText("e.g. q = x + y; f = q * z")
        self.expr.setToolTip(
            "Statements separated by ';' or new lines; " + "numbers, variables, "
            "+ - * / ** and exp, log, sin, cos, tanh, sigmoid, relu"
        )
        self.expr.returnPressed.connect(lambda: self.set_expression(self.expr.text()))
        self._typing = QTimer(self, singleShot=True, interval=500)
        self._typing.timeout.connect(lambda: self.set_expression(self.expr.text()))
        self.expr.textEdited.connect(lambda _t: self._typing.start())
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.example_buttons = {}
        ex_row = QHBoxLayout()
        ex_row.addWidget(QLabel("Lecture examples:"))
        for key, ex in EXAMPLES.items():
            b = QPushButton(ex["title"])
            b.setToolTip(f"Load the lecture's example {ex['title']}")
            b.clicked.connect(lambda _=False, k=key: self.load_example(k))
            ex_row.addWidget(b)
            self.example_buttons[key] = b
        ex_row.addStretch(1)
        self.values_row = QHBoxLayout()
        self.values_row.addWidget(QLabel("Inputs:"))
        self.values_row.addStretch(1)

        self.scene = QGraphicsScene(self)
        self.view = _GraphView(self.scene)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setBackgroundBrush(QColor(themes.current_theme().plot_background))

        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.prev_button.setToolTip("Previous backward stage (←)")
        self.next_button.setToolTip("Next backward stage: reach one more node (→)")
        self.prev_button.clicked.connect(lambda: self.set_stage(self._stage - 1))
        self.next_button.clicked.connect(lambda: self.set_stage(self._stage + 1))
        self.stage_label = QLabel("")
        self.equation = QLabel("")
        f = self.equation.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        self.equation.setFont(f)
        self.equation.setWordWrap(True)
        self.equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        steps = QHBoxLayout()
        steps.addWidget(self.prev_button)
        steps.addWidget(self.next_button)
        steps.addStretch(0)
        self.steps_row = steps

        self.stage_label.setWordWrap(True)  # a long stage text wraps, never widens the panel
        self.stage_label.setMinimumWidth(60)
        self.controls = QWidget()
        ctl = QVBoxLayout(self.controls)
        ctl.setContentsMargins(0, 0, 0, 0)
        ctl.addWidget(self.expr)
        ctl.addWidget(self.error)
        ctl.addLayout(steps)  # first under the expression: in view on a laptop's short plots dock
        ctl.addWidget(self.stage_label)
        ctl.addLayout(self.values_row)
        ctl.addLayout(ex_row)
        self._rows = (ex_row, self.values_row)
        self._arranged = False
        # the controls scroll on their own beside the graph: the panel never grows
        # taller than a short dock, so the graph's bottom row stays in view
        self.controls_area = _Column()
        self.controls_area.setWidgetResizable(True)
        self.controls_area.setFrameShape(QFrame.Shape.NoFrame)
        self.controls_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.controls_area.setWidget(self.controls)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.addWidget(self.controls_area)
        self.body.addWidget(self.view, 1)
        self.view.setMinimumHeight(120)  # a short dock shrinks the graph, not the panel's reach
        lay = QVBoxLayout(scroll_body(self))
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(self.body, 1)
        lay.addWidget(self.equation)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.load_example(DEFAULT)

    # ----------------------------------------------------------------- api
    def load_example(self, key: str) -> None:
        ex = EXAMPLES[key]
        self.expr.setText(ex["text"])
        self.set_expression(ex["text"], ex["values"])

    def set_expression(self, text: str, values: dict | None = None) -> bool:
        """Parse and evaluate ``text``; on error show the message, keep the old graph."""
        self._typing.stop()
        try:
            parsed = parse_expression(text)
        except ChainRuleError as e:
            self._show_error(str(e))
            return False
        old = {k: s.value() for k, s in self.spins.items()}
        old.update(values or {})
        vals = {v: float(old.get(v, 1.0)) for v in parsed.variables}
        try:
            graph = build_graph(text, vals)
        except ChainRuleError as e:
            self._show_error(str(e))
            return False
        if list(self.spins) != parsed.variables:
            self._make_spins(parsed.variables)
        for v, s in self.spins.items():
            s.blockSignals(True)
            s.setValue(vals[v])
            s.blockSignals(False)
        if self.expr.text() != text:
            self.expr.setText(text)
        self._text = text
        self._show_graph(graph, stage=0)
        return True

    def set_value(self, name: str, value: float) -> None:
        self.spins[name].setValue(value)

    def stage(self) -> int:
        return self._stage

    def stage_count(self) -> int:
        return len(self._stages())

    def set_stage(self, k: int) -> None:
        k = max(0, min(int(k), self.stage_count()))
        if k != self._stage:
            self._stage = k
            self._redraw()

    def node_texts(self) -> dict[str, str]:
        """Box text per node ('q = 3'); keys are names, numbers or expressions like '5·v'."""
        return dict(self._node_texts)

    def gradient_texts(self) -> dict[str, str]:
        """'∂f/∂x = −4' for every node the backward pass has reached."""
        return dict(self._grad_texts)

    def equation_text(self) -> str:
        return self.equation.text()

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisible() else ""

    # ------------------------------------------------------------ internal
    def keyPressEvent(self, e):
        if e.key() == Qt.Key.Key_Right:
            self.set_stage(self._stage + 1)
        elif e.key() == Qt.Key.Key_Left:
            self.set_stage(self._stage - 1)
        else:
            super().keyPressEvent(e)

    def _show_error(self, msg: str) -> None:
        """The message, and the old graph greyed out and labelled: it is not the typed expression."""
        old = (
            f" The graph shown (greyed) is still the previous expression: {self._text}" if self.graph else ""
        )
        self.error.setText(msg + old)
        self.error.setVisible(True)
        self.view.setEnabled(False)
        from PySide6.QtWidgets import QGraphicsOpacityEffect

        eff = QGraphicsOpacityEffect(self.view)
        eff.setOpacity(0.3)
        self.view.setGraphicsEffect(eff)
        self.stale = True

    def _make_spins(self, names: list[str]) -> None:
        for s in self.spins.values():
            self.values_row.removeWidget(s.box)
            s.box.setParent(None)  # gone now; deleteLater alone waits for the event loop
            s.box.deleteLater()
        self.spins = {}
        for k, v in enumerate(names):
            s = QDoubleSpinBox()
            s.setRange(-1e6, 1e6)
            s.setDecimals(3)
            s.setSingleStep(0.5)
            s.setKeyboardTracking(False)
            s.setToolTip(f"The value of {v} (the graph recomputes)")
            s.label = QLabel(f"{v} =")
            s.valueChanged.connect(self._values_changed)
            s.box = QWidget()  # label and spin stay together when the row turns into a column
            pair = QHBoxLayout(s.box)
            pair.setContentsMargins(0, 0, 0, 0)
            pair.addWidget(s.label)
            pair.addWidget(s, 1)
            self.values_row.insertWidget(1 + k, s.box)
            self.spins[v] = s

    def _values_changed(self) -> None:
        try:
            graph = build_graph(self._text, {k: s.value() for k, s in self.spins.items()})
        except ChainRuleError as e:
            self._show_error(str(e))
            return
        self._show_graph(graph, stage=self._stage)  # keep the stage: watch gradients change

    def _show_graph(self, graph: ChainGraph, stage: int) -> None:
        self.error.setVisible(False)
        self.view.setEnabled(True)
        self.view.setGraphicsEffect(None)
        self.stale = False
        self.graph = graph
        self._stage = max(0, min(stage, self.stage_count()))
        self._redraw()
        self._arrange()
        self.view.fit()

    # ------------------------------------------------------------ layout
    @property
    def side_by_side(self) -> bool:
        """Controls in a column beside the graph (a short, wide dock) instead of above it."""
        return self.body.direction() == QBoxLayout.Direction.LeftToRight

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self._arrange()

    def _arrange(self) -> None:
        """Controls above the graph or beside it, whichever shows the graph larger
        (a laptop's short plots dock: beside, so ∂f/∂z is not cut off below)."""
        r = self.scene.sceneRect()
        if r.isEmpty() or not hasattr(self, "body"):
            return
        w = max(self.width() - 12, 1)
        h = max(self.height() - 12 - self.equation.sizeHint().height(), 1)
        above_h = CONTROLS_H  # the controls' height above the graph
        above = min(w / r.width(), (h - above_h) / r.height())
        beside = min((w - SIDE_W - 8) / r.width(), h / r.height())
        short = h - above_h < self.view.minimumHeight() + 20  # no room for a graph below them
        side = short or beside > above * (0.9 if self.side_by_side else 1.1)  # hysteresis: no flip-flop
        if side != self.side_by_side or not self._arranged:
            self._arranged = True
            d = QBoxLayout.Direction
            self.body.setDirection(d.LeftToRight if side else d.TopToBottom)
            for row in self._rows:
                row.setDirection(d.TopToBottom if side else d.LeftToRight)
        area = self.controls_area
        if side:
            area.setMinimumHeight(0)
            area.setMaximumHeight(16777215)
            area.setFixedWidth(SIDE_W)
        else:
            area.setMinimumWidth(0)
            area.setMaximumWidth(16777215)
            self.controls.layout().activate()
            area.setFixedHeight(self.controls.sizeHint().height())

    def label_rects(self) -> dict[str, QRectF]:
        """Scene rectangles of every node box and gradient label drawn (for layout checks)."""
        return dict(self._label_rects)

    def current_rect(self) -> QRectF | None:
        """The current node's box and its gradient label, in scene coordinates."""
        return self._current_rect

    def _stages(self) -> list[int]:
        g = self.graph
        return [] if g is None else [i for i in g.backward_order() if g.nodes[i].op != "const"]

    def _names(self) -> tuple[list[str], str, str]:
        """Display names, the output's name and the derivative letter (d or ∂)."""
        g = self.graph
        names = display_names(g)
        out = names[g.output] if is_named(g.nodes[g.output]) else "f"
        return names, out, "d" if len(g.variables) == 1 else "∂"

    def theme_changed(self, t) -> None:
        self.view.setBackgroundBrush(QColor(t.plot_background))
        self._redraw()

    def _redraw(self) -> None:
        g, sc = self.graph, self.scene
        GRAD, INK, MUTED, FILL, _bg = self._inks = _inks()
        sc.clear()
        self._node_texts, self._grad_texts = {}, {}
        self._label_rects, self._current_rect = {}, None
        if g is None:
            return
        names, out, d = self._names()

        def deriv(a: str, b: str) -> str:
            return f"{d}{wrap(a)}/{d}{wrap(b)}"

        stages = self._stages()
        reached = set(stages[: self._stage])
        current = stages[self._stage - 1] if self._stage else None
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
            while key in self._node_texts:
                key, k = f"{names[n.id]} ({k})", k + 1
            self._node_texts[key] = text
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
                self._grad_texts[key] = gt
                gi = sc.addSimpleText(gt, font)
                gi.setBrush(GRAD)
                gi.setPos(cx - gi.boundingRect().width() / 2, r.bottom() + 2)
                gi.setZValue(2)
                self._label_rects[gt] = gi.sceneBoundingRect()
                if n.id == current:
                    self._current_rect = r.united(gi.sceneBoundingRect())
            self._label_rects[text] = r
        for n in g.nodes:  # edges input → consumer, labelled with the local derivative
            for i, (src, local) in enumerate(zip(n.inputs, n.local_grads)):
                dy = (i - (len(n.inputs) - 1) / 2) * 10.0  # separate arrowheads per input
                self._edge(
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
        self.view.setSceneRect(sc.sceneRect())  # the view's own rect updates its scroll bars at once
        self._set_equation(names, out, deriv, current)
        if current is not None:  # after the view has taken in the new scene (it recentres first)
            box = self._current_rect or boxes[current]
            self.view.ensureVisible(box, 20, 20)
            QTimer.singleShot(0, self, lambda: self.view.ensureVisible(box, 20, 20))

    def _edge(
        self,
        a: QRectF,
        b: QRectF,
        dy: float,
        const: bool,
        active: bool,
        local: float,
        upstream: float,
        what: str,
    ) -> None:
        sc = self.scene
        GRAD, _ink, MUTED, _fill, bg = self._inks
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

    def _set_equation(self, names, out, deriv, current) -> None:
        g, total = self.graph, self.stage_count()
        self.prev_button.setEnabled(self._stage > 0)
        self.next_button.setEnabled(self._stage < total)
        if current is None:
            self.stage_label.setText(
                f"Forward pass: values computed left → right. Stage 0 of {total}: "
                "press Next (→) to start the backward pass."
            )
            self.equation.setText(f"{out} = {num(g.value)}")
            return
        self.stage_label.setText(
            f"Backward pass, stage {self._stage} of {total}"
            + (" — done: every gradient is known." if self._stage == total else "")
        )
        n = g.nodes[current]
        me = deriv(out, names[n.id])
        if n.id == g.output:
            self.equation.setText(f"{me} = 1  (the backward pass starts at the output)")
            return
        uses = [(c, i) for c in g.nodes for i, src in enumerate(c.inputs) if src == n.id]
        if len(uses) == 1 and uses[0][0].id == g.output:  # one step from the output: local only
            c, i = uses[0]
            sym = local_symbol(g, c, i, names)
            mid = f" = {sym}" if sym and sym != num(c.local_grads[i]) else ""
            self.equation.setText(f"{me}{mid} = {num(n.grad)}")
            return
        symbolic = " + ".join(
            f"{deriv(out, names[c.id])} · {deriv(names[c.id], names[n.id])}" for c, i in uses
        )
        numbers = " + ".join(
            f"{num(c.grad) if k == 0 else paren(c.grad)} · {paren(c.local_grads[i])}"
            for k, (c, i) in enumerate(uses)
        )
        self.equation.setText(f"{me} = {symbolic} = {numbers} = {num(n.grad)}")
