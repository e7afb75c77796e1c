"""ChallengeBar: the open challenge above the canvas — goal, locks, hint, check.

Signals ``checkRequested`` (grade the goal now) and ``resultRequested``
(write the hand-in file); ``show_check(passed, rows)`` shows the verdict per
clause.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from model.teaching.challenge import LIMITS, LOCKABLE
from widgets.common.themed_widgets import set_rich, set_sheet

__all__ = ["ChallengeBar"]


class ChallengeBar(QWidget):
    checkRequested = Signal()
    resultRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ChallengeBar")
        set_sheet(
            self,
            "#ChallengeBar { background: @warn_fill; border: 1px solid @warn_border; border-radius: 4px; }",
        )
        self.title = QLabel()
        self.goal = QLabel()
        self.goal.setWordWrap(True)
        self.locks = QLabel()
        self.locks.setWordWrap(True)
        set_sheet(self.locks, "color: @warn;")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setVisible(False)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.hint_button = QPushButton("Hint")
        self.hint_button.setCheckable(True)
        self.hint_button.setToolTip("Show the teacher's hint")
        self.check_button = QPushButton("Check goal")
        self.check_button.setToolTip("Measure the current network against the goal")
        self.result_button = QPushButton("Write result…")
        self.result_button.setToolTip("Save the hand-in file: settings, figures and a hash of the project")
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        for b in (self.hint_button, self.check_button, self.result_button):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addLayout(row)
        lay.addWidget(self.goal)
        lay.addWidget(self.locks)
        lay.addWidget(self.hint)
        lay.addWidget(self.verdict)
        self.hint_button.toggled.connect(self.hint.setVisible)
        self.check_button.clicked.connect(self.checkRequested)
        self.result_button.clicked.connect(self.resultRequested)

    def set_challenge(self, ch) -> None:
        if ch is None:
            return
        self.title.setText(f"<b>Challenge: {escape(ch.title)}</b> — goal: <b>{escape(ch.goal)}</b>")
        self.goal.setText("")
        self.goal.setVisible(False)
        parts = [LOCKABLE[n] for n in ch.locks] + [f"≤ {v} {LIMITS[k]}" for k, v in ch.limits.items()]
        self.locks.setText("Locked: " + (", ".join(parts) if parts else "nothing"))
        self.hint.setText(f"Hint: {escape(ch.hint)}" if ch.hint else "(no hint)")
        self.hint_button.setChecked(False)
        self.verdict.setText("")
        self.verdict.setVisible(False)

    def show_check(self, passed: bool, rows) -> None:
        marks = " · ".join(
            f"{'✓' if r['passed'] else '✗'} {escape(r['clause'])} (now {escape(_fmt(r))})" for r in rows
        )
        head = (
            "<b style='color:@good'>Goal reached.</b> " if passed else "<b style='color:@error'>Not yet.</b> "
        )
        set_rich(self.verdict, head + marks)
        self.verdict.setVisible(True)


def _fmt(row) -> str:
    v = row["actual"]
    if v is None:
        return "n/a"
    if "acc" in row["clause"].split()[0] and isinstance(v, float):
        return f"{v * 100:.1f} %"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
