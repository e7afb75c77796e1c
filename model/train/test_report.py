"""The held-out test split: evaluated once, when training has ended.

The figures are stored in ``history.test`` (saved with the project) and read
by the loss panel, the CLI summary and the export README; nothing trains or
chooses on them, so they stay an honest estimate of new-data performance.
"""

from __future__ import annotations

import math

__all__ = ["report_test", "record_test", "describe_test"]


def report_test(trainer, X_test, T_test) -> dict | None:
    """Evaluate the trainer's network on the test split; None when there is none."""
    return record_test(trainer.history, trainer.net, trainer.task, X_test, T_test, trainer.epoch)


def record_test(history, net, task: str, X_test, T_test, epoch: int) -> dict | None:
    """Store ``net``'s loss and accuracy on the test split in ``history.test``."""
    if X_test is None or len(X_test) == 0:
        return None
    from model.nn.losses import loss_value

    tr = net.forward(X_test)
    Y = tr.V[-1]
    loss = loss_value(net.spec.loss, tr.b[-1], Y, T_test)
    acc = math.nan
    if task == "classification":
        hit = (Y[:, 0] > 0.5) == (T_test[:, 0] > 0.5) if Y.shape[1] == 1 else Y.argmax(1) == T_test.argmax(1)
        acc = float(hit.mean())
    history.test = {"loss": float(loss), "accuracy": acc, "epoch": float(epoch), "n": float(len(X_test))}
    return history.test


def describe_test(test: dict | None) -> str:
    """``"test loss 0.0123, accuracy 95.0% (20 samples, after epoch 300)"``, or ""."""
    if not test:
        return ""
    text = f"test loss {test['loss']:.6g}"
    acc = test.get("accuracy", math.nan)
    if acc is not None and math.isfinite(acc):
        text += f", accuracy {acc * 100:.1f}%"
    n, epoch = test.get("n"), test.get("epoch")
    if n is not None and epoch is not None and math.isfinite(n) and math.isfinite(epoch):
        text += f" ({int(n)} samples, after epoch {int(epoch)})"
    return text
