"""The :class:`Dataset` container: inputs X, targets T and their names."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TASKS = ("classification", "regression")


@dataclass
class Dataset:
    """X: (n, d) float64 inputs; T: (n, k) float64 targets (see module docstring)."""

    X: np.ndarray
    T: np.ndarray
    task: str
    feature_names: list[str]
    target_names: list[str]
    class_names: list[str] = field(default_factory=list)
    name: str = ""

    def __post_init__(self) -> None:
        self.X = np.asarray(self.X, dtype=np.float64)
        self.T = np.asarray(self.T, dtype=np.float64)
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; expected one of {', '.join(TASKS)}")
        if self.X.ndim != 2 or self.T.ndim != 2 or self.X.shape[0] != self.T.shape[0]:
            raise ValueError(
                f"X and T must be 2-D with equal row counts, got {self.X.shape} and {self.T.shape}"
            )
        self.feature_names = [str(s) for s in self.feature_names]
        self.target_names = [str(s) for s in self.target_names]
        self.class_names = [str(s) for s in self.class_names]
        if len(self.feature_names) != self.X.shape[1]:
            raise ValueError(f"{len(self.feature_names)} feature names for {self.X.shape[1]} input columns")
        if len(self.target_names) != self.T.shape[1]:
            raise ValueError(f"{len(self.target_names)} target names for {self.T.shape[1]} target columns")

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_inputs(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_outputs(self) -> int:
        return int(self.T.shape[1])

    def __len__(self) -> int:
        return self.n_samples

    def labels(self) -> np.ndarray:
        """(n,) int64 class index: binary T[:, 0] > 0.5, one-hot argmax."""
        if self.task != "classification":
            raise ValueError(
                f"dataset {self.name or '(unnamed)'} is a regression dataset: it has no class labels"
            )
        if self.T.shape[1] == 1:
            return (self.T[:, 0] > 0.5).astype(np.int64)
        return np.argmax(self.T, axis=1).astype(np.int64)

    def subset(self, idx) -> "Dataset":
        """Rows selected by an index array or boolean mask (copied)."""
        idx = np.asarray(idx)
        if idx.dtype != bool:
            idx = idx.astype(np.int64).reshape(-1)
        return Dataset(
            self.X[idx].copy(),
            self.T[idx].copy(),
            self.task,
            list(self.feature_names),
            list(self.target_names),
            list(self.class_names),
            self.name,
        )
