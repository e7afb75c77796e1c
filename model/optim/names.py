"""What optimizers, schedules and gradient-descent modes are called: one table
each, read by the widgets and the command line alike."""

from __future__ import annotations

OPTIMIZER_TITLES = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "adamw": "AdamW",
}

SCHEDULE_TITLES = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "inverse_time": "Inverse-time decay",
    "cosine": "Cosine annealing",
    "cyclic": "Cyclic (triangular)",
}

# the lecture's three gradient-descent variants: key -> (title, what one update uses)
GD_MODES = {
    "batch": ("Batch", "One update per epoch from the gradient of all training samples."),
    "stochastic": ("Stochastic", "One update per sample (batch size 1), shuffled each epoch."),
    "mini-batch": ("Mini-batch", "One update per mini-batch of the chosen size."),
}
BATCH, STOCHASTIC, MINI_BATCH = GD_MODES


def gd_mode(batch_size: int | None, n: int | None = None) -> str:
    """The mode a batch size means ("batch" for None, or ≥ n samples when n is given)."""
    if batch_size is None or (n is not None and batch_size >= n):
        return BATCH
    return STOCHASTIC if batch_size == 1 else MINI_BATCH


def mode_batch_size(mode: str, mini_batch: int) -> int | None:
    """The batch size of a mode (None: the full batch)."""
    return {BATCH: None, STOCHASTIC: 1}.get(mode, mini_batch)
