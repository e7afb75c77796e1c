"""The learning-rate range test: one run with η growing exponentially, and the η it suggests."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.nn.network import Network
from model.optim.optimizers import make_optimizer
from model.train.trainer import Trainer, TrainSettings

from .curvature import Curvature, lambda_max
from .sweep_common import ignore_progress, never, run_settings

__all__ = ["RangeTestResult", "lr_range_test", "suggest_lr", "EDGE_MARGIN"]


@dataclass
class RangeTestResult:
    """Loss per update while η grows exponentially from ``lr_min`` to ``lr_max``.

    ``lrs``, ``losses`` (updates,): the learning rate used for each update
    and the mini-batch loss just before it.  ``smoothed`` (updates,): the
    losses through a centred moving average (no lag, so the suggestion is
    not shifted towards larger η).  ``stopped_early``: the loss passed
    ``stop_factor`` × the best smoothed loss (or turned non-finite).
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    lr_min: float
    lr_max: float
    stopped_early: bool = False
    cancelled: bool = False
    curvature: Curvature | None = None  # λ_max at the start weights

    def suggestion(self) -> tuple[float, tuple[float, float]]:
        return suggest_lr(self.lrs, self.losses, self.smoothed)

    @property
    def drop(self) -> float:
        """How far the smoothed loss fell below its start, as a fraction (0 = not at all)."""
        if len(self.smoothed) == 0 or not self.smoothed[0] > 0:
            return 0.0
        return float(max(0.0, 1.0 - np.nanmin(self.smoothed) / self.smoothed[0]))


def _centred_average(y: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average with a window that shrinks at the ends."""
    n = len(y)
    if n == 0 or window <= 1:
        return y.astype(np.float64).copy()
    h = window // 2
    c = np.concatenate([[0.0], np.cumsum(y, dtype=np.float64)])
    i = np.arange(n)
    lo, hi = np.maximum(i - h, 0), np.minimum(i + h + 1, n)
    return (c[hi] - c[lo]) / (hi - lo)


def lr_range_test(
    net: Network,
    X,
    T,
    settings: TrainSettings,
    lr_min: float = 1e-5,
    lr_max: float = 10.0,
    n_updates: int = 100,
    should_stop=None,
    progress=None,
    stop_factor: float = 4.0,
    window: int | None = None,
    curvature: bool = True,
) -> RangeTestResult:
    """One run of ``n_updates`` updates with η = lr_min·(lr_max/lr_min)^(i/(n_updates−1)).

    Uses the settings' optimizer, hyper-parameters and batch size (mini-batches
    drawn with the settings' seed, reshuffled every epoch); the schedule is
    ignored — the test *is* a schedule.  Stops once the (causal, EMA) loss
    exceeds ``stop_factor`` × its best value.
    """
    should_stop = should_stop or never
    progress = progress or ignore_progress
    if not (math.isfinite(lr_min) and math.isfinite(lr_max) and 0 < lr_min < lr_max):
        raise ValueError(f"need 0 < lr_min < lr_max, got {lr_min!r} and {lr_max!r}")
    n_updates = int(n_updates)
    if n_updates < 3:
        raise ValueError(f"the range test needs at least 3 updates, got {n_updates}")
    schedule = lr_min * (lr_max / lr_min) ** (np.arange(n_updates) / (n_updates - 1))
    s = run_settings(settings, lr=float(lr_min))
    tr = Trainer(net.copy(), X, T, s, task="regression")
    opt, params = make_optimizer(s.optimizer, lr=lr_min, **s.hyper), tr.net.parameters()
    losses = np.full(n_updates, np.nan)
    ema, best, i = 0.0, math.inf, 0
    stopped = cancelled = False
    beta = 0.9
    while i < n_updates and not (stopped or cancelled):
        for xb, tb in tr.batches():
            if should_stop():
                cancelled = True
                break
            loss, grads = tr.net.gradients_into(xb, tb)
            losses[i] = loss
            if not math.isfinite(loss):
                stopped = True
                break
            ema = beta * ema + (1 - beta) * loss
            smooth = ema / (1 - beta ** (i + 1))
            best = min(best, smooth)
            i += 1
            if smooth > stop_factor * best:
                stopped = True
                break
            opt.lr = float(schedule[i - 1])
            opt.step(params, grads)
            if not all(np.isfinite(p).all() for p in params):
                stopped = True
                break
            progress(i / n_updates)
            if i >= n_updates:
                break
    m = i
    lrs, raw = schedule[:m].copy(), losses[:m].copy()
    w = window if window is not None else max(3, (n_updates // 25) | 1)
    return RangeTestResult(
        lrs,
        raw,
        _centred_average(raw, w),
        float(lr_min),
        float(lr_max),
        stopped,
        cancelled,
        lambda_max(net, X, T) if curvature and not cancelled else None,
    )


EDGE_MARGIN = 4.0


def suggest_lr(lrs, losses, smoothed=None, blowup: float = 1.3) -> tuple[float, tuple[float, float]]:
    """(suggested η, (lo, hi)) from a range test.

    ``hi`` is the *edge*: the largest η, before the smoothed loss first rises
    above ``blowup`` × its best so far, at which the loss is still near its
    best (within a twentieth of the start-to-best drop on a log scale).  The
    suggestion is the edge / ``EDGE_MARGIN`` (4): past 2/λ_max a loss at its
    floor needs many updates of slow exponential growth before the rise shows,
    so the edge lands up to about 2 × 2/λ_max (measured on the linear neuron
    with 100–1000 updates: 1.2–2.2 × 2/λ_max); a quarter of it is stable.  ``lo`` is the η from which the loss stays near its best (the
    shaded band in the panel).  Unlike "the steepest drop", this does not
    depend on how many updates the test spends at small η: on a convex
    problem (the linear neuron) the steepest drop only marks where the
    accumulated steps Σ η first add up to 1/λ, far below the stable range,
    while the edge sits at 2/λ_max and half of it inside [0.1, 1] × 2/λ_max.
    If the loss never falls, the suggestion is a tenth of the η at the lowest loss.
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    y = np.asarray(losses if smoothed is None else smoothed, dtype=np.float64)
    if len(lrs) != len(y) or len(lrs) == 0:
        raise ValueError("lrs and losses must be non-empty and of equal length")
    ok = np.isfinite(y)
    lrs, y = lrs[ok], y[ok]
    if len(y) < 3:
        lr = float(lrs[0]) if len(lrs) else math.nan
        return lr, (lr, lr)
    # the final rise: past 2/λ_max the loss grows at every update until the end
    rising = np.diff(y) > 0
    tail = len(y) - 1
    while tail > 0 and rising[tail - 1]:
        tail -= 1
    best_so_far = np.minimum.accumulate(y)
    # the blow-up: from here on the loss stays above blowup × its best so far
    # (an earlier noisy excursion that comes back down is not one)
    calm = np.flatnonzero(~(y > blowup * best_so_far))
    end = int(calm[-1]) + 1 if len(calm) else 1
    y, lrs = y[:end], lrs[:end]
    j = int(np.argmin(y))
    best, start = float(y[j]), float(y[0])
    if not (best < start and best >= 0):
        lr = float(lrs[j]) / 10.0
        return lr, (lr, float(lrs[j]))
    # near the best: within 5 % of the drop, on a log scale when the loss is positive
    near = best * (start / best) ** 0.05 if best > 0 else 0.05 * start
    inside = y <= near
    edge = j
    while edge + 1 < len(y) and inside[edge + 1]:
        edge += 1
    first = j
    while first > 0 and inside[first - 1]:
        first -= 1
    if j <= tail < len(y) - 1:  # a rise to the end that starts at or after the best
        edge = min(edge, tail)
    lr = float(lrs[edge]) / EDGE_MARGIN
    return lr, (min(float(lrs[first]), lr), float(lrs[edge]))
