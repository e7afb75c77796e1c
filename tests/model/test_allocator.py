"""keep_freed_memory: a freed big array's pages stay in the process (glibc), so the
next array of that size does not fault them in again. Each case runs in a fresh
interpreter (the setting is process-wide); mallinfo2 reports what the heap holds."""

import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
import numpy as np
from model.nn.allocator import keep_freed_memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL(None)
if not hasattr(libc, "mallinfo2"):
    print("no-mallinfo2"); sys.exit(0)
libc.mallinfo2.restype = MallInfo2
applied = keep_freed_memory() if sys.argv[1] == "keep" else False
a = np.ones(1 << 19)  # 4 MiB: above glibc's default 128 KiB mmap threshold
mapped = libc.mallinfo2().hblkhd  # bytes in separately mmapped blocks
del a
kept = libc.mallinfo2().fordblks  # free bytes the heap keeps
print(applied, mapped >= 4 << 20, kept >= 4 << 20)
"""


def _probe(mode: str) -> str:
    r = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_freed_big_array_stays_in_the_heap_only_when_asked():
    default, kept = _probe("default"), _probe("keep")
    if default == "no-mallinfo2":
        pytest.skip("this C library has no mallinfo2")
    assert default == "False True False"  # its own mmap, returned to the kernel when freed
    assert kept == "True False True"  # from the heap, and kept there once freed
