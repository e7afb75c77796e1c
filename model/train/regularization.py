"""L1 and L2 penalties on the weights (never the biases).

The training objective becomes ``E + l1·Σ|w| + ½·l2·Σw²`` over every weight
matrix; the penalty's gradient ``l1·sign(w) + l2·w`` is added to ∂E/∂W.
(sign(0) = 0: the subgradient torch's ``sign`` uses too.)  The data loss E is
still what the history calls the training loss, so it stays comparable with
the validation loss; the penalty is recorded beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Regularization", "penalty", "add_penalty_gradient"]


def _rate(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"regularization.{name} must be a number ≥ 0, got {value!r}")
    x = float(value)
    if not (math.isfinite(x) and x >= 0):
        raise ValueError(f"regularization.{name} must be a finite number ≥ 0, got {value!r}")
    return x


@dataclass(frozen=True)
class Regularization:
    """Rates of the L1 (``l1·Σ|w|``) and L2 (``½·l2·Σw²``) penalties."""

    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "l1", _rate("l1", self.l1))
        object.__setattr__(self, "l2", _rate("l2", self.l2))

    @property
    def active(self) -> bool:
        return self.l1 > 0 or self.l2 > 0

    def describe(self) -> str:
        parts = []
        if self.l1:
            parts.append(f"{self.l1:g}·Σ|w|")
        if self.l2:
            parts.append(f"½·{self.l2:g}·Σw²")
        return " + ".join(parts) if parts else "none"

    def to_dict(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}

    @classmethod
    def from_dict(cls, d) -> "Regularization":
        if not isinstance(d, Mapping):
            raise ValueError('training.regularization must be an object like {"l1": 0.0, "l2": 0.0}')
        unknown = sorted(set(d) - {"l1", "l2"})
        if unknown:
            raise ValueError(f"unknown regularization field(s) {unknown}; allowed: ['l1', 'l2']")
        return cls(d.get("l1", 0.0), d.get("l2", 0.0))


def penalty(reg: Regularization, weights: Sequence[np.ndarray]) -> float:
    """``l1·Σ|w| + ½·l2·Σw²`` over all weight matrices (biases excluded)."""
    total = 0.0
    for W in weights:
        if reg.l1:
            total += reg.l1 * float(np.abs(W).sum())
        if reg.l2:
            total += 0.5 * reg.l2 * float(np.vdot(W, W))
    return total


def add_penalty_gradient(
    reg: Regularization, weights: Sequence[np.ndarray], grad_W: Sequence[np.ndarray]
) -> float:
    """Add ``l1·sign(w) + l2·w`` to each ``grad_W[l]`` in place; returns the penalty."""
    for W, g in zip(weights, grad_W):
        if reg.l1:
            g += reg.l1 * np.sign(W)
        if reg.l2:
            g += reg.l2 * W
    return penalty(reg, weights)
