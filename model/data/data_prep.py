"""From a project's data source to arrays the trainer uses: load, split, scale."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.data.datasets import Dataset, make_dataset, train_val_split
from model.data.preprocessing import Scaler, fit_scaler
from model.data.table import read_table, table_to_dataset


@dataclass
class PreparedData:
    """Raw and scaled splits. ``X_train``/``X_val`` are scaled with ``scaler``."""

    train: Dataset
    val: Dataset
    scaler: Scaler
    dropped_rows: int = 0

    @property
    def task(self) -> str:
        return self.train.task

    @property
    def X_train(self) -> np.ndarray:
        return self.scaler.transform(self.train.X)

    @property
    def X_val(self) -> np.ndarray:
        return self.scaler.transform(self.val.X)


def load_dataset(src) -> tuple[Dataset, int]:
    """The whole data set of a :class:`~model.io.project.DataSource` and the dropped-row count."""
    if src.kind == "builtin":
        params = dict(src.params)
        seed = params.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"data.params.seed must be a whole number ≥ 0, got {seed!r}")
        return make_dataset(src.name, **params), 0
    if src.kind == "csv":
        table = read_table(src.path)
        return table_to_dataset(table, list(src.inputs), list(src.targets), task=src.task)
    X = np.asarray(src.X, float)
    T = np.asarray(src.T, float)
    task = src.task or "regression"
    names = getattr(src, "names", None) or {}
    return Dataset(
        X,
        T,
        task,
        names.get("inputs") or [f"x{i + 1}" for i in range(X.shape[1])],
        names.get("targets") or [f"t{i + 1}" if T.shape[1] > 1 else "t" for i in range(T.shape[1])],
        names.get("classes")
        or (
            ["0", "1"]
            if task == "classification" and T.shape[1] == 1
            else ([f"class {i}" for i in range(T.shape[1])] if task == "classification" else [])
        ),
        "embedded",
    ), 0


def prepare(project) -> PreparedData:
    """Load, split and scale a project's data; the scaler is fitted on the
    training split unless the project already holds a fitted one."""
    ds, dropped = load_dataset(project.data)
    train, val = train_val_split(ds, project.data.val_fraction, project.data.split_seed)
    check_fits_network(train, project.spec)
    scaler = project.scaler
    if scaler is None or scaler.method != project.preprocessing or scaler.n_features != train.n_inputs:
        scaler = fit_scaler(train.X, project.preprocessing)
    return PreparedData(train, val, scaler, dropped)


def check_fits_network(ds: Dataset, spec) -> None:
    sizes = spec.layer_sizes
    if ds.n_inputs != sizes[0]:
        raise ValueError(
            f"the data has {ds.n_inputs} input features but the network's input layer has {sizes[0]} neurons"
        )
    if ds.n_outputs != sizes[-1]:
        raise ValueError(
            f"the data has {ds.n_outputs} target columns but the network's output layer "
            f"has {sizes[-1]} neurons"
        )
