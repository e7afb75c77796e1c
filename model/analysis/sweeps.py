"""Learning-rate experiments: the sweep (here), the range test (:mod:`.range_test`)
and the gradient-descent variants (:mod:`.gd_variants`), all importable from here.

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
from .range_test import RangeTestResult, lr_range_test, suggest_lr
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
