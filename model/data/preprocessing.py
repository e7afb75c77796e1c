"""Input preprocessing: scalers (normalise / standardise / scale) and one-hot encoding.

Pure NumPy.  A :class:`Scaler` is fitted on the *training* split only and then
applied unchanged to validation data and later predictions; it is saved with
the project via :meth:`Scaler.to_dict` / :meth:`Scaler.from_dict`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

METHODS = ("none", "normalize", "standardize", "scale")

METHOD_TITLES = {
    "none": "None (raw values)",
    "normalize": "Normalize (min-max to [0, 1])",
    "standardize": "Standardize (z-score: mean 0, std 1)",
    "scale": "Scale (to [-1, 1])",
}


def _check_finite(X: np.ndarray) -> None:
    """Raise ValueError naming the first column with NaN/inf. X: (n, d) or (d,)."""
    bad = ~np.isfinite(X)
    if bad.any():
        cols = np.nonzero(bad.reshape(-1, X.shape[-1]).any(axis=0))[0]
        raise ValueError(f"input contains NaN or infinite values in column {int(cols[0])}")


def _as_2d_float(X, what: str = "X") -> np.ndarray:
    try:
        A = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a numeric array: {exc}") from None
    if A.ndim != 2:
        raise ValueError(f"{what} must be 2-D (n, d), got shape {A.shape}")
    return A


@dataclass
class Scaler:
    """Per-column affine map ``transform(X) = (X - offset) / scale``; offset, scale: (d,)."""

    method: str
    offset: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.ones(0))

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown scaling method {self.method!r}; expected one of {', '.join(METHODS)}")
        self.offset = np.array(self.offset, dtype=np.float64).reshape(-1)
        self.scale = np.array(self.scale, dtype=np.float64).reshape(-1)
        if self.offset.shape != self.scale.shape:
            raise ValueError(
                f"scaler offset and scale differ in length ({self.offset.size} vs {self.scale.size})"
            )
        if not (np.all(np.isfinite(self.offset)) and np.all(np.isfinite(self.scale))):
            raise ValueError("scaler offset and scale must be finite")
        if np.any(self.scale == 0):
            raise ValueError("scaler scale must not contain zeros")

    @property
    def n_features(self) -> int:
        return int(self.offset.size)

    def _check_input(self, X) -> np.ndarray:
        A = np.asarray(X, dtype=np.float64)
        if A.ndim not in (1, 2) or A.shape[-1] != self.n_features:
            raise ValueError(f"expected input with {self.n_features} columns, got shape {A.shape}")
        return A

    def transform(self, X) -> np.ndarray:
        """X: (n, d) or (d,) -> same shape, float64 scaled values."""
        A = self._check_input(X)
        _check_finite(A)
        return (A - self.offset) / self.scale

    def inverse_transform(self, Z) -> np.ndarray:
        """Z: (n, d) or (d,) scaled values -> raw values, same shape."""
        A = self._check_input(Z)
        return A * self.scale + self.offset

    def to_dict(self) -> dict:
        """JSON-safe dict: {"method": str, "offset": [float], "scale": [float]}."""
        return {
            "method": self.method,
            "offset": [float(v) for v in self.offset],
            "scale": [float(v) for v in self.scale],
        }

    @classmethod
    def from_dict(cls, d) -> "Scaler":
        """Inverse of :meth:`to_dict`; ValueError on anything malformed."""
        if not isinstance(d, dict):
            raise ValueError(f"scaler must be a JSON object, got {type(d).__name__}")
        missing = [k for k in ("method", "offset", "scale") if k not in d]
        if missing:
            raise ValueError(f"scaler is missing key(s): {', '.join(missing)}")
        method = d["method"]
        if not isinstance(method, str):
            raise ValueError("scaler 'method' must be a string")
        arrays = []
        for key in ("offset", "scale"):
            vals = d[key]
            if not isinstance(vals, (list, tuple)):
                raise ValueError(f"scaler {key!r} must be a list of numbers")
            for v in vals:
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ValueError(f"scaler {key!r} contains a non-number: {v!r}")
                if not math.isfinite(v):
                    raise ValueError(f"scaler {key!r} contains a non-finite value: {v!r}")
            arrays.append(np.array(vals, dtype=np.float64))
        return cls(method, arrays[0], arrays[1])


def binary_columns(X) -> np.ndarray:
    """(d,) bool: columns holding only 0 and 1 (one-hot indicators)."""
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] == 0:
        return np.zeros(A.shape[-1] if A.ndim == 2 else 0, bool)
    return np.all((A == 0) | (A == 1), axis=0)


def fit_scaler(X, method: str, keep_binary: bool = True) -> Scaler:
    """Fit on training inputs X: (n, d), n >= 1. Constant columns get scale 1.

    With ``keep_binary`` (the default) 0/1 columns — one-hot encoded
    categories — are left as they are (offset 0, scale 1): the lecture's
    one-hot vector stays a vector of 0s and 1s; only the numeric columns are
    scaled.
    """
    if method not in METHODS:
        raise ValueError(f"unknown scaling method {method!r}; expected one of {', '.join(METHODS)}")
    A = _as_2d_float(X)
    d = A.shape[1]
    if method == "none":
        return Scaler("none", np.zeros(d), np.ones(d))
    if A.shape[0] == 0:
        raise ValueError("cannot fit a scaler on zero rows")
    _check_finite(A)
    if method == "normalize":
        lo, hi = A.min(axis=0), A.max(axis=0)
        offset, scale = lo, hi - lo
    elif method == "standardize":
        offset, scale = A.mean(axis=0), A.std(axis=0)
    else:  # "scale" -> [-1, 1]
        lo, hi = A.min(axis=0), A.max(axis=0)
        offset, scale = (hi + lo) / 2.0, (hi - lo) / 2.0
    # Constant (or numerically constant) columns: do not divide by ~0.
    tiny = 1e-12 * np.maximum(1.0, np.abs(offset))
    scale = np.where(scale > tiny, scale, 1.0)
    if keep_binary:
        keep = binary_columns(A)
        offset, scale = np.where(keep, 0.0, offset), np.where(keep, 1.0, scale)
    return Scaler(method, offset, scale)


def one_hot(labels, n_classes: int | None = None) -> np.ndarray:
    """labels: (n,) non-negative ints -> (n, k) float64 one-hot, k = n_classes or max+1."""
    lab = np.asarray(labels)
    if lab.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {lab.shape}")
    if lab.size and not np.issubdtype(lab.dtype, np.integer):
        if not np.all(np.isfinite(lab)) or not np.all(lab == np.round(lab)):
            raise ValueError("labels must be whole numbers")
    lab = lab.astype(np.int64)
    if lab.size and lab.min() < 0:
        raise ValueError("labels must be non-negative")
    k = int(lab.max()) + 1 if (n_classes is None and lab.size) else int(n_classes or 0)
    if n_classes is not None and n_classes < 1:
        raise ValueError("n_classes must be at least 1")
    if lab.size and lab.max() >= k:
        raise ValueError(f"label {int(lab.max())} out of range for {k} classes")
    out = np.zeros((lab.size, k), dtype=np.float64)
    out[np.arange(lab.size), lab] = 1.0
    return out


def one_hot_categories(values) -> tuple[np.ndarray, list[str]]:
    """values: n strings -> ((n, k) float64 one-hot, k sorted category names)."""
    vals = [str(v) for v in values]
    cats = sorted(set(vals))
    index = {c: i for i, c in enumerate(cats)}
    labels = np.array([index[v] for v in vals], dtype=np.int64)
    return one_hot(labels, max(len(cats), 1))[:, : len(cats)], cats
