"""``mnist_like``: 28×28 handwritten-looking digits drawn in-process (no download).

Each class 0–9 is a pen path (polylines in the unit square: arcs and lines,
like a person writes the digit).  Every sample draws its digit's path
through its own random affine map — rotation ±12°, scale 0.8–1.15 per axis,
shear ±0.25, shift ±2.5 px — with a random pen width of 1.2–2.6 px and soft
(anti-aliased) edges, then adds gaussian pixel noise (the data set's ``noise``, default 0.03).  Pixels are in [0, 1],
laid out row by row like MNIST (feature ``p{row}_{col}``).  60,000 samples
by default; the same seed gives the same pixels.
"""

from __future__ import annotations

import numpy as np

SIDE = 28
_CHUNK = 256  # samples rendered at once: (chunk, 784, segments) float32 work arrays


def _arc(cx, cy, rx, ry, a0, a1, k=10):
    """Points on an elliptic arc, angles in degrees (0 = right, 90 = down)."""
    t = np.radians(np.linspace(a0, a1, k))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _line(*pts):
    return np.asarray(pts, dtype=np.float64)


# one list of polylines per digit, coordinates in [0, 1] (x right, y down)
_PATHS = {
    0: [_arc(0.5, 0.5, 0.26, 0.38, 0, 360, 16)],
    1: [_line((0.36, 0.24), (0.54, 0.1), (0.54, 0.9))],
    2: [np.vstack([_arc(0.5, 0.33, 0.25, 0.22, 190, 380, 8), _line((0.24, 0.88), (0.78, 0.88))])],
    3: [_arc(0.48, 0.3, 0.24, 0.2, 200, 450, 8), _arc(0.48, 0.69, 0.27, 0.21, 270, 520, 8)],
    4: [_line((0.66, 0.9), (0.66, 0.1), (0.2, 0.64), (0.82, 0.64))],
    5: [
        np.vstack([_line((0.76, 0.12), (0.32, 0.12), (0.28, 0.46)), _arc(0.5, 0.64, 0.27, 0.25, 220, 490, 9)])
    ],
    6: [np.vstack([_arc(0.66, 0.44, 0.36, 0.36, 250, 180, 5), _arc(0.5, 0.66, 0.24, 0.22, 180, 540, 12)])],
    7: [_line((0.22, 0.12), (0.8, 0.12), (0.42, 0.9))],
    8: [_arc(0.5, 0.29, 0.21, 0.19, 0, 360, 12), _arc(0.5, 0.69, 0.25, 0.21, 0, 360, 12)],
    9: [_arc(0.5, 0.34, 0.23, 0.22, 0, 360, 12), _line((0.73, 0.34), (0.66, 0.9))],
}


def _segments(digit: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points (S, 2) of every straight piece of a digit's path."""
    a = np.vstack([p[:-1] for p in _PATHS[digit]])
    b = np.vstack([p[1:] for p in _PATHS[digit]])
    return a, b


def _pixel_centres() -> np.ndarray:
    r, c = np.mgrid[0:SIDE, 0:SIDE]
    return np.stack([(c.ravel() + 0.5) / SIDE, (r.ravel() + 0.5) / SIDE], axis=1).astype(np.float32)


def render(labels: np.ndarray, rng: np.random.Generator, noise: float = 0.03) -> np.ndarray:
    """Pixels (n, 784) in [0, 1], float32, one jittered drawing per label plus
    gaussian pixel noise of std ``noise``."""
    n = len(labels)
    out = np.empty((n, SIDE * SIDE), np.float32)
    P = _pixel_centres()
    # per sample: affine map about the centre, shift, pen width (all in unit-square terms)
    ang = np.radians(rng.uniform(-12, 12, n))
    sx, sy = rng.uniform(0.8, 1.15, n), rng.uniform(0.8, 1.15, n)
    shear = rng.uniform(-0.25, 0.25, n)
    shift = rng.uniform(-2.5, 2.5, (n, 2)) / SIDE
    width = rng.uniform(1.2, 2.6, n) / (2 * SIDE)
    c, s = np.cos(ang), np.sin(ang)
    A = np.empty((n, 2, 2))
    A[:, 0, 0], A[:, 0, 1] = c * sx, (c * shear - s) * sy
    A[:, 1, 0], A[:, 1, 1] = s * sx, (s * shear + c) * sy
    soft = np.float32(0.7 / SIDE)
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        a0, b0 = _segments(digit)
        for start in range(0, len(idx), _CHUNK):
            i = idx[start : start + _CHUNK]
            M, t = A[i], shift[i][:, None, :] + 0.5
            a = (np.einsum("mij,sj->msi", M, a0 - 0.5) + t).astype(np.float32)  # (m, S, 2)
            ab = (np.einsum("mij,sj->msi", M, b0 - 0.5) + t).astype(np.float32) - a
            L2 = np.maximum((ab**2).sum(-1), 1e-12)  # (m, S)
            ap_x = P[None, :, None, 0] - a[:, None, :, 0]  # (m, 784, S)
            ap_y = P[None, :, None, 1] - a[:, None, :, 1]
            u = (ap_x * ab[:, None, :, 0] + ap_y * ab[:, None, :, 1]) / L2[:, None, :]
            np.clip(u, 0, 1, out=u)
            ap_x -= u * ab[:, None, :, 0]
            ap_y -= u * ab[:, None, :, 1]
            d = np.sqrt((ap_x * ap_x + ap_y * ap_y).min(axis=2))  # distance to the pen path
            ink = (width[i, None].astype(np.float32) - d) / soft + 0.5
            out[i] = np.clip(ink, 0, 1)
    if noise > 0:
        out += rng.normal(0, noise, out.shape).astype(np.float32)
        np.clip(out, 0, 1, out=out)
    return out


def mnist_like(n: int, rng: np.random.Generator, noise: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """(pixels (n, 784) float32, labels (n,)) with the ten classes balanced and shuffled."""
    labels = rng.permutation(np.arange(n) % 10)
    return render(labels, rng, noise), labels


FEATURES = [f"p{r}_{c}" for r in range(SIDE) for c in range(SIDE)]
