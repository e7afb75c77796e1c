"""Contract path (ARCHITECTURE.md): ``from model.optimizers import make_optimizer``.

The code lives in :mod:`model.optim.optimizers`; this module keeps the documented import working.
"""

from model.optim.optimizers import (
    DEFAULT_WEIGHT_DECAY,
    DEFAULTS,
    OPTIMIZERS,
    SGD,
    STATE_KEYS,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
    make_optimizer,
    optimizer_from_dict,
)

__all__ = [
    "DEFAULT_WEIGHT_DECAY",
    "DEFAULTS",
    "OPTIMIZERS",
    "STATE_KEYS",
    "Adagrad",
    "Adam",
    "AdamW",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSprop",
    "SGD",
    "make_optimizer",
    "optimizer_from_dict",
]
