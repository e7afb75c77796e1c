"""The status bar's permanent training read-outs: epoch, loss, accuracy,
update rate and progress towards the epoch limit."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

TIPS = {
    "epoch": "Epochs completed (updates made)",
    "loss": "Training loss of the last update",
    "acc": "Training accuracy of the last epoch",
    "rate": "Weight updates per second",
}
WIDEST = {
    "epoch": "epoch 1,000,000 (10,000,000 updates)",
    "loss": "loss 0.000000",
    "acc": "accuracy 100.0 %",
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
        loss = snap.loss if snap else (float(h.update_loss.values[-1]) if len(h.update_loss) else math.nan)
        acc = snap.accuracy if snap else (float(h["train_acc"][-1]) if len(h) else math.nan)
        lab = self.labels
        lab["epoch"].setText(f"epoch {epoch:,} ({steps:,} updates)")
        lab["loss"].setText(f"loss {loss:.4g}" if math.isfinite(loss) else "loss –")
        lab["acc"].setText(f"accuracy {acc * 100:.1f} %" if math.isfinite(acc) else "accuracy –")
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
