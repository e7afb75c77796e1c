"""TimelineBar: a scrubber through the training keyframes, under the loss plot.

Dragging shows the network as it was at that keyframe (the app draws the
canvas, the decision regions and a loss cursor); "Restore these weights" asks
the app for an undoable edit; "Replay waves" runs the forward/backward waves
on the shown weights; "Live" returns to the current weights.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from widgets.common.steady_label import pin_one_line

__all__ = ["TimelineBar"]

EMPTY = "timeline: no keyframes yet"


class TimelineBar(QWidget):
    frameChosen = Signal(int)  # keyframe index while scrubbing
    liveRequested = Signal()
    restoreRequested = Signal(int)
    wavesRequested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Drag back through training: the canvas and decision regions show that moment")
        self.slider.setEnabled(False)
        self.label = QLabel(EMPTY)
        # fixed in both directions: a new keyframe's text re-lays out nothing (every epoch early on)
        pin_one_line(self.label, EMPTY, "epoch 10000000 (live)")
        self.live = QPushButton("Live")
        self.live.setToolTip("Show the current weights again")
        self.restore = QPushButton("Restore these weights")
        self.restore.setToolTip("Make the shown keyframe's weights the network's weights (undo with Ctrl+Z)")
        self.waves = QPushButton("Replay waves")
        self.waves.setToolTip("Send the forward and backward waves through the shown weights")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 0, 2, 0)
        lay.addWidget(QLabel("Timeline"))
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.label)
        for b in (self.live, self.restore, self.waves):
            lay.addWidget(b)
        self._epochs: list[int] = []
        self._tip = None
        self.scrubbing = False
        self.slider.valueChanged.connect(self._moved)
        self.live.clicked.connect(self.go_live)
        self.restore.clicked.connect(lambda: self.restoreRequested.emit(self.slider.value()))
        self.waves.clicked.connect(lambda: self.wavesRequested.emit(self.slider.value()))
        self._set_buttons()

    def set_epochs(self, epochs) -> None:
        """The keyframes' epochs (ascending); keeps a scrub position, else follows the newest."""
        epochs = [int(e) for e in epochs]
        if epochs == self._epochs and self._epochs:
            return  # called on every training frame; keyframes are added only now and then
        self._epochs = epochs
        n = len(self._epochs)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(n - 1, 0))
        if not self.scrubbing:
            self.slider.setValue(max(n - 1, 0))
        self.slider.blockSignals(False)
        self.slider.setEnabled(n > 1)
        self._show_label()
        self._set_buttons()

    def choose(self, index: int) -> None:
        """Scrub to keyframe ``index`` (as a drag would)."""
        self.slider.setValue(int(index))
        if self.slider.value() == int(index):
            self._moved(int(index))

    def go_live(self) -> None:
        self.scrubbing = False
        self.slider.blockSignals(True)
        self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)
        self._show_label()
        self._set_buttons()
        self.liveRequested.emit()

    def _moved(self, index: int) -> None:
        if not self._epochs:
            return
        self.scrubbing = True
        self._show_label()
        self._set_buttons()
        self.frameChosen.emit(int(index))

    def _show_label(self) -> None:
        if not self._epochs:
            self.label.setText(EMPTY)
            return
        k = self.slider.value()
        state = "" if self.scrubbing else " (live)"
        self.label.setText(f"epoch {self._epochs[k]}{state}")
        tip = f"keyframe {k + 1} of {len(self._epochs)} kept (every epoch early, log-spaced later)"
        if tip != self._tip:  # the same at capacity, frame after frame; setToolTip costs ~0.15 ms
            self._tip = tip
            self.label.setToolTip(tip)

    def _set_buttons(self) -> None:
        self.live.setEnabled(self.scrubbing)
        self.restore.setEnabled(self.scrubbing and bool(self._epochs))
        self.waves.setEnabled(bool(self._epochs))
