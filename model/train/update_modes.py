"""The ways one network's training update can run on a multi-core machine.

- :data:`SERIAL`: one thread of ours, BLAS at the count it has (OpenBLAS
  threads each big gemm itself);
- :data:`SPLIT`: two halves at once, BLAS at one thread inside the update
  (:mod:`model.nn.parallel_update`);
- :data:`ONE`: one thread of ours, BLAS at one thread inside the update.

Which is fastest depends on the load (see :mod:`model.train.blas_tuner`), so
the Trainer measures them (:class:`UpdateRunner`), but only where the choice
can matter: two usable cores, a BLAS whose thread count we control and that
has more than one thread (a user who asked for one BLAS thread gets one core),
and an update with a gemm big enough for OpenBLAS to thread at all.

Bits: SPLIT and ONE are the same computation (the same single-threaded
kernel on every output element).  SERIAL differs from them where OpenBLAS's
threaded gemm blocks the inner dimension differently from its one-thread
gemm: measured with scipy-openblas 0.3.31 (AVX-512), a product whose inner
dimension exceeds ~300 (float64) / ~450 (float32) — wide's first layer,
k = 785 — rounds differently in the last bit (weights after one epoch differ
by ≤ 1e-16 in float64, 6e-8 in float32); every other product of the wide and
digits updates is bit-identical at 1 and 2 threads.
"""

from __future__ import annotations

import contextlib

from model.nn import blas_threads as _blas
from model.nn import parallel_update
from model.train.blas_tuner import UpdateTuner

__all__ = ["SERIAL", "SPLIT", "ONE", "candidates", "UpdateRunner", "THREADED_GEMM_MNK"]

SERIAL, SPLIT, ONE = "serial", "split", "one thread"
#: OpenBLAS runs a gemm on one thread below m·n·k = 65,536 × 4 (SMP_THRESHOLD_MIN ×
#: GEMM_MULTITHREAD_THRESHOLD): smaller updates run the same whatever the mode.
THREADED_GEMM_MNK = 262_144


def candidates(sizes: list[int], batch: int) -> tuple[str, ...]:
    """The modes worth measuring for updates of ``batch`` rows, cheapest first;
    one mode when there is nothing to choose."""
    force = parallel_update.FORCE
    if force is not None:  # tests: the split always (where a batch can be halved) or never
        return (SPLIT,) if force and batch >= 2 else (SERIAL,)
    if parallel_update._cores() < 2:
        return (SERIAL,)
    n = _blas.blas_threads()
    if n is None or n < 2:
        return (SERIAL,)
    biggest = max(batch * (a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if biggest <= THREADED_GEMM_MNK:
        return (SERIAL,)
    return (ONE, SPLIT, SERIAL) if parallel_update.split_wanted(sizes, batch) else (ONE, SERIAL)


class UpdateRunner:
    """Runs a Trainer's updates (:meth:`gradients`, then :meth:`step`) in the mode
    its tuner chooses; one per Trainer and batch size (the tuner's measurements
    carry over epochs).  ``tuner`` is
    None when there is one mode only.  :meth:`close` ends an epoch: it joins
    the split's helper thread (started the first time a split update runs)."""

    def __init__(self, sizes: list[int], batch: int, tuner: UpdateTuner | None = None, dtype="float64"):
        self.batch = batch
        self.modes = tuner.candidates if tuner is not None else candidates(sizes, batch)
        if tuner is None and len(self.modes) > 1:  # updates of one kind share their last choice
            tuner = UpdateTuner(self.modes, key=(tuple(sizes), batch, str(dtype)))
        self.tuner = tuner
        self.fixed = None if self.tuner is not None else self.modes[0]
        self.pair: parallel_update.PairWorker | None = None
        self._step_pair = None  # the helper when this update runs split
        self._step_one = False  # the update's step runs at one BLAS thread (not serial)
        #: None, or a callable: True while another thread of ours has a core's work
        #: (the GUI painting a frame).  Such an update runs at one BLAS thread, untimed:
        #: a 2-thread gemm would wait for that core (MNIST-size, GUI open: 2.5 -> 3.7 ms),
        #: and timings taken then made the tuner pick one thread for good (0.6× headless)
        self.crowded = None
        self._aside = False  # this update runs crowded: the tuner does not see it

    @classmethod
    def reuse(cls, runner: "UpdateRunner | None", sizes: list[int], batch: int, dtype) -> "UpdateRunner":
        """``runner`` when it serves updates of ``batch`` rows, else a new one."""
        return runner if runner is not None and runner.batch == batch else cls(sizes, batch, dtype=dtype)

    @property
    def needed(self) -> bool:
        """False when updates simply run serially (nothing to choose or hold)."""
        return self.fixed != SERIAL

    def gradients(self, grad, xb, tb):
        """``grad(xb, tb[, pair=])`` in this update's mode: (loss, gradients).
        The update's :meth:`step` follows (the tuner times both)."""
        tuner = self.tuner
        self._step_pair = None
        self._step_one = True  # a BLAS step at one thread too (sgd, momentum: axpy threads)
        if tuner is not None and self.crowded is not None and self.crowded():
            self._aside = True
            with _blas.limited_blas(1):
                return grad(xb, tb, pair=None)
        mode = self.fixed if tuner is None else tuner.begin()
        if mode == SERIAL:
            self._step_one = False
            return grad(xb, tb)
        pair = None
        if mode == SPLIT:
            pair = self.pair
            if pair is None:
                pair = self.pair = parallel_update.PairWorker()
            self._step_pair = pair
        with _blas.limited_blas(1):  # BLAS at one thread for this update only
            return grad(xb, tb, pair=pair)

    def step(self, opt, params, grads) -> None:
        """The optimizer step of the update begun by :meth:`gradients` (split in
        two halves at once too when the update is)."""
        limit = self._step_one and opt.blas_step  # other steps are ufuncs: nothing to limit
        with _blas.limited_blas(1) if limit else contextlib.nullcontext():
            if self._step_pair is None:
                opt.step(params, grads)
            else:
                opt.step(params, grads, pair=self._step_pair)
        if self._aside:
            self._aside = False
        elif self.tuner is not None:
            self.tuner.end()

    def close(self) -> None:
        if self.pair is not None:
            self.pair.close()
            self.pair = None
