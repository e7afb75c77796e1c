"""A worker process that trains one half of a split stack of runs.

Started by :mod:`model.train.stack_pool` as ``python -m
model.train.stack_worker`` with BLAS at one thread; it talks to its parent
over stdin/stdout in :mod:`model.train.stack_wire` frames.  It keeps one
:class:`~model.train.batched.BatchedTrainer` at a time (a sweep may call
``train`` again), reports progress at most every :data:`PROGRESS_S`, looks
for a stop message every :data:`POLL_S` of training (one ``select`` with
no wait: ~1 µs, against updates of tens of µs to ms) and exits when its
stdin reaches EOF: the parent closed it or died.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
import traceback
import warnings

from model.nn.allocator import keep_freed_memory
from model.train import stack_wire as wire
from model.train.batched import BatchedTrainer, network_from_flat

#: Seconds of training between two looks for a stop message.
POLL_S = 0.002
#: Least seconds between two progress messages (the last epoch always comes with the result).
PROGRESS_S = 0.005


class _ParentGone(Exception):
    pass


class _Stopper:
    """``should_stop`` for the stack: reads a STOP frame once one is waiting."""

    def __init__(self, inp):
        self.inp, self.next = inp, time.perf_counter() + POLL_S
        self.stopped = False

    def __call__(self) -> bool:
        if self.stopped:
            return True
        now = time.perf_counter()
        if now < self.next:
            return False
        self.next = now + POLL_S
        if select.select([self.inp], [], [], 0)[0]:
            try:
                kind, _, _ = wire.read_frame(self.inp)
            except wire.WireError as e:
                raise _ParentGone from e
            if kind != wire.STOP:
                raise RuntimeError(f"message {kind!r} while training: only a stop may come")
            self.stopped = True
        return self.stopped


def build(header: dict, arrays) -> BatchedTrainer:
    specs, settings, lrs = wire.stack_from_header(header)
    X, T, flats = arrays
    nets = [network_from_flat(s, f) for s, f in zip(specs, flats)]
    shared = len(nets) == 1  # one start for every run, as BatchedTrainer(nets=None)
    return BatchedTrainer(nets[0], X, T, settings, lrs, nets=None if shared else nets)


def train(bt: BatchedTrainer, epochs: int, inp, out) -> None:
    stopper, last = _Stopper(inp), [time.perf_counter()]

    def on_epoch(epoch: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= PROGRESS_S:
            last[0] = now
            wire.write_frame(out, wire.pack(wire.EPOCH, {"epoch": epoch, "active": bt.active.tolist()}))

    t0 = time.perf_counter()
    reason = bt.train(epochs, stopper, on_epoch)
    header = {
        "seconds": time.perf_counter() - t0,
        "reason": reason,
        "epoch": bt.epoch,
        "run_samples": bt.run_samples,
        "active": bt.active.tolist(),
        "diverged_at": bt.diverged_at.tolist(),
        "reasons": bt.reasons,
    }
    wire.write_frame(out, wire.pack(wire.RESULT, header, [bt.epoch_loss, bt.run_flats()]))


def serve(inp, out) -> int:
    wire.write_frame(out, wire.pack(wire.READY, {"pid": os.getpid()}))
    bt = None
    while True:
        try:
            kind, header, arrays = wire.read_frame(inp)
        except wire.WireError:
            return 0  # the parent is done with us (or gone)
        try:
            if kind == wire.NEW:
                bt = None  # the old stack's memory goes first
                bt = build(header, arrays)
                wire.write_frame(out, wire.pack(wire.BUILT))
            elif kind == wire.TRAIN:
                if bt is None:
                    raise RuntimeError("no stack to train")
                train(bt, int(header["epochs"]), inp, out)
            elif kind == wire.DROP:
                bt = None
            elif kind != wire.STOP:  # a stop that came after the training ended: nothing to stop
                raise RuntimeError(f"unknown message {kind!r}")
        except (_ParentGone, wire.WireError):
            return 0
        except Exception as e:  # reported to the parent, which raises it there
            bt = None
            err = {"type": type(e).__name__, "message": str(e), "traceback": traceback.format_exc()}
            try:
                wire.write_frame(out, wire.pack(wire.ERROR, err))
            except wire.WireError:
                return 0


def main() -> int:
    # the parent decides when we stop: a Ctrl-C in its terminal is its to handle
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # overflow in a diverging run is expected (the stack freezes it); the parent
    # tells, our stderr would only repeat it raw
    warnings.simplefilter("ignore", RuntimeWarning)
    keep_freed_memory()  # each stack it builds reuses the last one's pages (model/nn/allocator.py)
    inp = os.fdopen(os.dup(0), "rb", buffering=0)  # unbuffered: select() sees every unread byte
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not land in the frames
    sys.stdout = sys.stderr
    return serve(inp, out)


if __name__ == "__main__":
    raise SystemExit(main())
