"""What an analysis was computed on: the network's spec and the data's identity.

A panel keeps the stamp of its result and compares it with the current one;
when they differ the result belongs to an earlier network or data set and is
marked ``analysisStale`` (Export Everything leaves it out).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["analysis_stamp", "mark_stale"]


def _data_id(a) -> tuple:
    if a is None:
        return ()
    a = np.ascontiguousarray(a)
    return (a.shape, str(a.dtype), zlib.crc32(a.view(np.uint8).ravel()))


def analysis_stamp(spec, X, T=None) -> tuple:
    """Hashable identity of (network spec, inputs, targets); weights are not part of it."""
    return (repr(spec), _data_id(X), _data_id(T))


def mark_stale(widget, stale: bool) -> None:
    widget.setProperty("analysisStale", bool(stale))
