"""The built-in data generators and the lecture's fixed tables (pure NumPy,
deterministic for a ``numpy.random.Generator``); ``model.data.datasets`` calls them."""

from __future__ import annotations

import numpy as np

from model.data.dataset import Dataset
from model.data.preprocessing import one_hot

# --------------------------------------------------------------------------- fixed lecture tables

_BOOL_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)

_ELEVEN_POINTS = np.array(
    [  # lecture notes, Figure 5.23: x1, x2, t
        [0.1, 0.95, 0],
        [0.2, 0.85, 0],
        [0.2, 0.9, 0],
        [0.3, 0.75, 1],
        [0.4, 0.65, 1],
        [0.4, 0.75, 1],
        [0.6, 0.45, 0],
        [0.8, 0.25, 0],
        [0.1, 0.65, 1],
        [0.2, 0.75, 1],
        [0.7, 0.2, 1],
    ],
    dtype=np.float64,
)


def _table(name: str, X: np.ndarray, T: np.ndarray, task: str = "classification") -> Dataset:
    classes = ["0", "1"] if task == "classification" else []
    tnames = ["t"] if T.shape[1] == 1 else [f"t{j + 1}" for j in range(T.shape[1])]
    return Dataset(X.copy(), T.copy(), task, ["x1", "x2"], tnames, classes, name)


def fixed_table(name: str) -> Dataset:
    if name == "xor":
        return _table(name, _BOOL_INPUTS, np.array([[0], [1], [1], [0]], float))
    if name == "and":
        return _table(name, _BOOL_INPUTS, np.array([[0], [0], [0], [1]], float))
    if name == "or":
        return _table(name, _BOOL_INPUTS, np.array([[0], [1], [1], [1]], float))
    if name == "eleven_points":
        return _table(name, _ELEVEN_POINTS[:, :2], _ELEVEN_POINTS[:, 2:])
    # backprop_table: lecture slide 17, two 0/1 outputs trained as regression
    X = np.array([[0, 0], [0, 1], [1, 0]], float)
    return _table(name, X, np.array([[0, 1], [1, 0], [1, 1]], float), task="regression")


# --------------------------------------------------------------------------- generators


def _counts(n: int, k: int) -> list[int]:
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _classes(name: str, parts: list[np.ndarray], rng, noise: float, names=("x1", "x2")) -> Dataset:
    """Stack per-class point arrays, add input noise, shuffle, encode targets."""
    X = np.vstack(parts)
    y = np.concatenate([np.full(len(p), c, dtype=np.int64) for c, p in enumerate(parts)])
    if noise > 0:
        X = X + rng.normal(0.0, noise, X.shape)
    perm = rng.permutation(len(y))
    X, y = X[perm], y[perm]
    k = len(parts)
    if k == 2:
        return Dataset(
            X, y[:, None].astype(np.float64), "classification", list(names), ["t"], ["0", "1"], name
        )
    cls = [str(c) for c in range(k)]
    return Dataset(X, one_hot(y, k), "classification", list(names), cls, cls, name)


def _blobs(n, noise, rng):
    parts = []
    for c, centre in zip(_counts(n, 2), ((-1.0, -1.0), (1.0, 1.0))):
        off = rng.normal(0.0, 0.4, (c, 2))
        r = np.linalg.norm(off, axis=1, keepdims=True)
        off *= np.minimum(1.0, 1.2 / np.maximum(r, 1e-12))  # clip: noise-free blobs stay separable
        parts.append(np.asarray(centre) + off)
    return parts


def _circles(n, noise, rng):
    parts = []
    for c, radius in zip(_counts(n, 2), (1.0, 0.5)):  # class 0 outer ring, class 1 inner
        a = rng.uniform(0, 2 * np.pi, c)
        parts.append(radius * np.column_stack([np.cos(a), np.sin(a)]))
    return parts


def _moons(n, noise, rng):
    c0, c1 = _counts(n, 2)
    a, b = rng.uniform(0, np.pi, c0), rng.uniform(0, np.pi, c1)
    upper = np.column_stack([np.cos(a), np.sin(a)])
    lower = np.column_stack([1 - np.cos(b), 0.5 - np.sin(b)])
    shift = np.array([0.5, 0.25])
    return [upper - shift, lower - shift]


def _spiral(n, noise, rng, turns):
    parts = []
    for c, phase in zip(_counts(n, 2), (0.0, np.pi)):
        t = np.sqrt(rng.uniform(0.0, 1.0, c))  # uniform density along the arm area
        r = 0.05 + 0.95 * t
        a = 2 * np.pi * turns * t + phase
        parts.append(np.column_stack([r * np.cos(a), r * np.sin(a)]))
    return parts


def _gaussians(n, noise, rng, classes):
    parts = []
    for c, cnt in enumerate(_counts(n, classes)):
        ang = 2 * np.pi * c / classes + np.pi / 4
        parts.append(np.array([2 * np.cos(ang), 2 * np.sin(ang)]) + rng.normal(0.0, 0.5, (cnt, 2)))
    return parts


def _checkerboard(n, rng, tiles):
    X = rng.uniform(-1.0, 1.0, (n, 2))
    cell = np.minimum(np.floor((X + 1.0) / 2.0 * tiles), tiles - 1).astype(np.int64)
    y = (cell[:, 0] + cell[:, 1]) % 2
    return X, y


_BUMPS = ((-1.0, -1.0, 1.0, 0.6), (1.0, 0.5, 0.8, 0.5), (0.0, 1.2, -0.7, 0.4), (1.2, -1.2, -0.5, 0.5))


def generate(name: str, n: int, noise: float, rng, p: dict) -> Dataset:
    if name in ("blobs", "circles", "moons", "spiral", "gaussians"):
        k = p.get("classes", 2)
        if n < k:
            raise ValueError(f"{name} needs n >= {k} (one sample per class)")
        if name == "blobs":
            parts = _blobs(n, noise, rng)
        elif name == "circles":
            parts = _circles(n, noise, rng)
        elif name == "moons":
            parts = _moons(n, noise, rng)
        elif name == "spiral":
            parts = _spiral(n, noise, rng, p["turns"])
        else:
            parts = _gaussians(n, noise, rng, k)
        return _classes(name, parts, rng, noise)
    if name == "mnist_like":
        from model.data.strokes import FEATURES, mnist_like

        X, y = mnist_like(n, rng, noise)
        cls = [str(c) for c in range(10)]
        return Dataset(X, one_hot(y, 10), "classification", FEATURES, cls, cls, name)
    if name == "checkerboard":
        X, y = _checkerboard(n, rng, p["tiles"])
        return _classes(name, [X[y == 0], X[y == 1]], rng, noise)
    if name == "sine":
        x = rng.uniform(-np.pi, np.pi, n)
        t = np.sin(x) + (rng.normal(0.0, noise, n) if noise > 0 else 0.0)
        return Dataset(x[:, None], t[:, None], "regression", ["x"], ["t"], [], name)
    X = rng.uniform(-2.0, 2.0, (n, 2))
    if name == "plane":
        t = X @ np.asarray(p["a"], dtype=np.float64) + float(p["b"])
    else:  # bumps
        t = np.zeros(n)
        for cx, cy, h, w in _BUMPS:
            t += h * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / (2 * w * w))
    if noise > 0:
        t = t + rng.normal(0.0, noise, n)
    return Dataset(X, t[:, None], "regression", ["x1", "x2"], ["t"], [], name)
