"""Chain-rule panel: a scalar expression drawn as a computational graph, then
the backward pass stepped node by node (the lecture's f = (x + y)·z slide).

Forward values sit in the boxes; each backward stage reaches one more node,
writes ∂f/∂node under it in red, and labels the edges it used with
"local × upstream". Constants are drawn small, next to the node using them.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QBoxLayout,
    QDoubleSpinBox,
    QFrame,
    QGraphicsScene,
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
from widgets.common.themed_widgets import set_sheet
from widgets.panels.chain_rule_layout import (  # noqa: F401 (SYMBOL, display_names, layout re-exported)
    SYMBOL,
    display_names,
    layout,
    local_symbol,
    num,
    paren,
)
from widgets.panels.chain_rule_scene import GraphView, draw_graph

DEFAULT = "lecture_fxyz"
SIDE_W = 225  # the controls column beside the graph on a short dock
CONTROLS_H = 165  # about the controls' height above the graph


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
        set_sheet(self.error, "color: @error;")
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
        self.view = GraphView(self.scene)
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

    def theme_changed(self, t) -> None:
        self.view.setBackgroundBrush(QColor(t.plot_background))
        self._redraw()

    def _redraw(self) -> None:
        g = self.graph
        if g is None:
            self.scene.clear()
            self._node_texts, self._grad_texts, self._label_rects, self._current_rect = {}, {}, {}, None
            return
        dr = draw_graph(self.scene, g, self._stages(), self._stage)
        self._node_texts, self._grad_texts = dr.node_texts, dr.grad_texts
        self._label_rects, self._current_rect = dr.label_rects, dr.current_rect
        self.view.setSceneRect(self.scene.sceneRect())  # the view's own rect updates its scroll bars at once
        self._set_equation(dr.names, dr.out, dr.deriv, dr.current)
        if dr.current is not None:  # after the view has taken in the new scene (it recentres first)
            box = dr.current_rect
            self.view.ensureVisible(box, 20, 20)
            QTimer.singleShot(0, self, lambda: self.view.ensureVisible(box, 20, 20))

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
