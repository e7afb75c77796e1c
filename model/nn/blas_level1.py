"""BLAS level-1 calls (axpy, scal) on NumPy's own OpenBLAS, through ctypes.

An optimizer step over a big parameter vector is memory-bound: NumPy's
ufuncs make one pass per operation on one core, with a scratch array for
``lr·buf``.  OpenBLAS's ``axpy`` (y += a·x) makes one pass without scratch
and threads above 10,000 elements; on the 2-core machine of issue 17 the
momentum step of 784-256-128-10 (235,146 parameters) took 74 µs (float32) /
155 µs (float64) as four ufuncs and 38 / 77 µs as scal + axpy + axpy.

Bits: ``scal`` rounds each product once and ``axpy`` with a = 1 each sum once,
as the ufuncs do; ``axpy`` with another ``a`` computes ``y + a·x`` in one
fused multiply-add, as ``torch``'s ``add_(x, alpha=a)`` does (one rounding
where ``y - (lr·x)`` has two), but for the last ``n mod BLOCK`` elements
(two roundings, as the kernel's own tail), so the result does not depend on
the thread count, alignment or a split of the vector at a whole block
(tests check 1 and 2 threads, offset starts, rows of a stack).

Only the library :mod:`model.nn.blas_threads` found is used (symbol names
of scipy-openblas with 64-bit ints, or plain OpenBLAS); :func:`usable` is
False elsewhere and callers keep their NumPy code.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

from model.nn import blas_threads

# (name pattern, integer type): numpy ≥ 2's scipy-openblas64, then 32-bit-int builds
_VARIANTS = (
    ("scipy_cblas_{}64_", ctypes.c_int64),
    ("scipy_cblas_{}", ctypes.c_int),
    ("cblas_{}", ctypes.c_int),
)
_CTYPE = {np.dtype(np.float32): ("s", ctypes.c_float), np.dtype(np.float64): ("d", ctypes.c_double)}

#: axpy runs the kernel on whole blocks of this many elements only: its own tail (the last
#: n mod 16-32 of each thread's share) rounds twice where the rest is fused, so with a
#: share that is not a whole number of blocks the bits would depend on the thread count
#: (1 vs 2 threads, 100,003 elements: one element differed).  The rest is done as the tail.
BLOCK = 1024

_lock = threading.Lock()
_funcs: dict | None = None


def _load() -> dict:
    """{dtype: (axpy, scal)} for the dtypes the library has both for; looked up once."""
    global _funcs
    with _lock:
        if _funcs is not None:
            return _funcs
        _funcs = {}
        lib = blas_threads.library()
        if lib is None:
            return _funcs
        for dt, (c, real) in _CTYPE.items():
            for pattern, integer in _VARIANTS:
                axpy = getattr(lib, pattern.format(c + "axpy"), None)
                scal = getattr(lib, pattern.format(c + "scal"), None)
                if axpy is None or scal is None:
                    continue
                axpy.restype, scal.restype = None, None
                axpy.argtypes = [integer, real, ctypes.c_void_p, integer, ctypes.c_void_p, integer]
                scal.argtypes = [integer, real, ctypes.c_void_p, integer]
                _funcs[dt] = (axpy, scal)
                break
        return _funcs


def usable(dtype) -> bool:
    """True when axpy and scal can be called for arrays of ``dtype``."""
    return np.dtype(dtype) in _load()


def _pointer(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def axpy(alpha, x: np.ndarray, y: np.ndarray) -> None:
    """``y += alpha·x`` in place (one fused multiply-add per element).

    ``alpha`` a number, or a (K, 1) column of one per row of (K, n) arrays
    (stacked runs: one call per row).  ``x`` and ``y`` C-contiguous, of one
    dtype :func:`usable` accepts, the same shape."""
    if x.shape != y.shape or x.dtype != y.dtype or not (x.flags.c_contiguous and y.flags.c_contiguous):
        raise ValueError("axpy needs two C-contiguous arrays of one shape and dtype")
    if not y.flags.writeable:
        raise ValueError("axpy writes into y, which is read-only")
    if isinstance(alpha, np.ndarray) and alpha.ndim:
        alphas = alpha.reshape(-1).tolist()
        if y.ndim != 2 or len(alphas) != y.shape[0]:
            raise ValueError(f"one alpha per row: {len(alphas)} for arrays of shape {y.shape}")
    else:  # one number: the whole array as one row
        alphas, x, y = [float(alpha)], x.reshape(1, -1), y.reshape(1, -1)
    f = _load()[y.dtype][0]
    px, py = _pointer(x), _pointer(y)
    n, step = y.shape[1], y.shape[1] * y.itemsize
    head = n - n % BLOCK
    if head:
        for k, a in enumerate(alphas):  # ctypes rounds a to the dtype, as the tail below does
            f(head, a, px + k * step, 1, py + k * step, 1)
    if head < n:  # the last n mod BLOCK elements: two roundings, as the kernel's own tail
        y[:, head:] += np.asarray(alphas, y.dtype)[:, None] * x[:, head:]


def scal(alpha: float, x: np.ndarray) -> None:
    """``x *= alpha`` in place (``x`` C-contiguous, a dtype :func:`usable` accepts)."""
    if not x.flags.c_contiguous or not x.flags.writeable:
        raise ValueError("scal needs a writeable C-contiguous array")
    _load()[x.dtype][1](x.size, float(alpha), _pointer(x), 1)
