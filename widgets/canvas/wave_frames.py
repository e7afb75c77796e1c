"""What the waves show at each front, as arrays (no Qt): the per-cycle colour
arrays of a record, the overlay of one front, and which front comes next —
so the animator can show a front and prepare the next one alike
(widgets/canvas/wave_animator.py)."""

from __future__ import annotations

import numpy as np

from widgets.canvas import canvas_layout as lay

__all__ = ["cycle_arrays", "front_overlay", "next_front", "scale_percentile", "TRAIL"]

TRAIL = 0.3  # strength of the pairs the front has passed


def scale_percentile(n_edges: int) -> float:
    """Percentile of a layer pair's |values| that maps to the strongest bin:
    95 for small pairs, up to 99 for dense ones, so the top bin holds a few
    dozen edges at most instead of a solid mat of the brightest colour."""
    return 100.0 * (1.0 - float(np.clip(40.0 / max(n_edges, 1), 0.01, 0.05)))


def cycle_arrays(rec, max_visible: int) -> tuple[dict, dict, float]:
    """(per mode the per-pair |values| in edge order, per mode the per-pair
    colour scales, the largest |δ|) of a ProbeRecord's cycle."""
    sizes = [len(v) for v in rec.V]
    vis = [lay.visible_node_indices(n, max_visible) for n in sizes]
    flat, scales = {}, {}
    for mode, mats in (("forward", rec.contrib), ("backward", rec.grad_W)):
        parts = [
            np.abs(np.asarray(m, dtype=np.float64)[np.ix_(vis[l], vis[l + 1])]).ravel()
            for l, m in enumerate(mats)
        ]
        flat[mode] = parts
        # a high percentile rather than the max: in dense layers a few
        # outliers would otherwise leave every other edge in the palest bin
        tops = [float(np.nanpercentile(p, scale_percentile(p.size))) if p.size else 0.0 for p in parts]
        tops = [t if np.isfinite(t) and t > 0 else 0.0 for t in tops]
        top = max(tops, default=0.0) or 1.0
        scales[mode] = [t or top for t in tops] if mode == "forward" else [top] * len(tops)
    d = [np.abs(np.asarray(x, dtype=np.float64)) for x in rec.deltas]
    top = max((float(np.nanmax(x)) for x in d if x.size), default=0.0)
    return flat, scales, (top if np.isfinite(top) and top > 0 else 1.0)


def front_overlay(flat: dict, scales: dict, phase: str, front: int, lod: bool):
    """(edge values in edge order, the front's colour scale, band strengths per
    pair or None) shown with the front at pair ``front`` of ``phase``.

    The front's pair carries the record's values exactly; passed pairs a trail
    at ``TRAIL`` of their own strength on the front's scale (none with the
    level of detail active, where the bands show the trail instead); pairs
    ahead 0."""
    parts, sc = flat[phase], scales[phase]
    trail = 0.0 if lod else TRAIL
    out = []
    for l, p in enumerate(parts):
        passed = l < front if phase == "forward" else l > front
        if l == front:
            out.append(p)
        elif passed and trail:
            out.append(p * (trail * sc[front] / sc[l]))
        else:
            out.append(np.zeros_like(p))
    bands = None
    if lod:  # the trail the thinned edges cannot show
        bands = [
            1.0 if l == front else TRAIL if (l < front if phase == "forward" else l > front) else 0.0
            for l in range(len(parts))
        ]
    return np.concatenate(out), sc[front], bands


def next_front(phase: str, front: int, n_pairs: int) -> tuple[str, int, bool]:
    """(phase, front, new cycle?) after ``front``: forward input → output, then
    backward output → input, then the next cycle's forward pair 0."""
    if phase == "forward":
        return ("forward", front + 1, False) if front + 1 < n_pairs else ("backward", n_pairs - 1, False)
    return ("backward", front - 1, False) if front > 0 else ("forward", 0, True)
