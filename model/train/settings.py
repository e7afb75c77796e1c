"""Training settings: optimizer, learning rate and schedule, batch size, epochs,
stopping rules and regularization, validated on construction and stored as
plain dicts in project files (:meth:`TrainSettings.to_dict`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from model.optim.names import gd_mode
from model.optim.optimizers import OPTIMIZERS, make_optimizer
from model.optim.schedules import Schedule
from model.train.early_stopping import EarlyStopping
from model.train.regularization import Regularization

__all__ = ["TrainSettings"]


@dataclass
class TrainSettings:
    """How to train. ``batch_size`` None = batch (all samples), 1 = stochastic."""

    optimizer: str = "sgd"
    lr: float = 0.1
    hyper: dict = field(default_factory=dict)
    schedule: Schedule = field(default_factory=Schedule)
    batch_size: int | None = None
    epochs: int = 1000
    target_loss: float | None = None
    seed: int = 0
    divergence_factor: float = 1e6
    weight_decay: float = 0.0
    regularization: Regularization = field(default_factory=Regularization)
    early_stopping: EarlyStopping | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; allowed: {', '.join(OPTIMIZERS)}")
        if not _number(self.lr) or not math.isfinite(self.lr) or self.lr <= 0:
            raise ValueError(f"learning rate must be a positive number, got {self.lr!r}")
        if self.batch_size is not None and (not _whole(self.batch_size) or self.batch_size < 1):
            raise ValueError(
                f"batch size must be a whole number ≥ 1 (or empty for the full batch), "
                f"got {self.batch_size!r}"
            )
        if not _whole(self.epochs) or not 1 <= self.epochs <= 10_000_000:
            raise ValueError(f"epochs must be a whole number from 1 to 10,000,000, got {self.epochs!r}")
        if self.target_loss is not None and (not _number(self.target_loss) or not self.target_loss >= 0):
            raise ValueError(f"target loss must be a number ≥ 0, got {self.target_loss!r}")
        if not _whole(self.seed) or self.seed < 0:
            raise ValueError(f"seed must be a whole number ≥ 0, got {self.seed!r}")
        if not isinstance(self.regularization, Regularization):
            self.regularization = Regularization.from_dict(self.regularization)
        if self.early_stopping is not None and not isinstance(self.early_stopping, EarlyStopping):
            self.early_stopping = EarlyStopping.from_dict(self.early_stopping)
        # validates hyper-parameters and the weight decay
        make_optimizer(self.optimizer, lr=self.lr, weight_decay=self.weight_decay, **self.hyper)

    def mode(self, n: int) -> str:
        """'batch', 'stochastic' or 'mini-batch' for a training set of n samples."""
        return gd_mode(self.batch_size, n)

    def to_dict(self) -> dict:
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "hyper": dict(self.hyper),
            "schedule": self.schedule.to_dict(),
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "target_loss": self.target_loss,
            "seed": self.seed,
            "weight_decay": self.weight_decay,
            "regularization": self.regularization.to_dict(),
            "early_stopping": None if self.early_stopping is None else self.early_stopping.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "TrainSettings":
        if not isinstance(d, dict):
            raise ValueError("training must be an object")
        known = {"optimizer", "lr", "hyper", "schedule", "batch_size", "epochs", "target_loss", "seed"}
        known |= {"weight_decay", "regularization", "early_stopping"}  # version 2
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown training field(s): {', '.join(sorted(unknown))}")
        d = dict(d)
        if "hyper" in d and not isinstance(d["hyper"], dict):
            raise ValueError("training.hyper must be an object")
        d["schedule"] = Schedule.from_dict(d.get("schedule", {"kind": "constant"}))
        d["regularization"] = Regularization.from_dict(d.get("regularization", {}))
        d["early_stopping"] = EarlyStopping.from_dict(d.get("early_stopping"))
        wd = d.get("weight_decay", 0.0)
        if not _number(wd) or not math.isfinite(wd) or wd < 0:
            raise ValueError(f"training.weight_decay must be a number ≥ 0, got {wd!r}")
        return cls(**d)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _whole(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)
