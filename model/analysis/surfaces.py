"""Two-dimensional error surfaces for the optimizer race (pure NumPy).

A surface is anything with the :class:`Surface` attributes and two methods,
``f(x, y)`` (vectorised over equal-shaped arrays) and ``grad(x, y) -> (gx, gy)``.
Six analytic surfaces illustrate the lecture's optimisation challenges
(:data:`ANALYTIC`, built by :func:`get_surface`). The real network's loss
surfaces, :class:`NetworkSlice` and :class:`RandomDirections`, live in
:mod:`model.analysis.loss_slices` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Surface",
    "AnalyticSurface",
    "Bowl",
    "ANALYTIC",
    "get_surface",
    "grid",
    "GridCancelled",
    "display_values",
]

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
BOWL_W = np.array([1.0, -0.5])  # targets are exact: E(BOWL_W) = 0
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
            return (
                0.5 * (A[0, 0] * w1 * w1 + 2 * A[0, 1] * w1 * w2 + A[1, 1] * w2 * w2)
                - b[0] * w1
                - b[1] * w2
                + c
            )

        def gradient(w1, w2):
            return A[0, 0] * w1 + A[0, 1] * w2 - b[0], A[1, 0] * w1 + A[1, 1] * w2 - b[1]

        lam = np.linalg.eigvalsh(A)
        super().__init__(
            name="bowl",
            title="Quadratic bowl (linear neuron)",
            func=func,
            gradient=gradient,
            extent=(-2.0, 4.0, -3.5, 2.5),
            start=(3.5, 0.5),
            minima=(tuple(BOWL_W),),
            xlabel="w₁",
            ylabel="w₂",
            description=(
                "A linear neuron y = w₁x₁ + w₂x₂ on six samples: E = mean ½(y − t)² is a "
                "quadratic bowl with elliptic contours. Curvatures λ = "
                f"{lam[0]:.3g}, {lam[1]:.3g}; plain gradient descent diverges for "
                f"lr > 2/λ_max = {2 / lam[1]:.3g}."
            ),
        )
        object.__setattr__(self, "samples", (X, T))
        object.__setattr__(self, "hessian", A)
        object.__setattr__(self, "eigenvalues", lam)
        object.__setattr__(self, "lr_critical", 2.0 / float(lam[-1]))

    def batch_gradient(self, w, idx) -> np.ndarray:
        """∇ of mean ½(w·xᵢ − tᵢ)² over the samples ``idx`` only (a mini-batch), shape (2,)."""
        X, T = self.samples
        Xb, Tb = X[idx], T[idx]
        return Xb.T @ (Xb @ np.asarray(w, float) - Tb) / len(idx)


# ----------------------------------------------------------- other surfaces
def _rosen(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosen_g(x, y):
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def _beale_terms(x, y):
    return (1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3)


def _beale(x, y):
    a, b, c = _beale_terms(x, y)
    return a * a + b * b + c * c


def _beale_g(x, y):
    a, b, c = _beale_terms(x, y)
    gx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y**3 - 1)
    gy = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y
    return gx, gy


def _himmel(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmel_g(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


PLATEAU_S = 1.0  # width² of the well


def _plateau(x, y):
    return 1.0 - np.exp(-(x * x + y * y) / PLATEAU_S)


def _plateau_g(x, y):
    e = np.exp(-(x * x + y * y) / PLATEAU_S) * (2.0 / PLATEAU_S)
    return x * e, y * e


_HIMMEL_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286170),
    (3.584428340330492, -1.848126526964404),
)

_ANALYTIC = {
    "bowl": Bowl(),
    "rosenbrock": AnalyticSurface(
        "rosenbrock",
        "Rosenbrock valley",
        _rosen,
        _rosen_g,
        (-2.0, 2.0, -1.0, 3.0),
        (-1.2, 1.0),
        ((1.0, 1.0),),
        "f = (1 − x)² + 100(y − x²)²: a steep-walled curved valley with a nearly flat floor. "
        "Plain gradient descent reaches the floor fast, then crawls along it; momentum and "
        "adaptive steps travel the valley.",
    ),
    "beale": AnalyticSurface(
        "beale",
        "Beale function",
        _beale,
        _beale_g,
        (-4.5, 4.5, -4.5, 4.5),
        (1.0, 1.5),
        ((3.0, 0.5),),
        "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat basins between "
        "very steep ridges — gradients range over many orders of magnitude, the case "
        "per-parameter step sizes (AdaGrad, RMSProp, Adam) were made for.",
    ),
    "saddle": AnalyticSurface(
        "saddle",
        "Saddle point",
        lambda x, y: x * x - y * y,
        lambda x, y: (2 * x, -2 * y),
        (-2.0, 2.0, -2.0, 2.0),
        (-1.8, 0.01),
        (),
        "f = x² − y²: the gradient vanishes at (0, 0) although it is no minimum. Starting "
        "almost on the ridge y = 0, gradient descent slides towards the saddle and lingers "
        "there before the tiny y-component grows and it escapes downhill (off the plot — "
        "the surface has no minimum).",
        log_display=False,
    ),
    "himmelblau": AnalyticSurface(
        "himmelblau",
        "Himmelblau (four minima)",
        _himmel,
        _himmel_g,
        (-5.0, 5.0, -5.0, 5.0),
        (-0.3, -0.9),
        _HIMMEL_MINIMA,
        "f = (x² + y − 11)² + (x + y² − 7)²: four equally deep minima. Which one an "
        "optimizer reaches depends on where it starts and how it moves: click to pick "
        "a start and watch the racers split up.",
    ),
    "plateau": AnalyticSurface(
        "plateau",
        "Plateau (vanishing gradient)",
        _plateau,
        _plateau_g,
        (-3.0, 3.0, -3.0, 3.0),
        (2.4, 1.8),
        ((0.0, 0.0),),
        "f = 1 − exp(−(x² + y²)/s), s = 1: a narrow well in a wide plateau. Far from the "
        "well the slope decays like exp(−r²) — the vanishing gradient of a saturated "
        "sigmoid unit. Plain gradient descent barely moves; RMSProp and Adam divide by "
        "the gradient's own size and walk off the plateau at about lr per step.",
        log_display=False,
    ),
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


def grid(
    surface: Surface,
    res: int = 120,
    extent: Extent | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
):
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
        Z[j : j + rows] = surface.f(X[j : j + rows], Y[j : j + rows])
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
