"""The real network's loss as a two-dimensional surface (pure NumPy).

:class:`NetworkSlice` varies two chosen weights, :class:`RandomDirections`
moves all weights along two random filter-normalised directions (Li et al.,
2018). Both are :class:`~model.analysis.surfaces.Surface` objects for the optimizer
race; they work on private copies of the network and the data.
"""

from __future__ import annotations

import numpy as np

from model.analysis.surfaces import Extent, Surface
from model.nn import activations, losses

__all__ = ["NetworkSlice", "RandomDirections", "weight_label"]

_CHUNK_FLOATS = 2_000_000  # ~16 MB of float64 per stacked forward pass


def _weight_index(net, w) -> tuple[int, int, int]:
    try:
        l, i, j = (int(v) for v in w)
    except (TypeError, ValueError):
        raise ValueError(f"a weight is chosen as (layer, i, j), got {w!r}") from None
    if not 0 <= l < net.n_layers:
        raise ValueError(f"weight {w!r}: layer must be 0…{net.n_layers - 1}")
    rows, cols = net.weights[l].shape
    if not (0 <= i < rows and 0 <= j < cols):
        raise ValueError(f"weight {w!r}: W{l + 1} has shape ({rows}, {cols})")
    return l, i, j


def weight_label(w: tuple[int, int, int]) -> str:
    """``W{ℓ}[i,j]`` with the lecture's 1-based layer ℓ (as in weight exports)."""
    return f"W{w[0] + 1}[{w[1]},{w[2]}]"


class _NetworkSurface(Surface):
    """Shared set-up: private copies of the network and the data.

    ``f`` only reads ``_base`` (safe to run in a worker thread while the GUI
    thread calls ``grad``); ``grad`` writes the weights of ``_work``.
    """

    log_display = True
    minima = ()

    def __init__(self, net, X, T):
        self._base = net.copy()
        self._work = net.copy()
        dt = net.dtype
        self.X = np.array(X, dtype=dt).reshape(-1, net.layer_sizes[0])
        self.T = np.array(T, dtype=dt).reshape(len(self.X), -1)
        if len(self.X) == 0:
            raise ValueError("the network surfaces need at least one sample")
        self.loss0 = float(self._base.loss(self.X, self.T))  # also checks shapes

    def f(self, x, y):
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        xs, ys = x.ravel(), y.ravel()
        widest = max(self._base.layer_sizes)
        k = max(1, _CHUNK_FLOATS // (len(self.X) * widest * 3))
        out = np.empty(len(xs))
        for s in range(0, len(xs), k):
            out[s : s + k] = self._losses(xs[s : s + k], ys[s : s + k])
        return out.reshape(x.shape)

    def grad(self, x, y):
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        gx, gy = np.empty(x.shape), np.empty(x.shape)
        for idx in np.ndindex(x.shape):
            _, gx[idx], gy[idx] = self.value_and_grad(x[idx], y[idx])
        return gx, gy

    def _per_point_loss(self, B, V) -> np.ndarray:
        n, name = len(self.X), self._base.spec.loss
        K = len(B) // n
        return np.array(
            [
                losses.loss_value(name, B[k * n : (k + 1) * n], V[k * n : (k + 1) * n], self.T)
                for k in range(K)
            ]
        )


class NetworkSlice(_NetworkSurface):
    """Loss of a copy of ``net`` as two chosen weights ``w1``, ``w2`` = (layer,
    i, j) vary, every other weight and bias fixed at its current value.

    ``start`` (and the centre of ``extent``) is the weights' current value.
    The caller's network is never modified.
    """

    title = "Network: two chosen weights"

    def __init__(self, net, X, T, w1, w2, extent: Extent | None = None):
        super().__init__(net, X, T)
        self.w1, self.w2 = _weight_index(net, w1), _weight_index(net, w2)
        if self.w1 == self.w2:
            raise ValueError(f"choose two different weights, got {w1!r} twice")
        self.name = "network_slice"
        self.xlabel, self.ylabel = weight_label(self.w1), weight_label(self.w2)
        c1, c2 = self.project(self._base.weights)
        r = 2.0 + 0.5 * max(abs(c1), abs(c2))
        self.start = (c1, c2)
        self.extent = (
            tuple(float(v) for v in (c1 - r, c1 + r, c2 - r, c2 + r)) if extent is None else tuple(extent)
        )
        self.description = (
            f"The real network's loss (E = {self.loss0:.4g} now) as {self.xlabel} and "
            f"{self.ylabel} vary, all other weights fixed at their current values. Training "
            "moves every weight at once, so the live path is the shadow of the real "
            "trajectory on these two axes and need not follow this slice's contours."
        )

    def project(self, weights) -> tuple[float, float]:
        """(x, y) of a weight list: the two chosen weights' values."""
        (l1, i1, j1), (l2, i2, j2) = self.w1, self.w2
        return float(weights[l1][i1, j1]), float(weights[l2][i2, j2])

    def value_and_grad(self, x, y):
        (l1, i1, j1), (l2, i2, j2) = self.w1, self.w2
        W = self._work.weights
        W[l1][i1, j1] = x
        W[l2][i2, j2] = y
        loss, gW, _ = self._work.loss_and_gradients(self.X, self.T)
        return float(loss), float(gW[l1][i1, j1]), float(gW[l2][i2, j2])

    def _losses(self, a, b):
        # Changing W[l][i, j] by d adds d·V[:, i] to column j of layer l's
        # pre-activation, so K grid points run as one stacked (K·n)-row pass.
        net, n, K = self._base, len(self.X), len(a)
        c1, c2 = self.project(net.weights)
        moves = [(*self.w1, a - c1), (*self.w2, b - c2)]
        V, stacked = self.X, False
        for l, (W, bias, act) in enumerate(zip(net.weights, net.biases, net.spec.activations)):
            B = V @ W
            B += bias
            here = [m for m in moves if m[0] == l]
            if here:
                src = V.reshape(K, n, -1) if stacked else V[None]
                if not stacked:
                    B, stacked = np.tile(B, (K, 1)), True
                B3 = B.reshape(K, n, -1)
                for _, i, j, d in here:
                    B3[:, :, j] += d[:, None] * src[:, :, i]
            V = activations.forward(act, B)
        return self._per_point_loss(B, V)


class RandomDirections(_NetworkSurface):
    """Loss along θ = θ₀ + α·d₁ + β·d₂ around a copy of ``net``'s weights θ₀.

    d₁, d₂ are Gaussian (seeded) and filter-normalised as in Li et al. (2018)
    "Visualizing the loss landscape of neural nets", per layer: each layer's
    block is rescaled to the Frobenius norm of that layer's weights (a layer
    with all-zero weights keeps a unit-norm block, or it would be frozen).
    Biases are held fixed. The directions are not orthogonal, so the gradient
    is the chain rule ∂L/∂α = ∇L·d₁, ∂L/∂β = ∇L·d₂.
    """

    name = "random_directions"
    title = "Network: random directions"
    xlabel, ylabel = "α (direction d₁)", "β (direction d₂)"

    def __init__(self, net, X, T, seed: int = 0, extent: Extent = (-1.0, 1.0, -1.0, 1.0)):
        super().__init__(net, X, T)
        rng = np.random.default_rng(seed)
        W0 = self._base.weights
        self.seed = int(seed)
        self.d1, self.d2 = [[self._normalised(rng.standard_normal(W.shape), W) for W in W0] for _ in range(2)]
        self.start = (0.0, 0.0)
        self.extent = tuple(float(v) for v in extent)
        self.description = (
            f"The real network's loss (E = {self.loss0:.4g} at the centre) along two random "
            "directions through all its weights, each layer's part scaled to that layer's "
            "weight norm (filter normalisation, Li et al. 2018). α = β = 0 is the current "
            "network; α = 1 moves every layer by as much as its whole weight norm."
        )

    @staticmethod
    def _normalised(d, W):
        norm = float(np.linalg.norm(W))
        return d * ((norm if norm > 0 else 1.0) / float(np.linalg.norm(d)))

    def weights_at(self, a: float, b: float) -> list[np.ndarray]:
        """θ₀ + a·d₁ + b·d₂ (new arrays)."""
        return [W + a * u + b * v for W, u, v in zip(self._base.weights, self.d1, self.d2)]

    def project(self, weights) -> tuple[float, float]:
        """Least-squares (α, β) of ``weights`` − θ₀ in the span of d₁, d₂."""
        D = [np.concatenate([u.ravel() for u in d]) for d in (self.d1, self.d2)]
        delta = np.concatenate([(np.asarray(W) - W0).ravel() for W, W0 in zip(weights, self._base.weights)])
        G = np.array([[D[0] @ D[0], D[0] @ D[1]], [D[1] @ D[0], D[1] @ D[1]]])
        a, b = np.linalg.lstsq(G, np.array([D[0] @ delta, D[1] @ delta]), rcond=None)[0]
        return float(a), float(b)

    def value_and_grad(self, x, y):
        for W, new in zip(self._work.weights, self.weights_at(float(x), float(y))):
            W[...] = new
        loss, gW, _ = self._work.loss_and_gradients(self.X, self.T)
        ga = sum(float(np.vdot(g, u)) for g, u in zip(gW, self.d1))
        gb = sum(float(np.vdot(g, v)) for g, v in zip(gW, self.d2))
        return float(loss), ga, gb

    def _losses(self, a, b):
        net, n, K = self._base, len(self.X), len(a)
        a3, b3 = a[:, None, None], b[:, None, None]
        V = self.X
        for W, u, v, bias, act in zip(net.weights, self.d1, self.d2, net.biases, net.spec.activations):
            out = W.shape[1]
            parts = [(V @ M).reshape(-1, n, out) for M in (W, u, v)]  # (1 or K, n, out)
            B = (parts[0] + a3 * parts[1] + b3 * parts[2]).reshape(K * n, out)
            B += bias
            V = activations.forward(act, B)
        return self._per_point_loss(B, V)
