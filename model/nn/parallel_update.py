"""Two-way parallelism inside one network's update, with BLAS at one thread.

On 2 cores OpenBLAS threads each mid-size gemm of an update itself (a
128 × 785 · 785 × 256 product, say) and gets far less than 2× from the
second thread; on a loaded machine its threads wait for each other at every
call (the same update measured 6 ms at one thread, 47 ms at two).  Instead,
when an update is big enough, :func:`model.nn.backprop.gradients` runs two
single-threaded halves at once: the hidden layers' forward chain on the two
halves of the batch rows, then in the backward pass ∂E/∂W of a layer next to
the δ of the layer below, and the first layer's ∂E/∂[W; b] in two row blocks.
Every output element is computed by the same BLAS kernel on the same operands
as in the serial path, so the results are the same bits (tests check this).

NumPy's gemms and ufuncs release the GIL, so a plain Python thread is enough;
a :class:`PairWorker` is one reusable thread and two events (~10–30 µs per
hand-off).  It lives as long as one :meth:`Trainer.updates` epoch generator
and is joined when that ends (also on an exception or ``close()``); the BLAS
thread count is lowered to one only around each update's own work and put
back before the update is yielded, so code running between updates (the GUI
thread, analyses) keeps its usual BLAS threads.
"""

from __future__ import annotations

import contextlib
import threading

from model.nn import blas_threads as _blas

#: Split only updates with at least this many multiply-adds (forward + backward):
#: wide 784-256-128-10 at batch 128 has 60 M, digits 64-128-64-10 at 32 has 1.6 M,
#: where the hand-offs (~6 per update) would cost more than the second core buys.
SPLIT_MIN_MACS = 8_000_000
#: A backward gemm is moved to the helper only from this many multiply-adds
#: (below, the hand-off costs more than the product).
PAIR_MIN_MACS = 1 << 20
#: Tests force the split on (True) or off (False) whatever the size and machine.
FORCE: bool | None = None


def update_macs(sizes: list[int], batch: int) -> int:
    """Multiply-adds of one update: forward, ∂E/∂W and the backpropagated δ
    (none for the inputs)."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    return batch * (3 * sum((a + 1) * b for a, b in pairs) - (pairs[0][0] + 1) * pairs[0][1])


def _cores() -> int:  # a seam for tests
    return _blas.usable_cores()


def split_wanted(sizes: list[int], batch: int) -> bool:
    """Split this update?  Only when it pays (size), two cores are there, and
    BLAS would otherwise use several threads that we can set back to one (a
    user who asked for one BLAS thread gets one core)."""
    if FORCE is not None:
        return FORCE and batch >= 2
    if batch < 2 or update_macs(sizes, batch) < SPLIT_MIN_MACS or _cores() < 2:
        return False
    n = _blas.blas_threads()
    return n is not None and n >= 2


def pair_for(sizes: list[int], batch: int) -> "PairWorker | None":
    """A started helper for updates of this size, or None for the serial path."""
    return PairWorker() if split_wanted(sizes, batch) else None


class PairWorker:
    """One helper thread that runs one job at a time: ``submit(fn, *args)``,
    do the other half, ``wait()`` (re-raises the job's exception).  ``limited()``
    holds BLAS at one thread for the duration of one update; ``close()`` joins."""

    def __init__(self) -> None:
        self._go = threading.Event()
        self._done = threading.Event()
        self._job = None
        self._error: BaseException | None = None
        self._busy = False
        self._thread = threading.Thread(target=self._serve, name="mlp-train-helper", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            self._go.wait()
            self._go.clear()
            job = self._job
            if job is None:
                self._done.set()
                return
            try:
                job[0](*job[1], **job[2])
            except BaseException as e:  # handed to the submitting thread in wait()
                self._error = e
            self._done.set()

    def submit(self, fn, *args, **kwargs) -> None:
        self._job, self._busy = (fn, args, kwargs), True
        self._go.set()

    def wait(self) -> None:
        self._done.wait()
        self._done.clear()
        self._busy = False
        err, self._error = self._error, None
        if err is not None:
            raise err

    def limited(self):
        """BLAS at one thread (the previous count restored on exit)."""
        return _blas.limited_blas(1)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def close(self) -> None:
        """Finish a pending job, stop the thread and join it (idempotent)."""
        if not self._thread.is_alive():
            return
        if self._busy:
            with contextlib.suppress(BaseException):
                self.wait()
        self._job = None
        self._go.set()
        self._thread.join()
