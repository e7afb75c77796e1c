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

from model.analysis import stability
from model.analysis.stability import is_linear_neuron
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


def lambda_max(net: Network, X, T, iterations: int = 40, estimate: bool = True) -> Curvature:
    """λ_max of the training loss's Hessian at ``net``'s weights; X: (n, n_in), T: (n, n_out).

    Exact for the linear neuron; otherwise a power-iteration estimate (when
    ``estimate``), NaN if the curvature is not positive there (a saddle or a
    flat region: no step-size limit to draw). The computation is
    :func:`model.analysis.stability.lambda_max` (at most ``iterations`` steps).
    """
    X = np.asarray(X, dtype=np.float64)
    if len(X) == 0:
        return Curvature(math.nan, False)
    exact = is_linear_neuron(net)
    if not exact and not estimate:
        return Curvature(math.nan, False)
    lam = stability.lambda_max(net, X, np.asarray(T, dtype=np.float64), max_iter=iterations).lambda_max
    return Curvature(lam if math.isfinite(lam) and lam > 0 else math.nan, exact)
