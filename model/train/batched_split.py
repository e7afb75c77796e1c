"""Both cores for one stack of runs: its runs split in two independent halves.

A stack of K runs (:class:`~model.train.batched.BatchedTrainer`) is one
thread's work: its matmuls already run at one core's gemm peak, and
OpenBLAS barely threads the many small per-run products.  The runs are
independent, so :class:`SplitTrainer` trains the first half of the rates as
one stack in the calling thread and the second half as another stack in a
worker thread started (and joined) by each :meth:`SplitTrainer.train`
call.  NumPy's matmuls and element-wise calls on arrays of more than a few
hundred elements release the GIL, so the two halves overlap; OpenBLAS is
held at one thread meanwhile (:func:`~model.nn.blas_threads.limited_blas`,
restored after), else each half's gemm would try to use both cores too.

Each half has its own optimizer state, divergence masks and shuffle
generator (seeded alike, so both draw the batches the sequential runs
draw): results are exactly the unsplit stack's, per run.  Only worth it
with enough arithmetic per update (:func:`pays`); :func:`make_stack` picks.
"""

from __future__ import annotations

import threading

import numpy as np

from model.nn.blas_threads import limited_blas, usable_cores
from model.nn.network import Network
from model.train.batched import BatchedTrainer, flops_per_sample
from model.train.trainer import STOP_DIVERGED, STOP_EPOCHS, STOP_USER, TrainSettings

#: Tests set True to split every stack of ≥ 2 runs, False to never split;
#: None decides by the work per update (:func:`pays`).
FORCE_SPLIT: bool | None = None

#: Least matmul FLOPs per update of one half for the split to pay.  Digits
#: (64-128-64-10, batch 32, 8 runs a half: 22 MFLOP) costs the same CPU time
#: split as unsplit, so with a free core it nearly halves; circles' full
#: batches (2-8-8-1, 200 samples: 0.9 MFLOP) are ~40 NumPy calls of a few µs,
#: and the two threads handing the GIL to each other cost ~50 % more CPU time
#: than the overlap saves (measured on the shared 2-core machine).  Wall time
#: says the same (default threads, 16 rates, 9 interleaved rounds): circles
#: split 4.48× one run against 3.41× unsplit at load 1.2, 3.56× against 2.81×
#: at load 2.0; even only the hidden forward chain on two run halves (one
#: ~26 µs hand-off per update) took 154-158 µs against 121-123 µs serial.
MIN_HALF_FLOPS = 4_000_000

_THREAD_NAME = "mlp-studio-stack-half"


def cores() -> int:
    """CPUs this process may run on (a seam for tests)."""
    return usable_cores()


def pays(net: Network, n: int, batch_size: int | None, runs: int) -> bool:
    """Does splitting ``runs`` stacked runs of ``net`` (batches of
    ``batch_size`` of ``n`` samples) over two threads pay?"""
    if FORCE_SPLIT is not None:
        return FORCE_SPLIT and runs >= 2
    if runs < 2 or cores() < 2:
        return False
    m = n if batch_size is None else min(batch_size, n)
    return (runs // 2) * m * flops_per_sample(net.layer_sizes) >= MIN_HALF_FLOPS


def make_stack(net: Network, X, T, settings: TrainSettings, lrs):
    """A :class:`SplitTrainer` where the split pays, else one :class:`BatchedTrainer`."""
    n_runs = np.size(lrs)
    bs = settings.batch_size
    if pays(net, len(X), bs, n_runs):
        return SplitTrainer(net, X, T, settings, lrs)
    return BatchedTrainer(net, X, T, settings, lrs)


class SplitTrainer:
    """K ≥ 2 runs as two stacks trained side by side; the results read as one
    :class:`BatchedTrainer`'s (``epoch_loss``, ``diverged_at``, ``reasons``,
    ``active``, :meth:`network`, ``run_samples``)."""

    def __init__(self, net: Network, X, T, settings: TrainSettings, lrs, nets=None):
        lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
        if len(lrs) < 2:
            raise ValueError("splitting needs at least 2 runs")
        h = (len(lrs) + 1) // 2
        parts = [(slice(0, h), 0), (slice(h, None), h)]
        self.halves = [
            BatchedTrainer(net, X, T, settings, lrs[sl], nets=None if nets is None else list(nets)[sl])
            for sl, _ in parts
        ]
        self._offsets = [off for _, off in parts]
        self.K = len(lrs)
        self.stop_reason: str | None = None

    # ------------------------------------------------------------------ api
    @property
    def epoch(self) -> int:
        return max(h.epoch for h in self.halves)

    @property
    def run_samples(self) -> int:
        return sum(h.run_samples for h in self.halves)

    @property
    def active(self) -> np.ndarray:
        return np.concatenate([h.active + off for h, off in zip(self.halves, self._offsets)])

    @property
    def diverged_at(self) -> np.ndarray:
        return np.concatenate([h.diverged_at for h in self.halves])

    @property
    def reasons(self) -> list[str]:
        return [r for h in self.halves for r in h.reasons]

    @property
    def epoch_loss(self) -> np.ndarray:
        """(K, epochs): a half whose runs all diverged earlier is NaN after."""
        out = np.full((self.K, self.epoch), np.nan)
        for h, off in zip(self.halves, self._offsets):
            loss = h.epoch_loss
            out[off : off + h.K, : loss.shape[1]] = loss
        return out

    def network(self, k: int) -> Network:
        i = 0 if k < self._offsets[1] else 1
        return self.halves[i].network(k - self._offsets[i])

    def train(self, epochs: int, should_stop=None, on_epoch=None) -> str:
        """``epochs`` more epochs of both halves (the second in a worker thread
        joined before returning), or until every run diverged or
        ``should_stop()``; ``on_epoch(epoch)`` is called in this thread as
        the slower live half completes an epoch.  An exception in either half
        stops the other and is raised here."""
        first, second = self.halves
        halt = threading.Event()  # set: both halves stop at their next update

        def stop() -> bool:
            if halt.is_set():
                return True
            if should_stop is not None and should_stop():
                halt.set()
                return True
            return False

        reasons = [STOP_EPOCHS, STOP_EPOCHS]
        errors: list[BaseException] = []

        def work() -> None:
            try:
                reasons[1] = second.train(epochs, stop)
            except BaseException as e:  # re-raised in the caller
                errors.append(e)
                halt.set()

        reported = [self._done()]

        def report() -> None:
            done = self._done()
            if on_epoch is not None and done > reported[0]:
                reported[0] = done
                on_epoch(done)

        worker = threading.Thread(target=work, name=_THREAD_NAME, daemon=True)
        with limited_blas(1):
            worker.start()
            try:
                end = first.epoch + int(epochs)
                while first.epoch < end and not halt.is_set():
                    reasons[0] = first.train(1, stop)
                    if reasons[0] != STOP_EPOCHS:
                        break
                    report()
                while worker.is_alive():
                    worker.join(0.05)
                    report()
            except BaseException:
                halt.set()  # the worker stops at its next update
                raise
            finally:
                worker.join()
        if errors:
            raise errors[0]
        report()
        if STOP_USER in reasons or halt.is_set():
            self.stop_reason = STOP_USER
        elif all(r == STOP_DIVERGED for r in reasons):
            self.stop_reason = STOP_DIVERGED
        else:
            self.stop_reason = STOP_EPOCHS
        return self.stop_reason

    def _done(self) -> int:
        """Epochs completed by the slower half that still trains."""
        live = [h.epoch for h in self.halves if len(h.active)]
        return min(live) if live else self.epoch
