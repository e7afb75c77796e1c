"""Training off the GUI thread: the controller the GUI talks to. It owns the
worker (app.training_worker: a private copy, a one-slot snapshot mailbox) and
a display-rate timer that hands snapshots to the document (``Document.adopt``):
at most 30 a second; for a big network (``BUDGET_PARAMETERS``) fewer when
adopting and showing them would take more than ``ADOPT_BUDGET`` of a core
(784-256-128-10's ~1 ms frames: ~15 a second).
"""

from __future__ import annotations

import copy
import time

from PySide6.QtCore import QObject, QTimer, Signal

from model.train import budget
from model.train.budget import MemoryBudgetError
from model.train.pace import DEFAULT_PACE, PaceScheduler
from model.train.trainer import STOP_EPOCHS, STOP_USER
from widgets.common.turn_frame import turn_frame

from . import change_kinds as K
from .gui_turn import GuiTurn
from .training_worker import (  # noqa: F401  (re-exported: callers import them from here)
    Snapshot,
    SnapshotMailbox,
    TrainingWorker,
    private_trainer,
    snapshot_of,
    train_in_place,
)

EDIT_WAIT = 2.0  # seconds an edit waits for the worker to finish its update
# adopting and showing snapshots may take at most this share of one core: a
# frame that costs more than 1/fps × ADOPT_BUDGET of CPU lowers the adoption
# rate (the waves animate at their own 30 fps), so a big network's training
# keeps the core the GUI would otherwise take from it
ADOPT_BUDGET = 0.015
SLOWEST_FRAME = 100  # ms: the adoption rate never drops below 10 a second
# ... for networks at least this big (parameters): their runs are long and
# their speed is what one waits for; smaller ones (XOR, 2-64-64-64-1), whose
# curves and map are what one watches, keep 30 frames a second
BUDGET_PARAMETERS = 50_000
# what a document change means for a live run
RESTART_KINDS = (K.DOCUMENT, K.NETWORK, K.WEIGHTS, K.DATA, K.HISTORY)
LIVE_KINDS = (
    K.SETTINGS_LR,
    K.SETTINGS_OPTIMIZER,
    K.SETTINGS_SCHEDULE,
    K.SETTINGS_BATCH,
    K.SETTINGS_LIMITS,
    K.SETTINGS_REGULARIZATION,
)


class TrainingController(QObject):
    """Owns the worker for the current document state; the GUI talks to this.

    Signals: ``snapshot(Snapshot)`` at display rate (after the document adopted
    it), ``runningChanged(bool)``, ``finished(str)`` with the stop reason.
    Document changes: live settings go to the running worker; topology, weight,
    data and history changes retire it (its pending results belong to a state
    that no longer exists) and say so when it was running.
    """

    snapshot = Signal(object)
    runningChanged = Signal(bool)
    finished = Signal(str)

    def __init__(self, doc, fps: int = 30, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.worker: TrainingWorker | None = None
        self._retired: list[TrainingWorker] = []
        self.grid_X = None
        self.running = False
        self._emitted_running = False
        self.finish_message = ""  # the last run's explanation (divergence)
        self._stopped: str | None = None  # why the current worker's run ended
        # single-shot, re-armed only after a frame has been painted: a frame that
        # costs more than the interval lowers the frame rate instead of
        # saturating the event loop (the GUI always gets a full interval free)
        self.turn = GuiTurn()  # this thread's frames, which the worker waits out (app/gui_turn.py)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(1000 / fps))
        self.timer.timeout.connect(self._tick)
        self.frame_interval = int(1000 / fps)  # ms; the fastest adoption rate
        self.cpu_clock = time.thread_time  # tests give the adoption budget a fake clock
        self.frame_cost = 0.0  # CPU seconds a frame's adoption takes (a moving average)
        self.budget_parameters = BUDGET_PARAMETERS
        self._active = False
        self.pace = DEFAULT_PACE
        self.pace_clock = time.monotonic  # tests drive paced play with a fake clock
        doc.changed.connect(self._doc_changed)

    # ------------------------------------------------------------ public
    @property
    def mailbox(self) -> SnapshotMailbox | None:
        return self.worker.mailbox if self.worker is not None else None

    def set_grid(self, grid_X) -> None:
        """Inputs (scaled) at which the dataset view wants outputs."""
        self.grid_X = grid_X
        if self.worker is not None:
            self.worker.set_grid(grid_X)

    def play(self) -> None:
        self._start("run")

    def step_epoch(self) -> None:
        self._start("epoch")

    def step_update(self, count: int = 1) -> None:
        self._start("updates", count)

    def set_pace(self, key: str) -> None:
        """Play's pace (a model.train.pace key); takes effect at once, mid-run too."""
        self.pace = key
        if self.worker is not None:
            with self.worker._cond:
                self.worker.pacer.set_pace(key)

    def pause(self, timeout: float = 5.0) -> bool:
        """Stop after the current update; True when the worker is idle and its
        last results are in the document (False: a long update is still running)."""
        idle = True
        if self.worker is not None:
            idle = self.worker.pause_and_wait(timeout)
            if idle:
                self._tick()
        self._set_running(False)
        return idle

    def pause_for_edit(self, timeout: float | None = None) -> bool | None:
        """Before a topology/data/weight edit: None if nothing was training,
        True once paused with every result adopted, False if a long update is
        still running (the edit must be refused)."""
        if self.worker is None or (self.worker.idle.is_set() and not self.running):
            self._tick()
            return None
        return self.pause(EDIT_WAIT if timeout is None else timeout)

    def set_lr(self, lr: float) -> None:
        """Mid-run learning-rate change (the document's settings are the source)."""
        if self.worker is not None:
            s = copy.deepcopy(self.doc.settings)
            s.lr = float(lr)
            self.worker.set_settings(s)

    def invalidate(self) -> None:
        """The document changed under the trainer: retire the worker."""
        self._retire()

    def shutdown(self) -> None:
        self._retire()
        for w in self._retired:
            w.quit()
        self._retired = [w for w in self._retired if w.is_alive()]
        self._set_running(False)
        self._active = False
        self.timer.stop()

    # ----------------------------------------------------------- internal
    def _retire(self, defer: bool = False) -> bool:
        """Drop the worker (its private results are discarded); True if it was running."""
        was_running = self.running
        if self.worker is not None:
            self.worker.command("quit")
            self._retired.append(self.worker)
            self.worker = None
        self._stopped = None
        self._retired = [w for w in self._retired if w.is_alive()]
        self._set_running(False, defer=defer)
        return was_running

    def _ensure_worker(self) -> TrainingWorker:
        if self.worker is None or not self.worker.is_alive():
            doc = self.doc
            grid = 0 if self.grid_X is None else len(self.grid_X)
            budget.check_training(doc.spec, doc.settings, doc.data.train.n_samples, grid)
            trainer = private_trainer(doc)
            self.worker = TrainingWorker(trainer, doc.probe(), self.grid_X, epoch_limit=doc.settings.epochs)
            self.worker.turn = self.turn
            self.worker.pacer = PaceScheduler(self.pace, trainer.updates_per_epoch, clock=self.pace_clock)
            self.worker.start()
        return self.worker

    def _start(self, mode: str, count: int = 0) -> None:
        stopped = self._stopped
        if stopped is not None and self.worker is not None:
            # a finished run continues only if it hit a limit that has since been raised
            if not (stopped in (STOP_EPOCHS, STOP_USER) and len(self.doc.history) < self.doc.settings.epochs):
                self.finished.emit(stopped)
                return
        self._stopped = None
        try:
            w = self._ensure_worker()
        except MemoryBudgetError as e:  # refused before anything big is allocated
            self.finished.emit(f"training failed: {e}")
            return
        w.command(mode, count)
        self._set_running(mode == "run")
        self._active = True
        self.timer.start()

    def _set_running(self, running: bool, defer: bool = False) -> None:
        self.running = running
        if defer:  # let every listener of the current document change run first
            QTimer.singleShot(0, self, self._emit_running)
        else:
            self._emit_running()

    def _emit_running(self) -> None:
        if self.running != self._emitted_running:
            self._emitted_running = self.running
            self.runningChanged.emit(self.running)

    def _rearm(self) -> None:
        if self._active:
            self.timer.start()

    def _tick(self) -> None:
        w = self.worker
        snap = w.mailbox.take() if w is not None else None
        if snap is None:
            if w is None or (w.idle.is_set() and not self.running):
                self._active = False
            else:
                self.timer.start()
            return
        turn_frame(self.turn, self, lambda: self._show(snap))  # the worker waits until it is painted
        if snap.finished:
            self.finish_message = snap.message
            self._stopped = snap.finished
            self._set_running(False)
            self.finished.emit(snap.finished)
        elif w.idle.is_set():
            self._set_running(False)

    def _show(self, snap) -> None:
        cpu = self.cpu_clock()
        self.doc.adopt(snap)
        # zero-timer: runs after the paint events this frame posts
        QTimer.singleShot(0, self, self._rearm)
        self.snapshot.emit(snap)
        # this thread's own work for the frame, averaged (plot frames cost more than
        # others; a one-off costly one, such as a confusion table, counts as 10 ms)
        spent = min(self.cpu_clock() - cpu, 0.01)
        self.frame_cost += 0.25 * (spent - self.frame_cost)
        # paced play shows every update: never spaced out
        big = sum(w.size for w in snap.weights) >= self.budget_parameters
        slower = (
            min(round(1000 * self.frame_cost / ADOPT_BUDGET), SLOWEST_FRAME) if big and not snap.paced else 0
        )
        self.timer.setInterval(max(self.frame_interval, slower))

    def _doc_changed(self, kind: str) -> None:
        w = self.worker
        if w is None:
            return
        if kind == K.PROBE:
            w.set_probe(self.doc.probe())
        elif kind in LIVE_KINDS:
            w.set_settings(self.doc.settings)
        elif kind == K.SETTINGS_OTHER:
            if self._retire(defer=True):
                self.doc.say_first("training paused: the new seed applies to a fresh run")
        elif kind in RESTART_KINDS:
            if self._retire(defer=True):
                what = {K.DATA: "the data", K.HISTORY: "the history", K.DOCUMENT: "the document"}
                self.doc.say_first(f"training paused: {what.get(kind, 'the network')} changed")
