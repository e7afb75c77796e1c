"""From a project's data source to arrays the trainer uses: load, split, features, scale.

The splits keep the *raw* columns (what the data plot and the input plane
show); :attr:`PreparedData.encoder` turns raw rows into network inputs
(engineered features, if the project lists any, then the fitted scaler).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.data.datasets import Dataset, make_dataset, train_val_split
from model.data.features import FeatureSet, InputEncoder
from model.data.preprocessing import Scaler, fit_scaler
from model.data.table import read_table, table_to_dataset


@dataclass
class PreparedData:
    """Raw splits; ``X_train``/``X_val``/``X_test`` are their network inputs
    (features, then ``scaler``, which is fitted on the features)."""

    train: Dataset
    val: Dataset
    scaler: Scaler
    dropped_rows: int = 0
    test: Dataset | None = None
    features: FeatureSet | None = None

    @property
    def task(self) -> str:
        return self.train.task

    @property
    def encoder(self) -> InputEncoder:
        return InputEncoder(self.features, self.scaler)

    @property
    def input_names(self) -> list[str]:
        """The network's input names: the features, or the raw columns."""
        return list(self.features.names) if self.features is not None else list(self.train.feature_names)

    def inputs(self, X_raw) -> np.ndarray:
        """Raw rows -> network inputs."""
        return self.encoder.transform(X_raw)

    @property
    def X_train(self) -> np.ndarray:
        return self.inputs(self.train.X)

    @property
    def X_val(self) -> np.ndarray:
        return self.inputs(self.val.X)

    @property
    def X_test(self) -> np.ndarray:
        test = self.test if self.test is not None else self.val.subset(np.zeros(0, int))
        return self.inputs(test.X)


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
    train, val, test = split_three(ds, project.data)
    names = getattr(project.data, "features", None)
    features = FeatureSet(names, ds.feature_names) if names else None
    check_fits_network(train, project.spec, len(features) if features is not None else None)
    X = features.apply(train.X) if features is not None else train.X
    scaler = project.scaler
    if scaler is None or scaler.method != project.preprocessing or scaler.n_features != X.shape[1]:
        scaler = fit_scaler(X, project.preprocessing)
    return PreparedData(train, val, scaler, dropped, test, features)


def split_three(ds: Dataset, src) -> tuple[Dataset, Dataset, Dataset]:
    """(train, validation, test); both fractions are of the whole data set.

    With no test fraction the split is exactly the two-way split of version-1
    projects. The test rows are drawn first, with their own seeded stream."""
    tf = float(getattr(src, "test_fraction", 0.0) or 0.0)
    if tf <= 0:
        train, val = train_val_split(ds, src.val_fraction, src.split_seed)
        return train, val, ds.subset(np.zeros(0, int))
    if tf + src.val_fraction >= 1:
        raise ValueError(
            f"data.val_fraction + data.test_fraction must be below 1, got {src.val_fraction:g} + {tf:g}"
        )
    rest, test = train_val_split(ds, tf, src.split_seed + 1_000_003)
    train, val = train_val_split(rest, src.val_fraction / (1.0 - tf), src.split_seed)
    return train, val, test


def check_fits_network(ds: Dataset, spec, n_features: int | None = None) -> None:
    sizes = spec.layer_sizes
    if n_features is not None and n_features != sizes[0]:
        raise ValueError(
            f"data.features lists {n_features} features but the network's input layer has {sizes[0]} neurons"
        )
    if n_features is None and ds.n_inputs != sizes[0]:
        raise ValueError(
            f"the data has {ds.n_inputs} input features but the network's input layer has {sizes[0]} neurons"
        )
    if ds.n_outputs != sizes[-1]:
        raise ValueError(
            f"the data has {ds.n_outputs} target columns but the network's output layer "
            f"has {sizes[-1]} neurons"
        )
