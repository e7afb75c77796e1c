"""Activation functions g(b) and their derivatives g'(b): one table entry each.

Derivatives are computed from the pre-activation ``b`` and the output
``V = g(b)`` together, so each function can use whichever is cheaper
(sigmoid and tanh reuse V, as scikit-learn's ``_base.py`` does).  Every
function writes into ``out`` (same shape as ``b``) and returns it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; math.erf is exact to double precision


@dataclass(frozen=True)
class Activation:
    """One activation: ``forward(b, out)``, ``derivative(b, V, out)`` and a formula."""

    forward: Callable[[np.ndarray, np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    description: str


def _sigmoid(b, out):
    # 0.5·(1 + tanh(b/2)) is the overflow-free form of 1/(1+e^−b)
    np.multiply(b, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _d_sigmoid(b, V, out):
    np.subtract(1.0, V, out=out)
    out *= V
    return out


def _linear(b, out):
    np.copyto(out, b)
    return out


def _d_one(b, V, out):
    out.fill(1.0)
    return out


def _tanh(b, out):
    return np.tanh(b, out=out)


def _d_tanh(b, V, out):
    np.multiply(V, V, out=out)
    return np.subtract(1.0, out, out=out)


def _relu(b, out):
    return np.maximum(b, 0.0, out=out)


def _d_relu(b, V, out):
    return np.greater(b, 0.0, out=out, casting="unsafe")


def _leaky(b, out):
    np.multiply(b, LEAKY_SLOPE, out=out)
    return np.maximum(b, out, out=out)


def _d_leaky(b, V, out):
    np.greater(b, 0.0, out=out, casting="unsafe")
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _step(b, out):
    return np.greater_equal(b, 0.0, out=out, casting="unsafe")


def _d_zero(b, V, out):
    out.fill(0.0)
    return out


def _softmax(b, out):
    np.subtract(b, b.max(axis=-1, keepdims=True), out=out)  # per sample, also with a run axis
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _elu(b, out):
    # α(e^b − 1) for b ≤ 0 (expm1 of min(b, 0) never overflows), b above
    np.minimum(b, 0.0, out=out)
    np.expm1(out, out=out)
    out *= ELU_ALPHA
    np.copyto(out, b, where=b > 0)
    return out


def _d_elu(b, V, out):
    np.add(V, ELU_ALPHA, out=out)  # α·e^b = V + α for b ≤ 0
    np.copyto(out, 1.0, where=b > 0)
    return out


def _phi_cdf(b, out):
    """Φ(b) = ½(1 + erf(b/√2)), the standard normal CDF."""
    np.multiply(b, _SQRT_HALF, out=out)
    out[...] = _erf(out)
    out += 1.0
    out *= 0.5
    return out


def _gated(gate):
    """g(b) = b·gate(b): GELU (gate Φ) and SiLU (gate σ)."""

    def forward(b, out):
        gate(b, out)
        out *= b
        return out

    return forward


def _d_gelu(b, V, out):
    # Φ(b) + b·φ(b), φ(b) = e^(−b²/2)/√(2π)
    pdf = np.multiply(b, b)
    pdf *= -0.5
    np.exp(pdf, out=pdf)
    pdf *= b
    pdf *= _INV_SQRT_2PI
    _phi_cdf(b, out)
    out += pdf
    return out


def _d_silu(b, V, out):
    # σ(b)·(1 + b·(1 − σ(b))) = σ(b) + V·(1 − σ(b))
    s = _sigmoid(b, np.empty_like(b))
    np.subtract(1.0, s, out=out)
    out *= V
    out += s
    return out


def _softplus(b, out):
    return np.logaddexp(0.0, b, out=out)  # log(1 + e^b) without overflow


def _d_softplus(b, V, out):
    return _sigmoid(b, out)


def _sine(b, out):
    return np.sin(b, out=out)


def _d_sine(b, V, out):
    return np.cos(b, out=out)


TABLE: dict[str, Activation] = {
    "linear": Activation(_linear, _d_one, "g(b) = b"),
    "sigmoid": Activation(_sigmoid, _d_sigmoid, "g(b) = 1 / (1 + e^−b)"),
    "tanh": Activation(_tanh, _d_tanh, "g(b) = tanh b"),
    "relu": Activation(_relu, _d_relu, "g(b) = max(0, b)"),
    "leaky_relu": Activation(_leaky, _d_leaky, f"g(b) = b if b > 0 else {LEAKY_SLOPE}·b"),
    "step": Activation(_step, _d_zero, "g(b) = 1 if b ≥ 0 else 0 (threshold unit, g′ = 0: not trainable)"),
    # the diagonal of the Jacobian; the full Jacobian is only ever used fused with cross-entropy
    "softmax": Activation(_softmax, _d_sigmoid, "g(b)ₖ = e^bₖ / Σⱼ e^bⱼ (output layer, with cross-entropy)"),
    "elu": Activation(_elu, _d_elu, "g(b) = b if b > 0 else e^b − 1 (ELU, α = 1)"),
    "gelu": Activation(_gated(_phi_cdf), _d_gelu, "g(b) = b·Φ(b), Φ the normal CDF (GELU, exact erf form)"),
    "silu": Activation(_gated(_sigmoid), _d_silu, "g(b) = b·σ(b) = b / (1 + e^−b) (SiLU / swish)"),
    "softplus": Activation(_softplus, _d_softplus, "g(b) = ln(1 + e^b) (softplus, β = 1; g′ = σ)"),
    "sine": Activation(_sine, _d_sine, "g(b) = sin b (periodic; g′ = cos b)"),
}

ACTIVATIONS = tuple(TABLE)
DESCRIPTIONS = {name: a.description for name, a in TABLE.items()}


def _entry(name: str) -> Activation:
    try:
        return TABLE[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; allowed: {', '.join(ACTIVATIONS)}") from None


def forward(name: str, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return ``g(b)``; ``b`` has shape (n, width). Writes into ``out`` if given."""
    f = _entry(name).forward
    return f(b, np.empty_like(b) if out is None else out)


def derivative(name: str, b: np.ndarray, V: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return g'(b) elementwise (softmax: only used fused with cross-entropy)."""
    d = _entry(name).derivative
    return d(b, V, np.empty_like(b) if out is None else out)
