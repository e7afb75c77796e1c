"""Optimizer names, hyper-parameters with their defaults, and their validation.

One table per question a caller asks: which optimizers exist (:data:`OPTIMIZERS`),
their hyper-parameters and defaults (:data:`DEFAULTS`, :data:`DEFAULT_WEIGHT_DECAY`
as torch has them) and the state arrays each keeps (:data:`STATE_KEYS`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")

#: Hyper-parameters (including ``lr``) and their defaults, per optimizer.
DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.1},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "nesterov": {"lr": 0.1, "momentum": 0.9},
    "adagrad": {"lr": 0.1, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "rho": 0.9, "eps": 1e-8},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

#: ``weight_decay`` when none is given (torch's defaults).
DEFAULT_WEIGHT_DECAY: dict[str, float] = {name: 0.0 for name in DEFAULTS} | {"adamw": 0.01}

#: Names of the arrays that :meth:`Optimizer.state` returns, per optimizer.
STATE_KEYS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("velocity",),
    "nesterov": ("velocity",),
    "adagrad": ("sum_sq",),
    "rmsprop": ("square_avg",),
    "adam": ("m", "v", "effective_step"),
    "adamw": ("m", "v", "effective_step"),
}


def as_float(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def check_lr(value: Any, *, allow_zero: bool = False) -> float:
    lr = as_float("lr", value)
    if not math.isfinite(lr) or lr < 0 or (lr == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"lr must be a finite number {bound}, got {value!r}")
    return lr


def check_weight_decay(value: Any) -> float:
    wd = as_float("weight_decay", value)
    if not (math.isfinite(wd) and wd >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0, got {value!r}")
    return wd


def check_hyper(name: str, key: str, value: Any) -> float:
    x = as_float(key, value)
    if key == "eps":
        if not (math.isfinite(x) and x > 0):
            raise ValueError(f"{name}: eps must be a finite number > 0, got {value!r}")
    elif not (0.0 <= x < 1.0):  # momentum, rho, beta1, beta2
        raise ValueError(f"{name}: {key} must be in [0, 1), got {value!r}")
    return x
