"""Both cores for one stack of runs: its runs split in two independent halves.

A stack of K runs (:class:`~model.train.batched.BatchedTrainer`) is one
thread's work: its matmuls already run at one core's gemm peak, and
OpenBLAS barely threads the many small per-run products.  The runs are
independent, so :class:`SplitTrainer` trains the first half of the rates as
one stack in the calling thread and the second half as another stack
either in a worker *process* (:mod:`model.train.remote_stack`, leased from
:mod:`model.train.stack_pool`: its own interpreter, so nothing waits for
the GIL, which made the thread split lose on small layers) or in a worker
thread started (and joined) by each :meth:`SplitTrainer.train` call (NumPy's
matmuls and element-wise calls on arrays of more than a few hundred
elements release the GIL, so big layers overlap).  OpenBLAS is held at one
thread meanwhile (:func:`~model.nn.blas_threads.limited_blas`, restored
after; the worker starts at one), else each half's gemm would try to use
both cores too.

Each half has its own optimizer state, divergence masks and shuffle
generator (seeded alike, so both draw the batches the sequential runs
draw): results are exactly the unsplit stack's, per run.
:func:`make_stack` picks the split by the work it saves (:func:`split_mode`).
"""

from __future__ import annotations

import threading
import time

import numpy as np

from model.nn.blas_threads import limited_blas, usable_cores
from model.nn.network import Network
from model.train import split_pace, stack_pool
from model.train.batched import BatchedTrainer, flops_per_sample
from model.train.machine_load import others_running
from model.train.remote_stack import RemoteStack
from model.train.trainer import STOP_DIVERGED, STOP_EPOCHS, STOP_USER, TrainSettings

#: Tests force a mode: PROCESS or THREAD (True = THREAD) splits every stack of
#: ≥ 2 runs that way, False never splits; None decides (:func:`split_mode`).
FORCE_SPLIT: bool | str | None = None

PROCESS, THREAD, ONE = "process", "thread", "one"

#: Least matmul FLOPs per update of one half for the thread split to pay.  Digits
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

#: The process split shares no GIL, so it pays on small layers too, once what
#: halving the stack saves per train() call covers the call's fixed cost (the
#: data, start and end weights, progress).  The saving is the half's per-run
#: work: its element-wise passes (ELEMENT_S per element of the layers' outputs)
#: and its matmuls (at FLOPS_RATE, small products well below the gemm peak).
#: Fitted on the Zen 5 2-core machine (SkylakeX kernels, default threads, quiet,
#: 16 rates, best of 9, one stack against the process split): the fixed cost
#: ~1.2 ms; circles 2-8-8-1 full batch saves ~57 µs an update (E=10: 2.0 against
#: 2.2 ms, 20: 3.9 / 3.4, 40: 7.4 / 5.7, 200: 35.6 / 24.2), digits 64-128-64-10
#: batch 32 ~300 µs (1 epoch: 53.9 / 36.6 ms), circles batch 10 ~2-4 µs (20 epochs:
#: 18.0 / 17.3, 40: 35.7 / 32.4).  The earlier constants (3.3 ns, 35 GFLOP/s, 5 ms,
#: from the previous machine) estimated twice the saving and kept one stack below
#: ~45 circles epochs, where the split saved up to 20 %.  XOR (4 samples) never
#: splits.  At load 1.1-1.9 from other programs the check below keeps one stack.
ELEMENT_S = 1.5e-9
FLOPS_RATE = 80e9
MIN_PROCESS_GAIN_S = 0.0015

_THREAD_NAME = "mlp-studio-stack-half"

#: Least seconds between two looks at the other half (its messages, progress)
#: while this thread trains its own.
LOOK_S = 0.002


def cores() -> int:
    """CPUs this process may run on (a seam for tests)."""
    return usable_cores()


def pays(net: Network, n: int, batch_size: int | None, runs: int) -> bool:
    """Does splitting ``runs`` stacked runs of ``net`` (batches of
    ``batch_size`` of ``n`` samples) over two threads pay?"""
    if FORCE_SPLIT is not None:
        return bool(FORCE_SPLIT) and runs >= 2
    if runs < 2 or cores() < 2:
        return False
    m = n if batch_size is None else min(batch_size, n)
    return (runs // 2) * m * flops_per_sample(net.layer_sizes) >= MIN_HALF_FLOPS


def process_gain(net: Network, n: int, batch_size: int | None, runs: int, epochs: int) -> float:
    """Estimated seconds the process split saves over ``epochs`` epochs of one stack."""
    m = n if batch_size is None else min(batch_size, n)
    updates = epochs * -(-n // m)
    rows = (runs // 2) * m  # the runs' batch rows the other core takes
    per_update = (
        rows * sum(net.layer_sizes[1:]) * ELEMENT_S + rows * flops_per_sample(net.layer_sizes) / FLOPS_RATE
    )
    return updates * per_update


def split_mode(net: Network, n: int, batch_size: int | None, runs: int, epochs: int | None = None) -> str:
    """PROCESS, THREAD or ONE for ``runs`` stacked runs of ``epochs`` epochs
    (None: unknown, then the process split is taken where the threads' is)."""
    if FORCE_SPLIT is not None:
        if not FORCE_SPLIT or runs < 2:
            return ONE
        return PROCESS if FORCE_SPLIT == PROCESS else THREAD
    if runs < 2 or cores() < 2:
        return ONE
    if epochs is None:
        mode = PROCESS if pays(net, n, batch_size, runs) else ONE
    elif process_gain(net, n, batch_size, runs, epochs) >= MIN_PROCESS_GAIN_S:
        mode = PROCESS
    else:
        mode = THREAD if pays(net, n, batch_size, runs) else ONE
    # a split waits for its slower half: with the second core taken by another
    # program (another helper's tests here: load 1.4-1.7) the process split
    # measured circles 4.6× one run against 2.5× unsplit, digits 12.7× against 10×.
    # Looked at last: the look takes ~1.1 ms, 6 % of a circles batch-10 sweep
    if mode != ONE and cores() - others_running() < 2:
        return ONE
    return mode


def make_stack(net: Network, X, T, settings: TrainSettings, lrs, epochs: int | None = None):
    """The stack for ``lrs`` (``epochs`` per train() call, if known): a
    :class:`SplitTrainer` over a worker process or two threads where that
    pays (the thread split, or one stack, when the worker is leased already),
    else one :class:`BatchedTrainer`."""
    n_runs = np.size(lrs)
    mode = split_mode(net, len(X), settings.batch_size, n_runs, epochs)
    if mode == PROCESS:
        worker = stack_pool.POOL.lease()
        if worker is not None:
            return SplitTrainer(net, X, T, settings, lrs, worker=worker)
        mode = THREAD if FORCE_SPLIT or pays(net, len(X), settings.batch_size, n_runs) else ONE
    if mode == THREAD:
        return SplitTrainer(net, X, T, settings, lrs)
    return BatchedTrainer(net, X, T, settings, lrs)


def close_stack(stack) -> None:
    """Give back a stack's worker process, if it has one (any stack from :func:`make_stack`)."""
    if isinstance(stack, SplitTrainer):
        stack.close()


class SplitTrainer:
    """K ≥ 2 runs as two stacks trained side by side (the runs of each:
    ``index``, spread over the rates; a worker process gets the share its
    observed pace calls for, :mod:`model.train.split_pace`, a thread half
    every other run); the results read as one :class:`BatchedTrainer`'s
    (``epoch_loss``, ``diverged_at``, ``reasons``, ``active``, :meth:`network`,
    ``run_samples``)."""

    def __init__(self, net: Network, X, T, settings: TrainSettings, lrs, nets=None, worker=None):
        lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
        K = len(lrs)
        if K < 2:
            raise ValueError("splitting needs at least 2 runs")
        self.index = list(split_pace.share(K, split_pace.worker_runs(K) if worker is not None else K // 2))
        self._where = {int(k): (h, i) for h, idx in enumerate(self.index) for i, k in enumerate(idx)}

        def runs(i):
            return None if nets is None else [nets[k] for k in self.index[i]]

        # the worker's half first: it builds its stack while this thread builds the other
        second = None
        if worker is not None:
            second = RemoteStack(worker, net, X, T, settings, lrs[self.index[1]], nets=runs(1))
        first = BatchedTrainer(net, X, T, settings, lrs[self.index[0]], nets=runs(0))
        if second is None:
            second = BatchedTrainer(net, X, T, settings, lrs[self.index[1]], nets=runs(1))
        self.halves = [first, second]
        self.remote = worker is not None
        self.K = K
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
        return np.sort(np.concatenate([idx[h.active] for h, idx in zip(self.halves, self.index)]))

    @property
    def diverged_at(self) -> np.ndarray:
        out = np.zeros(self.K, dtype=np.int64)
        for h, idx in zip(self.halves, self.index):
            out[idx] = h.diverged_at
        return out

    @property
    def reasons(self) -> list[str]:
        out = [""] * self.K
        for h, idx in zip(self.halves, self.index):
            for k, r in zip(idx, h.reasons):
                out[k] = r
        return out

    @property
    def epoch_loss(self) -> np.ndarray:
        """(K, epochs): a half whose runs all diverged earlier is NaN after."""
        out = np.full((self.K, self.epoch), np.nan)
        for h, idx in zip(self.halves, self.index):
            loss = h.epoch_loss
            out[idx, : loss.shape[1]] = loss
        return out

    def network(self, k: int) -> Network:
        h, i = self._where[k]
        return self.halves[h].network(i)

    def train(self, epochs: int, should_stop=None, on_epoch=None) -> str:
        """``epochs`` more epochs of both halves (the second in the worker process
        or a worker thread joined before returning), or until every run
        diverged or ``should_stop()``; ``on_epoch(epoch)`` is called in this
        thread as the slower live half completes an epoch.  An exception in
        either half stops the other and is raised here."""
        halt = threading.Event()  # set: both halves stop at their next update

        def stop() -> bool:
            if halt.is_set():
                return True
            if should_stop is not None and should_stop():
                halt.set()
                return True
            return False

        reported = [self._done()]

        def report() -> None:
            done = self._done()
            if on_epoch is not None and done > reported[0]:
                reported[0] = done
                on_epoch(done)

        with limited_blas(1):
            if self.remote:
                reasons = self._train_remote(int(epochs), stop, halt, report)
            else:
                reasons = self._train_threads(int(epochs), stop, halt, report)
        report()
        if STOP_USER in reasons or halt.is_set():
            self.stop_reason = STOP_USER
        elif all(r == STOP_DIVERGED for r in reasons):
            self.stop_reason = STOP_DIVERGED
        else:
            self.stop_reason = STOP_EPOCHS
        return self.stop_reason

    def close(self) -> None:
        """Give the worker process back (also done when this is collected)."""
        if self.remote:
            self.halves[1].close()

    def _train_first(self, epochs: int, stop, halt, report, between) -> str:
        """The first half in this thread; ``between()`` and ``report()`` at epoch
        ends at most every :data:`LOOK_S` (per epoch they cost ~8 µs, 6 % of a
        circles half-stack's 133 µs epoch)."""
        if halt.is_set():
            return STOP_EPOCHS
        due = [time.perf_counter() + LOOK_S]

        def look(_epoch: int) -> None:
            now = time.perf_counter()
            if now >= due[0]:
                due[0] = now + LOOK_S
                between()
                report()

        reason = self.halves[0].train(epochs, stop, look)
        between()
        return reason

    def _train_remote(self, epochs: int, stop, halt, report) -> list[str]:
        first, second = self.halves
        before = (first.epoch, first.run_samples, second.epoch, second.run_samples)
        second.begin(epochs, stop)
        try:
            t0 = time.perf_counter()
            reason = self._train_first(epochs, stop, halt, report, second.poll)
            main_s = time.perf_counter() - t0
            if halt.is_set():
                second.request_stop()
            while not second.poll(0.01):
                if stop():
                    second.request_stop()
                report()
        except BaseException:
            halt.set()
            second.abandon()
            raise
        if not halt.is_set() and STOP_USER not in (reason, second.stop_reason):
            self._observe_pace(main_s, before)
        return [reason, second.stop_reason]

    def _observe_pace(self, main_s: float, before) -> None:
        """Tell :mod:`split_pace` how the halves of the call that just ended fared."""
        first, second = self.halves
        rows = first.batch_size
        per_epoch = -(-len(first.X) // rows)

        def work(h, epoch0, samples0):
            return split_pace.work((h.epoch - epoch0) * per_epoch, h.run_samples - samples0, rows)

        split_pace.observe(main_s, work(first, *before[:2]), second.worker_seconds, work(second, *before[2:]))

    def _train_threads(self, epochs: int, stop, halt, report) -> list[str]:
        second = self.halves[1]
        reasons = [STOP_EPOCHS, STOP_EPOCHS]
        errors: list[BaseException] = []

        def work() -> None:
            try:
                reasons[1] = second.train(epochs, stop)
            except BaseException as e:  # re-raised in the caller
                errors.append(e)
                halt.set()

        worker = threading.Thread(target=work, name=_THREAD_NAME, daemon=True)
        worker.start()
        try:
            reasons[0] = self._train_first(epochs, stop, halt, report, lambda: None)
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
        return reasons

    def _done(self) -> int:
        """Epochs completed by the slower half that still trains."""
        live = [h.epoch for h in self.halves if len(h.active)]
        return min(live) if live else self.epoch
