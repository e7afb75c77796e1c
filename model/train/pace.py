"""Training pace: how many weight updates a playing run may make per second.

A classroom cannot watch 14,000 updates/s, so play runs at a chosen pace:
slow motion (1 update/s, each update shown as a forward and a backward
wave), steady paces (10 and 100 updates/s, 1 epoch/s) or full speed.

:class:`PaceScheduler` is pure and takes its clock as an argument, so a test
drives it with a fake clock and the worker thread with ``time.monotonic``.
It counts the updates *due* since play started (elapsed × rate) minus those
done; a worker that falls behind (a loaded machine) catches up by at most
``max_backlog`` seconds' worth, so a stall never turns into a burst that
skips the updates a class wanted to watch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Pace", "PACES", "DEFAULT_PACE", "pace_by_key", "PaceScheduler"]


@dataclass(frozen=True)
class Pace:
    """``unit`` is "update" or "epoch"; ``rate`` per second (inf = full speed)."""

    key: str
    label: str
    unit: str
    rate: float
    tip: str

    @property
    def full_speed(self) -> bool:
        return math.isinf(self.rate)

    @property
    def slow_motion(self) -> bool:
        """Slow enough to show every update as its own forward and backward wave."""
        return self.unit == "update" and self.rate <= 2.0

    def updates_per_second(self, updates_per_epoch: int) -> float:
        return self.rate * (max(int(updates_per_epoch), 1) if self.unit == "epoch" else 1)


PACES: tuple[Pace, ...] = (
    Pace(
        "slow",
        "Slow motion (1 update/s)",
        "update",
        1.0,
        "One weight update per second, each shown as a forward and a backward wave with its own numbers",
    ),
    Pace("10", "10 updates/s", "update", 10.0, "Ten weight updates per second: watch the boundary move"),
    Pace("100", "100 updates/s", "update", 100.0, "A hundred weight updates per second"),
    Pace("epoch", "1 epoch/s", "epoch", 1.0, "One pass over the training set per second"),
    Pace("full", "Full speed", "update", math.inf, "As fast as the computer can train"),
)
DEFAULT_PACE = "full"


def pace_by_key(key: str) -> Pace:
    for p in PACES:
        if p.key == key:
            return p
    raise ValueError(f"unknown pace {key!r}; allowed: {', '.join(p.key for p in PACES)}")


class PaceScheduler:
    """When may the next update run?

    ``start()`` when play begins; before each update ask :meth:`due` (how
    many may run now) or :meth:`wait_time` (seconds until the next one);
    after each update call :meth:`done`. ``clock`` returns seconds.
    """

    def __init__(
        self,
        pace: Pace | str = DEFAULT_PACE,
        updates_per_epoch: int = 1,
        clock: Callable[[], float] = time.monotonic,
        max_backlog: float = 0.25,
    ):
        self.clock = clock
        self.max_backlog = float(max_backlog)
        self.updates_per_epoch = max(int(updates_per_epoch), 1)
        self.pace = pace_by_key(pace) if isinstance(pace, str) else pace
        self.start()

    @property
    def rate(self) -> float:
        """Updates per second (inf at full speed)."""
        return self.pace.updates_per_second(self.updates_per_epoch)

    def set_pace(self, pace: Pace | str) -> None:
        """Change pace mid-run: counting restarts now, so no burst or stall."""
        self.pace = pace_by_key(pace) if isinstance(pace, str) else pace
        self.start()

    def start(self) -> None:
        self._t0 = self.clock()
        self._done = 0

    def elapsed(self) -> float:
        """Seconds of play on this scheduler's clock."""
        return self.clock() - self._t0

    def due(self) -> int:
        """Updates that may run now (a large number at full speed)."""
        if self.pace.full_speed:
            return 1 << 30
        # the first update runs at once (t = 0), the next at 1/rate, …
        allowed = math.floor(self.elapsed() * self.rate + 1e-9) + 1
        behind = allowed - self._done
        cap = max(1, math.ceil(self.max_backlog * self.rate))
        if behind > cap:  # fell behind: forget what cannot be shown any more
            self._done = allowed - cap
            behind = cap
        return max(0, behind)

    def wait_time(self) -> float:
        """Seconds until the next update is due (0 when one is due now)."""
        if self.due() > 0:
            return 0.0
        next_at = self._done / self.rate
        return max(0.0, next_at - self.elapsed())

    def done(self, n: int = 1) -> None:
        self._done += int(n)
