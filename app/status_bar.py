"""The status bar's permanent training read-outs: epoch, loss, accuracy,
update rate and progress towards the epoch limit."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from model.train.epoch_figures import ACCURACY_TIP, LOSS_TIP, accuracy_text, loss_text

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


class TrainingStatus:
    """Labels and a progress bar added to ``bar``; :meth:`show` fills them from
    the document's history or the newest snapshot."""

    def __init__(self, bar: QStatusBar):
        self.labels = {k: QLabel() for k in TIPS}
        for k, lab in self.labels.items():
            lab.setToolTip(TIPS[k])
            # fixed widths: changing text must not re-layout the window every frame
            lab.setFixedWidth(lab.fontMetrics().horizontalAdvance(WIDEST[k]) + 8)
            bar.addPermanentWidget(lab)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setToolTip("Progress towards the epoch limit")
        bar.addPermanentWidget(self.progress)

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
