"""The status bar's permanent training read-outs: epoch, loss, accuracy,
update rate and progress towards the epoch limit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from model.train.epoch_figures import ACCURACY_TIP, LOSS_TIP, accuracy_text, loss_text
from widgets.common.steady_label import one_line_height

TIPS = {
    "epoch": "Epochs completed (updates made)",
    "loss": LOSS_TIP,
    "acc": ACCURACY_TIP,
    "rate": "Weight updates per second",
}
WIDEST = {
    "epoch": "epoch 1,000,000 (10,000,000 updates)",
    "loss": "epoch training loss 0.000123456",
    "acc": "epoch accuracy 100.0 %",
    "rate": "100,000 updates/s",
}
WIDEST_PROGRESS = "100,000 / 100,000 epochs"


class _Refit(QObject):
    """Re-measures the fixed widths when the font changes (presentation zoom
    doubles it: the progress text wrapped and was cut off at 180 px)."""

    def __init__(self, status: "TrainingStatus"):
        super().__init__(status.progress)
        self.status = status

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FontChange:
            self.status.fit_widths()
        return False


class TrainingStatus:
    """Labels and a progress bar added to ``bar``; :meth:`show` fills them from
    the document's history or the newest snapshot."""

    def __init__(self, bar: QStatusBar):
        self.labels = {k: QLabel() for k in TIPS}
        for k, lab in self.labels.items():
            lab.setToolTip(TIPS[k])
            bar.addPermanentWidget(lab)
        self.progress = QProgressBar()
        self.progress.setToolTip("Progress towards the epoch limit")
        bar.addPermanentWidget(self.progress)
        self.fit_widths()
        self.progress.installEventFilter(_Refit(self))

    def fit_widths(self) -> None:
        """Fixed sizes from the current font: changing text must not re-layout
        the window every frame (Qt skips that only for a widget fixed in width
        *and* height; fixed in width only, every frame re-laid out the main
        window), and no read-out may be cut off."""
        for k, lab in self.labels.items():
            lab.setFixedSize(lab.fontMetrics().horizontalAdvance(WIDEST[k]) + 8, one_line_height(lab))
        bar = self.progress
        need = bar.fontMetrics().horizontalAdvance(WIDEST_PROGRESS) + 24
        bar.setMinimumWidth(need)  # squeezed by the labels at a presentation zoom, it wrapped
        bar.setMaximumWidth(max(180, need))

    def show(self, history, limit: int, running: bool, snap=None) -> None:
        h = history
        epoch = snap.epoch if snap else len(h)
        steps = snap.step if snap else len(h.update_loss)
        lab = self.labels
        lab["epoch"].setText(f"epoch {epoch:,} ({steps:,} updates)")
        # the document has adopted the snapshot's rows: its last epoch is the newest
        lab["loss"].setText(loss_text(h))
        lab["acc"].setText(accuracy_text(h))
        lab["rate"].setText(f"{snap.updates_per_s:,.0f} updates/s" if snap and snap.updates_per_s else "")
        bar = self.progress
        # QProgressBar repaints synchronously on every change: touch it only when needed
        if bar.format() != f"%v / {limit:,} epochs":
            bar.setRange(0, limit)
            bar.setFormat(f"%v / {limit:,} epochs")
        value = min(epoch, limit)
        if value != bar.value() and (
            value == limit or abs(value - bar.value()) * 200 >= limit or not running
        ):
            bar.setValue(value)
