"""Do a list of arrays exactly tile one contiguous buffer?  Then an optimizer
updates the whole buffer in one call per operation instead of one per array."""

from __future__ import annotations

import numpy as np


def flat_pair(params, grads):
    """``([flat params], [flat grads], params, grads, offsets)`` when the params
    exactly tile one contiguous buffer and the grads another at the same
    offsets (e.g. :class:`~model.nn.network.Network` parameters); else None."""
    fp, op = tiling(params)
    fg, og = tiling(grads)
    if fp is None or fg is None or op != og or fp.dtype != fg.dtype or fp.size != fg.size:
        return None
    return [fp], [fg], tuple(params), tuple(grads), op


def tiling(arrays):
    """(flat view of the shared base, element offsets) or (None, None)."""
    if not arrays or not all(isinstance(a, np.ndarray) for a in arrays):
        return None, None
    base = arrays[0].base
    if not isinstance(base, np.ndarray) or not base.flags.c_contiguous:
        return None, None
    start, item = base.__array_interface__["data"][0], base.itemsize
    offsets, spans = [], []
    for a in arrays:
        if a.base is not base or not a.flags.c_contiguous or a.dtype != base.dtype:
            return None, None
        off, rem = divmod(a.__array_interface__["data"][0] - start, item)
        if rem:
            return None, None
        offsets.append(off)
        spans.append((off, off + a.size))
    spans.sort()
    if spans[0][0] != 0 or spans[-1][1] != base.size or any(a[1] != b[0] for a, b in zip(spans, spans[1:])):
        return None, None  # gaps or overlaps
    return base.reshape(-1), offsets
