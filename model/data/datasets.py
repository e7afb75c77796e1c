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

from model.data.builtin_table import BUILTIN
from model.data.dataset import Dataset
from model.data.generators import fixed_table, generate

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
        ds = fixed_table(name)
        if noise > 0:
            ds.X = ds.X + rng.normal(0.0, noise, ds.X.shape)
        return ds
    return generate(name, int(info["defaults"]["n"] if n is None else n), float(noise), rng, p)


__all__ = ["Dataset", "make_dataset", "train_val_split", "BUILTIN", "datasets_dir"]
