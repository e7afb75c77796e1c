"""How many BLAS threads a training loop should use, measured while it trains.

On a small machine a multi-threaded gemm is only fast while every one of its
threads has a core: OpenBLAS splits each product into equal parts and waits
for the slowest, so one other busy thread (the GUI's painting, another
process) stalls the whole update. Measured on a 2-core machine at load ~2
(784-256-128-10, batch 128, float64): 18-44 ms per update with 2 threads,
4.8 ms with 1; with the machine to itself 2 threads win. Neither setting is
right everywhere, so :class:`BlasThreadTuner` measures: the candidate counts
take turns, one update each, until each has ``probe_updates`` (taking turns,
a burst of load hits them alike; the first round after a start skips one
warm-up update), keeps the fewest threads whose median time per update is
within ``MARGIN`` of the fastest, and measures again every ``reprobe_seconds``
(a quarter of it when on more than one thread: the load changes). The cost is
bounded: the candidates that lose run ``probe_updates`` updates per round.

The setting is process-wide (BLAS libraries keep one thread pool), so one
tuner should drive it at a time: the training worker's. It is set through
model.nn.blas_threads (whose ``limited_blas`` blocks, e.g. a split stacked
run's, restore the count they found when they end; the next probe round
sets the tuner's again).
"""

from __future__ import annotations

import time

from model.nn import blas_threads

__all__ = ["BlasThreadTuner", "blas_setter", "candidate_counts", "MARGIN"]

MARGIN = 1.15  # a count with more threads must be this much faster per update to be chosen


def candidate_counts(cores: int | None = None) -> tuple[int, ...]:
    """1, all cores but one, all cores (distinct, ascending)."""
    n = max(1, cores or blas_threads.usable_cores())
    return tuple(sorted({1, max(1, n - 1), n}))


def blas_setter():
    """(set(n), the count now) for NumPy's BLAS (model.nn.blas_threads), or
    (None, None) when its thread count can't be controlled."""
    original = blas_threads.blas_threads()
    if original is None:
        return None, None
    return blas_threads.set_blas_threads, original


class BlasThreadTuner:
    """Call :meth:`update_done` after every training update; see the module docstring.

    ``setter(n)`` applies a thread count (None: the tuner only measures);
    ``threads`` is the count in force, ``best`` the chosen one, ``probes``
    how many probe rounds have finished (tests read them).
    """

    def __init__(
        self,
        setter=None,
        candidates=None,
        original: int | None = None,
        *,
        probe_updates: int = 8,
        reprobe_seconds: float = 20.0,
        clock=time.perf_counter,
    ):
        self.setter = setter
        self.candidates = tuple(candidates or candidate_counts())
        self.original = original if original is not None else self.candidates[-1]
        self.probe_updates = probe_updates
        self.reprobe_seconds = reprobe_seconds
        self.clock = clock
        self.best = self.original if self.original in self.candidates else self.candidates[-1]
        self.threads = None
        self.probes = 0
        self._times: dict[int, list[float]] = {}
        self._queue: list[int] = []  # candidates still to measure in this round
        self._skip = 0  # warm-up updates left before timing counts
        self._last = None
        self._next_round = None
        self.medians: dict[int, float] = {}

    _owner = None  # the tuner that set the count last: only it restores it

    def _apply(self, n: int) -> None:
        if n != self.threads or BlasThreadTuner._owner is not self:
            self.threads = n
            BlasThreadTuner._owner = self
            if self.setter is not None:
                self.setter(n)

    def start(self) -> None:
        """Training (re)starts: time from now; a probe round begins."""
        self._last = self.clock()
        if len(self.candidates) < 2:
            self._apply(self.candidates[0])
            return
        if self._next_round is None or self._last >= self._next_round:
            self._begin_round()
        else:
            self._apply(self.best if not self._queue else self._queue[0])

    def _begin_round(self) -> None:
        self._times = {n: [] for n in self.candidates}
        self._queue = list(self.candidates) * self.probe_updates  # turns, one update each
        self._skip = 1
        self._apply(self._queue[0])

    def update_done(self) -> None:
        now = self.clock()
        if self._last is None:
            self._last = now
            return
        dt, self._last = now - self._last, now
        if not self._queue:
            if self._next_round is not None and now >= self._next_round:
                self._begin_round()
            return
        if self._skip:  # the first update after a switch warms the new pool up
            self._skip -= 1
            return
        self._times[self._queue.pop(0)].append(dt)
        if self._queue:
            self._apply(self._queue[0])
            return
        self.medians = {k: sorted(v)[len(v) // 2] for k, v in self._times.items() if v}
        fastest = min(self.medians.values())
        # fewer threads unless more are clearly faster: more threads gain ≤ ~1.3× on a
        # quiet machine but lose 4-9× once another thread wants a core ...
        self.best = min(k for k, m in self.medians.items() if m <= fastest * MARGIN)
        self.probes += 1
        self._apply(self.best)
        # ... so with more than one thread the load is checked again sooner
        wait = self.reprobe_seconds if self.best == self.candidates[0] else self.reprobe_seconds / 4
        self._next_round = self.clock() + wait

    def restore(self) -> None:
        """Put the BLAS libraries back to their original count."""
        if BlasThreadTuner._owner is self:
            BlasThreadTuner._owner = None
            if self.threads is not None and self.threads != self.original and self.setter is not None:
                self.setter(self.original)
        self.threads = None
