"""Inverted dropout on the hidden layers, for training only.

During a training update each hidden unit i of layer ℓ is kept with
probability 1 − pₗ and its output is scaled by 1/(1 − pₗ) (so nothing needs
rescaling at test time); a dropped unit outputs 0 and passes no error back.
``masks[l]`` (n, width) holds 0 or 1/(1 − pₗ) per sample and unit; the
gradient is that of the loss of the *thinned* network, exactly, for that mask.
Prediction, validation and every panel use the full network.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.nn import activations, losses

__all__ = [
    "draw_masks",
    "forward_with_masks",
    "loss_with_masks",
    "gradients_with_masks",
    "mask_rows",
    "dropped_units",
    "thinned_probe",
    "sample_row",
]


def draw_masks(
    rates: Sequence[float], widths: Sequence[int], n: int, rng: np.random.Generator, dtype=np.float64
):
    """One (n, width) mask per hidden layer (None where the rate is 0)."""
    masks = []
    for p, w in zip(rates, widths):
        if p <= 0:
            masks.append(None)
            continue
        keep = rng.random((n, w)) >= p
        masks.append(keep.astype(dtype) * (1.0 / (1.0 - p)))
    return masks


def forward_with_masks(net, X: np.ndarray, masks):
    """(pre-activations b, unmasked outputs g(b), layer inputs V) of the thinned network."""
    b_list, g_list, V = [], [], [np.asarray(X, net.dtype)]
    acts = net.spec.activations
    for l, (W, bias) in enumerate(zip(net.weights, net.biases)):
        b = V[-1] @ W + bias
        g = activations.forward(acts[l], b)
        b_list.append(b)
        g_list.append(g)
        m = masks[l] if l < len(masks) else None
        V.append(g * m if m is not None else g)
    return b_list, g_list, V


def loss_with_masks(net, X, T, masks) -> float:
    b, g, V = forward_with_masks(net, X, masks)
    return losses.loss_value(net.spec.loss, b[-1], V[-1], np.asarray(T, net.dtype))


def gradients_with_masks(net, X, T, masks):
    """(loss, grad_W, grad_b, output) of the mean loss of the thinned network."""
    T = np.asarray(T, net.dtype)
    b, g, V = forward_with_masks(net, X, masks)
    acts, L, n = net.spec.activations, net.n_layers, max(len(T), 1)
    loss = losses.loss_value(net.spec.loss, b[-1], V[-1], T)
    d = losses.output_delta(net.spec.loss, acts[-1], b[-1], V[-1], T)
    gW, gb = [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        gW[l] = (V[l].T @ d) * (-1.0 / n)
        gb[l] = d.sum(axis=0) * (-1.0 / n)
        if l > 0:
            d = (d @ net.weights[l].T) * activations.derivative(acts[l - 1], b[l - 1], g[l - 1])
            if masks[l - 1] is not None:
                d *= masks[l - 1]
    return loss, gW, gb, V[-1]


def mask_rows(masks, batch, row: int):
    """Training sample ``row``'s masks in an update: one (width,) array of 0 and
    1/(1 − p) per hidden layer (None where that layer has no dropout), or None
    when there was no dropout or ``row`` was not in the batch.

    ``masks`` are that update's (n, width) masks, ``batch`` its ``(start, stop,
    order)`` (``order`` None: rows ``start…stop`` in order; else the rows
    ``order[start:stop]``)."""
    if masks is None or batch is None or all(m is None for m in masks):
        return None
    start, stop, order = batch
    if order is None:
        if not start <= row < stop:
            return None
        pos = row - start
    else:
        hit = np.flatnonzero(np.asarray(order[start:stop]) == row)
        if not hit.size:
            return None
        pos = int(hit[0])
    return [None if m is None else m[pos].copy() for m in masks]


def dropped_units(masks, batch, row: int):
    """Which units training sample ``row`` had dropped in an update: one bool
    (width,) array per hidden layer (empty without dropout there), or None (see
    :func:`mask_rows`)."""
    rows = mask_rows(masks, batch, row)
    return None if rows is None else [np.zeros(0, bool) if r is None else (r == 0) for r in rows]


def thinned_probe(net, x, t, rows):
    """The probe record of one sample through the network thinned by its mask
    ``rows`` (from :func:`mask_rows`): a dropped unit shows V = 0 and δ = 0, and
    the gradients are this sample's share of the update the trainer made."""
    from model.nn.probe import ProbeRecord

    X = np.asarray(x, net.dtype).reshape(1, -1)
    T = np.asarray(t, net.dtype).reshape(1, -1)
    masks = [None if r is None else np.asarray(r, net.dtype).reshape(1, -1) for r in rows]
    b, g, V = forward_with_masks(net, X, masks)
    acts, L = net.spec.activations, net.n_layers
    loss = losses.loss_value(net.spec.loss, b[-1], V[-1], T)
    d = losses.output_delta(net.spec.loss, acts[-1], b[-1], V[-1], T)
    deltas, gW, gb = [None] * L, [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        deltas[l], gW[l], gb[l] = d[0].copy(), -(V[l].T @ d), -d[0].copy()
        if l > 0:
            d = (d @ net.weights[l].T) * activations.derivative(acts[l - 1], b[l - 1], g[l - 1])
            if masks[l - 1] is not None:
                d *= masks[l - 1]
    V1 = [v[0].copy() for v in V]
    return ProbeRecord(
        V=V1,
        b=[x[0].copy() for x in b],
        deltas=deltas,
        grad_W=gW,
        grad_b=gb,
        contrib=[W * V1[l][:, None] for l, W in enumerate(net.weights)],
        loss=float(loss),
    )


def sample_row(X: np.ndarray, T: np.ndarray, x, t) -> int | None:
    """The first row of (X, T) equal to the sample (x, t), or None."""
    x = np.asarray(x, X.dtype).reshape(-1)
    t = np.asarray(t, T.dtype).reshape(-1)
    hit = np.flatnonzero((X == x).all(axis=1) & (T == t).all(axis=1))
    return int(hit[0]) if hit.size else None
