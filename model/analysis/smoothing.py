"""TensorBoard's smoothing of a noisy curve: a debiased exponential moving average.

``s_t = w·s_{t−1} + (1 − w)·y_t`` from ``s_0 = 0``, divided by ``1 − w^t`` so
the first points are not pulled towards zero (TensorBoard's scalar
dashboard). ``w`` = 0 returns the data; NaN/inf points are left out of the
average and stay NaN.  The state lets a live curve smooth only its new points.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ema_smooth"]

BLOCK = 32  # points per block of the vectorised recurrence (fewer for tiny w: w^-(block-1) stays finite)


def ema_smooth(y, weight: float, state: tuple[float, int] = (0.0, 0)) -> tuple[np.ndarray, tuple[float, int]]:
    """(debiased EMA of ``y``, state to continue with) for 0 ≤ ``weight`` < 1.

    ``state`` = (running average before debiasing, points averaged so far)."""
    w = float(weight)
    if not 0.0 <= w < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight!r}")
    y = np.asarray(y, dtype=np.float64)
    out = np.full(y.shape, np.nan)
    last, n = float(state[0]), int(state[1])
    ok = np.isfinite(y)
    v = y[ok]  # left-out points change neither the average nor the count
    if len(v) == 0:
        return out, (last, n)
    if w == 0.0:  # no memory: the data itself
        out[ok] = v
        return out, (float(v[-1]), n + len(v))
    s = _ema(v, w, last)
    # debiased by 1 − w^count (as exp: numpy's float power of an array is ~10x slower)
    out[ok] = s / -np.expm1((n + 1 + np.arange(len(v), dtype=np.float64)) * np.log(w))
    return out, (float(s[-1]), n + len(v))


def _ema(v: np.ndarray, w: float, last: float) -> np.ndarray:
    """s_k = w·s_{k−1} + (1 − w)·v_k from s_{−1} = last, without a loop over points
    (a live per-update curve of ~20,000 points is smoothed again whenever its
    history is decimated: the plain loop took ~7 ms of the GUI thread).

    In blocks of BLOCK points: inside a block s_j = w^(j+1)·c + (1 − w)·w^j·Σ_{i≤j} w^(−i)·v_i
    with c the block's carry in; the carries run through the blocks in a short loop."""
    m = len(v)
    size = int(max(1, min(BLOCK, 200 // max(1.0, -np.log10(w)))))
    nb = -(-m // size)
    blocks = np.zeros(nb * size)
    blocks[:m] = v
    blocks = blocks.reshape(nb, size)
    j = np.arange(size, dtype=np.float64)
    pw = w**j
    inner = (1.0 - w) * pw * np.cumsum(blocks * w**-j, axis=1)  # each block started from 0
    carry, c, w_block = np.empty(nb), last, w**size
    for b, end in enumerate(inner[:, -1].tolist()):
        carry[b] = c
        c = w_block * c + end
    return (inner + np.outer(carry, w * pw)).ravel()[:m]
