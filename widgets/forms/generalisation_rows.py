"""The training form's generalisation rows: L1 / L2 penalty rates, weight decay
and early stopping. The rates change live while training (like η, with a
marker in the loss panel)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QSpinBox, QWidget

from model.train.early_stopping import EarlyStopping
from model.train.regularization import Regularization
from widgets.forms.spins import double_spin

__all__ = ["GeneralisationRows"]

TIPS = {
    "l1": "L1 penalty rate: adds l1·Σ|w| over the weights (not the biases) to the loss; pushes weights to exactly 0. "
    "Changes at once while training.",
    "l2": "L2 penalty rate: adds ½·l2·Σw² over the weights (not the biases); keeps weights small and the fit "
    "smooth. Changes at once while training.",
    "wd": "Weight decay λ: torch.optim's coupled decay (λ·p added to every gradient); AdamW decays the "
    "parameters directly (p ← p·(1 − η·λ)).",
    "es": "Stop when the validation loss has not improved for this many epochs, and restore the best "
    "epoch's weights (needs a validation split).",
}


def _rate(tip: str) -> QDoubleSpinBox:
    return double_spin(0.0, 10.0, 5, 0.001, tip)


class GeneralisationRows:
    """Owns the widgets; the training panel adds them to its form and reads them."""

    def __init__(self) -> None:
        self.l1_spin, self.l2_spin, self.wd_spin = _rate(TIPS["l1"]), _rate(TIPS["l2"]), _rate(TIPS["wd"])
        self.es_check = QCheckBox("on", toolTip=TIPS["es"])
        self.patience_spin = QSpinBox(suffix=" epochs")
        self.patience_spin.setRange(1, 1_000_000)
        self.patience_spin.setValue(20)
        self.patience_spin.setToolTip("Patience: epochs without a validation improvement before stopping.")
        self.patience_spin.setKeyboardTracking(False)
        self.restore_check = QCheckBox(
            "restore best", toolTip="Restore the weights of the best epoch when stopping."
        )
        self.restore_check.setChecked(True)
        self._min_delta = 0.0
        self.es_row = QWidget()
        row = QHBoxLayout(self.es_row)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.es_check, self.patience_spin, self.restore_check):
            row.addWidget(w)
        row.addStretch(1)

    def add_to(self, form) -> None:
        form.addRow("L1 penalty", self.l1_spin)
        form.addRow("L2 penalty", self.l2_spin)
        form.addRow("Weight decay λ", self.wd_spin)
        form.addRow("Early stopping", self.es_row)

    def edits(self):
        """(widget, signal) pairs that mean "the settings changed"."""
        return [
            self.l1_spin.valueChanged,
            self.l2_spin.valueChanged,
            self.wd_spin.valueChanged,
            self.es_check.toggled,
            self.patience_spin.valueChanged,
            self.restore_check.toggled,
        ]

    def show(self, settings) -> None:
        self.l1_spin.setValue(settings.regularization.l1)
        self.l2_spin.setValue(settings.regularization.l2)
        self.wd_spin.setValue(settings.weight_decay)
        es = settings.early_stopping
        self.es_check.setChecked(es is not None)
        if es is not None:
            self.patience_spin.setValue(es.patience)
            self.restore_check.setChecked(es.restore_best)
            self._min_delta = es.min_delta
        self.sync()

    def sync(self) -> None:
        on = self.es_check.isChecked()
        self.patience_spin.setEnabled(on)
        self.restore_check.setEnabled(on)

    def read(self) -> dict:
        """The TrainSettings fields these rows hold."""
        self.sync()
        es = (
            EarlyStopping(self.patience_spin.value(), self._min_delta, self.restore_check.isChecked())
            if self.es_check.isChecked()
            else None
        )
        return {
            "regularization": Regularization(self.l1_spin.value(), self.l2_spin.value()),
            "weight_decay": float(self.wd_spin.value()),
            "early_stopping": es,
        }

    def widgets(self) -> list:
        return [
            self.l1_spin,
            self.l2_spin,
            self.wd_spin,
            self.es_check,
            self.patience_spin,
            self.restore_check,
        ]
