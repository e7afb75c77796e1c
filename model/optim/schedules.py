"""Learning-rate schedules: pure functions of the (0-based) epoch.

=============  ==========================================================
constant       ``η = η₀``
step           ``η = η₀ · γ^⌊epoch/step_size⌋``
exponential    ``η = η₀ · exp(−decay · epoch)``
inverse_time   ``η = η₀ / (1 + decay · epoch)``
cosine         ``η = min_lr + (η₀ − min_lr) · (1 + cos(π · min(epoch, period)/period)) / 2``
cyclic         triangular wave between ``base_lr`` and ``max_lr``, up for
               ``step_size`` epochs then down (η₀ is not used):
               ``η = base_lr + (max_lr − base_lr) · max(0, 1 − |epoch/step_size − 2c + 1|)``,
               ``c = ⌊1 + epoch/(2·step_size)⌋`` — ``torch.optim.lr_scheduler.CyclicLR(
               mode="triangular")`` stepped once per epoch
=============  ==========================================================

:meth:`Schedule.lr` is vectorised over an array of epochs, for plotting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

__all__ = ["SCHEDULES", "SCHEDULE_FIELDS", "Schedule"]

SCHEDULES = ("constant", "step", "exponential", "inverse_time", "cosine", "cyclic")

#: The fields each kind of schedule reads (the others are ignored).
SCHEDULE_FIELDS: dict[str, tuple[str, ...]] = {
    "constant": (),
    "step": ("step_size", "gamma"),
    "exponential": ("decay",),
    "inverse_time": ("decay",),
    "cosine": ("period", "min_lr"),
    "cyclic": ("base_lr", "max_lr", "step_size"),
}


def _number(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"schedule {name} must be a number, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"schedule {name} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"schedule {name} must be finite, got {value!r}")
    return x


def _positive_int(name: str, value: Any) -> int:
    x = _number(name, value)
    if x != int(x) or x < 1:
        raise ValueError(f"schedule {name} must be an integer >= 1, got {value!r}")
    return int(x)


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule; see the module docstring for the formulas.

    Construction validates (``ValueError``): ``kind`` in :data:`SCHEDULES`,
    ``step_size`` and ``period`` integers >= 1, ``0 < gamma <= 1``,
    ``decay >= 0``, ``min_lr >= 0``, ``0 <= base_lr <= max_lr``, all finite.
    """

    kind: str = "constant"
    step_size: int = 100
    gamma: float = 0.5
    decay: float = 0.01
    period: int = 1000
    min_lr: float = 0.0
    base_lr: float = 0.001
    max_lr: float = 0.1

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULES:
            raise ValueError(f"unknown schedule kind {self.kind!r}; allowed: {', '.join(SCHEDULES)}")
        step_size = _positive_int("step_size", self.step_size)
        period = _positive_int("period", self.period)
        gamma = _number("gamma", self.gamma)
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"schedule gamma must be in (0, 1], got {self.gamma!r}")
        decay = _number("decay", self.decay)
        if decay < 0:
            raise ValueError(f"schedule decay must be >= 0, got {self.decay!r}")
        min_lr = _number("min_lr", self.min_lr)
        if min_lr < 0:
            raise ValueError(f"schedule min_lr must be >= 0, got {self.min_lr!r}")
        base_lr, max_lr = _number("base_lr", self.base_lr), _number("max_lr", self.max_lr)
        if not 0 <= base_lr <= max_lr:
            raise ValueError(
                f"schedule needs 0 ≤ base_lr ≤ max_lr, got base_lr {self.base_lr!r}, max_lr {self.max_lr!r}"
            )
        # normalise types (e.g. 100.0 from a spin box -> 100) on the frozen instance
        for name, value in (
            ("step_size", step_size),
            ("period", period),
            ("gamma", gamma),
            ("decay", decay),
            ("min_lr", min_lr),
            ("base_lr", base_lr),
            ("max_lr", max_lr),
        ):
            object.__setattr__(self, name, value)

    def lr(self, lr0: float, epoch: int | float | np.ndarray) -> float | np.ndarray:
        """Learning rate at ``epoch`` (0-based) for initial rate ``lr0``.

        A scalar epoch gives a ``float``; an array of epochs gives a float64
        array of the same shape.  Epochs must be >= 0; ``lr0`` finite >= 0.
        """
        lr0 = _number("lr0", lr0)
        if lr0 < 0:
            raise ValueError(f"lr0 must be >= 0, got {lr0!r}")
        e = np.asarray(epoch, dtype=np.float64)
        if e.size and not (np.all(np.isfinite(e)) and e.min() >= 0):
            raise ValueError("epoch must be finite and >= 0")
        kind = self.kind
        if kind == "constant":
            out = np.full(e.shape, lr0)
        elif kind == "step":
            out = lr0 * self.gamma ** np.floor(e / self.step_size)
        elif kind == "exponential":
            out = lr0 * np.exp(-self.decay * e)
        elif kind == "inverse_time":
            out = lr0 / (1.0 + self.decay * e)
        elif kind == "cyclic":
            x = e / self.step_size
            cycle = np.floor(1.0 + x / 2.0)
            out = self.base_lr + (self.max_lr - self.base_lr) * np.maximum(
                0.0, 1.0 - np.abs(x - 2.0 * cycle + 1.0)
            )
        else:  # cosine
            frac = np.minimum(e, self.period) / self.period
            out = self.min_lr + (lr0 - self.min_lr) * (1.0 + np.cos(np.pi * frac)) / 2.0
        if np.ndim(epoch) == 0:
            return float(out)
        return out

    def describe(self) -> str:
        """A one-line human formula, e.g. ``"η = η₀ · 0.5^⌊epoch/100⌋"``."""
        kind = self.kind
        if kind == "constant":
            return "η = η₀"
        if kind == "step":
            return f"η = η₀ · {_fmt(self.gamma)}^⌊epoch/{self.step_size}⌋"
        if kind == "exponential":
            return f"η = η₀ · exp(−{_fmt(self.decay)} · epoch)"
        if kind == "inverse_time":
            return f"η = η₀ / (1 + {_fmt(self.decay)} · epoch)"
        if kind == "cyclic":
            lo, hi = _fmt(self.base_lr), _fmt(self.max_lr)
            return f"η: {lo} ↗ {hi} ↘ {lo}, {self.step_size} epochs each way (triangular cycle)"
        cos = f"(1 + cos(π · min(epoch, {self.period})/{self.period})) / 2"
        if self.min_lr == 0:
            return f"η = η₀ · {cos}"
        m = _fmt(self.min_lr)
        return f"η = {m} + (η₀ − {m}) · {cos}"

    def to_dict(self) -> dict[str, Any]:
        """All fields as a JSON-safe dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Schedule":
        """Inverse of :meth:`to_dict`; missing fields take their defaults.

        Raises ``ValueError`` on unknown keys, an unknown kind or bad values.
        """
        if not isinstance(d, Mapping):
            raise ValueError(f"schedule must be a dict, got {type(d).__name__}")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown schedule field(s) {unknown}; allowed: {sorted(names)}")
        return cls(**dict(d))
