"""The training worker (no Qt): a thread that trains a private copy and publishes
immutable snapshots (app/snapshots.py) in a one-slot mailbox.

One writer: the worker trains its *own* copy of the network and its *own*
history; nothing the GUI thread can reach is written off the GUI thread. It
never signals per update. At most ~40 times a second, and only once the GUI
has taken the previous one, it puts an immutable :class:`Snapshot` (weights,
the history rows since the last snapshot the GUI took, the probe trace, loss,
lr, step, epoch) into its mailbox; a GUI timer (app.training_controller)
takes the newest and the document adopts it. So the worker copies no more
snapshots than the GUI shows (a busy or hidden GUI costs training nothing
extra). Rows of snapshots the GUI never took are carried into the next one,
so none are lost; the end of a run, a step's end and paced updates are
published whatever the mailbox holds.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import replace

import numpy as np

from model.analysis.live import LiveAnalyses
from model.nn.dropout import mask_rows, sample_row, thinned_probe
from model.nn.probe import probe
from model.train.pace import DEFAULT_PACE, PaceScheduler
from model.train.trainer import STOP_EPOCHS, STOP_USER, Trainer

from .gui_turn import GuiTurn
from .snapshots import (  # noqa: F401  (Snapshot and the builders re-exported: callers import them here)
    Snapshot,
    SnapshotMailbox,
    private_trainer,
    snapshot_of,
    train_in_place,
)

SNAPSHOT_INTERVAL = 1 / 40  # a little above the 30 Hz display timer
MAX_UNPUBLISHED_UPDATES = 2048  # well inside the per-update series' full-resolution window (8192)
PACED_RATE = 30.0  # at or below this many updates/s (paced play) every update gets its own snapshot
GRID_INTERVAL = 0.4  # the decision map is redrawn about twice a second
GRID_BUDGET = 30.0  # ... or, when that is costly, after 30 × its cost (≤ ~3 % of the worker's time)


class TrainingWorker(threading.Thread):
    """Runs its private ``trainer`` on request: continuously, one epoch, or N updates.

    The GUI thread only sets requests under a condition variable (``command``,
    ``set_settings``, ``set_probe``, ``set_grid``); the worker applies them
    between updates, so pause/stop take effect within one update. Before it
    reports idle it publishes what it has not published yet.
    """

    def __init__(self, trainer: Trainer, probe_data, grid_X=None, epoch_limit: int | None = None):
        super().__init__(daemon=True, name="mlp-training")
        self.trainer = trainer  # private: built on copies, touched only by this thread once started
        self.mailbox = SnapshotMailbox()
        self.turn = GuiTurn()  # the controller hands over the GUI's: its frames are waited out
        # while the GUI paints a frame, a big update leaves it its core (one BLAS thread)
        trainer.crowded = lambda: self.turn.active
        self._update_s = 0.0  # the last update's wall time (long ones need not wait: GuiTurn.wait)
        self.update_seconds = 0.0  # all updates' wall time (benches: the rest went to publishing, waits)
        self._probe_data = probe_data  # (x, t) scaled, or None
        self._grid_X = grid_X
        self._epoch_limit = epoch_limit
        self._cond = threading.Condition()
        self._mode = "idle"  # idle | run | epoch | updates | quit
        self._remaining = 0
        self._gen = None
        self._in_epoch = 0
        self._requests: dict = {}
        self._batch_pending = False
        self._new_batch = None
        self._unpublished = False
        self.idle = threading.Event()
        self.idle.set()
        self._cursor = trainer.history.cursor
        self.clock = time.perf_counter  # tests give the publishing schedule a fake clock
        self._rate_t, self._rate_step = self.clock(), trainer.step
        self._rate = 0.0
        self._next_grid = 0.0  # when the decision map and training predictions are next due
        self.pacer = PaceScheduler(DEFAULT_PACE, trainer.updates_per_epoch)  # play's pace
        self.live = LiveAnalyses()  # health badges and λ_max, computed here, not on the GUI thread

    @property
    def tuner(self):
        """How the trainer runs its updates, measured (model.train.blas_tuner; None: no choice)."""
        return self.trainer.tuner

    # ---------------------------------------------------------- requests (GUI thread)
    def command(self, mode: str, count: int = 0) -> None:
        with self._cond:
            if mode == "run":
                self.pacer.start()  # paced play counts from now
            self._mode, self._remaining = mode, count
            if mode != "idle":
                self.idle.clear()
            self._cond.notify_all()

    def _request(self, key: str, value) -> None:
        with self._cond:
            self._requests[key] = value

    def set_settings(self, settings) -> None:
        """New training settings (a private copy is taken); applied between updates."""
        self._request("settings", copy.deepcopy(settings))

    def set_probe(self, probe_data) -> None:
        self._request("probe", probe_data)

    def set_grid(self, grid_X) -> None:
        self._request("grid", grid_X)

    def pause_and_wait(self, timeout: float = 5.0) -> bool:
        """Ask for idle; True once the worker is idle and has published everything."""
        self.command("idle")
        return self.idle.wait(timeout)

    def quit(self, timeout: float = 5.0) -> bool:
        self.command("quit")
        self.join(timeout)
        return not self.is_alive()

    # -------------------------------------------------------------- loop (worker thread)
    def run(self) -> None:
        try:
            self._loop()
        except Exception as e:  # surfaced to the GUI as a message, never a crash
            self._publish(finished=f"training failed: {e}", force_grid=False)
            self.idle.set()
        finally:  # an epoch left open joins the trainer's helper thread here, in this thread
            if self._gen is not None:
                self._gen.close()
                self._gen = None

    def _loop(self) -> None:
        last = 0.0
        while True:
            with self._cond:
                while self._mode == "idle" and not self._unpublished and not self._requests:
                    self.idle.set()
                    self._cond.wait()
                mode, requests, self._requests = self._mode, self._requests, {}
            self._apply(requests)
            if mode == "quit":
                self.idle.set()
                return
            if mode == "idle":  # results not yet published: publish before saying idle
                self._publish(finished=None, force_grid=True)
                continue
            paced = mode == "run" and self.pacer.rate <= PACED_RATE
            if mode == "run" and not self.pacer.pace.full_speed and self.pacer.wait_time() > 0:
                with self._cond:  # short waits: pause, stop and requests stay immediate
                    if self._mode == mode and not self._requests:
                        self._cond.wait(min(self.pacer.wait_time(), 0.02))
                continue
            before = (
                probe(self.trainer.net, *self._probe_data)
                if paced and self.pacer.pace.slow_motion and self._probe_data is not None
                else None
            )
            pre = self.trainer.net.copy() if before is not None and self.trainer.dropout_rates else None
            self.turn.wait(self._update_s)  # a frame the GUI is building and painting: the lock is its
            t = time.perf_counter()
            finished = self._one_update()
            self._update_s = time.perf_counter() - t
            self.update_seconds += self._update_s
            dropped = None
            if pre is not None:  # the wave shows the thinned network this update really trained
                rows = self._mask_rows()
                if rows is not None:
                    before = thinned_probe(pre, *self._probe_data, rows)
                    dropped = tuple(np.zeros(0, bool) if r is None else r == 0 for r in rows)
            if mode == "run":
                self.pacer.done()
            now = self.clock()
            ended_request = False
            if finished is None and mode == "updates":
                self._remaining -= 1
                ended_request = self._remaining <= 0
            if finished is None and mode == "epoch" and self._in_epoch == 0:
                ended_request = True
            # rows older than the history's full-resolution window can no longer be
            # handed over one by one: publish before that many are waiting
            backlog = self.trainer.history.cursor[1] - self._cursor[1] >= MAX_UNPUBLISHED_UPDATES
            force = finished is not None or ended_request or paced or backlog
            # at most one snapshot per frame the GUI shows: none while the last is untaken
            if force or (now - last >= SNAPSHOT_INTERVAL and self.mailbox.empty()):
                last = now
                self._publish(
                    finished=finished, force_grid=force, paced=paced, update_probe=before, dropped=dropped
                )
            if finished is not None or ended_request:
                with self._cond:
                    if self._mode == mode:
                        self._mode = "idle"

    def _apply(self, requests: dict) -> None:
        """Apply GUI requests to the private trainer; each live change leaves a marker."""
        if "probe" in requests:
            self._probe_data = requests["probe"]
            self._unpublished = True
        if "grid" in requests:
            self._grid_X = requests["grid"]
        new = requests.get("settings")
        if new is None:
            return
        tr = self.trainer
        old = tr.settings
        if new.lr != tr.base_lr:
            tr.set_base_lr(new.lr)
            old.lr = new.lr
        if new.regularization != old.regularization:
            tr.set_regularization(new.regularization)
            old.regularization = new.regularization
        if new.weight_decay != old.weight_decay:
            tr.set_weight_decay(new.weight_decay)
        if (new.optimizer, new.hyper) != (old.optimizer, old.hyper):
            tr.set_optimizer(new.optimizer, new.hyper)
        if new.schedule.to_dict() != old.schedule.to_dict():
            tr.set_schedule(new.schedule)
        if new.batch_size != old.batch_size:
            self._batch_pending, self._new_batch = True, new.batch_size  # at the next epoch boundary
        old.epochs, old.target_loss = new.epochs, new.target_loss
        self._epoch_limit = new.epochs
        if tr.stop_reason in (STOP_EPOCHS, STOP_USER) and tr.epoch < new.epochs:
            tr.stop_reason = None  # a raised limit lets a finished run continue
        self._unpublished = True

    def _one_update(self) -> str | None:
        """One update (finishing the epoch when it was the last); a stop reason when done."""
        tr = self.trainer
        limit = self._epoch_limit
        if tr.stop_reason is None and limit is not None and tr.epoch >= limit:
            tr.stop_reason = STOP_EPOCHS
        if tr.stop_reason is not None:
            return tr.stop_reason
        if self._gen is None:
            if self._batch_pending:
                tr.set_batch_size(self._new_batch)
                self._batch_pending = False
            self._gen = tr.updates()
            self._in_epoch = 0
        self._unpublished = True
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
            if tr.stop_reason is None and limit is not None and tr.epoch >= limit:
                tr.stop_reason = STOP_EPOCHS
        return tr.stop_reason

    def _mask_rows(self):
        """The probe sample's dropout masks in the update just made (the trainer's own), or None."""
        tr = self.trainer
        row = sample_row(tr.X, tr.T, *self._probe_data)
        return None if row is None else mask_rows(tr.last_masks, tr.last_batch, row)

    def _publish(
        self, finished: str | None, force_grid: bool, paced: bool = False, update_probe=None, dropped=None
    ) -> None:
        tr, net = self.trainer, self.trainer.net
        now = self.clock()
        if now - self._rate_t >= 0.5:
            self._rate = (tr.step - self._rate_step) / (now - self._rate_t)
            self._rate_t, self._rate_step = now, tr.step
        grid = train_pred = None
        if self._grid_X is not None and (force_grid or now >= self._next_grid):
            grid, train_pred = net.predict(self._grid_X), net.predict(tr.X)
            grid.setflags(write=False)
            train_pred.setflags(write=False)
            # MNIST-size data: predicting every training row costs ~1 s, so the map
            # and the confusion matrix refresh within a share of the training time
            cost = self.clock() - now
            self._next_grid = now + max(GRID_INTERVAL, GRID_BUDGET * cost)
        snap = replace(
            snapshot_of(tr, self._cursor, finished),
            updates_per_s=self._rate,
            probe=probe(net, *self._probe_data) if self._probe_data is not None else None,
            grid=grid,
            train_pred=train_pred,
            paced=paced,
            update_probe=update_probe,
            dropped=dropped,
            analyses=self.live.update(net, tr.X, tr.T),
        )
        if grid is not None:  # the map and confusion matrix can lag the status bar: say when
            snap = replace(snap, grid_at=(snap.epoch, snap.step))
        self._cursor = tr.history.cursor
        self._unpublished = False

        def merge(prev):
            if prev is None:
                return snap
            # the GUI never saw ``prev``: keep its rows, a fresher grid and its stop reason
            return replace(
                snap,
                rows=prev.rows + snap.rows,
                grid=snap.grid if snap.grid is not None else prev.grid,
                train_pred=snap.train_pred if snap.grid is not None else prev.train_pred,
                grid_at=snap.grid_at if snap.grid is not None else prev.grid_at,
                finished=snap.finished or prev.finished,
                message=snap.message or prev.message,
                analyses=snap.analyses or prev.analyses,
            )

        self.mailbox.merge_put(merge)
