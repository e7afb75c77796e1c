"""How fast a split stack's worker process trains against this process, and
the share of the runs that follows from it.

A split stack (:mod:`model.train.batched_split`) waits for its slower half.
On the 2-core machine of issue 17 the two cores are not alike: the same
half-stack (circles 2-8-8-1, 8 runs, 200 epochs) pinned to each core in turn
took 1.11× as long on the second at the median and 1.42× at the 90th
percentile, in phases of seconds, and the worker process was the half that
lagged (its half 1.55× the caller's at the 90th percentile of 150 calls).

After each call that ran to its end, the *pace* (the worker's seconds per
unit of work over this process's) is folded into a running estimate (the
geometric mean with the last one, so a phase is followed within two calls),
and the next split gives the worker the share of the runs that makes both
halves end together.  A unit of work is one run's update plus, per update,
:data:`FIXED_RUNS` runs' worth that a stack pays whatever its size.  The
share only moves runs between the halves: every run's result is the same.
"""

from __future__ import annotations

import math
import threading

import numpy as np

#: A stack's per-update cost that does not grow with its runs, in runs: circles
#: 2-8-8-1 full batch, 200 epochs, one stack of K runs took 10.2 ms + 2.3 ms per run.
FIXED_RUNS = 4.0

#: The pace is held within [1 / LIMIT, LIMIT]: a worker that fell far behind
#: once (a core taken for a moment) still gets a share next time.
LIMIT = 2.0

_lock = threading.Lock()
_pace = 1.0


def pace() -> float:
    """The worker's seconds per unit of work over this process's (1: alike)."""
    return _pace


def reset() -> None:
    """Forget what was observed (tests)."""
    global _pace
    with _lock:
        _pace = 1.0


def work(updates: int, run_samples: int, rows: int) -> float:
    """Units of work of a half that made ``updates`` updates over ``run_samples``
    run-rows (Σ active runs × batch rows) with batches of ``rows`` rows."""
    return updates * FIXED_RUNS + run_samples / max(rows, 1)


def observe(main_s: float, main_work: float, worker_s: float, worker_work: float) -> None:
    """Fold one call's halves (seconds and :func:`work` of each) into the pace."""
    global _pace
    if min(main_s, main_work, worker_s, worker_work) <= 0 or not math.isfinite(main_s + worker_s):
        return
    seen = (worker_s / worker_work) / (main_s / main_work)
    seen = min(LIMIT, max(1.0 / LIMIT, seen))
    with _lock:
        _pace = math.sqrt(_pace * seen)


def worker_runs(k: int, s: float | None = None) -> int:
    """How many of ``k`` runs (≥ 2) the worker trains at pace ``s`` (default:
    :func:`pace`): both halves' time, (FIXED_RUNS + runs) × pace, equal."""
    s = pace() if s is None else s
    # halves round to this process, which pays no messages: 3 runs alike are 2 + 1
    b = math.ceil((k + FIXED_RUNS * (1.0 - s)) / (1.0 + s) - 0.5)
    return min(k - 1, max(1, b))


def share(k: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """The runs of this process and of the worker (``b`` of ``k``), spread
    evenly over the rates: a sweep's large rates, the ones that diverge and
    leave their stack, share out between the halves.  ``b = k // 2`` gives the
    even and the odd runs."""
    picks = np.zeros(k, dtype=bool)
    picks[((2 * np.arange(b) + 1) * k) // (2 * b)] = True  # the middles of b equal stretches
    return np.flatnonzero(~picks), np.flatnonzero(picks)
