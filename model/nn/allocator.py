"""Keep glibc's allocator from handing big freed blocks straight back to the kernel.

By default an array above 128 KiB is its own mmap, unmapped when freed (and
freed heap above the trim threshold is returned too), so the next array of
that size faults in every page again. Where a page fault is dear — this
project's 2-core sandbox (gVisor), ~1.4 µs a page — that is most of the cost
of building a stack: a 16-run digits stack (five 2.2 MB arrays) took 5.1 ms,
1.0 ms with the blocks kept. The thresholds here keep blocks up to 32 MB
(glibc's own dynamic ceiling on 64-bit) in the heap and up to 128 MB of freed
heap in the process. Called once by the app's entry point and the stack pool's workers:
a process-wide setting is the program's to make, not a library import's.
No-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["keep_freed_memory", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20
_applied = False


def keep_freed_memory() -> bool:
    """Set the thresholds (once per process); True if the C library took them."""
    global _applied
    if _applied:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mmap first: setting either fixes both (glibc stops adjusting them itself)
    _applied = (
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )
    return _applied
