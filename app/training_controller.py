"""Training off the GUI thread: worker thread + one-slot snapshot mailbox +
display-rate timer.

The worker never signals per update. It writes the newest :class:`Snapshot`
into the mailbox at most ~60 times a second and appends every loss to the
history; a GUI timer takes the newest snapshot, so drawing cost depends on
the frame rate, never on training speed.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from model.nn.probe import ProbeRecord, probe
from model.train.trainer import STOP_EPOCHS, STOP_USER, Trainer

SNAPSHOT_INTERVAL = 1 / 40  # a little above the 30 Hz display timer
GRID_INTERVAL = 0.4  # the decision map is redrawn about twice a second


@dataclass
class Snapshot:
    step: int
    epoch: int
    loss: float
    lr: float
    accuracy: float
    updates_per_s: float
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    probe: ProbeRecord | None = None
    grid: np.ndarray | None = None  # network outputs on the dataset view's grid
    train_pred: np.ndarray | None = None  # outputs for every training sample
    finished: str | None = None  # stop reason when the run ended
    extra: dict = field(default_factory=dict)


class SnapshotMailbox:
    """One slot: ``put`` replaces, ``take`` returns the newest and empties it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._item = None

    def put(self, item) -> None:
        with self._lock:
            self._item = item

    def take(self):
        with self._lock:
            item, self._item = self._item, None
            return item


class TrainingWorker(threading.Thread):
    """Runs ``trainer`` on request: continuously, one epoch, or N updates.

    Commands are set under a condition variable and read between updates, so
    pause/stop take effect within one update.
    """

    def __init__(
        self,
        trainer: Trainer,
        mailbox: SnapshotMailbox,
        probe_data,
        grid_X=None,
        epoch_limit: int | None = None,
    ):
        super().__init__(daemon=True, name="mlp-training")
        self.trainer, self.mailbox = trainer, mailbox
        self.probe_data = probe_data  # (x, t) scaled, or None
        self.grid_X = grid_X
        self.epoch_limit = epoch_limit
        self._cond = threading.Condition()
        self._mode = "idle"  # idle | run | epoch | updates | quit
        self._remaining = 0
        self._gen = None
        self._in_epoch = 0
        self.idle = threading.Event()
        self.idle.set()
        self.error: str | None = None
        self._rate_t, self._rate_step = time.perf_counter(), trainer.step
        self._rate = 0.0
        self._last_grid = 0.0
        self.new_lr: float | None = None

    # ---------------------------------------------------------- commands
    def command(self, mode: str, count: int = 0) -> None:
        with self._cond:
            self._mode, self._remaining = mode, count
            if mode != "idle":
                self.idle.clear()
            self._cond.notify_all()

    def set_lr(self, lr: float) -> None:
        with self._cond:
            self.new_lr = lr

    def pause_and_wait(self, timeout: float = 5.0) -> bool:
        self.command("idle")
        return self.idle.wait(timeout)

    def quit(self, timeout: float = 5.0) -> None:
        self.command("quit")
        self.join(timeout)

    # -------------------------------------------------------------- loop
    def run(self) -> None:
        try:
            self._loop()
        except Exception as e:  # surfaced to the GUI as a message, never a crash
            self.error = f"training failed: {e}"
            self._publish(finished=self.error, force_grid=False)
            self.idle.set()

    def _loop(self) -> None:
        tr = self.trainer
        last = 0.0
        while True:
            with self._cond:
                while self._mode == "idle":
                    self.idle.set()
                    self._cond.wait()
                mode = self._mode
                if self.new_lr is not None:
                    tr.set_base_lr(self.new_lr)
                    self.new_lr = None
            if mode == "quit":
                self.idle.set()
                return
            finished = self._one_update()
            now = time.perf_counter()
            ended_request = False
            if finished is None and mode == "updates":
                self._remaining -= 1
                ended_request = self._remaining <= 0
            if finished is None and mode == "epoch" and self._in_epoch == 0:
                ended_request = True
            if finished is not None or ended_request or now - last >= SNAPSHOT_INTERVAL:
                last = now
                self._publish(finished=finished, force_grid=finished is not None or ended_request)
            if finished is not None or ended_request:
                with self._cond:
                    if self._mode == mode:
                        self._mode = "idle"

    def _one_update(self) -> str | None:
        """One update (finishing the epoch when it was the last); a stop reason when done."""
        tr = self.trainer
        if tr.stop_reason is None and self.epoch_limit is not None and tr.epoch >= self.epoch_limit:
            tr.stop_reason = STOP_EPOCHS
        if tr.stop_reason is not None:
            return tr.stop_reason
        if self._gen is None:
            self._gen = tr.updates()
            self._in_epoch = 0
        try:
            next(self._gen)
            self._in_epoch += 1
        except StopIteration:
            self._gen = None
            return tr.stop_reason
        if self._in_epoch >= tr.updates_per_epoch:
            # close the epoch now so its record exists when a step ends here
            for _ in self._gen:
                pass
            self._gen = None
            self._in_epoch = 0
            if tr.stop_reason is None and self.epoch_limit is not None and tr.epoch >= self.epoch_limit:
                tr.stop_reason = STOP_EPOCHS
        return tr.stop_reason

    def _publish(self, finished: str | None, force_grid: bool) -> None:
        tr, net = self.trainer, self.trainer.net
        now = time.perf_counter()
        if now - self._rate_t >= 0.5:
            self._rate = (tr.step - self._rate_step) / (now - self._rate_t)
            self._rate_t, self._rate_step = now, tr.step
        h = tr.history
        loss = float(h.update_loss.values[-1]) if len(h.update_loss) else math.nan
        acc = float(h["train_acc"][-1]) if len(h) else math.nan
        snap = Snapshot(
            step=tr.step,
            epoch=tr.epoch,
            loss=loss,
            lr=tr.lr,
            accuracy=acc,
            updates_per_s=self._rate,
            weights=[w.copy() for w in net.weights],
            biases=[b.copy() for b in net.biases],
            finished=finished,
        )
        if self.probe_data is not None:
            snap.probe = probe(net, *self.probe_data)
        if self.grid_X is not None and (force_grid or now - self._last_grid >= GRID_INTERVAL):
            self._last_grid = now
            snap.grid = net.predict(self.grid_X)
            snap.train_pred = net.predict(tr.X)
        prev = self.mailbox.take()
        if prev is not None and snap.grid is None and prev.grid is not None:
            snap.grid, snap.train_pred = prev.grid, prev.train_pred  # never lose a fresher grid
        if prev is not None and prev.finished and not snap.finished:
            snap.finished = prev.finished
        self.mailbox.put(snap)


class TrainingController(QObject):
    """Owns the worker for the current document state; the GUI talks to this.

    Signals: ``snapshot(Snapshot)`` at display rate, ``runningChanged(bool)``,
    ``finished(str)`` with the stop reason.
    """

    snapshot = Signal(object)
    runningChanged = Signal(bool)
    finished = Signal(str)

    def __init__(self, doc, fps: int = 30, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.worker: TrainingWorker | None = None
        self.mailbox = SnapshotMailbox()
        self.grid_X = None
        self.running = False
        # single-shot, re-armed only after a frame has been painted: a frame that
        # costs more than the interval lowers the frame rate instead of
        # saturating the event loop (the GUI always gets a full interval free)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(1000 / fps))
        self.timer.timeout.connect(self._tick)
        self._active = False
        doc.changed.connect(self._doc_changed)

    # ------------------------------------------------------------ public
    def set_grid(self, grid_X) -> None:
        """Inputs (scaled) at which the dataset view wants outputs."""
        self.grid_X = grid_X
        if self.worker is not None:
            self.worker.grid_X = grid_X

    def play(self) -> None:
        self._start("run")

    def step_epoch(self) -> None:
        self._start("epoch")

    def step_update(self, count: int = 1) -> None:
        self._start("updates", count)

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.pause_and_wait()
        self._set_running(False)
        self._tick()

    def set_lr(self, lr: float) -> None:
        """Mid-run learning-rate change: applied at the next update, no reset."""
        if self.worker is not None:
            self.worker.set_lr(lr)

    def invalidate(self) -> None:
        """The document changed under the trainer: stop and drop the worker."""
        self.shutdown()

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.quit()
            self.worker = None
        self._set_running(False)
        self._active = False
        self.timer.stop()

    # ----------------------------------------------------------- internal
    def _ensure_worker(self) -> TrainingWorker:
        if self.worker is None or not self.worker.is_alive():
            doc = self.doc
            d = doc.data
            trainer = Trainer(
                doc.net,
                d.X_train,
                d.train.T,
                doc.settings,
                d.X_val,
                d.val.T,
                task=d.task,
                history=doc.history,
            )
            self.worker = TrainingWorker(
                trainer, self.mailbox, doc.probe(), self.grid_X, epoch_limit=doc.settings.epochs
            )
            self.worker.start()
        return self.worker

    def _start(self, mode: str, count: int = 0) -> None:
        w = self._ensure_worker()
        if w.trainer.stop_reason is not None:
            # a finished run continues only if the limit was raised or stop was by the user
            if (
                w.trainer.stop_reason in (STOP_EPOCHS, STOP_USER)
                and w.trainer.epoch < self.doc.settings.epochs
            ):
                w.trainer.stop_reason = None
            else:
                self.finished.emit(w.trainer.stop_reason)
                return
        self.doc.mark_results_changed()
        w.command(mode, count)
        self._set_running(mode == "run")
        self._active = True
        self.timer.start()

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.runningChanged.emit(running)

    def _rearm(self) -> None:
        if self._active:
            self.timer.start()

    def _tick(self) -> None:
        snap = self.mailbox.take()
        if snap is None:
            if self.worker is not None and self.worker.idle.is_set() and not self.running:
                self._active = False
            else:
                self.timer.start()
            return
        # zero-timer: runs after the paint events this frame posts
        QTimer.singleShot(0, self._rearm)
        self.snapshot.emit(snap)
        if snap.finished:
            self._set_running(False)
            self.finished.emit(snap.finished)
        elif self.worker is not None and self.worker.idle.is_set():
            self._set_running(False)

    def _doc_changed(self, kind: str) -> None:
        if kind in ("probe",) and self.worker is not None:
            self.worker.probe_data = self.doc.probe()
            return
        if kind == "settings" and self.worker is not None:
            tr = self.worker.trainer
            new = self.doc.settings
            old = tr.settings
            if (
                new.to_dict() | {"lr": old.lr, "epochs": old.epochs, "target_loss": old.target_loss}
                == old.to_dict()
            ):
                self.worker.set_lr(new.lr)
                self.worker.epoch_limit = new.epochs
                tr.settings.target_loss = new.target_loss
                tr.settings.epochs = new.epochs
                return
        if kind in ("spec", "weights", "data", "settings", "all", "history"):
            self.invalidate()
