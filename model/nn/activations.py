"""Activation functions g(b) and their derivatives g'(b).

Derivatives are computed from the pre-activation ``b`` and the output
``V = g(b)`` together, so each function can use whichever is cheaper
(sigmoid and tanh reuse V, as scikit-learn's ``_base.py`` does).
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "step", "softmax")
LEAKY_SLOPE = 0.01

DESCRIPTIONS = {
    "linear": "g(b) = b",
    "sigmoid": "g(b) = 1 / (1 + e^−b)",
    "tanh": "g(b) = tanh b",
    "relu": "g(b) = max(0, b)",
    "leaky_relu": f"g(b) = b if b > 0 else {LEAKY_SLOPE}·b",
    "step": "g(b) = 1 if b ≥ 0 else 0 (threshold unit, g′ = 0: not trainable)",
    "softmax": "g(b)ₖ = e^bₖ / Σⱼ e^bⱼ (output layer, with cross-entropy)",
}


def forward(name: str, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return ``g(b)``; ``b`` has shape (n, width). Writes into ``out`` if given."""
    if out is None:
        out = np.empty_like(b)
    if name == "linear":
        np.copyto(out, b)
    elif name == "sigmoid":
        # 0.5·(1 + tanh(b/2)) is the overflow-free form of 1/(1+e^−b)
        np.multiply(b, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
    elif name == "tanh":
        np.tanh(b, out=out)
    elif name == "relu":
        np.maximum(b, 0.0, out=out)
    elif name == "leaky_relu":
        np.multiply(b, LEAKY_SLOPE, out=out)
        np.maximum(b, out, out=out)
    elif name == "step":
        np.greater_equal(b, 0.0, out=out, casting="unsafe")
    elif name == "softmax":
        np.subtract(b, b.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
    else:
        raise ValueError(f"unknown activation {name!r}; allowed: {', '.join(ACTIVATIONS)}")
    return out


def derivative(name: str, b: np.ndarray, V: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return g'(b) elementwise (softmax: only used fused with cross-entropy)."""
    if out is None:
        out = np.empty_like(b)
    if name == "linear":
        out.fill(1.0)
    elif name == "sigmoid":
        np.subtract(1.0, V, out=out)
        out *= V
    elif name == "tanh":
        np.multiply(V, V, out=out)
        np.subtract(1.0, out, out=out)
    elif name == "relu":
        np.greater(b, 0.0, out=out, casting="unsafe")
    elif name == "leaky_relu":
        np.greater(b, 0.0, out=out, casting="unsafe")
        out *= 1.0 - LEAKY_SLOPE
        out += LEAKY_SLOPE
    elif name == "step":
        out.fill(0.0)
    elif name == "softmax":
        # diagonal of the Jacobian; the full Jacobian is only ever used fused with cross-entropy
        np.subtract(1.0, V, out=out)
        out *= V
    else:
        raise ValueError(f"unknown activation {name!r}; allowed: {', '.join(ACTIVATIONS)}")
    return out
