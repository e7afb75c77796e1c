"""Learning-rate experiments: sweep, range test and the gradient-descent variants.

All three start from copies of the caller's network (never mutating it), so
every run begins at the *same* initial weights.  Each is cancellable — it
polls ``should_stop()`` after every update and returns the partial result
marked ``cancelled`` — and reports ``progress(fraction)`` with fraction in
[0, 1].  Pure NumPy: safe to run in a worker thread.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np

from model.nn.network import Network
from model.optim.optimizers import make_optimizer
from model.train.trainer import STOP_DIVERGED, Trainer, TrainSettings

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
]

VARIANTS = ("batch", "stochastic", "mini-batch")


def _never() -> bool:
    return False


def _ignore(_fraction: float) -> None:
    pass


def log_spaced(lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` learning rates from ``lo`` to ``hi`` evenly spaced in log scale, shape (n,)."""
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
        raise ValueError(f"need 0 < lo ≤ hi (finite), got lo={lo!r}, hi={hi!r}")
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a whole number ≥ 1, got {n!r}")
    return np.geomspace(lo, hi, int(n)) if n > 1 else np.array([float(lo)])


def _run_settings(settings: TrainSettings, **changes) -> TrainSettings:
    # a sweep run never stops at the target loss: curves must cover every epoch
    return dataclasses.replace(settings, target_loss=None, **changes)


# --------------------------------------------------------------------- sweep
@dataclass
class SweepResult:
    """One training run per learning rate, all from the same initial weights.

    ``losses`` (runs, K): mean training loss of each epoch 1..K (the trainer's
    per-epoch figure), NaN from the epoch a run diverged.  ``final_loss``
    (runs,): loss of epoch K, NaN for diverged runs.  ``diverged_at`` (runs,):
    the 1-based epoch in which divergence was detected, 0 if never.
    A cancelled sweep holds only the runs that completed.
    """

    lrs: np.ndarray
    epochs: np.ndarray
    losses: np.ndarray
    final_loss: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    initial_loss: float
    cancelled: bool = False

    @property
    def best_lr(self) -> float:
        """The learning rate with the lowest final loss (NaN if all diverged)."""
        ok = np.isfinite(self.final_loss)
        if not ok.any():
            return math.nan
        return float(self.lrs[ok][np.argmin(self.final_loss[ok])])


def lr_sweep(
    net: Network,
    X,
    T,
    settings: TrainSettings,
    lrs,
    epochs: int,
    should_stop=None,
    progress=None,
    divergence_factor: float = 1e4,
) -> SweepResult:
    """Train a copy of ``net`` for ``epochs`` epochs with each learning rate in ``lrs``.

    Everything else (optimizer, batch size, schedule, shuffling seed) comes
    from ``settings``.  A run counts as diverged when its loss turns
    non-finite or exceeds ``divergence_factor`` × its first loss.
    """
    should_stop = should_stop or _never
    progress = progress or _ignore
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
    done = 0
    cancelled = False
    for i, lr in enumerate(lrs):
        s = _run_settings(
            settings, lr=float(lr), divergence_factor=min(settings.divergence_factor, divergence_factor)
        )
        tr = Trainer(start.copy(), X, T, s, task="regression")
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
            if not math.isfinite(losses[i, k]):
                diverged_at[i] = k + 1
                losses[i, k] = np.nan
                break
            progress((i + (k + 1) / K) / N)
        if cancelled:
            break
        done += 1
    diverged = diverged_at[:done] > 0
    final = np.where(diverged, np.nan, losses[:done, -1])
    return SweepResult(
        lrs[:done].copy(),
        np.arange(1, K + 1),
        losses[:done],
        final,
        diverged,
        diverged_at[:done],
        initial_loss,
        cancelled,
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
) -> RangeTestResult:
    """One run of ``n_updates`` updates with η = lr_min·(lr_max/lr_min)^(i/(n_updates−1)).

    Uses the settings' optimizer, hyper-parameters and batch size (mini-batches
    drawn with the settings' seed, reshuffled every epoch); the schedule is
    ignored — the test *is* a schedule.  Stops once the (causal, EMA) loss
    exceeds ``stop_factor`` × its best value.
    """
    should_stop = should_stop or _never
    progress = progress or _ignore
    if not (math.isfinite(lr_min) and math.isfinite(lr_max) and 0 < lr_min < lr_max):
        raise ValueError(f"need 0 < lr_min < lr_max, got {lr_min!r} and {lr_max!r}")
    n_updates = int(n_updates)
    if n_updates < 3:
        raise ValueError(f"the range test needs at least 3 updates, got {n_updates}")
    schedule = lr_min * (lr_max / lr_min) ** (np.arange(n_updates) / (n_updates - 1))
    s = _run_settings(settings, lr=float(lr_min))
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
        lrs, raw, _centred_average(raw, w), float(lr_min), float(lr_max), stopped, cancelled
    )


def suggest_lr(lrs, losses, smoothed=None, blowup: float = 1.3) -> tuple[float, tuple[float, float]]:
    """(suggested η, (lo, hi)) from a range test.

    The suggestion is the η where the smoothed loss falls fastest against
    log η (steepest negative slope).  Only the stretch before the blow-up
    counts: up to the lowest loss reached before the smoothed loss first
    rises above ``blowup`` × its best so far (past that point the curve is
    chaos, and a noisy dip there is no recommendation).  The slope is taken
    over a few points (about a twentieth of the curve) so single-update noise
    does not win.  (lo, hi) is the contiguous stretch around the suggestion
    where the slope is at least half as steep — the region worth
    highlighting.  If the loss never falls, the suggestion is a tenth of the
    η at the lowest loss.
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
    best = np.minimum.accumulate(y)
    risen = np.flatnonzero(y > blowup * best)
    end = int(risen[0]) if len(risen) else len(y)
    stop = int(np.argmin(y[:end])) + 1
    if stop < 3:
        lr = float(lrs[stop - 1]) / 10.0
        return lr, (lr, float(lrs[stop - 1]))
    ys = _centred_average(y[:stop], max(3, (len(y) // 20) | 1))
    g = np.gradient(ys, np.log10(lrs[:stop]))
    j = int(np.argmin(g))
    if g[j] >= 0:
        lr = float(lrs[stop - 1]) / 10.0
        return lr, (lr, float(lrs[stop - 1]))
    steep = g <= 0.5 * g[j]
    lo = j
    while lo > 0 and steep[lo - 1]:
        lo -= 1
    hi = j
    while hi < len(g) - 1 and steep[hi + 1]:
        hi += 1
    return float(lrs[j]), (float(lrs[lo]), float(lrs[hi]))


# -------------------------------------------------------------- GD variants
@dataclass
class VariantRun:
    """One variant's run. Arrays have K+1 entries: index 0 is the common start.

    ``loss``: full-training-set loss after each epoch; ``updates``: updates
    so far; ``seconds``: wall time spent in updates so far (loss evaluation
    excluded).  NaN/None past divergence.
    """

    name: str
    batch_size: int
    updates_per_epoch: int
    epochs: np.ndarray
    updates: np.ndarray
    seconds: np.ndarray
    loss: np.ndarray
    diverged: bool = False

    @property
    def time_per_epoch(self) -> float:
        done = np.isfinite(self.loss[1:])
        k = int(done.sum())
        return float(self.seconds[k] / k) if k else math.nan

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])


@dataclass
class VariantsResult:
    runs: list[VariantRun] = field(default_factory=list)
    cancelled: bool = False

    TABLE_HEADER = ("variant", "batch size", "updates/epoch", "ms/epoch", "ms/update", "final loss")

    def table(self) -> list[tuple]:
        """Rows matching ``TABLE_HEADER``: the lecture's trade-off table, measured."""
        rows = []
        for r in self.runs:
            tpe = r.time_per_epoch
            rows.append(
                (
                    r.name,
                    r.batch_size,
                    r.updates_per_epoch,
                    1e3 * tpe,
                    1e3 * tpe / r.updates_per_epoch,
                    r.final_loss,
                )
            )
        return rows


def gd_variants(
    net: Network,
    X,
    T,
    settings: TrainSettings,
    epochs: int,
    batch_size_mini: int = 32,
    should_stop=None,
    progress=None,
) -> VariantsResult:
    """Batch (b = n), stochastic (b = 1) and mini-batch GD from the same start.

    Same optimizer, learning rate and seed from ``settings``; the schedule is
    kept.  ``batch_size_mini`` is clipped to n // 2 (at least 1) so the
    mini-batch variant differs from full-batch on tiny data such as XOR.
    """
    should_stop = should_stop or _never
    progress = progress or _ignore
    K = int(epochs)
    if K < 1:
        raise ValueError(f"epochs must be ≥ 1, got {epochs!r}")
    X = np.asarray(X, dtype=net.dtype)
    T = np.asarray(T, dtype=net.dtype)
    n = len(X)
    b_mini = max(1, min(int(batch_size_mini), n // 2))
    start = net.copy()
    loss0 = float(start.loss(X, T))
    result = VariantsResult()
    for v, (name, b) in enumerate(zip(VARIANTS, (n, 1, b_mini))):
        tr = Trainer(start.copy(), X, T, _run_settings(settings, batch_size=b), task="regression")
        upe = tr.updates_per_epoch
        loss = np.full(K + 1, np.nan)
        secs = np.full(K + 1, np.nan)
        loss[0], secs[0] = loss0, 0.0
        run = VariantRun(name, b, upe, np.arange(K + 1), np.arange(K + 1) * upe, secs, loss)
        result.runs.append(run)
        elapsed = 0.0
        for k in range(1, K + 1):
            t0 = time.perf_counter()
            for _ in tr.updates():
                if should_stop():
                    result.cancelled = True
                    break
            elapsed += time.perf_counter() - t0
            if result.cancelled:
                return result
            if tr.stop_reason == STOP_DIVERGED:
                run.diverged = True
                break
            loss[k] = tr.net.loss(X, T)
            secs[k] = elapsed
            progress((v + k / K) / len(VARIANTS))
    return result
