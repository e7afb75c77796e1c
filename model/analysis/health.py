"""Network health: dead ReLUs, saturated sigmoid/tanh units, vanishing or
exploding layer gradients — the badges the canvas draws.

``network_health(net, X, T)`` looks at one forward/backward pass over the
training samples (at most ``max_samples`` of them, evenly picked, so it can
run live while training):

- a **dead** ReLU unit has b ≤ 0 for every sample: it outputs 0 and passes no
  gradient, so it can never recover;
- a **saturated** hidden sigmoid/tanh unit has |b| beyond ``SATURATION_B``
  (g′(b) below ~7 % of its peak) for at least ``saturated_fraction`` of the
  samples: it barely learns;
- a weight layer's gradient is **vanishing** / **exploding** when the RMS of
  ∂E/∂w over its weights is below ``1/ratio`` / above ``ratio`` times the
  output layer's (where the error signals start; backprop multiplies them
  by w·g′(b) once per layer on the way down). A median reference would call
  a healthy output layer "exploding" when all the layers below it vanish.

Indices: ``NodeBadge.layer`` is the node layer 1…L, ``index`` 0-based (the
canvas's keys); ``LayerBadge.layer`` is the weight layer 1…L (the lecture's ℓ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.nn.network import Network

__all__ = ["NodeBadge", "LayerBadge", "HealthReport", "network_health", "SATURATION_B"]

# |b| beyond which g′(b) < 0.018 (sigmoid: peak 0.25) or < 0.071 (tanh: peak 1)
SATURATION_B = {"sigmoid": 4.0, "tanh": 2.0}


@dataclass
class NodeBadge:
    layer: int
    index: int
    kind: str  # "dead" | "saturated"
    value: float  # fraction of samples active (dead: 0) or saturated
    tooltip: str


@dataclass
class LayerBadge:
    layer: int
    kind: str  # "vanishing" | "exploding"
    value: float  # RMS gradient relative to the output layer's
    tooltip: str


@dataclass
class HealthReport:
    nodes: list[NodeBadge] = field(default_factory=list)
    layers: list[LayerBadge] = field(default_factory=list)
    grad_rms: list[float] = field(default_factory=list)  # per weight layer
    n_samples: int = 0

    @property
    def ok(self) -> bool:
        return not self.nodes and not self.layers

    def summary(self) -> str:
        if self.ok:
            return "healthy: no dead or saturated units, gradients balanced across layers"
        kinds = [b.kind for b in self.nodes] + [b.kind for b in self.layers]
        parts = [
            f"{kinds.count(k)} {k}" for k in ("dead", "saturated", "vanishing", "exploding") if k in kinds
        ]
        return ", ".join(parts)


def _pick(n: int, max_samples: int) -> np.ndarray:
    return np.arange(n) if n <= max_samples else np.linspace(0, n - 1, max_samples).round().astype(int)


def network_health(
    net: Network,
    X,
    T,
    *,
    saturated_fraction: float = 0.9,
    ratio: float = 100.0,
    max_samples: int = 512,
) -> HealthReport:
    """The badges for ``net`` on the samples ``X``/``T`` (see the module docstring)."""
    X, T = np.asarray(X), np.asarray(T)
    if len(X) == 0:
        return HealthReport()
    rows = _pick(len(X), max_samples)
    X, T = X[rows], T[rows]
    tr = net.forward(X)
    bw = net.backward(tr, T)
    n, L = len(X), net.n_layers
    rep = HealthReport(n_samples=n)
    for l, act in enumerate(net.spec.activations[:-1]):  # hidden layers
        b = tr.b[l]
        if act == "relu":
            active = (b > 0).mean(axis=0)
            for i in np.flatnonzero(active == 0):
                rep.nodes.append(
                    NodeBadge(
                        l + 1,
                        int(i),
                        "dead",
                        0.0,
                        f"dead ReLU: b ≤ 0 for all {n} training samples (largest b = {b[:, i].max():.3g}), "
                        "so V = 0 and no gradient reaches its weights. Try a lower η, He initialisation, "
                        "or leaky_relu.",
                    )
                )
        elif act in SATURATION_B:
            lim = SATURATION_B[act]
            frac = (np.abs(b) > lim).mean(axis=0)
            for i in np.flatnonzero(frac >= saturated_fraction):
                rep.nodes.append(
                    NodeBadge(
                        l + 1,
                        int(i),
                        "saturated",
                        float(frac[i]),
                        f"saturated {act}: |b| > {lim:g} for {frac[i] * 100:.0f} % of the samples "
                        f"(median |b| = {np.median(np.abs(b[:, i])):.3g}), where g′(b) is nearly 0 and it "
                        "barely learns. Try smaller initial weights (xavier), scaled inputs, a lower η, or relu.",
                    )
                )
    rep.grad_rms = [float(np.sqrt(np.mean(g**2))) for g in bw.grad_W]
    g = np.array(rep.grad_rms)
    if L >= 2 and np.all(np.isfinite(g)) and g[-1] > 0:
        med = float(g[-1])
        for l, v in enumerate(g):
            r = v / med
            if r < 1 / ratio:
                rep.layers.append(
                    LayerBadge(
                        l + 1,
                        "vanishing",
                        float(r),
                        f"vanishing gradient in layer {l + 1}: RMS ∂E/∂w = {v:.2e}, {r:.1e} × the output "
                        f"layer's ({med:.2e}); its weights barely move. Try relu or tanh instead of sigmoid, "
                        "xavier/he initialisation, or fewer layers.",
                    )
                )
            elif r > ratio:
                rep.layers.append(
                    LayerBadge(
                        l + 1,
                        "exploding",
                        float(r),
                        f"exploding gradient in layer {l + 1}: RMS ∂E/∂w = {v:.2e}, {r:.1e} × the output "
                        f"layer's ({med:.2e}). Try a lower η, smaller initial weights, or scaled inputs.",
                    )
                )
    return rep
