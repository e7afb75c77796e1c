"""Help ▸ Getting Started: a short guided first lesson, one step at a time.

Each step says what to look at and has one button that does it for the
student (``stepRequested(key)``; the window performs the action), so the
lesson works the same with the mouse, the keyboard or a projector remote.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

__all__ = ["GettingStarted", "LESSON"]

# key, title, text, button label
LESSON = (
    (
        "open_xor",
        "1. Open XOR",
        "XOR is the lecture's classic: no single line separates its two classes, but a network "
        "with one hidden layer can. The canvas shows the 2-4-1 network: inputs x₁, x₂ on the left, "
        "edges coloured by their weight (blue +, orange −).",
        "Open the XOR example",
    ),
    (
        "slow_play",
        "2. Play in slow motion",
        "Training makes one weight update per second now. Each update is a forward wave "
        "(green–yellow: each edge's contribution w·V) followed by a backward wave (purple: |∂E/∂w|, "
        "nodes show δ) — the numbers of that very update.",
        "Play at 1 update/s",
    ),
    (
        "watch_wave",
        "3. Watch a wave",
        "Follow the forward wave from x₁, x₂ to the output: each node shows its value V = g(b). "
        "Then the backward wave carries δ = g′(b)(t − V) from the output back towards the inputs.",
        "Pause and show the waves",
    ),
    (
        "step_update",
        "4. Step through one update",
        "Algorithm 4, one stage at a time (← →): apply x, propagate b = Σ w·V − θ and V = g(b), "
        "output errors δ, backward δ, then Δw = η·δ·V. 'Apply update' makes it one training step.",
        "Start step-through",
    ),
    (
        "read_loss",
        "5. Read the loss",
        "The Loss panel plots the training loss per epoch. It falls as the network learns; "
        "a flat stretch is a plateau, a jump upwards means the learning rate is too large.",
        "Show the loss curve",
    ),
)


class GettingStarted(QDialog):
    """Non-modal lesson window; ``step`` is the 0-based step shown."""

    stepRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Getting Started — MLP Studio")
        self.step = 0
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.title.setToolTip("The lesson's current step")
        self.text = QLabel(wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setToolTip("What to look at in this step")
        self.do_button = QPushButton()
        self.do_button.setToolTip("Do this step for me")
        self.do_button.clicked.connect(lambda: self.stepRequested.emit(LESSON[self.step][0]))
        self.prev_button = QPushButton("← Back", toolTip="The previous step")
        self.next_button = QPushButton("Next →", toolTip="The next step")
        self.prev_button.clicked.connect(lambda: self.show_step(self.step - 1))
        self.next_button.clicked.connect(lambda: self.show_step(self.step + 1))
        self.progress = QLabel(toolTip="Where you are in the lesson")
        row = QHBoxLayout()
        row.addWidget(self.prev_button)
        row.addWidget(self.progress, 1, Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.next_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.do_button)
        lay.addLayout(row)
        self.resize(460, 300)
        self.show_step(0)

    def show_step(self, i: int) -> None:
        self.step = max(0, min(int(i), len(LESSON) - 1))
        _key, title, text, button = LESSON[self.step]
        self.title.setText(title)
        self.text.setText(text)
        self.do_button.setText(button)
        self.progress.setText(f"step {self.step + 1} of {len(LESSON)}")
        self.prev_button.setEnabled(self.step > 0)
        self.next_button.setEnabled(self.step < len(LESSON) - 1)
