"""Batch, stochastic and mini-batch gradient descent measured side by side.

The lecture's trade-off table (accuracy, update speed, memory usage, online
learning) with every column measured on the current problem.  Each run starts
from a copy of the caller's network; cancellable like the sweeps.

The three runs train one after another, not stacked (model.train.batched):
a stack needs every run to take the same batches in lockstep, and here the
batch sizes differ (per epoch 1, n and n/b updates), so no two updates
share a shape.  Nor would it pay: stochastic GD is 93-95 % of the time
(5 epochs, 1 thread: circles 206 of 218 ms, the deep sigmoid net 310 of
334 ms, digits 1180 of 1239 ms), so even merging the other two runs into
it for free would save at most 5-7 %, and it would merge the three timings
that the table's ms/update and ms/epoch columns exist to show apart.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from model.nn.network import Network
from model.optim.names import GD_MODES
from model.train.trainer import STOP_DIVERGED, Trainer, TrainSettings

from .sweep_common import ignore_progress, never, run_settings

__all__ = [
    "VARIANTS",
    "ONLINE",
    "VariantRun",
    "VariantsResult",
    "gd_variants",
    "memory_per_update",
    "format_bytes",
]

VARIANTS = tuple(GD_MODES)

#: The lecture's trade-off table: online learning per variant (batch needs every sample first).
ONLINE = {"batch": False, "stochastic": True, "mini-batch": True}


def memory_per_update(layer_sizes, batch_size: int, itemsize: int = 8) -> int:
    """Bytes of one update's working arrays for a batch of ``batch_size`` samples.

    Activations: the inputs x, and per layer ℓ the net inputs b and outputs V
    (b·(n₀ + 2·Σ nℓ) numbers); gradients: the δ of every unit (b·Σ nℓ) and
    ∂E/∂w, ∂E/∂θ for every parameter.  The parameters themselves and the data
    set are shared by all variants and not counted.
    """
    sizes = [int(v) for v in layer_sizes]
    units = sum(sizes[1:])
    params = sum((a + 1) * c for a, c in zip(sizes[:-1], sizes[1:]))
    return int(itemsize * (batch_size * (sizes[0] + 3 * units) + params))


@dataclass
class VariantRun:
    """One variant's run. Arrays have K+1 entries: index 0 is the common start.

    ``loss``: full-training-set loss after each epoch; ``updates``: updates
    so far; ``seconds``: wall time spent in updates so far (loss evaluation
    excluded); ``accuracy``: training accuracy after each epoch (NaN for
    regression).  NaN past divergence; ``diverged_at`` is the 1-based epoch
    in which the trainer's divergence rule fired (0 = never).
    """

    name: str
    batch_size: int
    updates_per_epoch: int
    epochs: np.ndarray
    updates: np.ndarray
    seconds: np.ndarray
    loss: np.ndarray
    diverged: bool = False
    diverged_at: int = 0
    accuracy: np.ndarray | None = None
    memory_bytes: int = 0

    @property
    def online(self) -> bool:
        return ONLINE[self.name]

    @property
    def time_per_epoch(self) -> float:
        done = np.isfinite(self.loss[1:])
        k = int(done.sum())
        return float(self.seconds[k] / k) if k else math.nan

    @property
    def time_per_update(self) -> float:
        return self.time_per_epoch / self.updates_per_epoch

    @property
    def final_loss(self) -> float:
        """Loss after the last epoch; NaN for a diverged run (see ``diverged_at``)."""
        return float(self.loss[-1])

    @property
    def final_accuracy(self) -> float:
        return float(self.accuracy[-1]) if self.accuracy is not None else math.nan

    @property
    def outcome(self) -> str:
        return f"diverged at epoch {self.diverged_at}" if self.diverged else "converging"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "batch_size": self.batch_size,
            "updates_per_epoch": self.updates_per_epoch,
            "final_loss": _json(self.final_loss),
            "final_accuracy": _json(self.final_accuracy),
            "diverged": bool(self.diverged),
            "diverged_at_epoch": int(self.diverged_at) or None,
            "ms_per_update": _json(1e3 * self.time_per_update),
            "ms_per_epoch": _json(1e3 * self.time_per_epoch),
            "memory_bytes": int(self.memory_bytes),
            "online": self.online,
        }


def _json(v: float):
    return float(v) if math.isfinite(v) else None


@dataclass
class VariantsResult:
    runs: list[VariantRun] = field(default_factory=list)
    cancelled: bool = False
    classification: bool = False

    #: The lecture's columns (accuracy, update speed, memory usage, online learning), measured.
    TABLE_HEADER = (
        "variant",
        "batch size",
        "updates/epoch",
        "final loss",
        "accuracy",
        "ms/update",
        "ms/epoch",
        "memory/update",
        "online learning",
    )

    def table(self) -> list[tuple]:
        """Rows matching ``TABLE_HEADER`` (numbers; NaN final loss for a diverged run)."""
        return [
            (
                r.name,
                r.batch_size,
                r.updates_per_epoch,
                r.final_loss,
                r.final_accuracy,
                1e3 * r.time_per_update,
                1e3 * r.time_per_epoch,
                r.memory_bytes,
                r.online,
            )
            for r in self.runs
        ]

    def table_text(self) -> list[tuple[str, ...]]:
        """``table()`` as the strings the panel shows: a diverged run reads
        "diverged at epoch k", never "nan"."""
        out = []
        for r, row in zip(self.runs, self.table()):
            loss = r.outcome if r.diverged else f"{row[3]:.4g}"
            acc = f"{100 * row[4]:.1f} %" if math.isfinite(row[4]) and not r.diverged else "—"
            out.append(
                (
                    r.name,
                    f"{r.batch_size:,}",
                    f"{r.updates_per_epoch:,}",
                    loss,
                    acc,
                    _ms(row[5]),
                    _ms(row[6]),
                    format_bytes(r.memory_bytes),
                    "yes" if r.online else "no",
                )
            )
        return out

    def summary(self) -> str:
        """One sentence that never praises a diverged run."""
        ok = [r for r in self.runs if not r.diverged]
        bad = [f"{r.name} {r.outcome}" for r in self.runs if r.diverged]
        text = ""
        if ok:
            best = min(ok, key=lambda r: r.final_loss)
            text = f"Lowest final loss: {best.name} ({best.final_loss:.4g}). "
        if bad:
            joined = "; ".join(bad)
            text += joined[:1].upper() + joined[1:] + " (η too large for that batch size). "
        return text + (
            "Stochastic: many cheap, noisy updates per epoch, little memory, online; "
            "batch: one exact, expensive update per epoch, memory for every sample, not online."
        )


def _ms(v: float) -> str:
    return f"{v:.3g}" if math.isfinite(v) else "—"


def format_bytes(n: int) -> str:
    """1,234 B / 12.1 KiB / 3.4 MiB."""
    if n < 10_000:
        return f"{n:,} B"
    if n < 10 << 20:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1 << 20):.1f} MiB"


def gd_variants(
    net: Network,
    X,
    T,
    settings: TrainSettings,
    epochs: int,
    batch_size_mini: int = 32,
    should_stop=None,
    progress=None,
    task: str = "regression",
) -> VariantsResult:
    """Batch (b = n), stochastic (b = 1) and mini-batch GD from the same start.

    Same optimizer, learning rate and seed from ``settings``; the schedule is
    kept; divergence is the trainer's rule.  ``batch_size_mini`` is clipped
    to n // 2 (at least 1) so the mini-batch variant differs from full-batch
    on tiny data such as XOR.  ``task="classification"`` adds the training
    accuracy after each epoch.
    """
    should_stop = should_stop or never
    progress = progress or ignore_progress
    K = int(epochs)
    if K < 1:
        raise ValueError(f"epochs must be ≥ 1, got {epochs!r}")
    X = np.asarray(X, dtype=net.dtype)
    T = np.asarray(T, dtype=net.dtype)
    n = len(X)
    b_mini = max(1, min(int(batch_size_mini), n // 2))
    start = net.copy()
    loss0 = float(start.loss(X, T))
    cls = task == "classification"
    result = VariantsResult(classification=cls)
    for v, (name, b) in enumerate(zip(VARIANTS, (n, 1, b_mini))):
        tr = Trainer(start.copy(), X, T, run_settings(settings, batch_size=b), task=task)
        upe = tr.updates_per_epoch
        loss = np.full(K + 1, np.nan)
        secs = np.full(K + 1, np.nan)
        acc = np.full(K + 1, np.nan)
        loss[0], secs[0] = loss0, 0.0
        if cls:
            acc[0] = tr.evaluate(X, T)[1]
        mem = memory_per_update(net.layer_sizes, min(b, n), np.dtype(net.dtype).itemsize)
        run = VariantRun(
            name, b, upe, np.arange(K + 1), np.arange(K + 1) * upe, secs, loss, accuracy=acc, memory_bytes=mem
        )
        result.runs.append(run)
        elapsed = 0.0
        for k in range(1, K + 1):
            t0 = time.perf_counter()
            for _ in tr.updates():
                if should_stop():
                    result.cancelled = True
                    break
            elapsed += time.perf_counter() - t0
            if result.cancelled:
                return result
            if tr.stop_reason == STOP_DIVERGED:
                run.diverged, run.diverged_at = True, k
                break
            loss[k], acc[k] = tr.evaluate(X, T)
            secs[k] = elapsed
            progress((v + k / K) / len(VARIANTS))
    return result
