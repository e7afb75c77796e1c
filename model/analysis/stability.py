"""The stability limit of gradient descent: λ_max of the loss Hessian.

On a quadratic bowl E(θ) = ½(θ−θ*)ᵀH(θ−θ*), full-batch gradient descent
θ ← θ − η∇E converges iff η·λ_max < 2; near a minimum of any loss the same
holds locally, so η = 2/λ_max is the edge of stability the loss panel and the
learning-rate sweep draw.

``lambda_max(net, X, T)`` finds the largest (algebraic) eigenvalue by power
iteration on Hessian-vector products computed by central differences of
backprop gradients, Hv ≈ (∇E(θ+εv) − ∇E(θ−εv)) / 2ε (error O(ε²)); when the
top eigenvalue by magnitude is negative the iteration is repeated on
H − λ₁I. The stated ``accuracy`` is the power-iteration residual
‖Hv − λv‖ (for a symmetric H some eigenvalue lies that close to λ) plus the
Richardson estimate |λ(ε) − λ(2ε)|/3 of the difference error. For the linear
neuron (one weight layer, linear output, mse) the Hessian is known in closed
form, H = ⟨x̃x̃ᵀ⟩ ⊗ I with x̃ = (x, 1), and λ_max is computed exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.nn.network import Network
from model.nn.param_vector import get_vector, gradient_vector, set_vector

__all__ = [
    "StabilityResult",
    "lambda_max",
    "stability_steps",
    "hessian_vector_product",
    "is_linear_neuron",
    "linear_neuron_hessian",
    "METHOD_EXACT",
    "METHOD_FD",
]

METHOD_EXACT = "exact (linear neuron: H = <x x^T> of the inputs with a 1 appended)"
METHOD_FD = "power iteration on central-difference Hessian-vector products"


@dataclass
class StabilityResult:
    """λ_max of the Hessian of the mean training loss at the given weights.

    ``eta_limit`` = 2/λ_max (None when λ_max ≤ 0: no step size is unstable on
    this curvature); ``accuracy`` is an absolute error estimate of λ_max;
    ``vector`` the top eigenvector (P,), reusable as a warm start.
    """

    lambda_max: float
    method: str
    accuracy: float
    iterations: int
    n_samples: int
    vector: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def eta_limit(self) -> float | None:
        return 2.0 / self.lambda_max if self.lambda_max > 0 else None

    def eta_lambda(self, eta: float) -> float:
        """η·λ_max: above 2, full-batch gradient descent at η is unstable here."""
        return float(eta) * self.lambda_max

    def to_dict(self, eta: float | None = None) -> dict:
        d = {
            "lambda_max": self.lambda_max,
            "eta_limit": self.eta_limit,
            "method": self.method,
            "accuracy": self.accuracy,
            "iterations": self.iterations,
            "n_samples": self.n_samples,
        }
        if eta is not None:
            d.update(eta=float(eta), eta_lambda_max=self.eta_lambda(eta))
        return d


def is_linear_neuron(net: Network) -> bool:
    """One weight layer, a linear output and the mse loss: E is an exact quadratic."""
    return net.n_layers == 1 and net.spec.activations[-1] == "linear" and net.spec.loss == "mse"


def linear_neuron_hessian(X) -> np.ndarray:
    """⟨x̃x̃ᵀ⟩ over the samples, x̃ = (x, 1), shape (n_in+1, n_in+1): the Hessian
    of the linear neuron's mse per output (the full Hessian repeats it per output)."""
    X = np.asarray(X, dtype=np.float64)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    return Xa.T @ Xa / max(len(X), 1)


def _step(theta: np.ndarray) -> float:
    # ε ≈ ∛(machine ε) times the parameters' scale: balances O(ε²) truncation against rounding
    return 1e-5 * (1.0 + float(np.linalg.norm(theta)) / math.sqrt(max(theta.size, 1)))


def hessian_vector_product(net: Network, X, T, v, eps: float | None = None) -> np.ndarray:
    """H·v by central differences of the backprop gradient; ``net`` is left unchanged."""
    theta = get_vector(net)
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    nv = float(np.linalg.norm(v))
    if nv == 0:
        return np.zeros_like(theta)
    h = (eps if eps is not None else _step(theta)) / nv
    try:
        set_vector(net, theta + h * v)
        _, g_up = gradient_vector(net, X, T)
        set_vector(net, theta - h * v)
        _, g_down = gradient_vector(net, X, T)
    finally:
        set_vector(net, theta)
    return (g_up - g_down) / (2.0 * h)


def _power(matvec, v: np.ndarray, shift: float, tol: float, max_iter: int, should_stop):
    """Largest-magnitude eigenpair of (H − shift·I) by power iteration; a generator
    that yields after each product and returns (λ, v, iterations)."""
    v = v / np.linalg.norm(v)
    lam, k = 0.0, 0
    for k in range(1, max_iter + 1):
        w = matvec(v) - shift * v
        yield
        new = float(v @ w)  # Rayleigh quotient
        nw = float(np.linalg.norm(w))
        if nw == 0.0 or not math.isfinite(nw):
            return new, v, k
        # stop on the residual ‖(H − s)v − λv‖, which bounds the eigenvalue error
        done = float(np.linalg.norm(w - new * v)) <= tol * max(abs(new), 1e-300)
        lam, v = new, w / nw
        if done or should_stop():
            break
    return lam, v, k


def lambda_max(net: Network, X, T, **kw) -> StabilityResult:
    """λ_max of ∇²E at the network's current weights over all of ``X``/``T``
    (keywords as :func:`stability_steps`)."""
    steps = stability_steps(net, X, T, **kw)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def stability_steps(
    net: Network,
    X,
    T,
    *,
    tol: float = 1e-8,
    max_iter: int = 1000,
    v0: np.ndarray | None = None,
    seed: int = 0,
    should_stop=lambda: False,
    exact: bool = True,
):
    """A generator that yields after every Hessian-vector product (two gradient
    passes) and returns the :class:`StabilityResult`: the GUI runs a few steps
    per timer tick, so the live figure never stalls the window.

    Stops when the relative residual ‖Hv − λv‖/|λ| ≤ ``tol`` (or after ``max_iter``).
    ``v0`` (P,) warm-starts the iteration (e.g. the previous result's vector
    while training); ``exact=False`` uses the difference method even for a
    linear neuron.
    """
    X = np.asarray(X, dtype=np.float64)
    n = len(X)
    if n == 0:
        raise ValueError("the stability limit needs at least one training sample")
    if exact and is_linear_neuron(net):
        ev, vecs = np.linalg.eigh(linear_neuron_hessian(X))
        n_in, n_out = net.layer_sizes
        vec = np.zeros((n_in + 1) * n_out)
        vec[0 : n_in * n_out : n_out] = vecs[:n_in, -1]  # output 1's weights W[:, 0]
        vec[n_in * n_out] = vecs[n_in, -1]
        return StabilityResult(float(ev[-1]), METHOD_EXACT, 0.0, 0, n, vec)
    work = net.copy()
    P = sum(p.size for p in work.parameters())
    if v0 is not None and np.asarray(v0).shape == (P,) and np.linalg.norm(v0) > 0:
        v = np.asarray(v0, dtype=np.float64).copy()
    else:
        v = np.random.default_rng(seed).standard_normal(P)
    eps = _step(get_vector(work))

    def hv(u, e=eps):
        return hessian_vector_product(work, X, T, u, e)

    lam, v, its = yield from _power(hv, v, 0.0, tol, max_iter, should_stop)
    if lam < 0:  # the dominant eigenvalue is negative: find the top one of H − λ₁I ⪰ 0
        v1 = np.random.default_rng(seed + 1).standard_normal(P)
        top, v, its2 = yield from _power(hv, v1, lam, tol, max_iter, should_stop)
        lam, its = top + lam, its + its2
    Hv = hv(v)
    yield
    residual = float(np.linalg.norm(Hv - lam * v))
    lam_2 = float(v @ hv(v, 2 * eps))
    lam_1 = float(v @ Hv)
    accuracy = residual + abs(lam_1 - lam_2) / 3.0
    return StabilityResult(lam_1, METHOD_FD, accuracy, its, n, v)
