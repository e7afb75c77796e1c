"""Where the network canvas puts nodes and edges — pure NumPy, no Qt.

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

__all__ = ["visible_node_indices", "node_positions", "ellipsis_positions",
           "edge_segments", "edge_order_values"]


def visible_node_indices(size: int, max_visible: int = 64) -> np.ndarray:
    """Real indices of the nodes drawn for a layer of ``size`` nodes (int64, sorted)."""
    size = int(size)
    if max_visible < 3:
        raise ValueError(f"max_visible must be at least 3, got {max_visible}")
    if size <= max_visible:
        return np.arange(size, dtype=np.int64)
    head = max_visible // 2          # = ceil((max_visible - 1) / 2)
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


def node_positions(layer_sizes, *, layer_gap: float = 160.0, node_gap: float = 44.0,
                   max_visible: int = 64) -> list[np.ndarray]:
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


def ellipsis_positions(layer_sizes, *, layer_gap: float = 160.0, node_gap: float = 44.0,
                       max_visible: int = 64) -> list[tuple[float, float, int] | None]:
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
    return (np.concatenate(segs), np.concatenate(lay), np.concatenate(ii),
            np.concatenate(jj))


def edge_order_values(matrices, node_indices=None) -> np.ndarray:
    """Flatten per-layer (n_l, n_{l+1}) matrices into edge order.

    With ``node_indices`` (compressed layers) only the visible rows/columns are
    taken, matching :func:`edge_segments` called with the same indices.
    """
    parts = []
    for l, m in enumerate(matrices):
        m = np.asarray(m, dtype=np.float64)
        if node_indices is not None:
            m = m[np.ix_(node_indices[l], node_indices[l + 1])]
        parts.append(m.ravel())
    return np.concatenate(parts) if parts else np.empty(0)
