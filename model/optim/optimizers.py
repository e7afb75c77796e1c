"""Gradient-descent optimizers in pure NumPy, with ``torch.optim`` semantics.

Every optimizer updates a list of parameter arrays *in place* from a list of
gradient arrays of the same shapes.  The update rules equal ``torch.optim``
with the same hyper-parameters:

=========  ==============================================================
sgd        ``p -= lr·g``
momentum   ``buf = μ·buf + g`` (``buf = g`` on the first step); ``p -= lr·buf``
nesterov   ``buf`` as above; ``p -= lr·(g + μ·buf)``
adagrad    ``sum += g²``; ``p -= lr·g / (√sum + eps)``            (eps 1e-10)
rmsprop    ``sq = ρ·sq + (1−ρ)·g²``; ``p -= lr·g / (√sq + eps)``  (eps 1e-8)
adam       ``m = β₁m + (1−β₁)g``; ``v = β₂v + (1−β₂)g²``;
           ``p -= (lr/bc₁)·m / (√v/√bc₂ + eps)`` with ``bcᵢ = 1−βᵢᵗ`` (eps 1e-8)
adamw      ``p *= 1 − lr·λ`` (decoupled weight decay), then the adam step
=========  ==============================================================

``weight_decay`` λ (default 0; adamw 0.01) is torch's *coupled* decay for the
first six: the gradient becomes ``g + λ·p`` before the rule above (on every
array passed, biases too, as torch does with one parameter group).  adamw
decays the parameters themselves instead (``torch.optim.AdamW``).

State buffers are allocated lazily on the first step (matching each
parameter's shape and dtype) and reused afterwards, together with one scratch
buffer per parameter, so a step allocates no new arrays.  The same
optimizers run on tiny vectors, e.g. ``params=[np.array([x, y])]`` for the
optimizer race on 2-D error surfaces.  For a network of at least
``LEVEL1_MIN`` (65,536) parameters, sgd and momentum make their passes with
BLAS axpy/scal (:mod:`model.nn.blas_level1`: threaded, no scratch); ``p -=
lr·v`` is then one fused multiply-add, as torch's ``add_(v, alpha=-lr)``.

The code by concept: names, defaults and validation in :mod:`model.optim.hyper`,
the base class in :mod:`model.optim.optimizer_base`, the rules in
:mod:`model.optim.rules`; this module is the public face and the factory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.optim.hyper import DEFAULT_WEIGHT_DECAY, DEFAULTS, OPTIMIZERS, STATE_KEYS
from model.optim.optimizer_base import Optimizer
from model.optim.rules import SGD, Adagrad, Adam, AdamW, Momentum, Nesterov, RMSprop

__all__ = [
    "OPTIMIZERS",
    "DEFAULTS",
    "STATE_KEYS",
    "DEFAULT_WEIGHT_DECAY",
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "make_optimizer",
    "optimizer_from_dict",
]

_CLASSES: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW)
}


# --------------------------------------------------------------------------
# factories
# --------------------------------------------------------------------------


def make_optimizer(
    name: str, lr: float | None = None, weight_decay: float | None = None, **hyper: float
) -> Optimizer:
    """Build an optimizer by name; missing hyper-parameters take :data:`DEFAULTS`,
    a missing ``weight_decay`` :data:`DEFAULT_WEIGHT_DECAY` (0, adamw 0.01).

    Raises ``ValueError`` for an unknown name, an invalid lr (not finite or
    <= 0), an out-of-range or unknown hyper-parameter, a negative weight decay.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in _CLASSES:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}")
    if lr is None:
        lr = DEFAULTS[key]["lr"]
    return _CLASSES[key](lr, weight_decay, **hyper)


def optimizer_from_dict(d: Mapping[str, Any]) -> Optimizer:
    """Inverse of :meth:`Optimizer.to_dict` (a fresh optimizer, t = 0)."""
    if not isinstance(d, Mapping) or "name" not in d:
        raise ValueError(f"optimizer dict needs a 'name' key, got {d!r}")
    rest = {k: v for k, v in d.items() if k not in ("name", "lr", "weight_decay")}
    return make_optimizer(d["name"], d.get("lr"), d.get("weight_decay"), **rest)
