"""Two-dimensional error surfaces for the optimizer race (pure NumPy).

A surface is anything with the :class:`Surface` attributes and two methods,
``f(x, y)`` (vectorised over equal-shaped arrays) and ``grad(x, y) -> (gx, gy)``.
Six analytic surfaces illustrate the lecture's optimisation challenges
(:data:`ANALYTIC`, built by :func:`get_surface`); :class:`NetworkSlice` and
:class:`RandomDirections` cut the real network's loss along two of its weights
or along two random filter-normalised directions (Li et al., 2018).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import activations, losses

__all__ = ["Surface", "AnalyticSurface", "Bowl", "ANALYTIC", "get_surface", "grid",
           "GridCancelled", "display_values", "NetworkSlice", "RandomDirections"]

Extent = tuple[float, float, float, float]


class Surface:
    """What the race and the panel need from a surface.

    Attributes: ``name`` (key), ``title`` (for menus), ``description`` (one
    paragraph for the student), ``xlabel``/``ylabel`` (axis names),
    ``extent`` (xmin, xmax, ymin, ymax) shown by default, ``start`` (x, y) the
    default start point, ``minima`` known minima ((x, y), ...) and
    ``log_display`` (colour by log of the loss rather than the loss).
    """

    # annotations only: a class-level default would leak into the dataclass below
    name: str
    title: str
    description: str
    xlabel: str
    ylabel: str
    extent: Extent
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    log_display: bool

    def f(self, x, y) -> np.ndarray:
        """Loss at points (x, y); arrays of equal shape, result of that shape."""
        raise NotImplementedError

    def grad(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(∂f/∂x, ∂f/∂y) at points (x, y), each of the shape of x."""
        raise NotImplementedError

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        """(f, ∂f/∂x, ∂f/∂y) at one point, as floats."""
        gx, gy = self.grad(np.float64(x), np.float64(y))
        return float(self.f(np.float64(x), np.float64(y))), float(gx), float(gy)


@dataclass(frozen=True)
class AnalyticSurface(Surface):
    """A surface given by closed-form ``func`` and ``gradient`` callables."""

    name: str
    title: str
    func: Callable = field(repr=False)
    gradient: Callable = field(repr=False)
    extent: Extent
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    description: str = ""
    xlabel: str = "x"
    ylabel: str = "y"
    log_display: bool = True

    def f(self, x, y):
        return self.func(np.asarray(x, float), np.asarray(y, float))

    def grad(self, x, y):
        gx, gy = self.gradient(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(gx, float), np.asarray(gy, float)


# ------------------------------------------------------------------ the bowl
#: The lecture's linear neuron y = w1·x1 + w2·x2 on six fixed samples; the
#: inputs are correlated, so the bowl's elliptic contours are tilted.
BOWL_X = np.array([[1.0, 0.6], [0.8, 1.1], [-0.3, 0.4], [1.4, 1.2], [0.4, -0.2], [0.9, 0.7]])
BOWL_W = np.array([1.0, -0.5])          # targets are exact: E(BOWL_W) = 0
BOWL_T = BOWL_X @ BOWL_W


class Bowl(AnalyticSurface):
    """E(w1, w2) = mean ½(w1·x1 + w2·x2 − t)² = ½ wᵀAw − bᵀw + c, A = mean x xᵀ.

    ``hessian`` is A (constant), ``eigenvalues`` its λ ascending; plain
    gradient descent converges iff lr < 2/λ_max (:attr:`lr_critical`).
    """

    def __init__(self):
        X, T = BOWL_X, BOWL_T
        n = len(X)
        A = X.T @ X / n
        b = X.T @ T / n
        c = 0.5 * float(T @ T) / n

        def func(w1, w2):
            return 0.5 * (A[0, 0] * w1 * w1 + 2 * A[0, 1] * w1 * w2 + A[1, 1] * w2 * w2) \
                - b[0] * w1 - b[1] * w2 + c

        def gradient(w1, w2):
            return A[0, 0] * w1 + A[0, 1] * w2 - b[0], A[1, 0] * w1 + A[1, 1] * w2 - b[1]

        lam = np.linalg.eigvalsh(A)
        super().__init__(
            name="bowl", title="Quadratic bowl (linear neuron)", func=func, gradient=gradient,
            extent=(-2.0, 4.0, -3.5, 2.5), start=(3.5, 0.5), minima=(tuple(BOWL_W),),
            xlabel="w₁", ylabel="w₂",
            description=(
                "A linear neuron y = w₁x₁ + w₂x₂ on six samples: E = mean ½(y − t)² is a "
                "quadratic bowl with elliptic contours. Curvatures λ = "
                f"{lam[0]:.3g}, {lam[1]:.3g}; plain gradient descent diverges for "
                f"lr > 2/λ_max = {2 / lam[1]:.3g}."))
        object.__setattr__(self, "hessian", A)
        object.__setattr__(self, "eigenvalues", lam)
        object.__setattr__(self, "lr_critical", 2.0 / float(lam[-1]))


# ----------------------------------------------------------- other surfaces
def _rosen(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosen_g(x, y):
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def _beale_terms(x, y):
    return (1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3)


def _beale(x, y):
    a, b, c = _beale_terms(x, y)
    return a * a + b * b + c * c


def _beale_g(x, y):
    a, b, c = _beale_terms(x, y)
    gx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1)
    gy = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y
    return gx, gy


def _himmel(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmel_g(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


PLATEAU_S = 1.0   # width² of the well


def _plateau(x, y):
    return 1.0 - np.exp(-(x * x + y * y) / PLATEAU_S)


def _plateau_g(x, y):
    e = np.exp(-(x * x + y * y) / PLATEAU_S) * (2.0 / PLATEAU_S)
    return x * e, y * e


_HIMMEL_MINIMA = ((3.0, 2.0), (-2.805118086952745, 3.131312518250573),
                  (-3.779310253377747, -3.283185991286170), (3.584428340330492, -1.848126526964404))

_ANALYTIC = {
    "bowl": Bowl(),
    "rosenbrock": AnalyticSurface(
        "rosenbrock", "Rosenbrock valley", _rosen, _rosen_g, (-2.0, 2.0, -1.0, 3.0), (-1.2, 1.0),
        ((1.0, 1.0),),
        "f = (1 − x)² + 100(y − x²)²: a steep-walled curved valley with a nearly flat floor. "
        "Plain gradient descent reaches the floor fast, then crawls along it; momentum and "
        "adaptive steps travel the valley."),
    "beale": AnalyticSurface(
        "beale", "Beale function", _beale, _beale_g, (-4.5, 4.5, -4.5, 4.5), (1.0, 1.5),
        ((3.0, 0.5),),
        "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat basins between "
        "very steep ridges — gradients range over many orders of magnitude, the case "
        "per-parameter step sizes (AdaGrad, RMSProp, Adam) were made for."),
    "saddle": AnalyticSurface(
        "saddle", "Saddle point", lambda x, y: x * x - y * y, lambda x, y: (2 * x, -2 * y),
        (-2.0, 2.0, -2.0, 2.0), (-1.8, 0.01), (),
        "f = x² − y²: the gradient vanishes at (0, 0) although it is no minimum. Starting "
        "almost on the ridge y = 0, gradient descent slides towards the saddle and lingers "
        "there before the tiny y-component grows and it escapes downhill (off the plot — "
        "the surface has no minimum).", log_display=False),
    "himmelblau": AnalyticSurface(
        "himmelblau", "Himmelblau (four minima)", _himmel, _himmel_g, (-5.0, 5.0, -5.0, 5.0),
        (-0.3, -0.9), _HIMMEL_MINIMA,
        "f = (x² + y − 11)² + (x + y² − 7)²: four equally deep minima. Which one an "
        "optimizer reaches depends on where it starts and how it moves: click to pick "
        "a start and watch the racers split up."),
    "plateau": AnalyticSurface(
        "plateau", "Plateau (vanishing gradient)", _plateau, _plateau_g,
        (-3.0, 3.0, -3.0, 3.0), (2.4, 1.8), ((0.0, 0.0),),
        "f = 1 − exp(−(x² + y²)/s), s = 1: a narrow well in a wide plateau. Far from the "
        "well the slope decays like exp(−r²) — the vanishing gradient of a saturated "
        "sigmoid unit. Plain gradient descent barely moves; RMSProp and Adam divide by "
        "the gradient's own size and walk off the plateau at about lr per step.",
        log_display=False),
}

ANALYTIC = tuple(_ANALYTIC)


def get_surface(name: str) -> AnalyticSurface:
    """The analytic surface called ``name`` (one of :data:`ANALYTIC`)."""
    try:
        return _ANALYTIC[name]
    except KeyError:
        raise ValueError(f"unknown surface {name!r}; allowed: {', '.join(ANALYTIC)}") from None


# --------------------------------------------------------------------- grids
class GridCancelled(Exception):
    """Raised by :func:`grid` when its ``cancelled()`` callback returns True."""


def grid(surface: Surface, res: int = 120, extent: Extent | None = None,
         progress: Callable[[float], None] | None = None,
         cancelled: Callable[[], bool] | None = None):
    """Evaluate ``surface.f`` on a res × res grid over ``extent`` (default the surface's).

    Returns (X, Y, Z), each shape (res, res) with ``X[j, i] = xs[i]``,
    ``Y[j, i] = ys[j]`` (``np.meshgrid`` 'xy' order). Network surfaces are
    evaluated a few rows at a time, calling ``progress(fraction)`` after each
    chunk and raising :class:`GridCancelled` when ``cancelled()`` is True.
    """
    res = int(res)
    if res < 2:
        raise ValueError(f"grid resolution must be at least 2, got {res}")
    x0, x1, y0, y1 = surface.extent if extent is None else extent
    X, Y = np.meshgrid(np.linspace(x0, x1, res), np.linspace(y0, y1, res))
    if isinstance(surface, AnalyticSurface):
        Z = np.asarray(surface.f(X, Y), float)
        if progress:
            progress(1.0)
        return X, Y, Z
    Z = np.empty_like(X)
    rows = max(1, res // 20)
    for j in range(0, res, rows):
        if cancelled is not None and cancelled():
            raise GridCancelled()
        Z[j:j + rows] = surface.f(X[j:j + rows], Y[j:j + rows])
        if progress:
            progress(min(1.0, (j + rows) / res))
    return X, Y, Z


def display_values(Z: np.ndarray, log: bool = True) -> np.ndarray:
    """What to colour: Z, or log10 of Z (shifted up first if it goes negative;
    a small floor keeps exact zeros finite). Non-finite values become the max."""
    Z = np.asarray(Z, float)
    finite = np.isfinite(Z)
    if not finite.any():
        return np.zeros_like(Z)
    lo, hi = Z[finite].min(), Z[finite].max()
    out = np.where(finite, Z, hi)
    if not log:
        return out
    shift = min(lo, 0.0)
    floor = max((hi - shift) * 1e-6, 1e-12)
    return np.log10(out - shift + floor)


# ------------------------------------------------------- the real network
_CHUNK_FLOATS = 2_000_000   # ~16 MB of float64 per stacked forward pass


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
        self.loss0 = float(self._base.loss(self.X, self.T))   # also checks shapes

    def f(self, x, y):
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        xs, ys = x.ravel(), y.ravel()
        widest = max(self._base.layer_sizes)
        k = max(1, _CHUNK_FLOATS // (len(self.X) * widest * 3))
        out = np.empty(len(xs))
        for s in range(0, len(xs), k):
            out[s:s + k] = self._losses(xs[s:s + k], ys[s:s + k])
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
        return np.array([losses.loss_value(name, B[k * n:(k + 1) * n], V[k * n:(k + 1) * n], self.T)
                         for k in range(K)])


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
        self.extent = tuple(float(v) for v in (c1 - r, c1 + r, c2 - r, c2 + r)) \
            if extent is None else tuple(extent)
        self.description = (
            f"The real network's loss (E = {self.loss0:.4g} now) as {self.xlabel} and "
            f"{self.ylabel} vary, all other weights fixed at their current values. Training "
            "moves every weight at once, so the live path is the shadow of the real "
            "trajectory on these two axes and need not follow this slice's contours.")

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
        self.d1, self.d2 = [[self._normalised(rng.standard_normal(W.shape), W) for W in W0]
                            for _ in range(2)]
        self.start = (0.0, 0.0)
        self.extent = tuple(float(v) for v in extent)
        self.description = (
            f"The real network's loss (E = {self.loss0:.4g} at the centre) along two random "
            "directions through all its weights, each layer's part scaled to that layer's "
            "weight norm (filter normalisation, Li et al. 2018). α = β = 0 is the current "
            "network; α = 1 moves every layer by as much as its whole weight norm.")

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
        delta = np.concatenate([(np.asarray(W) - W0).ravel()
                                for W, W0 in zip(weights, self._base.weights)])
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
        for W, u, v, bias, act in zip(net.weights, self.d1, self.d2, net.biases,
                                      net.spec.activations):
            out = W.shape[1]
            parts = [(V @ M).reshape(-1, n, out) for M in (W, u, v)]   # (1 or K, n, out)
            B = (parts[0] + a3 * parts[1] + b3 * parts[2]).reshape(K * n, out)
            B += bias
            V = activations.forward(act, B)
        return self._per_point_loss(B, V)
