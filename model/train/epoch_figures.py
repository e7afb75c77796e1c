"""The figures of the last epoch, formatted once for every place that prints them.

The status bar, the ``mlp-studio train`` summary and the export README all
show the *epoch* training loss — the trainer's per-epoch figure, the mean of
the epoch's mini-batch losses — and the accuracy of that same epoch, never the
last mini-batch's loss (on penguins with b = 16 that one is ~600× smaller).
The per-update loss belongs in the loss panel's per-update view only.
"""

from __future__ import annotations

import math

__all__ = ["last_epoch", "format_loss", "loss_text", "accuracy_text", "LOSS_TIP", "ACCURACY_TIP"]

LOSS_TIP = (
    "Epoch training loss: the mean of the losses of the last epoch's updates "
    "(the number the CLI summary, the export README and the loss panel's epoch curve show)"
)
ACCURACY_TIP = "Training accuracy of the same epoch (each sample's prediction just before its update)"


def last_epoch(history) -> tuple[float, float]:
    """(training loss, training accuracy) of the last completed epoch; NaN before any."""
    if history is None or len(history) == 0:
        return math.nan, math.nan
    return float(history["train_loss"][-1]), float(history["train_acc"][-1])


def format_loss(v: float) -> str:
    """One loss, six significant digits (the same everywhere it is printed)."""
    return f"{v:.6g}" if math.isfinite(v) else "–"


def loss_text(history) -> str:
    return f"epoch training loss {format_loss(last_epoch(history)[0])}"


def accuracy_text(history) -> str:
    acc = last_epoch(history)[1]
    return f"epoch accuracy {acc * 100:.1f} %" if math.isfinite(acc) else "epoch accuracy –"
