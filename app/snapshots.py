"""Snapshots (no Qt): the immutable picture of a run the training worker publishes,
its one-slot mailbox, and building one from a trainer (also for training on the
GUI thread at once, ``train_in_place``).

The worker puts the newest snapshot into the mailbox; the GUI takes it and the
document adopts it. Arrays are private read-only copies, so nothing the GUI
holds is written by the worker.
"""

from __future__ import annotations

import copy
import math
import threading
from dataclasses import dataclass

import numpy as np

from model.nn.probe import ProbeRecord
from model.train.history import HistoryRows
from model.train.trainer import Trainer

__all__ = ["Snapshot", "SnapshotMailbox", "private_trainer", "snapshot_of", "train_in_place"]


def _frozen(arrays) -> tuple[np.ndarray, ...]:
    out = []
    for a in arrays:
        a = np.array(a, copy=True)
        a.setflags(write=False)
        out.append(a)
    return tuple(out)


@dataclass(frozen=True)
class Snapshot:
    """What one moment of a run looks like; arrays are read-only private copies.

    ``rows`` are the history chunks added since the previous snapshot the GUI
    took (consecutive :class:`HistoryRows`); ``message`` explains a divergence.
    """

    step: int
    epoch: int
    loss: float
    lr: float
    accuracy: float
    updates_per_s: float
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    rows: tuple[HistoryRows, ...] = ()
    probe: ProbeRecord | None = None
    grid: np.ndarray | None = None  # network outputs on the dataset view's grid
    train_pred: np.ndarray | None = None  # outputs for every training sample
    grid_at: tuple[int, int] | None = None  # (epoch, step) the grid and train_pred were computed at
    finished: str | None = None  # stop reason when the run ended
    message: str = ""
    paced: bool = False  # paced play: canvas, map and curves show this very update
    update_probe: ProbeRecord | None = None  # slow motion: the probe's pass *of* this update (before it)
    analyses: dict | None = None  # live health and stability (model.analysis.live), when computed
    dropped: tuple | None = None  # slow motion with dropout: per hidden layer, the probe's units dropped


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

    def empty(self) -> bool:
        """True once the newest item was taken (or none was put)."""
        with self._lock:
            return self._item is None

    def merge_put(self, merge) -> None:
        """``put(merge(previous or None))`` atomically: nothing is lost between the two."""
        with self._lock:
            self._item = merge(self._item)


def snapshot_of(trainer: Trainer, start, finished: str | None = None) -> Snapshot:
    """A snapshot of ``trainer``'s state with its history rows since ``start``."""
    h, net = trainer.history, trainer.net
    rows = h.rows_since(start)
    return Snapshot(
        step=trainer.step,
        epoch=trainer.epoch,
        loss=float(h.update_loss.values[-1]) if len(h.update_loss) else math.nan,
        lr=trainer.lr,
        accuracy=float(h["train_acc"][-1]) if len(h) else math.nan,
        updates_per_s=0.0,
        weights=_frozen(net.weights),
        biases=_frozen(net.biases),
        rows=(rows,) if rows else (),
        finished=finished,
        message=trainer.divergence_message if finished else "",
    )


def private_trainer(doc) -> Trainer:
    """A Trainer on copies of the document's network, history and settings
    (the data arrays are shared read-only: nobody writes them in place)."""
    d = doc.data
    return Trainer(
        doc.net.copy(),
        d.X_train,
        d.train.T,
        copy.deepcopy(doc.settings),
        d.X_val,
        d.val.T,
        task=d.task,
        history=doc.history.copy(),
    )


def train_in_place(doc, epochs: int) -> str | None:
    """Train ``epochs`` on copies on the calling (GUI) thread, then adopt the
    result: for screenshots and scripts that want a trained window at once."""
    tr = private_trainer(doc)
    start = tr.history.cursor
    reason = tr.train(epochs=epochs)
    doc.adopt(snapshot_of(tr, start, reason))
    return reason
