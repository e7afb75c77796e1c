"""One half of a split stack, trained by a worker process, read as a
:class:`~model.train.batched.BatchedTrainer` half.

:class:`RemoteStack` sends the worker its runs (specs, settings, rates,
data and start weights) once; each :meth:`RemoteStack.train` sends the
epochs and reads progress and then the result: per-epoch losses, divergence
and every run's weights, so ``network(k)`` needs no round trip.  For the
split, :meth:`begin`, :meth:`poll` and :meth:`wait` let the caller train
its own half meanwhile.

A worker that dies (killed, out of memory) costs no result: the half is
trained again in this process from its start, the earlier ``train`` calls
replayed (they ran to their end, so the replay is exact), and the stack
carries on in-process.  After a call that was stopped mid-epoch a replay
could not be exact, so that case raises :class:`WorkerLost`.  An exception
in the worker's training code is raised here as :class:`WorkerError`.
"""

from __future__ import annotations

import logging
import weakref

import numpy as np

from model.train import stack_wire as wire
from model.train.batched import BatchedTrainer, network_from_flat
from model.train.stack_pool import POOL, Worker
from model.train.trainer import STOP_USER

_log = logging.getLogger(__name__)

#: Seconds a worker has to answer a stop (it looks every few ms) before it is
#: killed and its half counted lost.
STOP_TIMEOUT_S = 30.0


class WorkerError(RuntimeError):
    """The worker's training raised; the message carries its traceback."""


class WorkerLost(RuntimeError):
    """The worker died where its half could not be rebuilt exactly."""


class _Lease:
    """The worker and whether it is between calls; ended once (close or collection)."""

    def __init__(self, worker: Worker):
        self.worker, self.clean, self.done = worker, True, False

    def end(self) -> None:
        if not self.done:
            self.done = True
            POOL.release(self.worker, self.clean)


class RemoteStack:
    """K runs as :class:`BatchedTrainer` would train them, in ``worker``."""

    def __init__(self, worker: Worker, net, X, T, settings, lrs, nets=None):
        self.K = len(np.asarray(lrs).reshape(-1))
        self._specs = [net.spec] * self.K if nets is None else [m.spec for m in nets]
        starts = [net] if nets is None else list(nets)
        self._args = (net, X, T, settings, lrs, nets)  # to train here if the worker dies
        self._lease = _Lease(worker)
        self._finalizer = weakref.finalize(self, self._lease.end)
        self._calls: list[tuple[int, str]] = []  # (epochs, reason) of each finished train()
        self._local: BatchedTrainer | None = None
        self._pending: int | None = None  # epochs of the call under way
        self._built = self._stopping = False
        self._should_stop = None
        self.epoch = self.run_samples = 0
        self.active = np.arange(self.K)
        self.diverged_at = np.zeros(self.K, dtype=np.int64)
        self.reasons = [""] * self.K
        self.epoch_loss = np.full((self.K, 0), np.nan)
        self._flats = np.stack([m._flat for m in starts])
        self.stop_reason: str | None = None
        self.worker_seconds = 0.0  # the worker's training time in the last call (0: none, or it fell back)
        header = wire.stack_header([m.spec for m in starts], settings, lrs)
        self._send(wire.NEW, header, [np.asarray(X), np.asarray(T), self._flats])
        if nets is None:
            self._flats = np.repeat(self._flats, self.K, axis=0)

    # ------------------------------------------------------------------ api
    @property
    def pid(self) -> int:
        return self._lease.worker.pid

    @property
    def fell_back(self) -> bool:
        """Did the worker die, leaving this half to train in this process?"""
        return self._local is not None

    def network(self, k: int):
        if self._local is not None:
            return self._local.network(k)
        return network_from_flat(self._specs[k], self._flats[k])

    def train(self, epochs: int, should_stop=None, on_epoch=None) -> str:
        """As :meth:`BatchedTrainer.train`; ``should_stop`` is asked every few ms."""
        self.begin(epochs, should_stop)
        seen = self.epoch
        while not self.poll(0.005):
            if not self._stopping and should_stop is not None and should_stop():
                self.request_stop()
            if on_epoch is not None and self.epoch > seen and len(self.active):
                seen = self.epoch
                on_epoch(seen)
        if on_epoch is not None and self.epoch > seen and len(self.active):
            on_epoch(self.epoch)
        return self.stop_reason

    def begin(self, epochs: int, should_stop=None) -> None:
        """Start ``epochs`` more epochs in the worker and return at once.
        ``should_stop`` is only for a half that fell back to this process."""
        if self._pending is not None:
            raise RuntimeError("a training is already under way")
        self._pending, self._stopping, self._should_stop = int(epochs), False, should_stop
        self.stop_reason, self.worker_seconds = None, 0.0
        if self._local is None:
            self._lease.clean = False
            self._send(wire.TRAIN, {"epochs": int(epochs)})

    def poll(self, timeout: float = 0.0) -> bool:
        """Read what the worker sent (waiting up to ``timeout`` s for the first
        frame); True once the call under way has ended (or none is)."""
        while self._pending is not None:
            if self._local is not None:
                self._train_here()
                break
            try:
                frame = self._lease.worker.receive(timeout)
            except wire.WireError:
                self._lost()
                continue
            if frame is None:
                break
            timeout = 0.0
            self._handle(*frame)
        return self._pending is None

    def request_stop(self) -> None:
        """Ask the worker to stop the training under way (it looks every few ms)."""
        if self._pending is not None and not self._stopping:
            self._stopping = True
            if self._local is None:
                self._send(wire.STOP)

    def wait(self) -> str:
        """Until the call under way has ended: its stop reason.  After a stop
        request, a worker silent for :data:`STOP_TIMEOUT_S` is killed."""
        while not self.poll(STOP_TIMEOUT_S if self._stopping else 1.0):
            if self._stopping:
                self._lease.worker.proc.kill()  # the next read finds it gone
        return self.stop_reason

    def abandon(self) -> None:
        """The caller failed mid-call: stop the worker and wait for it (bounded)."""
        if self._pending is not None:
            self.request_stop()
            try:
                self.wait()
            except (WorkerLost, WorkerError):
                pass

    def close(self) -> None:
        """Give the worker back to the pool (also done when this is collected)."""
        if self._local is None and self._pending is not None:
            self.abandon()
        self._finalizer()

    # -------------------------------------------------------------- internal
    def _send(self, kind, header=None, arrays=()) -> None:
        if self._local is not None:
            return
        try:
            self._lease.worker.send(kind, header, arrays)
        except wire.WireError:
            self._lost()

    def _handle(self, kind: bytes, h: dict, arrays) -> None:
        if kind == wire.BUILT:
            self._built = True
        elif kind == wire.EPOCH:
            self.epoch, self.active = int(h["epoch"]), np.array(h["active"], dtype=np.intp)
        elif kind == wire.RESULT:
            self.epoch, self.run_samples = int(h["epoch"]), int(h["run_samples"])
            self.active = np.array(h["active"], dtype=np.intp)
            self.diverged_at = np.array(h["diverged_at"], dtype=np.int64)
            self.reasons = list(h["reasons"])
            self.epoch_loss, self._flats = arrays
            self.worker_seconds = float(h["seconds"])
            self._finish(h["reason"])
        elif kind == wire.ERROR:
            self._pending, self._lease.clean = None, True
            raise WorkerError(f"the stack worker failed: {h['type']}: {h['message']}\n{h['traceback']}")
        else:
            raise WorkerError(f"unexpected message {kind!r} from the stack worker")

    def _finish(self, reason: str) -> None:
        self._calls.append((self._pending, reason))
        self._pending, self.stop_reason, self._lease.clean = None, reason, True

    def _lost(self) -> None:
        """The worker is gone: train this half here from its start, replaying
        the calls that finished, or raise where that replay would differ."""
        if self._local is not None:
            return
        pid = self._lease.worker.pid
        self._lease.clean = False
        self._finalizer()  # the pool ends the dead worker
        if any(reason == STOP_USER for _, reason in self._calls):
            self._pending = None  # nothing is under way any more: a close() need not wait
            raise WorkerLost(
                f"the stack worker (pid {pid}) died after a stopped training; its runs cannot be "
                "rebuilt exactly: train them again"
            )
        _log.warning("the stack worker (pid %s) died: its %s runs train in this process", pid, self.K)
        net, X, T, settings, lrs, nets = self._args
        self._local = BatchedTrainer(net, X, T, settings, lrs, nets=nets)
        for epochs, _ in self._calls:
            self._local.train(epochs)

    def _train_here(self) -> None:
        bt, stop = self._local, self._should_stop
        reason = bt.train(self._pending, (lambda: True) if self._stopping else stop)
        self.epoch, self.run_samples, self.active = bt.epoch, bt.run_samples, bt.active
        self.diverged_at, self.reasons, self.epoch_loss = bt.diverged_at, bt.reasons, bt.epoch_loss
        self._finish(reason)
