"""Wait until a worker process has stopped using the CPU.

After its last gemm an OpenBLAS thread spin-waits for more work for ~0.1 s
of CPU (2^28 cycles: measured here, a 2048² float32 product then a sleep: the
process used 0.104 s of CPU in a 0.2–1 s sleep, none of it after 0.11 s), and
libgomp's threads spin too.  A benchmark that starts the next framework's run
the moment the last one reported would give that run one core for its first
0.1 s (over half of a 0.18 s run), so the drivers wait here first.
"""

from __future__ import annotations

import time


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of ``pid`` in clock ticks (None where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None


def wait_quiet(pid: int, quiet: float = 0.06, poll: float = 0.02, cap: float = 2.0) -> float:
    """Return once ``pid`` has used no CPU for ``quiet`` seconds (at most ``cap``
    seconds of waiting); the seconds waited."""
    t0 = time.perf_counter()
    last, still = cpu_ticks(pid), 0.0
    if last is None:
        time.sleep(0.25)  # no /proc: longer than the spin
        return time.perf_counter() - t0
    while still < quiet and time.perf_counter() - t0 < cap:
        time.sleep(poll)
        now = cpu_ticks(pid)
        if now is None:
            break
        still = still + poll if now == last else 0.0
        last = now
    return time.perf_counter() - t0
