"""Central-difference gradient check for a Network (tests and the app use it)."""

from __future__ import annotations

import numpy as np

from model.nn.network import Network


def numerical_gradients(net: Network, X, T, h: float = 1e-6) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """∂E/∂W and ∂E/∂b by central differences, (E(p+h) − E(p−h)) / 2h per entry.

    Costs two forward passes per parameter: for small networks only.
    """
    out = []
    for p in net.parameters():
        g = np.zeros_like(p, dtype=np.float64)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            up = net.loss(X, T)
            flat[i] = old - h
            down = net.loss(X, T)
            flat[i] = old
            gflat[i] = (up - down) / (2 * h)
        out.append(g)
    L = net.n_layers
    return out[:L], out[L:]


def max_relative_error(net: Network, X, T, h: float = 1e-6) -> float:
    """Largest |analytic − numeric| / max(1e-6, |analytic| + |numeric|) over all parameters."""
    _, gW, gb = net.loss_and_gradients(X, T)
    nW, nb = numerical_gradients(net, X, T, h)
    worst = 0.0
    for a, n in zip(gW + gb, nW + nb):
        err = np.abs(a - n) / np.maximum(1e-6, np.abs(a) + np.abs(n))
        worst = max(worst, float(err.max(initial=0.0)))
    return worst
