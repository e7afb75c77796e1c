"""A per-update series (loss or learning rate) whose memory stays bounded.

The newest :data:`RECENT` to ``RECENT + FOLD`` updates are kept at full
resolution; older ones are folded into at most :data:`MAX_BUCKETS` buckets of
equal size holding each bucket's min, max and mean. When the buckets are
full, neighbours merge in pairs and the bucket size doubles. So a million
updates cost ~0.5 MB per series instead of 8 MB (and a project file of a
bounded size); the plotted curve keeps every spike (the min/max envelope).

Folding depends only on the total count, never on how the values arrived
(one ``append`` at a time in the trainer, chunks in ``extend`` on the GUI
thread): two series fed the same values hold the same state, so the
worker's history and the document's stay equal row for row.
"""

from __future__ import annotations

import numpy as np

RECENT = 16_384  # the newest updates always kept at full resolution
FOLD = 4_096  # updates folded at once (so folds, and curve re-smoothing, are rare)
MAX_BUCKETS = 4_096  # older updates: at most this many (min, max, mean) buckets
FIRST_BUCKET = 8  # updates per bucket before the first merge


class UpdateSeries:
    """Append-only per-update values; ``len`` is the number of updates ever appended.

    ``values`` are the full-resolution rows (update numbers ``start + 1 … len``);
    ``buckets`` the decimated older ones; ``curve()`` both, ready to plot.
    """

    def __init__(self, capacity: int = 4096):
        self._data = np.empty(max(16, capacity))
        self._lo = 0  # first full-resolution row in _data
        self._hi = 0  # one past the last
        self.start = 0  # updates folded into buckets (update number of values[0] is start + 1)
        self.bucket = FIRST_BUCKET
        self._min = np.empty(0)
        self._max = np.empty(0)
        self._mean = np.empty(0)
        self.first = float("nan")  # the very first value (divergence tests compare with it)

    # ------------------------------------------------------------------ append
    def append(self, value) -> None:
        if self._hi == len(self._data):
            self._make_room(1)
        if self.start == 0 and self._hi == self._lo:
            self.first = float(value)
        self._data[self._hi] = value
        self._hi += 1
        if self._hi - self._lo >= RECENT + FOLD:
            self._fold()

    def extend(self, values) -> None:
        values = np.ravel(np.asarray(values, dtype=float))
        while len(values):
            # never more than up to the next fold, so folds fall where single appends put them
            room = RECENT + FOLD - (self._hi - self._lo)
            chunk, values = values[:room], values[room:]
            if self._hi + len(chunk) > len(self._data):
                self._make_room(len(chunk))
            if self.start == 0 and self._hi == self._lo:
                self.first = float(chunk[0])
            self._data[self._hi : self._hi + len(chunk)] = chunk
            self._hi += len(chunk)
            if self._hi - self._lo >= RECENT + FOLD:
                self._fold()

    def _make_room(self, k: int) -> None:
        n = self._hi - self._lo
        cap = len(self._data)
        if n + k > cap // 2:
            cap = max(2 * cap, n + k)
        grown = np.empty(cap)
        grown[:n] = self._data[self._lo : self._hi]
        self._data, self._lo, self._hi = grown, 0, n

    def _fold(self) -> None:
        """Move the oldest whole buckets beyond ``RECENT`` into the decimated part."""
        b = self.bucket
        k = ((self._hi - self._lo - RECENT) // b) * b
        if k <= 0:
            return
        old = self._data[self._lo : self._lo + k].reshape(-1, b)
        with np.errstate(invalid="ignore"):
            # a NaN (a diverged update) stays visible as a NaN bucket
            mn, mx, mean = old.min(axis=1), old.max(axis=1), old.mean(axis=1)
        self._min = np.concatenate([self._min, mn])
        self._max = np.concatenate([self._max, mx])
        self._mean = np.concatenate([self._mean, mean])
        self._lo += k
        self.start += k
        # an odd count waits for one more bucket, so every bucket keeps one size
        while len(self._min) > MAX_BUCKETS and len(self._min) % 2 == 0:
            self._merge_pairs()

    def _merge_pairs(self) -> None:
        self._min = np.minimum(self._min[0::2], self._min[1::2])
        self._max = np.maximum(self._max[0::2], self._max[1::2])
        self._mean = 0.5 * (self._mean[0::2] + self._mean[1::2])
        self.bucket *= 2

    # ------------------------------------------------------------------ read
    def __len__(self) -> int:
        return self.start + self._hi - self._lo

    @property
    def values(self) -> np.ndarray:
        """A view of the full-resolution rows (do not keep across appends)."""
        return self._data[self._lo : self._hi]

    def since(self, u: int) -> np.ndarray:
        """A copy of the rows after update count ``u`` (ValueError if already decimated)."""
        if u < self.start:
            raise ValueError(f"updates after {u} are no longer at full resolution (kept from {self.start})")
        return self._data[self._lo + u - self.start : self._hi].copy()

    @property
    def buckets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(min, max, mean) of each decimated bucket of ``bucket`` updates, oldest first."""
        return self._min, self._max, self._mean

    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(update number, value) to plot: each bucket as its min then its max at the
        bucket's middle (a vertical stroke: the envelope), then every recent update."""
        nb = len(self._min)
        mid = self.bucket * np.arange(nb) + 0.5 * (self.bucket + 1)
        x = np.concatenate([np.repeat(mid, 2), np.arange(self.start + 1, len(self) + 1, dtype=float)])
        env = np.column_stack([self._min, self._max]).ravel()
        return x, np.concatenate([env, self.values])

    def mean_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(update number, value) with each bucket as its mean: what a smoothed line follows."""
        nb = len(self._min)
        mid = self.bucket * np.arange(nb) + 0.5 * (self.bucket + 1)
        x = np.concatenate([mid, np.arange(self.start + 1, len(self) + 1, dtype=float)])
        return x, np.concatenate([self._mean, self.values])

    def nbytes(self) -> int:
        return self._data.nbytes + self._min.nbytes + self._max.nbytes + self._mean.nbytes

    # ------------------------------------------------------------ copy/persist
    def copy(self) -> "UpdateSeries":
        s = UpdateSeries(capacity=self._hi - self._lo + 1)
        s.set_state(self.start, self.bucket, self.buckets, self.values, self.first)
        return s

    def set_state(self, start: int, bucket: int, buckets, values, first: float | None = None) -> None:
        """Install a saved state (``to_state``'s pieces); ValueError when inconsistent."""
        mn, mx, mean = (np.asarray(a, dtype=float).ravel() for a in buckets)
        if not (len(mn) == len(mx) == len(mean)) or bucket < 1 or start != bucket * len(mn):
            raise ValueError("the decimated updates do not fit together (bucket size × buckets ≠ start)")
        values = np.asarray(values, dtype=float).ravel()
        self._data = np.empty(max(16, 2 * len(values)))
        self._data[: len(values)] = values
        self._lo, self._hi = 0, len(values)
        self.start, self.bucket = int(start), int(bucket)
        self._min, self._max, self._mean = mn.copy(), mx.copy(), mean.copy()
        if first is not None:
            self.first = float(first)
        elif start == 0 and len(values):
            self.first = float(values[0])
        else:
            self.first = float(mean[0]) if len(mean) else float("nan")
