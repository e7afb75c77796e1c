"""Training history: per-epoch and per-update records as growing NumPy arrays.

A training worker keeps its own :class:`History`; the rows it adds travel to
the document's history as immutable :class:`HistoryRows` (``rows_since`` on
the worker's side, ``append_rows`` on the GUI thread), so no history is ever
written by two threads. The per-update series are bounded
(model.train.update_series): past a cap, older updates are min/max/mean
decimated; the per-epoch rows are all kept.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np

from model.train.keyframes import Keyframes
from model.train.update_series import UpdateSeries

EPOCH_FIELDS = (
    "epoch",
    "train_loss",
    "val_loss",
    "train_acc",
    "val_acc",
    "lr",
    "updates",
    "seconds",
    "penalty",
)
#: Fields added after version 1: missing from older files, read as NaN.
_NEWER_FIELDS = ("penalty",)


class GrowingArray:
    """Append-only float array with amortised O(1) appends (capacity doubles)."""

    def __init__(self, width: int | None = None, capacity: int = 256):
        shape = (capacity,) if width is None else (capacity, width)
        self._data = np.empty(shape)
        self._n = 0

    def append(self, value) -> None:
        if self._n == len(self._data):
            grown = np.empty((2 * len(self._data),) + self._data.shape[1:])
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n] = value
        self._n += 1

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=float)
        k = len(values)
        if k == 0:
            return
        need = self._n + k
        if need > len(self._data):
            cap = max(need, 2 * len(self._data))
            grown = np.empty((cap,) + self._data.shape[1:])
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n : need] = values.reshape((k,) + self._data.shape[1:])
        self._n = need

    def __len__(self) -> int:
        return self._n

    @property
    def values(self) -> np.ndarray:
        """A view of the filled part (do not keep across appends from other threads)."""
        return self._data[: self._n]


@dataclass(frozen=True)
class HistoryRows:
    """The rows a history gained after a cursor ``start = (epochs, updates, events)``.

    Arrays are private copies: ``epoch_data`` maps each of ``EPOCH_FIELDS`` to
    (e,), ``grad_norms``/``weight_norms`` are (e, L), ``update_loss``/``update_lr`` (u,).
    """

    start: tuple[int, int, int]
    epoch_data: dict
    grad_norms: np.ndarray
    weight_norms: np.ndarray
    update_loss: np.ndarray
    update_lr: np.ndarray
    events: tuple
    keyframes: tuple = ()  # Keyframe records at epochs ≥ start's (model.train.keyframes)

    @property
    def end(self) -> tuple[int, int, int]:
        e, u, v = self.start
        return (e + len(self.grad_norms), u + len(self.update_loss), v + len(self.events))

    def __bool__(self) -> bool:
        return self.end != self.start


class History:
    """Everything the loss and gradient panels plot.

    Per epoch: the fields in ``EPOCH_FIELDS`` plus per-layer ``grad_norms`` and
    ``weight_norms`` (epochs, L). Per update: ``update_loss`` and ``update_lr``
    (:class:`UpdateSeries`: the newest at full resolution, older ones decimated).
    ``events`` marks resets, learning-rate changes and divergence by update index.
    """

    def __init__(self, n_layers: int):
        self.n_layers = n_layers
        self.epoch_data = {k: GrowingArray() for k in EPOCH_FIELDS}
        self.grad_norms = GrowingArray(n_layers)
        self.weight_norms = GrowingArray(n_layers)
        self.update_loss = UpdateSeries()  # len = updates so far; bounded memory
        self.update_lr = UpdateSeries()
        self.events: list[tuple[int, str, str]] = []  # (update index, kind, text)
        #: test-split figures, reported once at the end: {"loss", "accuracy", "epoch"} or None
        self.test: dict | None = None
        self.keyframes = Keyframes()  # weights along the run, for the timeline (not saved)

    def __len__(self) -> int:
        return len(self.epoch_data["epoch"])

    def __getitem__(self, key: str) -> np.ndarray:
        if key in self.epoch_data:
            return self.epoch_data[key].values
        return {
            "grad_norms": self.grad_norms,
            "weight_norms": self.weight_norms,
            "update_loss": self.update_loss,
            "update_lr": self.update_lr,
        }[key].values

    def add_epoch(self, record: dict, grad_norms, weight_norms) -> None:
        for k in EPOCH_FIELDS:
            self.epoch_data[k].append(record.get(k, np.nan))
        self.grad_norms.append(grad_norms)
        self.weight_norms.append(weight_norms)

    def add_update(self, loss: float, lr: float) -> None:
        self.update_loss.append(loss)
        self.update_lr.append(lr)

    def mark(self, kind: str, text: str = "") -> None:
        self.events.append((len(self.update_loss), kind, text))

    # ----------------------------------------------------- rows between threads
    @property
    def cursor(self) -> tuple[int, int, int]:
        """(epochs, updates, events): where the next rows will start."""
        return (len(self), len(self.update_loss), len(self.events))

    def rows_since(self, start: tuple[int, int, int]) -> HistoryRows:
        """Copies of everything added after ``start`` (a ``cursor`` taken earlier)."""
        e, u, v = start
        return HistoryRows(
            start=tuple(start),
            epoch_data={k: self.epoch_data[k].values[e:].copy() for k in EPOCH_FIELDS},
            grad_norms=self.grad_norms.values[e:].copy(),
            weight_norms=self.weight_norms.values[e:].copy(),
            update_loss=self.update_loss.since(u),
            update_lr=self.update_lr.since(u),
            events=tuple(self.events[v:]),
            keyframes=tuple(f for f in self.keyframes.frames if f.epoch >= e),
        )

    def append_rows(self, rows: HistoryRows) -> None:
        """Append rows taken from a history that continued this one.

        Raises ValueError when they do not start where this history ends (rows
        of another run, or a gap), so a mismatch can never be written silently.
        """
        if tuple(rows.start) != self.cursor:
            raise ValueError(f"history rows start at {rows.start}, this history ends at {self.cursor}")
        if len(rows.grad_norms) and rows.grad_norms.shape[1:] != (self.n_layers,):
            raise ValueError(f"history rows are for a network of {rows.grad_norms.shape[1]} layers")
        for k in EPOCH_FIELDS:
            self.epoch_data[k].extend(rows.epoch_data[k])
        self.grad_norms.extend(rows.grad_norms)
        self.weight_norms.extend(rows.weight_norms)
        self.update_loss.extend(rows.update_loss)
        self.update_lr.extend(rows.update_lr)
        self.events.extend(rows.events)
        for f in rows.keyframes:
            self.keyframes.add(f)

    def copy(self) -> "History":
        """An independent copy (a worker trains its own)."""
        h = History(self.n_layers)
        u = len(self.update_loss)
        rows = self.rows_since((0, u, 0))  # epochs and events; the update series copy whole
        h.update_loss, h.update_lr = self.update_loss.copy(), self.update_lr.copy()
        h.append_rows(rows)
        h.test = dict(self.test) if self.test is not None else None
        return h

    # ------------------------------------------------------------- persist
    def to_dict(self) -> dict:
        def clean(a, flat=True):
            a = np.asarray(a, dtype=float)
            a = np.ravel(a) if flat else a
            ok = np.isfinite(a)
            return _tolist(
                a if ok.all() else np.where(ok, a, None)
            )  # JSON has no NaN: missing values are null

        d = {k: clean(self[k]) for k in EPOCH_FIELDS}
        # (epochs, L) at once: a list comprehension per epoch took most of a long run's save
        d["grad_norms"] = clean(self.grad_norms.values, flat=False)
        d["weight_norms"] = clean(self.weight_norms.values, flat=False)
        d["update_loss"] = clean(self.update_loss.values)
        d["update_lr"] = clean(self.update_lr.values)
        if self.update_loss.start:  # older updates decimated: their buckets, oldest first
            b = {"size": self.update_loss.bucket, "loss_first": clean([self.update_loss.first])[0]}
            for name, series in (("loss", self.update_loss), ("lr", self.update_lr)):
                for part, a in zip(("min", "max", "mean"), series.buckets):
                    b[f"{name}_{part}"] = clean(a)
            d["update_buckets"] = b
        d["events"] = [list(e) for e in self.events]
        if self.test is not None:
            d["test"] = {
                k: (None if v is None or not np.isfinite(v) else float(v)) for k, v in self.test.items()
            }
        return d

    @classmethod
    def from_dict(cls, d: dict, n_layers: int) -> "History":
        if not isinstance(d, dict):
            raise ValueError("history must be an object")
        h = cls(n_layers)
        n = len(d.get("epoch", []))

        def arr(key, length, width=None):
            raw = d.get(key, [None] * length if key in _NEWER_FIELDS else [])
            if not isinstance(raw, list) or len(raw) != length:
                raise ValueError(f"history.{key} must be a list of {length} values")
            a = (
                np.array([np.nan if v is None else v for v in raw], dtype=float)
                if width is None
                else np.array(
                    [[np.nan if v is None else v for v in row] for row in raw], dtype=float
                ).reshape(length, width)
            )
            return a

        for k in EPOCH_FIELDS:
            h.epoch_data[k].extend(arr(k, n))
        for k, target in (("grad_norms", h.grad_norms), ("weight_norms", h.weight_norms)):
            target.extend(arr(k, n, n_layers))
        m = len(d.get("update_loss", []))
        loss, lr = arr("update_loss", m), arr("update_lr", m)
        b = d.get("update_buckets")
        if b is None:
            h.update_loss.extend(loss)
            h.update_lr.extend(lr)
        else:
            _set_decimated(h, b, loss, lr)
        h.events = [(int(e[0]), str(e[1]), str(e[2])) for e in d.get("events", [])]
        test = d.get("test")
        if test is not None:
            if not isinstance(test, dict):
                raise ValueError("history.test must be an object")
            h.test = {str(k): (np.nan if v is None else float(v)) for k, v in test.items()}
        return h

    def nbytes(self) -> int:
        """Bytes held by the arrays (what grows with a run)."""
        grow = [*self.epoch_data.values(), self.grad_norms, self.weight_norms]
        return sum(g._data.nbytes for g in grow) + self.update_loss.nbytes() + self.update_lr.nbytes()

    def to_csv(self) -> str:
        """Per-epoch table: the epoch fields, then grad_norm_1..L, weight_norm_1..L."""
        L = self.n_layers
        header = (
            list(EPOCH_FIELDS)
            + [f"grad_norm_{i + 1}" for i in range(L)]
            + [f"weight_norm_{i + 1}" for i in range(L)]
        )
        n = len(self)
        table = np.column_stack(
            [self[k] for k in EPOCH_FIELDS]
            + [self.grad_norms.values.reshape(n, L), self.weight_norms.values.reshape(n, L)]
        )
        buf = io.StringIO()
        buf.write(",".join(header) + "\n")
        for row in table:
            buf.write(",".join("" if not np.isfinite(v) else repr(float(v)) for v in row) + "\n")
        return buf.getvalue()


def _tolist(a: np.ndarray, chunk: int = 8192) -> list:
    """``a.tolist()`` about ``chunk`` values at a time: a thread saving a long run hands
    the GIL back in between (one tolist of a 40,000-epoch (epochs, L) array held it ~13 ms)."""
    per = max(1, chunk // max(1, int(np.prod(a.shape[1:]))))
    out: list = []
    for start in range(0, len(a), per):
        out.extend(a[start : start + per].tolist())
        time.sleep(0)  # a waiting thread takes the GIL now, not after the 5 ms switch interval
    return out


def _set_decimated(h: History, b, loss: np.ndarray, lr: np.ndarray) -> None:
    """Install a saved history's decimated updates (``to_dict``'s ``update_buckets``)."""
    if not isinstance(b, dict):
        raise ValueError("history.update_buckets must be an object")
    size = b.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 2**40:
        raise ValueError("history.update_buckets.size must be a whole number of updates ≥ 1")
    parts = {}
    for key in ("loss_min", "loss_max", "loss_mean", "lr_min", "lr_max", "lr_mean"):
        raw = b.get(key)
        if not isinstance(raw, list):
            raise ValueError(f"history.update_buckets.{key} must be a list of numbers")
        try:
            parts[key] = np.array([np.nan if v is None else v for v in raw], dtype=float)
        except (TypeError, ValueError, OverflowError) as e:
            raise ValueError(f"history.update_buckets.{key} must be a list of numbers") from e
    n = len(parts["loss_min"])
    if any(len(a) != n for a in parts.values()):
        raise ValueError("history.update_buckets: every list must have one value per bucket")
    first = b.get("loss_first")
    first = float("nan") if first is None or isinstance(first, (bool, str, list, dict)) else float(first)
    for name, series, values in (("loss", h.update_loss, loss), ("lr", h.update_lr, lr)):
        buckets = (parts[f"{name}_min"], parts[f"{name}_max"], parts[f"{name}_mean"])
        series.set_state(size * n, size, buckets, values, first if name == "loss" else None)
