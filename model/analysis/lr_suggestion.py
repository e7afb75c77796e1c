"""A learning rate to suggest when the optimizer changes, and why.

Plain gradient descent is stable below 2/λ_max (λ_max the largest curvature of
the loss, :mod:`model.analysis.curvature`); half of it is fast and safe. With
momentum μ the effective step is η/(1 − μ), so η = (1 − μ)/λ_max gives the same
effective step.  Adaptive optimizers (AdaGrad, RMSProp, Adam, AdamW) divide by
the gradient's running size: their step is about η per weight whatever the
curvature, so their usual default is the suggestion.  Without a known λ_max
every optimizer gets its usual default (:data:`model.optim.optimizers.DEFAULTS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.optim.names import OPTIMIZER_TITLES
from model.optim.optimizers import DEFAULTS, OPTIMIZERS

__all__ = ["LrSuggestion", "suggest_lr", "ADAPTIVE"]

ADAPTIVE = frozenset({"adagrad", "rmsprop", "adam", "adamw"})

#: An *estimated* λ_max is local (at the current weights) and grows as a network
#: trains out of its flat start: a suggestion from it is capped at this η.
ESTIMATE_CAP = 1.0


def _round(x: float) -> float:
    return float(f"{x:.3g}")


@dataclass(frozen=True)
class LrSuggestion:
    optimizer: str
    lr: float
    reason: str

    @property
    def text(self) -> str:
        return f"Suggested η = {self.lr:g} for {OPTIMIZER_TITLES.get(self.optimizer, self.optimizer)}"

    def to_dict(self) -> dict:
        return {"optimizer": self.optimizer, "lr": self.lr, "reason": self.reason}


def suggest_lr(optimizer: str, curvature=None, momentum: float | None = None) -> LrSuggestion:
    """The suggestion for ``optimizer``; ``curvature`` a
    :class:`~model.analysis.curvature.Curvature` (or None), ``momentum`` μ of
    momentum / Nesterov (None: the default 0.9)."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; allowed: {', '.join(OPTIMIZERS)}")
    base = DEFAULTS[optimizer]["lr"]
    limit = curvature.lr_limit if curvature is not None else math.nan
    if optimizer in ADAPTIVE:
        return LrSuggestion(
            optimizer,
            base,
            "its usual default: an adaptive step is about η per weight, whatever the curvature",
        )
    if not (math.isfinite(limit) and limit > 0):
        return LrSuggestion(
            optimizer, base, "its usual default (the loss's curvature λ_max is not known here)"
        )
    est = "" if curvature.exact else " (estimated at the current weights)"
    if optimizer == "sgd":
        lr, why = 0.5 * limit, f"half the stability limit 2/λ_max = {limit:.3g}{est}"
    else:
        mu = DEFAULTS[optimizer]["momentum"] if momentum is None else float(momentum)
        lr = 0.5 * limit * (1.0 - mu)
        why = (
            f"(1 − μ)·½·2/λ_max with μ = {mu:g}, 2/λ_max = {limit:.3g}{est}: the effective step "
            "η/(1 − μ) is half the stability limit"
        )
    if not curvature.exact and lr > ESTIMATE_CAP:
        lr = ESTIMATE_CAP
        why += f", capped at {ESTIMATE_CAP:g} (the curvature grows as the network trains)"
    return LrSuggestion(optimizer, _round(lr), why)


def curvature_for(net, X, T, max_samples: int = 256, iterations: int = 20):
    """λ_max for the suggestion: exact on the linear neuron, otherwise a short
    power-iteration estimate on at most ``max_samples`` rows (fast enough to run
    when the optimizer changes; the suggestion only needs its size)."""
    from model.analysis.curvature import lambda_max

    X, T = X[:max_samples], T[:max_samples]
    return lambda_max(net, X, T, iterations=iterations)
