"""Datasets: the :class:`Dataset` container, built-in generators and shipped CSV data.

Pure NumPy.  Every generator is deterministic for a seed
(``np.random.default_rng(seed)``).  Conventions for targets ``T``:
binary classification -> (n, 1) of 0/1; k > 2 classes -> one-hot (n, k);
regression -> real values (n, k).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np

from model.data.dataset import Dataset
from model.data.preprocessing import one_hot

MAX_N = 1_000_000


def train_val_split(ds: Dataset, val_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """Seeded random split -> (train, val); val has round(n * val_fraction) rows (train keeps >= 1)."""
    f = float(val_fraction)
    if not (math.isfinite(f) and 0.0 <= f < 1.0):
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction!r}")
    n = ds.n_samples
    n_val = min(int(round(n * f)), max(n - 1, 0))
    perm = np.random.default_rng(seed).permutation(n)
    return ds.subset(np.sort(perm[n_val:])), ds.subset(np.sort(perm[:n_val]))


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


def _fixed(name: str) -> Dataset:
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


def _generate(name: str, n: int, noise: float, rng, p: dict) -> Dataset:
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


# --------------------------------------------------------------------------- shipped CSV data

_CSV = {  # name -> (file, inputs, target)
    "iris": ("iris.csv", ["sepal_length", "sepal_width", "petal_length", "petal_width"], "species"),
    "penguins": (
        "penguins.csv",
        ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "island", "sex"],
        "species",
    ),
    "digits": ("digits.csv", [f"p{r}{c}" for r in range(8) for c in range(8)], "digit"),
}


def datasets_dir() -> Path:
    """Folder holding the shipped CSV files (resources/datasets)."""
    import resources  # plain package, no Qt

    return Path(resources.__file__).resolve().parent / "datasets"


@cache
def _load_csv_cached(name: str) -> Dataset:
    from model.data.table import read_table, table_to_dataset

    fname, inputs, target = _CSV[name]
    table = read_table(datasets_dir() / fname)
    ds, _dropped = table_to_dataset(table, inputs, [target], task="classification")
    ds.name = name
    return ds


def _load_csv(name: str) -> Dataset:
    return _load_csv_cached(name).subset(np.arange(_load_csv_cached(name).n_samples))


# --------------------------------------------------------------------------- registry


def _b(title, task, description, n, noise, inputs, outputs, params=None, kind="generated"):
    return {
        "title": title,
        "task": task,
        "description": description,
        "defaults": {"n": n, "noise": noise},
        "inputs": inputs,
        "outputs": outputs,
        "params": dict(params or {}),
        "kind": kind,
    }


BUILTIN: dict[str, dict] = {
    "xor": _b(
        "XOR",
        "classification",
        "The 4-row XOR truth table (targets 0/1): not linearly separable.",
        4,
        0.0,
        2,
        1,
        kind="fixed",
    ),
    "and": _b(
        "AND", "classification", "The 4-row AND truth table: linearly separable.", 4, 0.0, 2, 1, kind="fixed"
    ),
    "or": _b(
        "OR", "classification", "The 4-row OR truth table: linearly separable.", 4, 0.0, 2, 1, kind="fixed"
    ),
    "eleven_points": _b(
        "Eleven points (lecture)",
        "classification",
        "The lecture's 11-point table (Fig. 5.23): x1, x2 -> t in {0, 1}.",
        11,
        0.0,
        2,
        1,
        kind="fixed",
    ),
    "backprop_table": _b(
        "Backprop example (lecture)",
        "regression",
        "The lecture's 3-row training set: (0,0)->(0,1), (0,1)->(1,0), (1,0)->(1,1). "
        "Two independent 0/1 outputs, treated as regression (multi-output).",
        3,
        0.0,
        2,
        2,
        kind="fixed",
    ),
    "blobs": _b(
        "Two blobs",
        "classification",
        "Two linearly separable gaussian blobs around (-1,-1) and (1,1).",
        200,
        0.0,
        2,
        1,
    ),
    "circles": _b(
        "Circles",
        "classification",
        "An inner circle (class 1) inside an outer ring (class 0).",
        200,
        0.05,
        2,
        1,
    ),
    "moons": _b("Moons", "classification", "Two interleaving half moons.", 200, 0.1, 2, 1),
    "spiral": _b(
        "Spiral",
        "classification",
        "Two interleaved spiral arms; parameter turns.",
        300,
        0.02,
        2,
        1,
        {"turns": 1.5},
    ),
    "gaussians": _b(
        "Gaussian clusters",
        "classification",
        "k gaussian clusters on a circle (parameter classes); k > 2 uses one-hot targets.",
        300,
        0.0,
        2,
        3,
        {"classes": 3},
    ),
    "checkerboard": _b(
        "Checkerboard",
        "classification",
        "Uniform points in [-1,1]^2 labelled by a tiles x tiles checkerboard.",
        400,
        0.0,
        2,
        1,
        {"tiles": 4},
    ),
    "sine": _b("Sine", "regression", "1-D regression: x in [-pi, pi], t = sin x + noise.", 100, 0.1, 1, 1),
    "plane": _b(
        "Plane",
        "regression",
        "2-D linear regression: t = a.x + b + noise.",
        200,
        0.1,
        2,
        1,
        {"a": [1.5, -0.8], "b": 0.3},
    ),
    "bumps": _b(
        "Gaussian bumps", "regression", "2-D regression: a sum of four gaussian bumps.", 400, 0.02, 2, 1
    ),
    "iris": _b(
        "Iris",
        "classification",
        "Fisher's iris flowers: 4 measurements, 3 species (one-hot). 150 rows.",
        150,
        0.0,
        4,
        3,
        kind="csv",
    ),
    "penguins": _b(
        "Palmer penguins",
        "classification",
        "Penguin measurements plus categorical island and sex (one-hot encoded inputs); "
        "rows with missing values dropped (333 left); target species (3).",
        333,
        0.0,
        9,
        3,
        kind="csv",
    ),
    "digits": _b(
        "Handwritten digits",
        "classification",
        "8x8 handwritten digits: 64 pixel features (0..16), 10 classes. 1797 rows.",
        1797,
        0.0,
        64,
        10,
        kind="csv",
    ),
    "mnist_like": _b(
        "MNIST-like digits (generated)",
        "classification",
        "28x28 digit drawings made in-process: each digit's pen path through a random "
        "rotation, scale, shear and shift with a random pen width, plus pixel noise "
        "(the noise setting). 784 pixel features in [0, 1], 10 balanced classes. 60,000 rows.",
        60_000,
        0.03,
        784,
        10,
    ),
}


def _check_params(name: str, params: dict) -> dict:
    allowed = BUILTIN[name]["params"]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        accepted = ", ".join(allowed) if allowed else "none"
        raise ValueError(f"unknown parameter(s) for {name}: {', '.join(unknown)} (accepted: {accepted})")
    p = {**allowed, **params}

    def integer(key, lo, hi):
        v = p[key]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
            raise ValueError(f"{key} must be an integer in [{lo}, {hi}], got {v!r}")
        p[key] = int(v)

    if "classes" in p:
        integer("classes", 2, 20)
    if "tiles" in p:
        integer("tiles", 2, 20)
    if "turns" in p:
        v = p["turns"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 < v <= 10):
            raise ValueError(f"turns must be a number in (0, 10], got {v!r}")
    if "a" in p:
        try:
            a = np.asarray(p["a"], dtype=np.float64)
        except (TypeError, ValueError):
            a = np.zeros(0)
        if a.shape != (2,) or not np.all(np.isfinite(a)):
            raise ValueError(f"a must be two finite numbers, got {p['a']!r}")
        p["a"] = a
    if "b" in p and (
        isinstance(p["b"], bool) or not isinstance(p["b"], (int, float)) or not math.isfinite(p["b"])
    ):
        raise ValueError(f"b must be a finite number, got {p['b']!r}")
    return p


def make_dataset(name: str, n: int | None = None, noise: float = 0.0, seed: int = 0, **params) -> Dataset:
    """Build a built-in dataset (see BUILTIN). n=None uses the default size.

    Fixed tables (xor, and, or, eleven_points, backprop_table) and CSV data
    ignore n; on fixed tables noise > 0 jitters the inputs, on CSV data it is
    an error.  Noise is gaussian std added to inputs (classification) or
    targets (regression).
    """
    if not isinstance(name, str) or name not in BUILTIN:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(BUILTIN)}")
    info = BUILTIN[name]
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer))):
        raise ValueError(f"n must be an integer, got {n!r}")
    if n is not None and not 1 <= n <= MAX_N:
        raise ValueError(f"n must be between 1 and {MAX_N:,}, got {n}")
    if (
        isinstance(noise, bool)
        or not isinstance(noise, (int, float))
        or not math.isfinite(noise)
        or noise < 0
    ):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    p = _check_params(name, params)
    rng = np.random.default_rng(seed)
    if info["kind"] == "csv":
        if noise > 0:
            raise ValueError(f"{name} is real data: noise is not supported (use 0)")
        return _load_csv(name)
    if info["kind"] == "fixed":
        ds = _fixed(name)
        if noise > 0:
            ds.X = ds.X + rng.normal(0.0, noise, ds.X.shape)
        return ds
    return _generate(name, int(info["defaults"]["n"] if n is None else n), float(noise), rng, p)


__all__ = ["Dataset", "make_dataset", "train_val_split", "BUILTIN", "datasets_dir"]
