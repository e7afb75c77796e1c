"""Who else is running on this machine: the look a split stack takes before it splits.

A split waits for its slower half, so it pays only with the second core free
(:func:`model.train.batched_split.split_mode`).  Linux tells through
/proc/loadavg (running or runnable tasks) less this process's own threads
and the idle stack workers' (:mod:`model.train.stack_pool`); elsewhere the
answer is 0 (nobody).
"""

from __future__ import annotations

import os
import time

from model.train import stack_pool


def _own_running() -> int:
    """Tasks of ours that are running or runnable (Linux: state R in
    /proc/…/task/*/stat; 0 where unknown): this process's threads (the caller
    and, for ~0.1 s after a threaded gemm, OpenBLAS's spinning workers, which
    give the core up as soon as the worker process wants it) and the idle stack
    workers' (one that was just given back runs on for a moment, freeing its
    stack, and then waits for the next); none of them is another program."""
    return _running("self") + sum(_running(str(pid)) for pid in stack_pool.POOL.idle_pids())


def _running(pid: str) -> int:
    """Threads of process ``pid`` ("self": this one) in state R (0 where unknown)."""
    n = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        n += task_state(stat) == "R"
    return n


def task_state(stat: str) -> str:
    """The state letter of a /proc/…/stat line: it follows the parenthesised
    name, which may itself hold spaces and ')'."""
    end = stat.rfind(")")
    return stat[end + 2 : end + 3] if end >= 0 else ""


def _runnable() -> int | None:
    """/proc/loadavg's count of running or runnable tasks (None where unknown)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def others_running(samples: int = 4, gap_s: float = 0.0002) -> int:
    """Tasks running on the machine besides this process's own (Linux:
    /proc/loadavg's runnable count less :func:`_own_running`; 0 where unknown):
    the least of a few looks ~0.3 ms apart (~1.5 ms in all), so a burst (the GUI
    thread painting a frame) does not count, a program computing does.  A look
    that finds nobody ends it (~0.08 ms): the least can be no lower, and the
    1.3 ms of sleeps were 9 % of a circles sweep on an idle machine.  A seam
    for tests."""
    least = None
    for i in range(samples):
        if i:
            time.sleep(gap_s)
        running = _runnable()
        if running is None:
            return 0
        running -= max(1, _own_running())
        least = running if least is None else min(least, running)
        if least <= 0:
            break
    return max(0, least)
