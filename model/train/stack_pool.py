"""Worker processes for split stacks: one per spare core, started once, leased.

The second half of a split stack trains in a process of its own
(:mod:`model.train.stack_worker`): its own interpreter, so no GIL is shared
with the first half, which the threads split paid for on small layers.  A
worker costs an interpreter start and NumPy's import (~0.15–0.3 s on the
2-core machine), so the pool starts it on the first lease (or on
:func:`prewarm`) and keeps it: one lease at a time per worker, returned
when the stack is closed or collected (``weakref.finalize`` in
:mod:`model.train.remote_stack`); every worker is ended at interpreter exit,
and ends itself when its stdin reaches EOF (the parent died).
"""

from __future__ import annotations

import atexit
import os
import select
import subprocess
import sys
import threading
import time

from model.nn.blas_threads import usable_cores
from model.train import stack_wire as wire

#: Seconds a new worker may take to say it is up (an interpreter and NumPy,
#: under load a few seconds at worst) before it is given up for the thread split.
READY_TIMEOUT_S = 60.0

#: What the worker runs (``python -m``); a seam for tests.
WORKER_MODULE = "model.train.stack_worker"

_BLAS_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _package_root() -> str:
    """The directory ``model`` is imported from here: the worker imports the same code."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Worker:
    """One worker process and its two pipes (parent side)."""

    def __init__(self):
        env = dict(os.environ, **_BLAS_ENV)
        env["PYTHONPATH"] = os.pathsep.join([_package_root()] + [p for p in [env.get("PYTHONPATH")] if p])
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,  # raw pipes: select() sees every unread byte
            env=env,
            close_fds=True,
        )
        self.ready_s: float | None = None  # spawn to READY (the cold start)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> bool:
        if self.ready_s is not None:
            return True
        try:
            frame = self.receive(timeout)
        except wire.WireError:  # it exited first (its traceback went to our stderr)
            return False
        if frame is None or frame[0] != wire.READY:
            return False
        self.ready_s = time.perf_counter() - self.started
        return True

    def send(self, kind: bytes, header: dict | None = None, arrays=()) -> None:
        wire.write_frame(self.proc.stdin, wire.pack(kind, header, arrays))

    def receive(self, timeout: float | None = None):
        """The next frame, or None if none came within ``timeout`` seconds
        (None: wait as long as it takes; a dead worker's pipe reads EOF, so
        this never outlives the worker).  WireError if the worker is gone."""
        if timeout is not None and not select.select([self.proc.stdout], [], [], timeout)[0]:
            return None
        return wire.read_frame(self.proc.stdout)

    def end(self, grace: float = 1.0) -> None:
        """Close its stdin (it exits at EOF); kill it if it has not within ``grace`` s."""
        for pipe in (self.proc.stdin,):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


class Pool:
    """At most :meth:`size` workers, each leased to one stack at a time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._leased: set[Worker] = set()

    def size(self) -> int:
        return max(0, usable_cores() - 1)

    def prewarm(self) -> None:
        """Start the workers now (no wait for them: a Popen takes milliseconds),
        so the first split stack does not pay the cold start."""
        with self._lock:
            self._drop_dead()
            while len(self._idle) + len(self._leased) < self.size():
                self._idle.append(Worker())

    def lease(self) -> Worker | None:
        """A ready worker of one's own, or None when all are leased (or it would not start)."""
        with self._lock:
            self._drop_dead()
            if self._idle:
                w = self._idle.pop()
            elif len(self._leased) < self.size():
                w = Worker()
            else:
                return None
            self._leased.add(w)
        if w.wait_ready():
            return w
        self.release(w, clean=False)
        return None

    def release(self, w: Worker, clean: bool) -> None:
        """Take ``w`` back; one that may still be training (``clean`` False) or died is ended."""
        with self._lock:
            self._leased.discard(w)
            if clean and w.alive:
                try:
                    w.send(wire.DROP)
                    self._idle.append(w)
                    return
                except wire.WireError:
                    pass
        w.end(grace=0.2)

    def shutdown(self) -> None:
        """End every worker (at exit, and in tests)."""
        with self._lock:
            workers = self._idle + list(self._leased)
            self._idle, self._leased = [], set()
        for w in workers:
            w.end()

    def workers(self) -> list[Worker]:
        with self._lock:
            return self._idle + list(self._leased)

    def idle_pids(self) -> list[int]:
        """Process ids of the workers no stack holds now."""
        with self._lock:
            return [w.pid for w in self._idle]

    def _drop_dead(self) -> None:
        for w in [w for w in self._idle if not w.alive]:
            self._idle.remove(w)
            w.end(grace=0)


POOL = Pool()
atexit.register(POOL.shutdown)


def prewarm() -> None:
    """Start the split stacks' worker processes ahead of the first sweep (returns at once)."""
    if POOL.size() > 0:
        POOL.prewarm()
