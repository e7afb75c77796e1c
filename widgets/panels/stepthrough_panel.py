"""StepThroughPanel: the lecture's Algorithm 4 stepped by hand beside the canvas.

The panel owns a :class:`model.teaching.stepthrough.StepThrough` (precomputed
stages) and *drives* a :class:`NetworkCanvas` given to :meth:`attach`: node
values of the layers reached so far (unreached layers neutral grey and
unlabelled), the forward (green → yellow) or backward (purple) edge overlay,
the highlighted node of the equation, and stage-aware hover text. It never
edits the document: "Apply update" emits ``updateApplied(weights, biases)``
and the app pushes them as one undo step.

Keys: ←/→ step while the panel or the attached canvas has focus; the app can
forward keys from elsewhere with :meth:`handle_key`. Clicking a node of the
current layer on the canvas shows that node's equation.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from model.teaching.notation import LECTURE
from model.teaching.quiz import question_for
from model.teaching.stepthrough import Stage, StepThrough
from widgets.common import theme as themes
from widgets.common.fit import scroll_body
from widgets.common.themed_widgets import set_sheet
from widgets.panels.quiz_box import QuizBox
from widgets.panels.stage_table import StageTable
from widgets.panels.stepthrough_canvas import StageCanvasLink
from widgets.panels.stepthrough_texts import EQUATION_STYLE, LEGENDS, PHASES

__all__ = ["StepThroughPanel"]


class StepThroughPanel(QWidget):
    """Side panel stepping one training update stage by stage (see module doc)."""

    updateApplied = Signal(object, object)  # weights, biases after the update
    finished = Signal()  # after Apply or stop()
    stageChanged = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.link = StageCanvasLink(self)  # the attached canvas: its picture, keys, hover text
        self.walk: StepThrough | None = None
        self._index = 0
        self._args: tuple | None = None
        self._batch: list[int] = []
        self._highlight: int | None = None
        self.applied_walk: StepThrough | None = None
        self._held: int | None = None  # a stage waiting for the student's prediction
        self.quiz_box = QuizBox()
        self.quiz_box.answered.connect(self._reveal_held)

        title = QLabel("Step through one update — Algorithm 4")
        title.setFont(self._font(10.5, bold=True))
        title.setWordWrap(True)  # a narrow dock wraps it instead of scrolling sideways
        self.pattern_spin = QSpinBox()
        self.pattern_spin.setPrefix("μ = ")
        self.pattern_spin.setToolTip("the pattern x⁽μ⁾ applied to the input layer (1-based row)")
        self.batch_check = QCheckBox("whole batch")
        self.batch_check.setToolTip(
            "step through the current mini-batch / batch; the update then uses the averaged gradient"
        )
        self.pattern_spin.valueChanged.connect(self._on_pattern)
        self.batch_check.toggled.connect(self._on_pattern)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Pattern"))
        pick.addWidget(self.pattern_spin, 1)
        pick.addWidget(self.batch_check)

        self.counter = QLabel("Not started")
        self.counter.setFont(self._font(10.0, bold=True))
        self.counter.setWordWrap(True)
        self.phase = QLabel("")
        self.phase.setWordWrap(True)
        self._muted = [self.phase]
        self.equation = QLabel("")
        # proportional, not monospace: DejaVu Sans Mono draws sub/superscripts
        # (b₁⁽¹⁾) as full-width cells that fall apart; table numbers stay monospace
        self.equation.setFont(self._font(12.0))
        self.equation.setWordWrap(True)
        set_sheet(self.equation, EQUATION_STYLE)
        self.equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.equation.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.equation.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.table = StageTable()
        self.table.cellClicked.connect(lambda row, _c: self.set_highlight(row))

        self.prev_button = QPushButton("◀  Previous")
        self.next_button = QPushButton("Next  ▶")
        self.apply_button = QPushButton("Apply update")
        self.stop_button = QPushButton("Stop")
        for b, tip in (
            (self.prev_button, "previous stage (←)"),
            (self.next_button, "next stage (→)"),
            (self.apply_button, "write the new weights into the network (one undo step)"),
            (self.stop_button, "leave step-through mode"),
        ):
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrows keep stepping, not moving focus
        self.next_button.setDefault(True)
        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.apply_button.clicked.connect(self.apply_update)
        self.stop_button.clicked.connect(self.stop)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        act = QHBoxLayout()
        act.addWidget(self.apply_button, 1)
        act.addWidget(self.stop_button)
        hint = QLabel("← → step · click a node or a table row to see its equation · hover for values")
        hint.setWordWrap(True)
        self._muted.append(hint)
        hint.setFont(self._font(8.5))

        # the buttons sit above the equation so they never move while stepping
        lay = QVBoxLayout(scroll_body(self))
        lay.addWidget(title)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self._muted.append(self.legend)
        self.theme_changed(themes.current_theme(), redraw=False)
        lay.addWidget(self.legend)
        self.set_notation(LECTURE)
        lay.addLayout(pick)
        lay.addLayout(nav)
        lay.addWidget(self.counter)
        lay.addWidget(self.phase)
        lay.addWidget(self.quiz_box)
        lay.addWidget(self.equation)
        lay.addWidget(self.table)
        lay.addStretch(1)
        lay.addLayout(act)
        lay.addWidget(hint)
        self._refresh()

    @staticmethod
    def _font(pt: float, bold: bool = False) -> QFont:
        f = QFont()
        f.setPointSizeF(pt)
        f.setBold(bold)
        return f

    # ------------------------------------------------------------------ api
    @property
    def stage_index(self) -> int:
        return self._index

    @property
    def stage(self) -> Stage | None:
        return self.walk[self._index] if self.walk is not None else None

    @property
    def stage_count(self) -> int:
        return len(self.walk) if self.walk is not None else 0

    @property
    def active(self) -> bool:
        return self.walk is not None

    def equation_text(self) -> str:
        return self.equation.text()

    @property
    def canvas(self):
        """The attached NetworkCanvas (None before :meth:`attach`)."""
        return self.link.canvas

    def attach(self, canvas) -> None:
        """Drive ``canvas`` (a NetworkCanvas): overlays, node values, hover text, ← →."""
        self.link.attach(canvas)

    def hover_text(self, pos) -> str:
        """Stage-aware tooltip for a canvas viewport point ("" over empty space)."""
        return self.link.hover_text(pos)

    def start(self, net, X, T, indices, lr: float, loss: str | None = None) -> None:
        """Begin at stage 1 for ``X[indices]`` (one index: stochastic; several:
        the batch, also offered as "whole batch" next to the μ chooser)."""
        idx = [int(i) for i in np.asarray(indices, dtype=np.int64).reshape(-1)]
        self._args = (net, X, T, float(lr), loss)
        self._batch = idx
        with QSignalBlocker(self.pattern_spin), QSignalBlocker(self.batch_check):
            base = self._row_base()
            self.pattern_spin.setRange(base, len(X) - 1 + base)
            self.pattern_spin.setValue(idx[0] + base)
            self.batch_check.setEnabled(len(idx) > 1)
            self.batch_check.setChecked(len(idx) > 1)
            self.batch_check.setText(f"whole batch ({len(idx)})" if len(idx) > 1 else "whole batch")
        self._begin(idx)

    def set_notation(self, notation) -> None:
        """Every equation, table and hover text in ``notation`` (the lecture's or the
        code's); a walk in progress is rewritten at the same stage."""
        self.notation = notation
        text, tip = LEGENDS[bool(notation.use_theta)]
        self.legend.setText(text)
        self.legend.setToolTip(tip)
        self._relabel_pattern_spin()
        if self.walk is not None and self._args is not None:
            index, highlight = self._index, self._highlight
            net, X, T, lr, loss = self._args
            self.walk = StepThrough(net, X, T, self.walk.indices, lr, loss, notation=notation)
            self._index = min(index, len(self.walk) - 1)
            self._highlight = highlight
            self._show()

    def _row_base(self) -> int:
        """The pattern chooser counts rows from 1 (μ, the lecture) or from 0 (x[i], the code)."""
        return 1 if getattr(self, "notation", LECTURE).one_based else 0

    def _relabel_pattern_spin(self) -> None:
        spin, base = self.pattern_spin, self._row_base()
        index = spin.value() - spin.property("base") if spin.property("base") is not None else None
        with QSignalBlocker(spin):
            spin.setPrefix("μ = " if base else "row ")
            spin.setToolTip(
                "the pattern x⁽μ⁾ applied to the input layer (1-based row)"
                if base
                else "the sample x[i] applied to the input layer (0-based row)"
            )
            if self._args is not None:
                spin.setRange(base, len(self._args[1]) - 1 + base)
                if index is not None:
                    spin.setValue(index + base)
        spin.setProperty("base", base)

    def next(self) -> bool:
        """One stage on; False at the end (or when not started)."""
        return self.go_to(self._index + 1)

    def previous(self) -> bool:
        return self.go_to(self._index - 1)

    def go_to(self, index: int) -> bool:
        if self.walk is None or not 0 <= index < len(self.walk) or index == self._index:
            return False
        if index > self._index:  # predict, then reveal: hold the stage until answered
            q = self.question_at(index)
            if self.quiz_box.wants_answer(q):
                self._held = index
                self.quiz_box.ask(q)
                self.counter.setText(f"Stage {index + 1} of {len(self.walk)} — first predict {q.symbol}")
                return False
        self._held = None
        self._index = index
        self._highlight = self.stage.highlight
        self._show()
        self.stageChanged.emit(index)
        return True

    def question_at(self, index: int):
        """What stage ``index`` asks about the canvas selection (None: nothing to predict)."""
        sel = None
        cv = self.canvas
        if cv is not None:
            edge, nodes = cv.selected_edge(), cv.selected_nodes()
            sel = ("edge", *edge) if edge is not None else (("node", *nodes[0]) if nodes else None)
        return question_for(self.walk[index], index, sel, eta=self.walk.lr)

    def _reveal_held(self, _correct: bool) -> None:
        if self._held is not None:
            index, self._held = self._held, None
            self.go_to(index)

    def handle_key(self, key) -> bool:
        """←/→ step (True when the key was used); for the app to forward keys."""
        if self.walk is None:
            return False
        if key == Qt.Key.Key_Right:
            self.next()
            return True
        if key == Qt.Key.Key_Left:
            self.previous()
            return True
        return False

    def set_highlight(self, index: int) -> None:
        """Show the equation of node ``index`` of the current layer."""
        st = self.stage
        if st is not None and index in st.equations:
            self._highlight = index
            self._show_text(st)
            if self.canvas is not None and st.layer is not None:
                self.link.drive(st)

    def apply_update(self) -> None:
        """Emit the updated weights (only at the last stage), then finish."""
        if self.walk is None or self._index != len(self.walk) - 1:
            return
        W, B = self.walk.apply()
        self.applied_walk = self.walk  # for the history row the app adds
        self._leave(W, B)
        self.updateApplied.emit(W, B)
        self.finished.emit()

    def stop(self) -> None:
        """Leave step-through mode and give the canvas back its weight view."""
        if self.walk is None:
            return
        self._leave(self.walk.W, self.walk.B)
        self.finished.emit()

    def keyPressEvent(self, event) -> None:
        if not self.handle_key(event.key()):
            super().keyPressEvent(event)

    # -------------------------------------------------------------- internal
    def _begin(self, idx: list[int]) -> None:
        net, X, T, lr, loss = self._args
        self.walk = StepThrough(net, X, T, idx, lr, loss, notation=self.notation)
        self.quiz_box.new_round()
        self._held = None
        self._index = 0
        self._highlight = self.stage.highlight
        self._show()
        self.stageChanged.emit(0)

    def _on_pattern(self, *_):
        if self._args is None:
            return
        use_batch = self.batch_check.isChecked() and len(self._batch) > 1
        self.pattern_spin.setEnabled(not use_batch)
        self._begin(self._batch if use_batch else [self.pattern_spin.value() - self._row_base()])

    def _leave(self, weights, biases) -> None:
        self.walk = None
        self._index = 0
        with QSignalBlocker(self.batch_check):  # nothing of the old data stays on screen
            self.batch_check.setChecked(False)
            self.batch_check.setEnabled(False)
            self.batch_check.setText("whole batch")
        if self.canvas is not None:
            self.canvas.show_stage(None, (weights, biases))
        self._refresh()

    def _refresh(self) -> None:
        on = self.walk is not None
        last = on and self._index == len(self.walk) - 1
        self.prev_button.setEnabled(on and self._index > 0)
        self.next_button.setEnabled(on and not last)
        self.apply_button.setEnabled(bool(last))
        self.stop_button.setEnabled(on)
        self.pattern_spin.setEnabled(
            self._args is not None and not (self.batch_check.isChecked() and len(self._batch) > 1)
        )
        if not on:
            self.counter.setText("Not started" if self._args is None else "Step-through finished")
            self.phase.setText("")
            self.equation.setText("")
            self.table.setRowCount(0)

    def theme_changed(self, t, redraw: bool = True) -> None:
        for label in self._muted:
            set_sheet(label, "color: @hint;")
        if redraw and self.stage is not None and self.table.rowCount():
            self._show_text(self.stage)

    def _show(self) -> None:
        st = self.stage
        self.counter.setText(f"Stage {self._index + 1} of {len(self.walk)} — {st.title}")
        step = list(PHASES).index(st.kind) + 1
        self.phase.setText(f"Algorithm 4, step {step} of {len(PHASES)}: {PHASES[st.kind]}")
        self._show_text(st)
        self._refresh()
        if self.canvas is not None:
            self.link.drive(st)

    def _show_text(self, st: Stage) -> None:
        h = self._highlight
        self.equation.setText(st.equations.get(h, st.equation) if h is not None else st.equation)
        self.table.show_stage(st, h)
