"""How many threads NumPy's BLAS uses, read and set at run time.

On 2 cores OpenBLAS threads every gemm above m·n·k ≈ 262,144 itself, which
for the mid-size gemms of a training step (and for many small gemms called
from two threads at once) costs more in hand-offs than it gains.  Code that
parallelises at a coarser grain (runs of a stack, halves of a batch) sets
BLAS to one thread for its duration and restores it after.

Only NumPy's bundled OpenBLAS (scipy-openblas, found next to numpy) or a
system ``libopenblas`` is controlled, through ctypes; with any other BLAS
:func:`blas_threads` is ``None`` and the setters do nothing.  The count is
process-global, so callers restore it (:func:`limited_blas`).
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading

import numpy as np

# (get, set) symbol pairs: numpy ≥ 2's scipy-openblas (64-bit ints), then plain OpenBLAS
_SYMBOLS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)

_lock = threading.RLock()
_api: tuple | None = None
_lib: ctypes.CDLL | None = None  # the library _api came from
_looked = False


def _mapped() -> list[str]:
    """OpenBLAS libraries this process has loaded already (Linux: /proc/self/maps),
    found without listing directories: the glob below took ~80 ms on a cold cache."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            paths = {line.split(None, 5)[-1].strip() for line in f if "openblas" in line}
    except OSError:
        return []
    libs = [p for p in paths if p.startswith("/") and os.path.basename(p).startswith("lib")]
    return sorted(libs, key=lambda p: ("numpy" not in p, p))  # NumPy's own first (scipy may bring another)


def _candidates() -> list[str]:
    found = _mapped()
    if found:
        return found
    here = os.path.dirname(np.__file__)
    for pattern in ("numpy.libs/*openblas*.so*", ".dylibs/*openblas*.dylib", "numpy.libs/*openblas*.dll"):
        found += sorted(glob.glob(os.path.join(os.path.dirname(here), pattern)))
        found += sorted(glob.glob(os.path.join(here, pattern)))
    return found + ["libopenblas.so.0", "libopenblas.so"]


def library() -> ctypes.CDLL | None:
    """The OpenBLAS whose thread count is controlled here (None: none found)."""
    _load()
    return _lib


def _load():
    """(get, set) ctypes functions, or None; looked up once."""
    global _api, _lib, _looked
    with _lock:
        if _looked:
            return _api
        _looked = True
        for path in _candidates():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for get_name, set_name in _SYMBOLS:
                get, put = getattr(lib, get_name, None), getattr(lib, set_name, None)
                if get is not None and put is not None:
                    get.restype, get.argtypes = ctypes.c_int, []
                    put.restype, put.argtypes = None, [ctypes.c_int]
                    _api, _lib = (get, put), lib
                    return _api
        return None


def usable_cores() -> int:
    """CPUs this process may run on (its affinity mask, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _checked(n: int) -> int:
    n = int(n)
    if n < 1:
        raise ValueError(f"BLAS threads must be ≥ 1, got {n}")
    return n


def blas_threads() -> int | None:
    """The BLAS thread count now, or None when the BLAS can't be controlled."""
    api = _load()
    return None if api is None else int(api[0]())


def set_blas_threads(n: int) -> int | None:
    """Set the BLAS thread count to ``n`` (≥ 1); returns the previous count (None: not controlled)."""
    n = _checked(n)
    api = _load()
    if api is None:
        return None
    with _lock:
        prev = int(api[0]())
        if prev != n:
            api[1](n)
        return prev


_holders = 0  # limited_blas blocks open now (in any thread)
_saved: int | None = None  # the count before the first of them


def limited_blas(n: int = 1) -> "_Limited":
    """BLAS at (at most) ``n`` threads inside the block, the previous count after it,
    also on an exception.  Blocks may nest and overlap across threads: the count
    set before the first one comes back when the last one ends.  Yields the
    count before the block (None: not controlled).  A plain class, not a
    generator: one block costs ~2 µs instead of ~6 (a training update may open one)."""
    return _Limited(_checked(n))


class _Limited:
    __slots__ = ("n", "api")

    def __init__(self, n: int):
        self.n, self.api = n, None

    def __enter__(self) -> int | None:
        global _holders, _saved
        api = self.api = _load()
        if api is None:
            return None
        with _lock:
            prev = api[0]()
            if _holders == 0:
                _saved = prev
            _holders += 1
            if prev > self.n:
                api[1](self.n)
        return prev

    def __exit__(self, *exc) -> bool:
        global _holders
        api = self.api
        if api is not None:
            with _lock:
                _holders -= 1
                if _holders == 0 and _saved is not None and api[0]() != _saved:
                    api[1](_saved)
        return False
