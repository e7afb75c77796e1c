"""Central-difference gradient check for a Network (tests and the app use it).

Backprop's ∂E/∂w beside a central difference
[E(w−2h) − 8E(w−h) + 8E(w+h) − E(w+2h)] / 12h, for one weight or bias (the
canvas selection) or the whole network as a per-layer table. The relative
error is |a − n| / max(|a|, |n|, ``floor``): ``floor`` keeps gradients that are
zero up to rounding from counting as disagreements.  The quotient's own
rounding error is about ε_machine·|E|·Σ|stencil weights|/h (gemm kernels may
round E(w ± h) differently even where w multiplies an all-zero input column:
1e-13 at E = 2.3), so the floor is at least that noise over the tolerance
(:func:`noise_floor`): an error the quotient cannot resolve never fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.nn import losses
from model.nn.network import Network
from model.teaching.stepthrough_text import node_sym, w_sym

__all__ = [
    "numerical_gradients",
    "max_relative_error",
    "relative_error",
    "noise_floor",
    "ParamCheck",
    "LayerCheck",
    "NetworkCheck",
    "check_parameter",
    "check_network",
    "TOLERANCE",
]

TOLERANCE = 1e-6  # relative error above which a gradient is flagged
FLOOR = 1e-7
H = 1e-3
# five-point central difference: error O(h⁴) from truncation, ~ε·E/h from rounding, both
# below 1e-12 at h = 1e-3; the two-point (E(w+h) − E(w−h))/2h would need h ≈ 1e-6 and
# its rounding error (≈ 1e-10·E) swamps the tiny gradients of a deep sigmoid network
STENCIL = (-2.0, -1.0, 1.0, 2.0)
WEIGHTS = np.array([1.0, -8.0, 8.0, -1.0]) / 12.0


def numerical_gradients(net: Network, X, T, h: float = H) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """∂E/∂W and ∂E/∂b by central differences per entry (five-point stencil).

    Costs four forward passes per parameter: for small networks only.
    """
    out = []
    for p in net.parameters():
        g = np.zeros_like(p, dtype=np.float64)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            gflat[i] = _difference(net, X, T, flat, i, h)
        out.append(g)
    L = net.n_layers
    return out[:L], out[L:]


KINKED = ("relu", "leaky_relu", "step")


def _difference(net: Network, X, T, flat: np.ndarray, i: int, h: float) -> float:
    """Central difference of E in entry ``i`` of ``flat`` (the entry is restored).

    If a ReLU-like unit changes side of its kink for some sample within ±2h,
    the quotient is no derivative there: retried with h/10, h/100, h/1000, and NaN
    ("not checkable here") if the kink is still inside.
    """
    kinked = [l for l, a in enumerate(net.spec.activations) if a in KINKED]
    for step_h in (h, h * 1e-1, h * 1e-2, h * 1e-3):
        old = flat[i]
        E, sides = [], []
        try:
            for step in STENCIL:
                flat[i] = old + step * step_h
                tr = net.forward(X)
                E.append(losses.loss_value(net.spec.loss, tr.b[-1], tr.V[-1], net._as_target(T, len(X))))
                sides.append([tr.b[l] > 0 for l in kinked])
        finally:
            flat[i] = old
        if all(np.array_equal(a, b) for s in sides[1:] for a, b in zip(sides[0], s)):
            return float(np.dot(WEIGHTS, E)) / step_h
    return float("nan")


def noise_floor(E: float, h: float = H, tolerance: float = TOLERANCE) -> float:
    """The relative-error floor for a loss ``E``: FLOOR, or the difference
    quotient's rounding noise (ε·|E|·Σ|weights|/h) over ``tolerance`` if larger."""
    noise = np.finfo(np.float64).eps * abs(float(E)) * float(np.abs(WEIGHTS).sum()) / h
    return max(FLOOR, noise / tolerance)


def relative_error(a, n, floor: float = FLOOR):
    """|a − n| / max(|a|, |n|, floor), elementwise."""
    a, n = np.asarray(a, float), np.asarray(n, float)
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)


def max_relative_error(net: Network, X, T, h: float = H) -> float:
    """Largest |analytic − numeric| / max(1e-6, |analytic| + |numeric|) over all parameters."""
    _, gW, gb = net.loss_and_gradients(X, T)
    nW, nb = numerical_gradients(net, X, T, h)
    worst = 0.0
    for a, n in zip(gW + gb, nW + nb):
        err = np.abs(a - n) / np.maximum(1e-6, np.abs(a) + np.abs(n))
        worst = max(worst, float(err.max(initial=0.0)))
    return worst


@dataclass
class ParamCheck:
    """One parameter: ``kind`` "w" (``weights[layer][i, j]``) or "bias"
    (``biases[layer][i]``, j None); ``layer`` is the 0-based weight layer.
    ``label`` is the lecture's symbol (w_ji^(ℓ) / θ_i^(ℓ), 1-based)."""

    kind: str
    layer: int
    i: int
    j: int | None
    analytic: float
    numeric: float
    rel_error: float
    tolerance: float = TOLERANCE

    @property
    def ok(self) -> bool:
        return self.rel_error <= self.tolerance

    @property
    def label(self) -> str:
        if self.kind == "w":
            return w_sym(self.layer, self.i, self.j)
        return node_sym("θ", self.layer + 1, self.i)


def check_parameter(
    net: Network, X, T, kind: str, layer: int, i: int, j: int | None = None, h: float = H
) -> ParamCheck:
    """Backprop vs central difference for ``weights[layer][i, j]`` (kind "w") or
    ``biases[layer][i]`` (kind "bias"). For the threshold θ = −bias the
    derivative flips sign; the check is the same."""
    E, gW, gb = net.loss_and_gradients(X, T)
    if kind == "w":
        arr, a = net.weights[layer], float(gW[layer][i, j])
        flat_i = i * arr.shape[1] + j
    elif kind == "bias":
        arr, a = net.biases[layer], float(gb[layer][i])
        flat_i = i
    else:
        raise ValueError(f"kind must be 'w' or 'bias', got {kind!r}")
    n = _difference(net, X, T, arr.reshape(-1), flat_i, h)
    return ParamCheck(kind, layer, i, j, a, n, float(relative_error(a, n, noise_floor(E, h))))


@dataclass
class LayerCheck:
    """Layer ℓ (1-based: the weights into node layer ℓ and its thresholds)."""

    layer: int
    n_params: int
    n_checked: int
    max_rel_error: float
    max_abs_error: float
    worst: ParamCheck | None
    tolerance: float = TOLERANCE
    n_at_kink: int = 0  # skipped: a ReLU kink inside the difference stencil

    @property
    def ok(self) -> bool:
        return self.max_rel_error <= self.tolerance


@dataclass
class NetworkCheck:
    layers: list[LayerCheck] = field(default_factory=list)
    h: float = H
    tolerance: float = TOLERANCE

    @property
    def ok(self) -> bool:
        return all(lay.ok for lay in self.layers)

    @property
    def max_rel_error(self) -> float:
        return max((lay.max_rel_error for lay in self.layers), default=0.0)

    def table(self) -> list[list[str]]:
        """Rows: layer, parameters checked, largest relative error, largest |difference|, verdict."""
        return [
            [
                str(lay.layer),
                (f"{lay.n_checked} of {lay.n_params}" if lay.n_checked < lay.n_params else str(lay.n_params))
                + (f" ({lay.n_at_kink} at a kink)" if lay.n_at_kink else ""),
                f"{lay.max_rel_error:.2e}",
                f"{lay.max_abs_error:.2e}",
                "ok" if lay.ok else f"WRONG at {lay.worst.label}" if lay.worst else "WRONG",
            ]
            for lay in self.layers
        ]


def check_network(
    net: Network,
    X,
    T,
    *,
    h: float = H,
    max_per_layer: int | None = None,
    seed: int = 0,
    gradients: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
    tolerance: float = TOLERANCE,
    should_stop=lambda: False,
    progress=lambda _fraction: None,
) -> NetworkCheck:
    """Every parameter (or ``max_per_layer`` of each layer, chosen with ``seed``)
    checked; ``gradients`` (grad_W, grad_b) replaces backprop's, to test the check."""
    E, gW, gb = net.loss_and_gradients(X, T)
    if gradients is not None:
        gW, gb = gradients
    floor = noise_floor(E, h, tolerance)
    rng = np.random.default_rng(seed)
    out = NetworkCheck(h=h, tolerance=tolerance)
    done, total = (
        0,
        sum(min(w.size + b.size, max_per_layer or w.size + b.size) for w, b in zip(net.weights, net.biases)),
    )
    for l in range(net.n_layers):
        entries = [("w", k) for k in range(net.weights[l].size)] + [
            ("bias", k) for k in range(net.biases[l].size)
        ]
        if max_per_layer is not None and len(entries) > max_per_layer:
            pick = rng.choice(len(entries), size=max_per_layer, replace=False)
            entries = [entries[k] for k in sorted(pick)]
        worst, worst_err, worst_abs, skipped = None, 0.0, 0.0, 0
        for kind, k in entries:
            arr = net.weights[l] if kind == "w" else net.biases[l]
            a = float((gW if kind == "w" else gb)[l].reshape(-1)[k])
            n = _difference(net, X, T, arr.reshape(-1), k, h)
            if n != n:  # a kink within the stencil: not checkable at this point
                skipped += 1
                continue
            err = float(relative_error(a, n, floor))
            worst_abs = max(worst_abs, abs(a - n))
            if worst is None or err > worst_err:
                i, j = divmod(k, arr.shape[1]) if kind == "w" else (k, None)
                worst, worst_err = ParamCheck(kind, l, i, j, a, n, err, tolerance), err
            done += 1
            if done % 16 == 0:
                progress(done / total)
            if should_stop():
                break
        n_params = net.weights[l].size + net.biases[l].size
        out.layers.append(
            LayerCheck(
                l + 1, n_params, len(entries) - skipped, worst_err, worst_abs, worst, tolerance, skipped
            )
        )
    return out
