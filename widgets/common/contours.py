"""Isolines of a gridded surface: vectorised marching squares (pure NumPy)."""

from __future__ import annotations

import numpy as np

__all__ = ["contour_segments"]


def contour_segments(xs, ys, Z, levels):
    """Marching squares, vectorised: isoline segments of Z (len(ys), len(xs))
    as x, y arrays of point pairs (for ``connect='pairs'``)."""
    out_x, out_y = [], []
    dx, dy = np.diff(xs)[None, :], np.diff(ys)[:, None]
    for c in levels:
        s = Z > c
        with np.errstate(divide="ignore", invalid="ignore"):
            hx = xs[None, :-1] + (c - Z[:, :-1]) / (Z[:, 1:] - Z[:, :-1]) * dx
            vy = ys[:-1, None] + (c - Z[:-1, :]) / (Z[1:, :] - Z[:-1, :]) * dy
        hy = np.broadcast_to(ys[:, None], hx.shape)
        vx = np.broadcast_to(xs[None, :], vy.shape)
        hz, vz = s[:, :-1] != s[:, 1:], s[:-1, :] != s[1:, :]
        # cell edges in order bottom, right, top, left
        F = np.stack([hz[:-1], vz[:, 1:], hz[1:], vz[:, :-1]])
        PX = np.stack([hx[:-1], vx[:, 1:], hx[1:], vx[:, :-1]])
        PY = np.stack([hy[:-1], vy[:, 1:], hy[1:], vy[:, :-1]])
        n = F.sum(0)
        jj, ii = np.nonzero(n == 2)
        e = np.argsort(~F[:, jj, ii], axis=0, kind="stable")[:2]
        pairs = [(e[0], e[1], jj, ii)]
        j4, i4 = np.nonzero(n == 4)  # saddle cells: the centre value decides the pairing
        if len(j4):
            centre = (Z[j4, i4] + Z[j4, i4 + 1] + Z[j4 + 1, i4] + Z[j4 + 1, i4 + 1]) > 4 * c
            same = centre == s[j4, i4]
            z = np.zeros_like(j4)
            pairs += [(z, np.where(same, 1, 3), j4, i4), (np.where(same, 2, 1) + z, z + 2 + same, j4, i4)]
        for a, b, j, i in pairs:
            out_x.append(np.stack([PX[a, j, i], PX[b, j, i]], 1).ravel())
            out_y.append(np.stack([PY[a, j, i], PY[b, j, i]], 1).ravel())
    if not out_x:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(out_x), np.concatenate(out_y)
