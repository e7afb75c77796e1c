"""ChallengeDialog: a teacher authors a challenge from the current project.

Title, goal (checked as it is typed against the goal grammar of
``model.teaching.challenge``), hint, which controls to lock (frozen at their
current values) and optional topology limits. ``challenge()`` returns the
:class:`Challenge`, or raises ValueError with the goal's problem.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from model.teaching.challenge import LOCKABLE, Challenge, GoalError, lock_values, parse_goal
from widgets.common.themed_widgets import set_sheet

__all__ = ["ChallengeDialog"]

DEFAULT_LOCKS = ("data", "preprocessing", "loss")


class ChallengeDialog(QDialog):
    def __init__(self, project, existing: Challenge | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Make a challenge from this project")
        self.project = project
        ex = existing
        self.title = QLineEdit(ex.title if ex else project.name or "Challenge")
        self.goal = QLineEdit(ex.goal if ex else "val_acc >= 95% and hidden_neurons <= 12")
        self.goal.setToolTip(
            "Clauses joined by 'and': train_acc, val_acc (use %), train_loss, val_loss, hidden_neurons, "
            "hidden_layers, params, epochs compared with >=, <=, >, <, = ; or data = NAME"
        )
        self.goal_state = QLabel()
        self.goal_state.setWordWrap(True)
        self.hint = QPlainTextEdit(ex.hint if ex else "")
        self.hint.setPlaceholderText("A hint the student can reveal")
        self.hint.setMaximumHeight(70)
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Goal", self.goal)
        form.addRow("", self.goal_state)
        form.addRow("Hint", self.hint)
        locks = QGroupBox("Lock at the current values")
        grid = QGridLayout(locks)
        self.lock_boxes: dict[str, QCheckBox] = {}
        for k, (name, what) in enumerate(LOCKABLE.items()):
            box = QCheckBox(what)
            box.setChecked(name in (ex.locks if ex else DEFAULT_LOCKS))
            self.lock_boxes[name] = box
            grid.addWidget(box, k // 2, k % 2)
        limits = QGroupBox("Topology limits (0 = none)")
        lf = QFormLayout(limits)
        self.max_neurons = QSpinBox()
        self.max_neurons.setRange(0, 100_000)
        self.max_layers = QSpinBox()
        self.max_layers.setRange(0, 64)
        if ex:
            self.max_neurons.setValue(ex.limits.get("max_hidden_neurons", 0))
            self.max_layers.setValue(ex.limits.get("max_hidden_layers", 0))
        lf.addRow("at most hidden neurons", self.max_neurons)
        lf.addRow("at most hidden layers", self.max_layers)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(locks)
        lay.addWidget(limits)
        lay.addWidget(self.buttons)
        self.goal.textChanged.connect(self._check_goal)
        self._check_goal()

    def _check_goal(self) -> None:
        try:
            n = len(parse_goal(self.goal.text()))
        except GoalError as e:
            self.goal_state.setText(str(e))
            set_sheet(self.goal_state, "color: @error;")
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        self.goal_state.setText(f"✓ {n} condition{'s' if n > 1 else ''}")
        set_sheet(self.goal_state, "color: @good;")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def challenge(self) -> Challenge:
        names = [n for n, b in self.lock_boxes.items() if b.isChecked()]
        limits = {}
        if self.max_neurons.value():
            limits["max_hidden_neurons"] = self.max_neurons.value()
        if self.max_layers.value():
            limits["max_hidden_layers"] = self.max_layers.value()
        return Challenge(
            goal=self.goal.text(),
            title=self.title.text().strip() or "Challenge",
            hint=self.hint.toPlainText().strip(),
            locks=lock_values(self.project, names),
            limits=limits,
        )
