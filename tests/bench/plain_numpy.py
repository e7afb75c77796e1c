"""The reference: an MLP training loop written plainly in vectorised NumPy.

No buffers, no fused bias, no flat parameter vector: ``x @ W + b`` per layer,
the textbook backward pass, the optimizer rule per array.  The trainer must
be no slower than this (issue 17); ``tests/bench/train_speed.py`` runs both
on the same workloads in the same run.  Like the trainer it reshuffles with
``default_rng(seed).permutation(n)`` each epoch and records every update's
loss as a Python float.
"""

from __future__ import annotations

import numpy as np


def _act(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def _dact(name, z, a):
    if name == "relu":
        return z > 0
    if name == "tanh":
        return 1 - a * a
    if name == "sigmoid":
        return a * (1 - a)
    return 1


def train(sizes, acts, loss, X, T, opt="sgd", lr=0.1, hyper=None, batch=32, epochs=1, seed=0):
    """Train a fresh Xavier-initialised MLP; returns (weights, biases, per-update losses)."""
    hyper = hyper or {}
    dt = X.dtype
    rng = np.random.default_rng(seed)
    Ws = [
        rng.uniform(-1, 1, (a, b)).astype(dt) * dt.type(np.sqrt(6 / (a + b)))
        for a, b in zip(sizes, sizes[1:])
    ]
    bs = [np.zeros(b, dt) for b in sizes[1:]]
    params = Ws + bs
    state = [[np.zeros_like(p) for p in params] for _ in range(2)]
    n, t, history = len(X), 0, []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            x, y = X[idx], T[idx]
            # forward
            zs, As = [], [x]
            for W, b, a in zip(Ws, bs, acts):
                zs.append(As[-1] @ W + b)
                As.append(_act(a, zs[-1]))
            out, m = As[-1], len(x)
            if loss == "mse":
                err = out - y
                history.append(float(0.5 * np.sum(err * err) / m))
                d = err * _dact(acts[-1], zs[-1], out) / m
            else:
                history.append(float(-np.sum(y * np.log(np.maximum(out, 1e-300))) / m))
                d = (out - y) / m
            # backward
            gW, gb = [None] * len(Ws), [None] * len(Ws)
            for l in range(len(Ws) - 1, -1, -1):
                gW[l] = As[l].T @ d
                gb[l] = d.sum(axis=0)
                if l:
                    d = (d @ Ws[l].T) * _dact(acts[l - 1], zs[l - 1], As[l])
            grads = gW + gb
            # optimizer
            t += 1
            update(opt, params, grads, state, t, lr, hyper)
    return Ws, bs, history


def update(opt, params, grads, state, t, lr, hyper):
    """The optimizer rule per array (step ``t``, 1-based), in place."""
    mu, b1, b2, eps = hyper.get("momentum", 0.9), 0.9, 0.999, 1e-8
    for i, (p, g) in enumerate(zip(params, grads)):
        if opt == "sgd":
            p -= lr * g
        elif opt == "momentum":
            v = state[0][i]
            v *= mu
            v += g
            p -= lr * v
        else:  # adam
            m1, v2 = state[0][i], state[1][i]
            m1 *= b1
            m1 += (1 - b1) * g
            v2 *= b2
            v2 += (1 - b2) * g * g
            p -= (lr / (1 - b1**t)) * m1 / (np.sqrt(v2) / np.sqrt(1 - b2**t) + eps)
