"""The data and the input plane seen from a hidden layer (ConvNetJS's
"transformed representation").

For hidden layer ℓ (1-based, the lecture's numbering) every sample's outputs
``V^(ℓ)`` are a point in the layer's unit space.  A layer of two units is
drawn as is (axes V₁, V₂); a wider layer is projected on the first two
principal components of the data's outputs (centred; the grid uses the same
centre and directions); a single unit gets the axis (V₁, 0).  A grid of
straight lines in the input plane is pushed through the same layers, so one
sees how the network bends the plane until, for XOR, the classes can be cut
by one straight line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HiddenSpace", "hidden_space", "plane_lines", "plane_grid_inputs", "layer_outputs"]


@dataclass
class HiddenSpace:
    """``points`` (n, 2); ``lines`` (n_lines, n_points, 2) or None; ``axes``
    two axis titles; ``method`` "units" | "pca" | "unit"; ``explained`` the
    fraction of the outputs' variance the two axes hold (1 for "units")."""

    layer: int
    points: np.ndarray
    lines: np.ndarray | None
    axes: tuple[str, str]
    method: str
    explained: float
    width: int


def plane_lines(extent, n_lines: int = 11, n_points: int = 41) -> np.ndarray:
    """Straight grid lines over ``extent`` = (x_min, x_max, y_min, y_max) in
    the raw input plane: ``n_lines`` vertical then ``n_lines`` horizontal,
    each sampled at ``n_points``; shape (2·n_lines, n_points, 2)."""
    x0, x1, y0, y1 = (float(v) for v in extent)
    xs, ys = np.linspace(x0, x1, n_lines), np.linspace(y0, y1, n_lines)
    t = np.linspace(0.0, 1.0, n_points)
    vertical = np.stack(
        [np.broadcast_to(xs[:, None], (n_lines, n_points)), y0 + (y1 - y0) * t[None, :].repeat(n_lines, 0)],
        -1,
    )
    horizontal = np.stack(
        [x0 + (x1 - x0) * t[None, :].repeat(n_lines, 0), np.broadcast_to(ys[:, None], (n_lines, n_points))],
        -1,
    )
    return np.concatenate([vertical, horizontal])


def plane_grid_inputs(X_raw: np.ndarray, encode, n_lines: int = 11, n_points: int = 41, pad: float = 0.1):
    """Grid lines over the raw 2-D data's extent (padded by ``pad`` of its span),
    as network inputs: ``encode`` maps raw (n, 2) rows to inputs (features, scaler)."""
    lo, hi = X_raw.min(axis=0), X_raw.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - pad * span, hi + pad * span
    raw = plane_lines((lo[0], hi[0], lo[1], hi[1]), n_lines, n_points)
    k, m, _ = raw.shape
    enc = encode(raw.reshape(k * m, 2))
    return enc.reshape(k, m, enc.shape[1])


def layer_outputs(net, X: np.ndarray, layer: int) -> np.ndarray:
    """V^(ℓ) of hidden layer ``layer`` (1-based) for network inputs X (n, n_in)."""
    L = net.n_layers
    if not 1 <= layer <= L - 1:
        raise ValueError(f"hidden layer {layer} does not exist: the network has {L - 1} hidden layer(s)")
    return net.forward(X).V[layer]


def hidden_space(net, X: np.ndarray, layer: int, lines_inputs: np.ndarray | None = None) -> HiddenSpace:
    """The samples ``X`` (network inputs) and, optionally, grid lines given as
    network inputs (n_lines, n_points, n_in), in hidden layer ``layer``'s space."""
    V = layer_outputs(net, X, layer)
    width = V.shape[1]
    G = None
    if lines_inputs is not None:
        k, m, d = lines_inputs.shape
        G = layer_outputs(net, lines_inputs.reshape(k * m, d), layer)
    sup = f"^({layer})"
    if width == 2:
        pts, grid, axes, method, expl = V.copy(), G, (f"V₁{sup}", f"V₂{sup}"), "units", 1.0
    elif width == 1:
        pts = np.column_stack([V[:, 0], np.zeros(len(V))])
        grid = None if G is None else np.column_stack([G[:, 0], np.zeros(len(G))])
        axes, method, expl = (f"V₁{sup}", ""), "unit", 1.0
    else:
        mean = V.mean(axis=0)
        C = V - mean
        _, s, Vt = np.linalg.svd(C, full_matrices=False)
        comps = Vt[:2]
        # a fixed sign per component, so the picture does not flip between frames
        comps *= np.where(comps[np.arange(2), np.abs(comps).argmax(axis=1)] < 0, -1.0, 1.0)[:, None]
        pts = C @ comps.T
        grid = None if G is None else (G - mean) @ comps.T
        total = float((s**2).sum())
        expl = float((s[:2] ** 2).sum() / total) if total > 0 else 1.0
        axes, method = (f"PC 1 of layer {layer}", f"PC 2 of layer {layer}"), "pca"
    lines = None if grid is None else grid.reshape(lines_inputs.shape[0], lines_inputs.shape[1], 2)
    return HiddenSpace(layer, pts, lines, axes, method, expl, width)
