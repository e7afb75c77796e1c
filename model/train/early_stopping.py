"""Early stopping on the validation loss, with "restore the best weights".

Keras' rule: an epoch *improves* when its validation loss is below the best so
far by more than ``min_delta``; after ``patience`` epochs in a row without an
improvement training stops, and with ``restore_best`` the parameters of the
best epoch are copied back (exactly: a copy of the whole parameter buffer).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["EarlyStopping", "EarlyStopper"]


@dataclass(frozen=True)
class EarlyStopping:
    """Settings: ``patience`` epochs ≥ 1, ``min_delta`` ≥ 0, ``restore_best``."""

    patience: int = 20
    min_delta: float = 0.0
    restore_best: bool = True

    def __post_init__(self) -> None:
        p = self.patience
        if isinstance(p, bool) or not isinstance(p, (int, float)) or p != int(p) or p < 1:
            raise ValueError(f"early_stopping.patience must be a whole number ≥ 1, got {p!r}")
        object.__setattr__(self, "patience", int(p))
        d = self.min_delta
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not (math.isfinite(d) and d >= 0):
            raise ValueError(f"early_stopping.min_delta must be a number ≥ 0, got {d!r}")
        object.__setattr__(self, "min_delta", float(d))
        if not isinstance(self.restore_best, bool):
            raise ValueError(f"early_stopping.restore_best must be true or false, got {self.restore_best!r}")

    def to_dict(self) -> dict:
        return {"patience": self.patience, "min_delta": self.min_delta, "restore_best": self.restore_best}

    @classmethod
    def from_dict(cls, d) -> "EarlyStopping | None":
        """``None`` (JSON null) means early stopping is off."""
        if d is None:
            return None
        if not isinstance(d, Mapping):
            raise ValueError("training.early_stopping must be an object or null")
        unknown = sorted(set(d) - {"patience", "min_delta", "restore_best"})
        if unknown:
            raise ValueError(
                f"unknown early_stopping field(s) {unknown}; allowed: patience, min_delta, restore_best"
            )
        return cls(**dict(d))


class EarlyStopper:
    """Watches the validation loss epoch by epoch (epochs counted from 1).

    ``best_epoch`` / ``best_loss`` / ``best_params`` describe the best epoch
    seen; :meth:`update` returns True when training should stop.
    """

    def __init__(self, settings: EarlyStopping):
        self.settings = settings
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_params: np.ndarray | None = None
        self.wait = 0

    def update(self, epoch: int, val_loss: float, flat_params: np.ndarray) -> bool:
        if math.isfinite(val_loss) and val_loss < self.best_loss - self.settings.min_delta:
            self.best_loss, self.best_epoch, self.wait = float(val_loss), int(epoch), 0
            if self.best_params is None:
                self.best_params = flat_params.copy()
            else:
                np.copyto(self.best_params, flat_params)
            return False
        self.wait += 1
        return self.wait >= self.settings.patience

    def restore(self, flat_params: np.ndarray) -> bool:
        """Copy the best epoch's parameters back (if asked to and one was seen)."""
        if not self.settings.restore_best or self.best_params is None:
            return False
        np.copyto(flat_params, self.best_params)
        return True
