"""A network's parameters as one flat vector (weights then biases, like
:meth:`Network.parameters`), for analyses that treat E as a function of θ ∈ ℝᴾ
(Hessian-vector products, gradient checks, keyframes)."""

from __future__ import annotations

import numpy as np

from model.nn.network import Network

__all__ = ["get_vector", "set_vector", "gradient_vector", "parameter_labels"]


def get_vector(net: Network) -> np.ndarray:
    """All parameters, shape (P,), a fresh float64 copy."""
    return np.concatenate([p.ravel() for p in net.parameters()]).astype(np.float64)


def set_vector(net: Network, v: np.ndarray) -> None:
    """Write ``v`` (P,) back into the network's arrays in place."""
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    off = 0
    for p in net.parameters():
        p[...] = v[off : off + p.size].reshape(p.shape)
        off += p.size
    if off != v.size:
        raise ValueError(f"expected {off} parameters, got {v.size}")


def gradient_vector(net: Network, X, T) -> tuple[float, np.ndarray]:
    """(E, ∂E/∂θ (P,)) of the mean loss over ``X``/``T`` at the current parameters."""
    loss, gW, gb = net.loss_and_gradients(X, T)
    return loss, np.concatenate([g.ravel() for g in gW + gb]).astype(np.float64)


def parameter_labels(net: Network) -> list[tuple[str, int, int, int | None]]:
    """For each vector entry: ("w", ℓ, i, j) meaning w_ij^(ℓ) (1-based, unit j of
    layer ℓ−1 → unit i of layer ℓ) or ("theta", ℓ, i, None) for the bias of unit i."""
    out: list[tuple[str, int, int, int | None]] = []
    for l, W in enumerate(net.weights):
        rows, cols = W.shape
        out += [("w", l + 1, c + 1, r + 1) for r in range(rows) for c in range(cols)]
    for l, b in enumerate(net.biases):
        out += [("theta", l + 1, i + 1, None) for i in range(b.size)]
    return out
