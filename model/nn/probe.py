"""One sample's forward and backward values: what the canvas animates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.nn.network import Network


@dataclass
class ProbeRecord:
    """Per layer, for one sample: ``V[0]`` input … ``V[L]`` output (1-D arrays);
    ``b[l]``, ``deltas[l]`` (lecture sign) and ``grad_W[l]`` = ∂E/∂W for this
    sample alone (shape of ``weights[l]``); ``contrib[l]`` = W·V, each edge's
    forward contribution. All arrays are copies, safe to hand to another thread."""

    V: list[np.ndarray]
    b: list[np.ndarray]
    deltas: list[np.ndarray]
    grad_W: list[np.ndarray]
    grad_b: list[np.ndarray]
    contrib: list[np.ndarray]
    loss: float


def probe(net: Network, x, t) -> ProbeRecord:
    x = np.asarray(x, dtype=net.dtype).reshape(1, -1)
    t = np.asarray(t, dtype=net.dtype).reshape(1, -1)
    tr = net.forward(x)
    bw = net.backward(tr, t)
    V = [v[0].copy() for v in tr.V]
    contrib = [W * V[l][:, None] for l, W in enumerate(net.weights)]
    return ProbeRecord(
        V=V,
        b=[b[0].copy() for b in tr.b],
        deltas=[d[0].copy() for d in bw.deltas],
        grad_W=[g.copy() for g in bw.grad_W],
        grad_b=[g.copy() for g in bw.grad_b],
        contrib=contrib,
        loss=bw.loss,
    )
