"""Decision lines over the raw input plane: the lecture's Fig. 5.23 and the collapsed linear map.

Each unit i of the first hidden layer draws the line w_i1·x1 + w_i2·x2 = θ_i
(θ = −bias) — in the network's *scaled* inputs.  The data plot shows raw
inputs, so the line is carried back through the input scaling
z_k = (x_k − offset_k)/scale_k:  Σ_k (w_ik/scale_k)·x_k = θ_i + Σ_k w_ik·offset_k/scale_k.

A network whose hidden layers are all linear is one linear map:
W = W₁W₂…W_L, b = (…(b₁W₂ + b₂)W₃ + …)W_L + b_L (the code's from → to
storage), and a single-output classifier then has a single decision line.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Line", "unit_lines", "collapsed_map", "line_through_box", "UNDECIDED_TOL", "binary_decisions"]

#: |output − 0.5| at or below this is *undecided*: neither class (a network whose
#: every output is exactly 0.5 must not win or lose samples on rounding noise).
UNDECIDED_TOL = 1e-9


def binary_decisions(p) -> np.ndarray:
    """(n,) int: 1 above 0.5, 0 below, −1 undecided (within UNDECIDED_TOL of 0.5)."""
    p = np.asarray(p, dtype=np.float64).reshape(-1)
    out = (p > 0.5).astype(np.int64)
    out[np.abs(p - 0.5) <= UNDECIDED_TOL] = -1
    return out


class Line(tuple):
    """(a1, a2, theta): the points with a1·x1 + a2·x2 = theta, in raw input units."""

    __slots__ = ()

    def __new__(cls, a1: float, a2: float, theta: float):
        return super().__new__(cls, (float(a1), float(a2), float(theta)))


def _to_raw(w: np.ndarray, theta: float, scaler) -> Line:
    """A line w·z = θ in scaled inputs z as a line in raw inputs x."""
    off = np.zeros(2) if scaler is None else np.asarray(scaler.offset, float)[:2]
    sc = np.ones(2) if scaler is None else np.asarray(scaler.scale, float)[:2]
    a = w / sc
    return Line(a[0], a[1], theta + float(np.sum(w * off / sc)))


def unit_lines(weights, biases, scaler=None) -> list[Line]:
    """One line per unit of the first hidden layer: w_i1 x1 + w_i2 x2 = θ_i in raw units.

    ``weights[0]`` (2, n1) in the code's storage (from input k to unit i is
    ``weights[0][k, i]``), ``biases[0]`` (n1,); ``scaler`` maps raw to scaled
    inputs (None: no scaling).
    """
    W, b = np.asarray(weights[0], float), np.asarray(biases[0], float)
    if W.shape[0] != 2:
        raise ValueError("decision lines need 2-D inputs")
    return [_to_raw(W[:, i], -float(b[i]), scaler) for i in range(W.shape[1])]


def collapsed_map(weights, biases, activations) -> tuple[np.ndarray, np.ndarray] | None:
    """(W, b) of the single linear map an all-linear stack of hidden layers is,
    W = W₁W₂…W_L (n_in, n_out), b (n_out,); None if a hidden layer is not linear."""
    if len(weights) < 2 or any(a != "linear" for a in activations[:-1]):
        return None
    W = np.asarray(weights[0], float)
    b = np.asarray(biases[0], float)
    for Wl, bl in zip(weights[1:], biases[1:]):
        W = W @ Wl
        b = b @ Wl + bl
    return W, b


def collapsed_line(weights, biases, activations, scaler=None) -> Line | None:
    """The one decision line (output = g(0), i.e. 0.5 for a sigmoid) of a collapsed
    single-output network on 2-D inputs, in raw units; None otherwise."""
    m = collapsed_map(weights, biases, activations)
    if m is None or m[0].shape != (2, 1):
        return None
    W, b = m
    return _to_raw(W[:, 0], -float(b[0]), scaler)


def line_through_box(line: Line, box) -> tuple[np.ndarray, np.ndarray] | None:
    """The segment of ``line`` inside box (x0, x1, y0, y1): (xs, ys) of its two ends, or None."""
    a1, a2, th = line
    x0, x1, y0, y1 = box
    pts = []
    if abs(a2) > 1e-300:
        for x in (x0, x1):
            y = (th - a1 * x) / a2
            if y0 <= y <= y1:
                pts.append((x, y))
    if abs(a1) > 1e-300:
        for y in (y0, y1):
            x = (th - a2 * y) / a1
            if x0 <= x <= x1:
                pts.append((x, y))
    pts = sorted(set(pts))
    if len(pts) < 2:
        return None
    (xa, ya), (xb, yb) = pts[0], pts[-1]
    return np.array([xa, xb]), np.array([ya, yb])
