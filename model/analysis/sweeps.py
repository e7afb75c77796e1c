"""Learning-rate experiments: sweep, range test and the gradient-descent variants.

All three start from copies of the caller's network (never mutating it), so
every run begins at the *same* initial weights.  Each is cancellable — it
polls ``should_stop()`` after every update and returns the partial result
marked ``cancelled`` — and reports ``progress(fraction)`` with fraction in
[0, 1].  Pure NumPy: safe to run in a worker thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.nn.network import Network
from model.optim.optimizers import make_optimizer
from model.train.batched import stack_size, stackable
from model.train.batched_split import close_stack, make_stack
from model.train.stack_pool import prewarm
from model.train.trainer import STOP_DIVERGED, STOP_USER, Trainer, TrainSettings

from .curvature import Curvature, lambda_max
from .gd_variants import (
    ONLINE,
    VARIANTS,
    VariantRun,
    VariantsResult,
    format_bytes,
    gd_variants,
    memory_per_update,
)
from .sweep_common import ignore_progress, never, run_settings

__all__ = [
    "SweepResult",
    "RangeTestResult",
    "VariantRun",
    "VariantsResult",
    "log_spaced",
    "lr_sweep",
    "lr_range_test",
    "suggest_lr",
    "gd_variants",
    "VARIANTS",
    "ONLINE",
    "BEST_TOLERANCE",
    "memory_per_update",
    "format_bytes",
    "prewarm",
]


def log_spaced(lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` learning rates from ``lo`` to ``hi`` evenly spaced in log scale, shape (n,)."""
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
        raise ValueError(f"need 0 < lo ≤ hi (finite), got lo={lo!r}, hi={hi!r}")
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a whole number ≥ 1, got {n!r}")
    return np.geomspace(lo, hi, int(n)) if n > 1 else np.array([float(lo)])


# --------------------------------------------------------------------- sweep
#: "Within a tolerance of the best loss": at most this fraction above it.
BEST_TOLERANCE = 0.05


@dataclass
class SweepResult:
    """One training run per learning rate, all from the same initial weights.

    ``losses`` (runs, K): mean training loss of each epoch 1..K (the trainer's
    per-epoch figure), NaN from the epoch a run diverged.  ``final_loss``
    (runs,): loss of epoch K, NaN for diverged runs.  ``diverged_at`` (runs,):
    the 1-based epoch in which the trainer's divergence rule fired, 0 if never.
    ``unstable`` (runs,): did not diverge but ended above where it started.
    A cancelled sweep holds only the runs that completed (the rates train
    together, in groups: :func:`stack_size`).
    """

    lrs: np.ndarray
    epochs: np.ndarray
    losses: np.ndarray
    final_loss: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    initial_loss: float
    cancelled: bool = False
    unstable: np.ndarray | None = None
    tolerance: float = BEST_TOLERANCE
    curvature: Curvature | None = None  # λ_max at the start weights (2/λ_max to draw)

    def __post_init__(self) -> None:
        if self.unstable is None:
            self.unstable = ~self.diverged & ~(self.final_loss <= self.initial_loss)

    @property
    def stable(self) -> np.ndarray:
        """Runs that neither diverged nor ended above the start loss."""
        return ~self.diverged & ~self.unstable & np.isfinite(self.final_loss)

    def epochs_to_best(self) -> np.ndarray:
        """Per run: the first epoch from which the loss stays within the tolerance
        of the best stable final loss (0 = never; diverged/unstable runs: 0)."""
        out = np.zeros(len(self.lrs), dtype=np.int64)
        ok = self.stable
        if not ok.any():
            return out
        target = float(np.min(self.final_loss[ok])) * (1 + self.tolerance) + 1e-12 * abs(self.initial_loss)
        for i in np.flatnonzero(ok):
            above = np.flatnonzero(~(self.losses[i] <= target))
            last = int(above[-1]) + 1 if len(above) else 0
            if last < len(self.epochs):
                out[i] = last + 1
        return out

    @property
    def best_lr(self) -> float:
        """The fastest η to reach (and stay) within ``tolerance`` of the best stable
        final loss; ties go to the larger η (NaN if no run was stable)."""
        k = self.epochs_to_best()
        reached = np.flatnonzero(k > 0)
        if not len(reached):
            return math.nan
        fastest = reached[k[reached] == k[reached].min()]
        return float(self.lrs[fastest].max())

    def status(self, i: int) -> str:
        """'diverged at epoch k', 'unstable (ends above the start)' or 'stable'."""
        if self.diverged[i]:
            return f"diverged at epoch {int(self.diverged_at[i])}"
        return "unstable (ends above the start)" if self.unstable[i] else "stable"


def lr_sweep(
    net: Network,
    X,
    T,
    settings: TrainSettings,
    lrs,
    epochs: int,
    should_stop=None,
    progress=None,
    divergence_factor: float | None = None,
    curvature: bool = True,
) -> SweepResult:
    """Train a copy of ``net`` for ``epochs`` epochs with each learning rate in ``lrs``.

    Everything else (optimizer, batch size, schedule, shuffling seed) comes
    from ``settings``.  A run diverges by the trainer's own rule (non-finite
    loss or more than ``settings.divergence_factor`` × its first loss; a
    ``divergence_factor`` given here overrides it); a run that does not
    diverge but ends above the start loss is *unstable*.  With ``curvature``
    the result carries λ_max at the start (exact for the linear neuron,
    estimated otherwise).
    """
    should_stop = should_stop or never
    progress = progress or ignore_progress
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
    if lrs.size == 0 or not (np.isfinite(lrs).all() and (lrs > 0).all()):
        raise ValueError("learning rates must be a non-empty list of positive numbers")
    K = int(epochs)
    if K < 1:
        raise ValueError(f"epochs must be ≥ 1, got {epochs!r}")
    N = len(lrs)
    losses = np.full((N, K), np.nan)
    diverged_at = np.zeros(N, dtype=np.int64)
    start = net.copy()
    initial_loss = float(start.loss(X, T))
    factor = settings.divergence_factor if divergence_factor is None else divergence_factor
    s = run_settings(settings, divergence_factor=factor)
    # all rates train as one stacked computation (same batches, same start),
    # in groups small enough for memory; a group finishes before the next starts
    group = stack_size(start, len(X), s.batch_size) if stackable(start, s) else 1
    if group == 1:
        return _sequential_sweep(start, X, T, s, lrs, K, should_stop, progress, initial_loss, curvature)
    done = 0
    cancelled = False
    for g in range(0, N, group):
        part = lrs[g : g + group]
        bt = make_stack(start, X, T, s, part, epochs=K)  # both cores where that pays
        n_part = len(part)

        def epoch_done(e, g=g, n=n_part):
            progress((g + n * e / K) / N)

        try:
            reason = bt.train(K, should_stop, on_epoch=epoch_done)
        finally:
            close_stack(bt)  # its worker process is free for the next group (or sweep)
        if reason == STOP_USER:
            cancelled = True
            break
        losses[g : g + len(part), : bt.epoch] = bt.epoch_loss
        diverged_at[g : g + len(part)] = bt.diverged_at
        done += len(part)
        progress(done / N)
    return _sweep_result(
        start, X, T, lrs[:done], losses[:done], diverged_at[:done], initial_loss, cancelled, curvature
    )


def _sequential_sweep(start, X, T, s, lrs, K, should_stop, progress, initial_loss, curvature) -> SweepResult:
    """One Trainer run per rate (runs that cannot be stacked: dropout, early stopping)."""
    N = len(lrs)
    losses = np.full((N, K), np.nan)
    diverged_at = np.zeros(N, dtype=np.int64)
    done, cancelled = 0, False
    for i, lr in enumerate(lrs):
        tr = Trainer(start.copy(), X, T, run_settings(s, lr=float(lr)), task="regression")
        for k in range(K):
            for _ in tr.updates():
                if should_stop():
                    cancelled = True
                    break
            if cancelled:
                break
            if tr.stop_reason == STOP_DIVERGED:
                diverged_at[i] = k + 1
                break
            losses[i, k] = tr.history["train_loss"][-1]
            progress((i + (k + 1) / K) / N)
        if cancelled:
            break
        done += 1
    return _sweep_result(
        start, X, T, lrs[:done], losses[:done], diverged_at[:done], initial_loss, cancelled, curvature
    )


def _sweep_result(start, X, T, lrs, losses, diverged_at, initial_loss, cancelled, curvature) -> SweepResult:
    diverged = diverged_at > 0
    final = np.where(diverged, np.nan, losses[:, -1])
    return SweepResult(
        lrs.copy(),
        np.arange(1, losses.shape[1] + 1),
        losses,
        final,
        diverged,
        diverged_at,
        initial_loss,
        cancelled,
        curvature=lambda_max(start, X, T) if curvature and not cancelled else None,
    )


# ---------------------------------------------------------------- range test
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
