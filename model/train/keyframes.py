"""Training keyframes: the weights at chosen epochs, for the timeline scrubber.

Every epoch is kept while the run is short; once ``capacity`` frames are held,
each new frame evicts the interior frame whose removal leaves the smallest
gap in log(epoch + 1), so a long run ends up log-spaced (dense recently and
early, sparse in between) — the first and the newest frame always stay.

Memory bound: at most ``capacity`` frames of P parameters each, i.e.
``capacity · P · itemsize`` bytes of weights, where ``capacity`` =
min(``max_frames``, ``max_bytes`` // (P · itemsize)) but at least 2; with the
defaults (400 frames, 16 MiB) a history keeps ≤ 16 MiB of frames (or 2 frames).
Frames hold exact copies, so restoring one gives bit-identical weights. Once
full, the newest frame may lag the newest epoch by less than the smallest gap
between kept frames (the live weights are the document's anyway).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Keyframe", "Keyframes", "MAX_FRAMES", "MAX_BYTES"]

MAX_FRAMES = 400
MAX_BYTES = 16 * 1024 * 1024  # per history (undo keeps earlier runs' histories)


@dataclass(frozen=True)
class Keyframe:
    """Weights and biases after ``epoch`` epochs (0 = before training) and the train loss then."""

    epoch: int
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    loss: float = float("nan")

    def copy_parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return [w.copy() for w in self.weights], [b.copy() for b in self.biases]

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.weights + self.biases)


def _frozen(arrays) -> tuple[np.ndarray, ...]:
    out = []
    for a in arrays:
        a = np.array(a, copy=True)
        a.setflags(write=False)  # frames are shared between a worker's history and the GUI's
        out.append(a)
    return tuple(out)


class Keyframes:
    """A bounded, epoch-ordered list of :class:`Keyframe` (see the module docstring)."""

    def __init__(self, max_frames: int = MAX_FRAMES, max_bytes: int = MAX_BYTES):
        if int(max_frames) < 2 or int(max_bytes) < 1:
            raise ValueError("keyframes need room for at least 2 frames")
        self.max_frames, self.max_bytes = int(max_frames), int(max_bytes)
        self.frames: list[Keyframe] = []
        self._log: list[float] = []  # log(epoch + 1) of each frame
        self._min_gap = 0.0  # smallest log gap between kept frames (at capacity)
        self.capacity = self.max_frames
        self.revision = 0  # changes whenever the frames do: a reader per training frame compares it, O(1)

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, k: int) -> Keyframe:
        return self.frames[k]

    @property
    def epochs(self) -> np.ndarray:
        return np.array([f.epoch for f in self.frames], dtype=np.int64)

    @property
    def nbytes(self) -> int:
        return sum(f.nbytes for f in self.frames)

    def clear(self) -> None:
        self.revision += 1
        self.frames.clear()
        self._log.clear()
        self._min_gap = 0.0

    def record(self, epoch: int, weights, biases, loss: float = float("nan")) -> None:
        """Keep a copy of the parameters after ``epoch``; a repeated or earlier epoch
        (training restarted from restored weights) drops the frames after it first.

        At capacity, an epoch nearer (in log epoch) to the newest frame than any two
        kept frames are to each other is not copied at all: it would only displace
        its neighbour (this keeps a tiny network's 10k epochs/s from paying ~20 %)."""
        epoch = int(epoch)
        if (
            len(self.frames) >= self.capacity
            and epoch > self.frames[-1].epoch
            and math.log1p(epoch) - self._log[-1] < self._min_gap
        ):
            return
        self.add(Keyframe(epoch, _frozen(weights), _frozen(biases), float(loss)))

    def add(self, frame: Keyframe) -> None:
        """:meth:`record` for a ready frame (its arrays must not change: they are shared)."""
        epoch = frame.epoch
        self.revision += 1
        if not self.frames:
            per = max(frame.nbytes, 1)
            self.capacity = max(2, min(self.max_frames, self.max_bytes // per))
        while self.frames and self.frames[-1].epoch >= epoch:
            self.frames.pop()
            self._log.pop()
        self.frames.append(frame)
        self._log.append(float(np.log1p(epoch)))
        if len(self.frames) > self.capacity:
            self._evict()
        if len(self.frames) >= self.capacity:
            self._min_gap = float(np.diff(self._log).min())

    def _evict(self) -> None:
        lg = np.asarray(self._log)
        # removing interior frame k merges the gaps on either side into lg[k+1] − lg[k−1]
        merged = lg[2:] - lg[:-2]
        k = int(np.argmin(merged)) + 1
        del self.frames[k]
        del self._log[k]

    def nearest(self, epoch: float) -> int:
        """Index of the frame whose epoch is closest to ``epoch`` (ties: the earlier)."""
        if not self.frames:
            raise IndexError("no keyframes recorded")
        e = self.epochs
        k = int(np.searchsorted(e, epoch))
        if k == 0:
            return 0
        if k >= len(e):
            return len(e) - 1
        return k if e[k] - epoch < epoch - e[k - 1] else k - 1
