"""Adding, moving and deleting one 2-D sample: new raw (X, T) arrays.

The app turns the result into embedded data (one undo step), so a person's
own points are saved inside the project file.
"""

from __future__ import annotations

import numpy as np

from model.data.dataset import Dataset

__all__ = ["target_row", "add_point", "move_point", "remove_point"]


def target_row(ds: Dataset, value: float) -> np.ndarray:
    """T's row for a class index (binary 0/1 or one-hot) or a regression target."""
    k = ds.n_outputs
    if ds.task == "classification":
        c = int(value)
        if k == 1:
            if c not in (0, 1):
                raise ValueError(f"class {c} does not exist: this data has classes 0 and 1")
            return np.array([float(c)])
        if not 0 <= c < k:
            raise ValueError(f"class {c} does not exist: this data has {k} classes")
        return np.eye(k)[c]
    return np.full(k, float(value))


def _check_2d(ds: Dataset) -> None:
    if ds.n_inputs != 2:
        raise ValueError(f"points can be edited on 2-D data only; this data has {ds.n_inputs} inputs")


def add_point(ds: Dataset, x: float, y: float, value: float) -> tuple[np.ndarray, np.ndarray]:
    _check_2d(ds)
    if not (np.isfinite(x) and np.isfinite(y) and np.isfinite(value)):
        raise ValueError("a point needs finite coordinates and a finite target")
    return np.vstack([ds.X, [[x, y]]]), np.vstack([ds.T, target_row(ds, value)[None, :]])


def move_point(ds: Dataset, row: int, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    _check_2d(ds)
    if not 0 <= row < len(ds):
        raise ValueError(f"there is no point {row + 1}")
    X = ds.X.copy()
    X[row] = (x, y)
    return X, ds.T.copy()


def remove_point(ds: Dataset, row: int) -> tuple[np.ndarray, np.ndarray]:
    _check_2d(ds)
    if not 0 <= row < len(ds):
        raise ValueError(f"there is no point {row + 1}")
    if len(ds) <= 2:
        raise ValueError("the data must keep at least 2 points")
    keep = np.arange(len(ds)) != row
    return ds.X[keep].copy(), ds.T[keep].copy()
