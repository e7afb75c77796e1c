"""QuizBox: predict, then reveal — the step-through's quiz controls.

With "Quiz" on, the step-through does not advance to a stage that reveals V,
δ, Δw or Δθ until the student has typed a prediction for the selected node or
edge (``model.teaching.quiz``). The box shows the prompt, grades the answer,
then shows the stage's formula with the numbers and the score; "Teacher: show
all" turns prediction off without losing the score.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtWidgets import QDoubleSpinBox as _Spin
from PySide6.QtWidgets import QLineEdit as _Entry

from model.teaching.quiz import RTOL, Quiz
from widgets.common.themed_widgets import set_sheet

__all__ = ["QuizBox"]

RIGHT = "QLabel { background: @good_fill; border: 1px solid @good_border; border-radius: 5px; padding: 6px; }"
WRONG = (
    "QLabel { background: @error_fill; border: 1px solid @error_border; border-radius: 5px; padding: 6px; }"
)


class QuizBox(QWidget):
    answered = Signal(bool)  # correct; the panel then reveals the held stage

    def __init__(self, parent=None):
        super().__init__(parent)
        self.quiz = Quiz()
        self.question = None
        self.enabled_box = QCheckBox("Quiz: predict first")
        self.enabled_box.setToolTip(
            "Type V, δ, Δw or Δθ of the selected node or edge before the stage shows it"
        )
        self.teacher_box = QCheckBox("Teacher: show all")
        self.tol_label = QLabel("± tolerance")
        self.teacher_box.setToolTip("Show every value without asking (the score is kept)")
        self.tolerance = _Spin()
        self.tolerance.setRange(0.1, 50.0)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setValue(RTOL * 100)
        self.tolerance.setSuffix(" %")
        self.tolerance.setToolTip("Relative tolerance for a right answer")
        self.prompt = QLabel("")
        f = QFont()
        f.setPointSizeF(11.0)
        f.setBold(True)
        self.prompt.setFont(f)
        self.entry = _Entry()
        self.entry.setPlaceholderText("e.g. 0.731")
        self.entry.setMinimumWidth(60)
        self.entry.setToolTip("Your prediction of the value; Enter checks it")
        self.check = QPushButton("Check")
        self.check.setToolTip("Grade the prediction and reveal the stage (Enter)")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.score = QLabel(self.quiz.score_text())
        set_sheet(self.score, "color: @hint;")
        top = QHBoxLayout()
        top.addWidget(self.enabled_box)
        top.addWidget(self.teacher_box, 1)
        tol = QHBoxLayout()
        tol.addWidget(self.tol_label)
        tol.addWidget(self.tolerance)
        tol.addStretch(1)
        ask = QHBoxLayout()
        ask.addWidget(self.prompt)
        ask.addWidget(self.entry, 1)
        ask.addWidget(self.check)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addLayout(tol)
        lay.addLayout(ask)
        lay.addWidget(self.result)
        lay.addWidget(self.score)
        self.check.clicked.connect(self.submit)
        self.entry.returnPressed.connect(self.submit)
        self.teacher_box.toggled.connect(self._teacher)
        self.enabled_box.toggled.connect(lambda _on: self._show_prompt())
        self.tolerance.valueChanged.connect(lambda v: setattr(self.quiz, "rtol", v / 100.0))
        self._show_prompt()

    @property
    def active(self) -> bool:
        return self.enabled_box.isChecked() and not self.teacher_box.isChecked()

    def wants_answer(self, question) -> bool:
        """True when ``question`` must be answered before its stage is shown."""
        return self.active and question is not None and not self.quiz.is_answered(question)

    def ask(self, question) -> None:
        self.question = question
        self.entry.clear()
        self.result.setText("")
        self.result.setStyleSheet("")
        self._show_prompt()
        self.entry.setFocus()

    def submit(self) -> None:
        q = self.question
        if q is None:
            return
        g = self.quiz.answer(q, self.entry.text())
        if g.value is None:  # not a number: ask again, nothing counted
            self.result.setText(g.message)
            set_sheet(self.result, WRONG)
            return
        self.result.setText(f"{g.message}\n{q.formula}")
        set_sheet(self.result, RIGHT if g.correct else WRONG)
        self.question = None
        self.score.setText(self.quiz.score_text())
        self._show_prompt()
        self.answered.emit(g.correct)

    def new_round(self) -> None:
        self.quiz.new_round()
        self.question = None
        self._show_prompt()

    def _teacher(self, on: bool) -> None:
        self.quiz.teacher = on
        if on and self.question is not None:
            q, self.question = self.question, None
            self.result.setText(q.formula)
            self.result.setStyleSheet("")
            self._show_prompt()
            self.answered.emit(False)
        self._show_prompt()

    def _show_prompt(self) -> None:
        asking = self.question is not None and self.active
        self.prompt.setText(self.question.prompt if asking else "")
        for w in (self.prompt, self.entry, self.check):
            w.setVisible(asking)
        self.tolerance.setVisible(self.enabled_box.isChecked())
        self.tol_label.setVisible(self.enabled_box.isChecked())
        self.teacher_box.setVisible(self.enabled_box.isChecked())
        self.score.setVisible(self.enabled_box.isChecked())
        self.result.setVisible(self.enabled_box.isChecked() and bool(self.result.text()))
