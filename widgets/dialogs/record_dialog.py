"""File ▸ Record…: where and how to record the training for slides."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

SIZES = ("1280x720", "1920x1080", "1024x768", "800x600", "640x360")


class RecordDialog(QDialog):
    """Plain values out: :meth:`values` -> dict(path, epochs, frames, fps, size, waves)."""

    def __init__(self, suggested_path: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Record for slides")
        form = QFormLayout(self)
        self.path = QLineEdit(suggested_path)
        self.path.setToolTip("An animated .gif, or an .mp4 video (needs the 'video' extra)")
        self.path.setMinimumWidth(320)  # a whole path stays readable
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.path, 1)
        h.addWidget(browse)
        form.addRow("File", row)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1_000_000)
        self.epochs.setValue(100)
        self.epochs.setToolTip("Epochs to train while recording, from the current weights")
        form.addRow("Epochs", self.epochs)
        self.frames = QSpinBox()
        self.frames.setRange(0, 1000)
        self.frames.setSpecialValueText("automatic (one per epoch, ≤ 201)")
        self.frames.setToolTip("Frames in the file: the start, then evenly spread over the epochs")
        form.addRow("Frames", self.frames)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 60)
        self.fps.setValue(10)
        self.fps.setSuffix(" frames/s")
        self.fps.setToolTip("Playback speed; independent of how fast this computer trains")
        form.addRow("Frame rate", self.fps)
        self.frame_size = QComboBox()
        self.frame_size.addItems(SIZES)
        self.frame_size.setToolTip("Width × height of every frame, in pixels")
        form.addRow("Size", self.frame_size)
        self.waves = QCheckBox("Show the forward and backward waves")
        form.addRow("", self.waves)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Record to", self.path.text(), "Animated GIF (*.gif);;MP4 video (*.mp4)"
        )
        if path:
            self.path.setText(path)

    def values(self) -> dict:
        w, h = (int(v) for v in self.frame_size.currentText().split("x"))
        return {
            "path": self.path.text().strip(),
            "epochs": self.epochs.value(),
            "frames": self.frames.value() or None,
            "fps": self.fps.value(),
            "size": (w, h),
            "waves": self.waves.isChecked(),
        }
