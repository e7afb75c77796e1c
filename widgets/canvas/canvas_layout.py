"""Where the network canvas puts nodes and edges (and what it calls each
column) — pure NumPy, no Qt.

Coordinates are scene units (1 unit = 1 px at zoom 1): layer ``l`` sits at
``x = l * layer_gap``, each column is centred on ``y = 0`` and node 0 is at the
top (Qt's y axis points down).

Wide layers are *compressed*: a layer with more than ``max_visible`` nodes
shows its first ``ceil((max_visible - 1) / 2)`` and last
``floor((max_visible - 1) / 2)`` nodes, with one empty slot between them where
the canvas draws an ellipsis marker ("⋮ 4,033 more"). So a compressed column
is exactly ``max_visible`` slots tall and holds ``max_visible - 1`` nodes;
edges are drawn between visible nodes only, and the index arrays returned by
:func:`edge_segments` always carry the *real* node indices.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "visible_node_indices",
    "node_positions",
    "ellipsis_positions",
    "edge_segments",
    "edge_order_values",
    "layer_bands",
    "layer_title",
    "compact_title",
    "node_caption",
    "lod_notice",
    "feature_symbol",
    "feature_label",
]

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def feature_symbol(index: int) -> str:
    """The lecture's name of input ``index`` (0-based): x₁, x₂, …"""
    return "x" + str(index + 1).translate(_SUBSCRIPT)


def feature_label(name: str, limit: int = 18) -> str:
    """A column name as shown beside its input node: "x1" -> "x₁", long names elided."""
    if len(name) > 1 and name[0] == "x" and name[1:].isdigit():
        return "x" + name[1:].translate(_SUBSCRIPT)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def visible_node_indices(size: int, max_visible: int = 64) -> np.ndarray:
    """Real indices of the nodes drawn for a layer of ``size`` nodes (int64, sorted)."""
    size = int(size)
    if max_visible < 3:
        raise ValueError(f"max_visible must be at least 3, got {max_visible}")
    if size <= max_visible:
        return np.arange(size, dtype=np.int64)
    head = max_visible // 2  # = ceil((max_visible - 1) / 2)
    tail = max_visible - 1 - head
    return np.concatenate([np.arange(head), np.arange(size - tail, size)]).astype(np.int64)


def _slot_rows(size: int, max_visible: int) -> np.ndarray:
    """Slot (row) of each visible node: 0…k-1, skipping the ellipsis slot."""
    if size <= max_visible:
        return np.arange(size, dtype=np.float64)
    head = max_visible // 2
    rows = np.arange(max_visible - 1, dtype=np.float64)
    rows[head:] += 1.0  # leave slot ``head`` free for the ellipsis marker
    return rows


def node_positions(
    layer_sizes, *, layer_gap: float = 160.0, node_gap: float = 44.0, max_visible: int = 64
) -> list[np.ndarray]:
    """Centre of every *visible* node, per layer.

    Returns a list with one float64 array of shape (k_l, 2) per layer — columns
    x, y — where ``k_l = len(visible_node_indices(layer_sizes[l], max_visible))``.
    """
    out = []
    for l, size in enumerate(layer_sizes):
        slots = min(int(size), max_visible)
        rows = _slot_rows(int(size), max_visible)
        pos = np.empty((rows.size, 2))
        pos[:, 0] = l * layer_gap
        pos[:, 1] = (rows - (slots - 1) / 2.0) * node_gap
        out.append(pos)
    return out


def ellipsis_positions(
    layer_sizes, *, layer_gap: float = 160.0, node_gap: float = 44.0, max_visible: int = 64
) -> list[tuple[float, float, int] | None]:
    """Per layer: ``(x, y, hidden_count)`` of the ellipsis marker, or None when
    the layer is not compressed."""
    out = []
    for l, size in enumerate(layer_sizes):
        size = int(size)
        if size <= max_visible:
            out.append(None)
            continue
        head = max_visible // 2  # the free slot, see _slot_rows
        y = (head - (max_visible - 1) / 2.0) * node_gap
        out.append((l * layer_gap, y, size - (max_visible - 1)))
    return out


def edge_segments(positions, node_indices=None):
    """All edges between consecutive columns, vectorised.

    Parameters
    ----------
    positions : list of (k_l, 2) arrays, as returned by :func:`node_positions`.
    node_indices : optional list of (k_l,) int arrays, the real node index of
        each row of ``positions[l]`` (default ``arange(k_l)``; pass
        ``visible_node_indices(...)`` for compressed layers).

    Returns
    -------
    segments : (E, 2*2) float64 — x0, y0, x1, y1 per edge.
    layer, i, j : (E,) int64 — edge e joins node ``i[e]`` of layer ``layer[e]``
        to node ``j[e]`` of layer ``layer[e] + 1`` (weight ``W[layer][i, j]``).
        Order is by layer, then i, then j: the row-major order of each
        weight matrix, so ``concatenate([W.ravel() for W in weights])`` lines
        up with it when no layer is compressed.
    """
    if node_indices is None:
        node_indices = [np.arange(len(p), dtype=np.int64) for p in positions]
    segs, lay, ii, jj = [], [], [], []
    for l in range(len(positions) - 1):
        a, b = np.asarray(positions[l], float), np.asarray(positions[l + 1], float)
        na, nb = len(a), len(b)
        s = np.empty((na, nb, 4))
        s[:, :, 0:2] = a[:, None, :]
        s[:, :, 2:4] = b[None, :, :]
        segs.append(s.reshape(-1, 4))
        lay.append(np.full(na * nb, l, dtype=np.int64))
        ii.append(np.repeat(np.asarray(node_indices[l], np.int64), nb))
        jj.append(np.tile(np.asarray(node_indices[l + 1], np.int64), na))
    if not segs:
        empty = np.empty(0, dtype=np.int64)
        return np.empty((0, 4)), empty, empty.copy(), empty.copy()
    return (np.concatenate(segs), np.concatenate(lay), np.concatenate(ii), np.concatenate(jj))


def edge_order_values(per_layer, node_indices=None) -> np.ndarray:
    """Flatten per-layer edge values into :func:`edge_segments` order.

    Each element of ``per_layer`` is either a full (n_l, n_{l+1}) matrix (like
    the weights; with ``node_indices`` only the visible rows/columns are
    taken) or a 1-D array already in edge order for that layer pair.
    """
    parts = []
    for l, m in enumerate(per_layer):
        m = np.asarray(m, dtype=np.float64)
        if m.ndim == 2 and node_indices is not None:
            m = m[np.ix_(node_indices[l], node_indices[l + 1])]
        parts.append(m.ravel())
    return np.concatenate(parts) if parts else np.empty(0)


def layer_bands(positions, layer_gap: float, radius: float) -> list[tuple[float, ...]]:
    """Per layer pair the band joining two columns (their visible nodes ± ``radius``):
    ``(x0, y0_top, y0_bottom, x1, y1_top, y1_bottom)`` in scene units."""
    ext = [(l * layer_gap, p[:, 1].min() - radius, p[:, 1].max() + radius) for l, p in enumerate(positions)]
    return [a + b for a, b in zip(ext, ext[1:])]


def layer_title(layer: int, layer_sizes, activations) -> str:
    """Header text: "Input · 2", "Hidden 1 · tanh · 4", "Output · sigmoid · 1"."""
    n = len(layer_sizes)
    if layer == 0:
        return f"Input · {layer_sizes[0]:,}"
    name = "Output" if layer == n - 1 else f"Hidden {layer}"
    return f"{name} · {activations[layer - 1]} · {layer_sizes[layer]:,}"


def compact_title(layer: int, layer_sizes, activations) -> str:
    """Header when the layers stand too close for :func:`layer_title`: "H1" over
    "tanh" (the width and the full title are in the node tooltips and the Inspector)."""
    n = len(layer_sizes)
    if layer == 0:
        return f"In\n{layer_sizes[0]:,}"
    name = "Out" if layer == n - 1 else f"H{layer}"
    return f"{name}\n{activations[layer - 1]}"


def node_caption(layer: int, index: int, layer_sizes, activations, bias=None, value=None) -> str:
    """Tooltip text of a node; ``index`` is 0-based, shown 1-based like the lecture."""
    lines = [f"{layer_title(layer, layer_sizes, activations).split(' · ')[0]}, node {index + 1}"]
    if layer:
        lines.append(f"activation: {activations[layer - 1]}")
    if bias is not None:
        lines.append(f"bias: {float(bias):+.4g}")
    if value is not None:
        lines.append(f"value: {float(value):+.4g}")
    return "\n".join(lines)


def lod_notice(layer_sizes, n_visible: int, n_drawn: int) -> str:
    """What the canvas says when it does not draw every edge ("" when it does).
    ``n_visible``: edges between visible nodes; ``n_drawn``: edges drawn."""
    total = sum(a * b for a, b in zip(layer_sizes, layer_sizes[1:]))
    if n_visible == total:
        return "" if n_drawn == total else f"showing {n_drawn:,} strongest of {total:,} edges"
    if n_drawn < n_visible:
        return (
            f"showing {n_drawn:,} strongest of {n_visible:,} visible edges "
            f"({total:,} in the network; wide layers compressed)"
        )
    return f"showing {n_visible:,} of {total:,} edges (wide layers compressed)"
