"""Live changes to a running Trainer: η₀, optimizer, schedule, batch size, L1/L2, λ.

The training worker calls these on its own trainer between updates; each
leaves a marker in the history.  A mixin of :class:`model.train.trainer.Trainer`.
"""

from __future__ import annotations

import math

from model.optim.optimizers import make_optimizer
from model.optim.schedules import Schedule
from model.train.regularization import Regularization
from model.train.settings import _number


class LiveChanges:
    """The Trainer's setters for changes between updates (its state: see Trainer)."""

    def set_base_lr(self, lr: float) -> None:
        """Change η₀ mid-run; takes effect at the next update without resetting."""
        if not _number(lr) or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        self.base_lr = float(lr)
        self.optimizer.lr = float(self.settings.schedule.lr(self.base_lr, self.epoch))
        self.history.mark("lr", f"η₀ = {lr:g}")

    def set_optimizer(self, name: str, hyper: dict) -> None:
        """A fresh optimizer (no carried state) from the next update on."""
        self.optimizer = make_optimizer(
            name, lr=self.base_lr, weight_decay=self.settings.weight_decay, **hyper
        )
        self.optimizer.lr = float(self.settings.schedule.lr(self.base_lr, self.epoch))
        self.settings.optimizer, self.settings.hyper = name, dict(hyper)
        self.history.mark("optimizer", f"optimizer: {name}")

    def set_schedule(self, schedule: Schedule) -> None:
        self.settings.schedule = schedule
        self.optimizer.lr = float(schedule.lr(self.base_lr, self.epoch))
        self.history.mark("schedule", f"schedule: {schedule.kind}")

    def set_batch_size(self, batch_size: int | None) -> None:
        """Takes effect at the next epoch (call it between epochs)."""
        self.settings.batch_size = batch_size
        self._set_batch_buffers(batch_size)
        self.history.mark("batch", "batch size: all" if batch_size is None else f"batch size: {batch_size}")

    def set_regularization(self, reg: Regularization) -> None:
        """Change the L1/L2 rates mid-run, from the next update on (with a marker)."""
        self.regularization = reg
        self.history.mark("regularization", f"L1 = {reg.l1:g}, L2 = {reg.l2:g}")

    def set_weight_decay(self, wd: float) -> None:
        """Change λ mid-run, from the next update on (with a marker)."""
        self.optimizer.weight_decay = wd
        self.settings.weight_decay = float(wd)
        self.history.mark("regularization", f"weight decay λ = {wd:g}")
