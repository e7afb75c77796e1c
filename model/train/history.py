"""Training history: per-epoch and per-update records as growing NumPy arrays."""

from __future__ import annotations

import io

import numpy as np

EPOCH_FIELDS = ("epoch", "train_loss", "val_loss", "train_acc", "val_acc", "lr", "updates", "seconds")


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
        for v in values:
            self.append(v)

    def __len__(self) -> int:
        return self._n

    @property
    def values(self) -> np.ndarray:
        """A view of the filled part (do not keep across appends from other threads)."""
        return self._data[: self._n]


class History:
    """Everything the loss and gradient panels plot.

    Per epoch: the fields in ``EPOCH_FIELDS`` plus per-layer ``grad_norms`` and
    ``weight_norms`` (epochs, L). Per update: ``update_loss`` and ``update_lr``.
    ``events`` marks resets, learning-rate changes and divergence by update index.
    """

    def __init__(self, n_layers: int):
        self.n_layers = n_layers
        self.epoch_data = {k: GrowingArray() for k in EPOCH_FIELDS}
        self.grad_norms = GrowingArray(n_layers)
        self.weight_norms = GrowingArray(n_layers)
        self.update_loss = GrowingArray(capacity=4096)
        self.update_lr = GrowingArray(capacity=4096)
        self.events: list[tuple[int, str, str]] = []  # (update index, kind, text)

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

    # ------------------------------------------------------------- persist
    def to_dict(self) -> dict:
        def clean(a):
            return [None if not np.isfinite(v) else float(v) for v in np.ravel(a)]

        d = {k: clean(self[k]) for k in EPOCH_FIELDS}
        d["grad_norms"] = [clean(r) for r in self.grad_norms.values]
        d["weight_norms"] = [clean(r) for r in self.weight_norms.values]
        d["update_loss"] = clean(self.update_loss.values)
        d["update_lr"] = clean(self.update_lr.values)
        d["events"] = [list(e) for e in self.events]
        return d

    @classmethod
    def from_dict(cls, d: dict, n_layers: int) -> "History":
        if not isinstance(d, dict):
            raise ValueError("history must be an object")
        h = cls(n_layers)
        n = len(d.get("epoch", []))

        def arr(key, length, width=None):
            raw = d.get(key, [])
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
        h.update_loss.extend(arr("update_loss", m))
        h.update_lr.extend(arr("update_lr", m))
        h.events = [(int(e[0]), str(e[1]), str(e[2])) for e in d.get("events", [])]
        return h

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
