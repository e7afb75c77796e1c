"""Loss functions E and the output-layer error signal δ^(L).

Conventions (ARCHITECTURE.md contract):
- ``mse``: mean over samples of ½·Σₖ(yₖ − tₖ)²  (the lecture's ½)
- ``bce``: mean over all outputs of −[t·log y + (1−t)·log(1−y)]  (sigmoid output)
- ``cross_entropy``: mean over samples of −Σₖ tₖ·log softmaxₖ  (softmax output)

δ follows the lecture's sign: δ^(L) = −∂(n·E)/∂b^(L), i.e. per sample,
so for mse δ = g′(b)(t − V) exactly as in Algorithm 4.
"""

from __future__ import annotations

import numpy as np

from model.nn import activations

LOSSES = ("mse", "bce", "cross_entropy")
# The output activation each loss needs, when it needs one.
REQUIRED_OUTPUT = {"bce": "sigmoid", "cross_entropy": "softmax"}

DESCRIPTIONS = {
    "mse": "E = mean over samples of ½·Σₖ (yₖ − tₖ)²",
    "bce": "E = mean over outputs of −[t·log y + (1 − t)·log(1 − y)]",
    "cross_entropy": "E = mean over samples of −Σₖ tₖ·log yₖ",
}


def check_pairing(loss: str, output_activation: str) -> None:
    """Raise ValueError if the loss and output activation cannot be used together."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; allowed: {', '.join(LOSSES)}")
    need = REQUIRED_OUTPUT.get(loss)
    if need and output_activation != need:
        raise ValueError(f"loss {loss!r} needs a {need} output layer, not {output_activation!r}")
    if output_activation == "softmax" and loss != "cross_entropy":
        raise ValueError(f"a softmax output layer needs the cross_entropy loss, not {loss!r}")


def loss_value(loss: str, b: np.ndarray, Y: np.ndarray, T: np.ndarray) -> float:
    """Mean loss over the batch; ``b`` and ``Y`` are the output layer's
    pre-activations and activations, shape (n, k), ``T`` the targets."""
    n = max(len(T), 1)
    if loss == "mse":
        d = Y - T
        return 0.5 * float(np.vdot(d, d)) / n
    if loss == "bce":
        # log(1+e^b) − t·b, overflow-free, equals −[t log σ(b) + (1−t) log(1−σ(b))]
        return float(np.mean(np.logaddexp(0.0, b) - T * b)) if T.size else 0.0
    if loss == "cross_entropy":
        m = b.max(axis=1, keepdims=True)
        lse = m + np.log(np.exp(b - m).sum(axis=1, keepdims=True))
        return float(np.sum(T * (lse - b))) / n
    raise ValueError(f"unknown loss {loss!r}; allowed: {', '.join(LOSSES)}")


def output_delta(
    loss: str, activation: str, b: np.ndarray, Y: np.ndarray, T: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """δ^(L) per sample, shape (n, k); lecture sign (t − y direction)."""
    if out is None:
        out = np.empty_like(Y)
    np.subtract(T, Y, out=out)
    if loss == "mse":
        if activation != "linear":
            out *= activations.derivative(activation, b, Y)
    elif loss == "bce":
        out /= Y.shape[1]  # mean over outputs, not only samples
    # cross_entropy with softmax: δ = t − y already
    return out
