"""TensorBoard's smoothing of a noisy curve: a debiased exponential moving average.

``s_t = w·s_{t−1} + (1 − w)·y_t`` from ``s_0 = 0``, divided by ``1 − w^t`` so
the first points are not pulled towards zero (TensorBoard's scalar
dashboard). ``w`` = 0 returns the data; NaN/inf points are left out of the
average and stay NaN.  The state lets a live curve smooth only its new points.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ema_smooth"]


def ema_smooth(y, weight: float, state: tuple[float, int] = (0.0, 0)) -> tuple[np.ndarray, tuple[float, int]]:
    """(debiased EMA of ``y``, state to continue with) for 0 ≤ ``weight`` < 1.

    ``state`` = (running average before debiasing, points averaged so far)."""
    w = float(weight)
    if not 0.0 <= w < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight!r}")
    y = np.asarray(y, dtype=np.float64)
    out = np.full(y.shape, np.nan)
    last, n = float(state[0]), int(state[1])
    for i, v in enumerate(y.tolist()):  # plain floats: ~0.1 µs a point
        if v != v or v in (np.inf, -np.inf):
            continue
        last = last * w + (1.0 - w) * v
        n += 1
        out[i] = last / (1.0 - w**n)
    return out, (last, n)
