"""Neuron maps: what every hidden and output neuron computes over the 2-D
input plane — pure NumPy.

A first-hidden-layer sigmoid/tanh/step unit splits the plane along the line
where its pre-activation b = w·x + bias is zero (:func:`decision_line`);
deeper units combine those half-planes into regions (the XOR construction
of the lecture). :func:`neuron_maps` evaluates all of them with ONE
vectorised forward pass over a grid of inputs.

Grid convention (the same as ``DatasetView.grid_inputs``): row ``k`` of
``grid_X`` is grid point ``(iy, ix) = divmod(k, r)``, i.e. the grid came from
``np.meshgrid(xs, ys)`` raveled row-major, so ``maps[l][iy, ix, j]`` is
neuron ``j`` of layer ``l + 1`` at ``(xs[ix], ys[iy])``.
"""

from __future__ import annotations

import numpy as np

from model.nn.network import Network

__all__ = ["grid_points", "neuron_maps", "decision_line", "line_value"]


def grid_points(extent, r: int) -> np.ndarray:
    """(r*r, 2) float64 points on a regular grid over ``extent`` =
    (x_min, x_max, y_min, y_max), in the grid order described above."""
    r = int(r)
    if r < 2:
        raise ValueError(f"grid resolution must be at least 2, got {r}")
    x0, x1, y0, y1 = (float(e) for e in extent)
    gx, gy = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
    return np.column_stack([gx.ravel(), gy.ravel()])


def neuron_maps(net: Network, grid_X, r: int) -> list[np.ndarray]:
    """Activation of every non-input neuron over an r×r grid.

    Parameters
    ----------
    net : the network (read only).
    grid_X : (r*r, n_in) inputs, already *scaled* like the training data.
    r : grid resolution.

    Returns
    -------
    One float array per weight layer l = 0…L−1, shape (r, r, layer_sizes[l+1]):
    the activations V of layer l + 1 (hidden layers, then the output).
    """
    r = int(r)
    X = np.asarray(grid_X)
    if X.ndim != 2 or X.shape[0] != r * r:
        raise ValueError(f"grid_X must have r*r = {r * r} rows, got shape {X.shape}")
    trace = net.forward(X)
    return [V.reshape(r, r, V.shape[1]) for V in trace.V[1:]]


def decision_line(W1, b1, unit: int) -> tuple[float, float, float]:
    """Coefficients (a, b, c) of the line a·x1 + b·x2 + c = 0 on which
    first-layer ``unit``'s pre-activation is zero (sigmoid 0.5, tanh 0, step's
    threshold); ``W1`` is (2, n_hidden) (``a = x @ W1 + b1``), ``b1`` (n_hidden,)."""
    W1 = np.asarray(W1, dtype=np.float64)
    b1 = np.asarray(b1, dtype=np.float64).reshape(-1)
    if W1.ndim != 2 or W1.shape[0] != 2:
        raise ValueError(f"W1 must have shape (2, n_hidden), got {W1.shape}")
    return float(W1[0, unit]), float(W1[1, unit]), float(b1[unit])


def line_value(line, X) -> np.ndarray:
    """a·x1 + b·x2 + c for points X (n, 2): the side of the line each lies on."""
    a, b, c = line
    X = np.asarray(X, dtype=np.float64)
    return a * X[:, 0] + b * X[:, 1] + c
