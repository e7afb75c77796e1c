"""Stacked runs that keep a full :class:`~model.train.history.History` each.

:class:`~model.train.batched.BatchedTrainer` records only per-epoch losses
(what a learning-rate sweep plots).  An analysis that shows each run's
training as the trainer records it (the sigmoid-vs-ReLU comparison plots
per-layer gradient norms) needs the trainer's whole history per run; this
module builds it from the stack, field by field as
:class:`~model.train.trainer.Trainer` does:

* per update: the batch loss and learning rate (``update_loss``, ``update_lr``);
* per epoch: ``train_loss`` (mean over the epoch's updates, weighted by
  batch rows), ``train_acc`` (the outputs of each update, before its step,
  against the shuffled labels), ``lr``, ``updates``, ``penalty``,
  ``grad_norms`` (Frobenius norm per layer of ∂E/∂W of the epoch's *last*
  update, L1/L2 penalty gradient included), ``weight_norms`` and a keyframe;
  no validation split, so ``val_loss``/``val_acc`` are NaN;
* a ``diverged`` event with the trainer's message at the update it fired.

In float64 every field equals the sequential trainer's to ~1e-12, except
``seconds``: the stack's epoch wall time shared equally by the runs it trained.

Stopping differs in one way only: ``should_stop()`` is asked before each
epoch, as the trainer asks, but once for the whole stack, so every run
stops after the same number of epochs (sequential runs would leave the runs
after the cancelled one untrained).  A run reaching ``target_loss`` stops
recording (it keeps training in the stack, unseen, until all are done).
"""

from __future__ import annotations

import time

import numpy as np

from model.nn.network import Network
from model.train.batched import BatchedTrainer
from model.train.history import History
from model.train.regularization import penalty
from model.train.trainer import STOP_DIVERGED, STOP_EPOCHS, STOP_TARGET, STOP_USER, TrainSettings, _correct

__all__ = ["train_histories"]


def train_histories(
    nets: list[Network],
    X,
    T,
    settings: TrainSettings,
    epochs: int,
    task: str = "classification",
    should_stop=None,
) -> tuple[list[History], list[str]]:
    """Train ``nets`` (copies; stackable, see :func:`model.train.batched.stackable`)
    for ``epochs`` epochs as one stack; returns each run's History and stop reason."""
    bt = BatchedTrainer(nets[0], X, T, settings, [settings.lr] * len(nets), nets=nets)
    rec = _Recorder(bt, task)
    end = int(epochs)
    while rec.recording.any():
        if bt.epoch >= end:
            rec.stop(STOP_EPOCHS)
        elif should_stop is not None and should_stop():
            rec.stop(STOP_USER)
        else:
            rec.epoch()
    return rec.histories, rec.reasons


class _Recorder:
    """One History per run of ``bt``, filled as the trainer fills its own."""

    def __init__(self, bt: BatchedTrainer, task: str):
        self.bt = bt
        K, n = bt.K, len(bt.X)
        self.histories = [History(bt.spec.n_layers) for _ in range(K)]
        self.reasons: list[str] = [""] * K
        self.recording = np.ones(K, dtype=bool)  # not diverged, stopped or at the target
        self.updates = np.zeros(K, dtype=np.int64)  # per run, as the trainer's step
        for k, h in enumerate(self.histories):
            W, b = self._parameters(k)
            h.keyframes.record(0, W, b)
        self.labels = self.pred = None
        if task == "classification":
            if bt.T.shape[1] == 1:  # as the trainer: outputs kept, 0.5 ± tol undecided
                self.labels, self.pred = bt.T[:, 0] > 0.5, np.empty((K, n), bt.T.dtype)
            else:
                self.labels, self.pred = bt.T.argmax(axis=1), np.empty((K, n), np.intp)

    def stop(self, reason: str) -> None:
        for k in np.flatnonzero(self.recording):
            self.reasons[k] = reason
        self.recording[:] = False

    def epoch(self) -> None:
        bt, pred = self.bt, self.pred
        e, n, bs = bt.epoch, len(bt.X), bt.batch_size
        ups = -(-n // bs)
        losses = np.empty((bt.K, ups))
        done = np.zeros(bt.K, dtype=np.int64)  # updates recorded this epoch, per run
        before = bt.active
        rows, at, i = None, slice(None), -1
        t0 = time.perf_counter()
        for i, _ in enumerate(bt.updates()):
            if bt._runs is not rows:  # the stack changed (runs diverged): where each left
                if rows is not None:
                    done[np.setdiff1d(rows, bt._runs)] = i
                rows = bt._runs
                at = slice(None) if len(rows) == bt.K else rows  # a slice while all train: no gather
            losses[at, i] = bt.last_loss
            if pred is not None:
                out, sl = bt.last_output, slice(i * bs, min(i * bs + bs, n))
                pred[at, sl] = out[:, :, 0] if out.shape[2] == 1 else out.argmax(axis=2)
        if rows is not None:
            done[rows] = i + 1
        seconds = (time.perf_counter() - t0) / max(len(before), 1)
        lr = float(bt.settings.schedule.lr(float(bt.base_lr[0]), e))
        finished = set(bt.active.tolist()) if bt.epoch == e + 1 else set()
        row_of = {int(k): r for r, k in enumerate(bt._runs)}
        for k in before:
            if not self.recording[k]:
                continue
            h = self.histories[k]
            self.updates[k] += done[k]
            h.update_loss.extend(losses[k, : done[k]])
            h.update_lr.extend(np.full(done[k], lr))
            if k not in finished:
                h.mark("diverged", bt.reasons[k])
                self.reasons[k], self.recording[k] = STOP_DIVERGED, False
                continue
            self._record(k, row_of[k], e + 1, lr, seconds)

    def _record(self, k: int, r: int, epoch: int, lr: float, seconds: float) -> None:
        """The trainer's ``_record_epoch`` for run ``k`` (stack row ``r``)."""
        bt, h = self.bt, self.histories[k]
        train_loss = float(bt._losses[-1][k])
        acc = np.nan
        if self.pred is not None:
            labels = self.labels if bt.order is None else self.labels[bt.order]
            acc = _correct(self.pred[k], labels) / len(bt.X)
        W, b = self._parameters(k, r)
        reg = bt.regularization
        record = {
            "epoch": epoch,
            "train_loss": train_loss,
            "val_loss": np.nan,
            "train_acc": acc,
            "val_acc": np.nan,
            "lr": lr,
            "updates": int(self.updates[k]),
            "seconds": seconds,
            "penalty": penalty(reg, W) if reg.active else 0.0,
        }
        gn = [float(np.linalg.norm(g[r])) for g in bt._views.gW]
        h.add_epoch(record, gn, [float(np.linalg.norm(w)) for w in W])
        h.keyframes.record(epoch, W, b, train_loss)
        target = bt.settings.target_loss
        if target is not None and train_loss <= target:
            self.reasons[k], self.recording[k] = STOP_TARGET, False

    def _parameters(self, k: int, r: int | None = None):
        """Run ``k``'s weights and biases (views of stack row ``r``) in the network's layout."""
        v = self.bt._views
        r = k if r is None else r
        return [w[r] for w in v.W], [b[r].reshape(-1) for b in v.b]
