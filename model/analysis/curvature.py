"""The largest curvature λ_max of the loss, and with it the step-size limit 2/λ_max.

Plain gradient descent on a quadratic E converges iff η < 2/λ_max(H).  For the
lecture's linear neuron (one layer, linear output, MSE) the Hessian is known
exactly: H = X̃ᵀX̃/n with X̃ = [X, 1] (the bias column), the same block for
every output.  Elsewhere λ_max is *estimated* at the given weights by power
iteration on Hessian-vector products taken as central differences of the
gradient — a local figure, marked as an estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.nn.network import Network

__all__ = ["Curvature", "is_linear_neuron", "lambda_max"]


@dataclass(frozen=True)
class Curvature:
    """``lam_max`` (NaN when unknown) and whether it is ``exact`` or an estimate."""

    lam_max: float
    exact: bool

    @property
    def lr_limit(self) -> float:
        """2/λ_max: the largest stable step of plain batch gradient descent (NaN if unknown)."""
        return 2.0 / self.lam_max if self.lam_max > 0 else math.nan

    @property
    def label(self) -> str:
        if not math.isfinite(self.lr_limit):
            return ""
        return "2/λ_max" if self.exact else "2/λ_max (est.)"

    def to_dict(self) -> dict:
        return {
            "lambda_max": _json_float(self.lam_max),
            "lr_limit": _json_float(self.lr_limit),
            "exact": self.exact,
        }


def _json_float(v: float):
    return float(v) if math.isfinite(v) else None


def is_linear_neuron(net: Network) -> bool:
    """One layer of linear units trained on MSE: a quadratic bowl with a known Hessian."""
    s = net.spec
    return net.n_layers == 1 and s.activations[-1] == "linear" and s.loss == "mse"


def lambda_max(net: Network, X, T, iterations: int = 40, estimate: bool = True) -> Curvature:
    """λ_max of the training loss's Hessian at ``net``'s weights; X: (n, n_in), T: (n, n_out).

    Exact for the linear neuron; otherwise a power-iteration estimate (when
    ``estimate``), NaN if the curvature is not positive there (a saddle or a
    flat region: no step-size limit to draw).
    """
    X = np.asarray(X, dtype=np.float64)
    if len(X) == 0:
        return Curvature(math.nan, False)
    if is_linear_neuron(net):
        Xa = np.c_[X, np.ones(len(X))]
        return Curvature(float(np.linalg.eigvalsh(Xa.T @ Xa / len(X)).max()), True)
    if not estimate:
        return Curvature(math.nan, False)
    T = np.asarray(T, dtype=np.float64)
    work = net.copy()
    theta = work._flat.copy()
    scale = max(1.0, float(np.linalg.norm(theta)))
    eps = 1e-5 * scale

    def hvp(v: np.ndarray) -> np.ndarray:
        np.copyto(work._flat, theta + eps * v)
        work.gradients_into(X, T)
        g_plus = work._gflat.copy()
        np.copyto(work._flat, theta - eps * v)
        work.gradients_into(X, T)
        return (g_plus - work._gflat) / (2 * eps)

    v = np.random.default_rng(0).normal(size=theta.shape)
    v /= np.linalg.norm(v)
    lam = math.nan
    for _ in range(iterations):
        hv = hvp(v)
        if not np.isfinite(hv).all():
            return Curvature(math.nan, False)
        lam = float(v @ hv)
        norm = float(np.linalg.norm(hv))
        if norm == 0:
            return Curvature(math.nan, False)
        v = hv / norm
    np.copyto(work._flat, theta)
    return Curvature(lam if lam > 0 else math.nan, False)
