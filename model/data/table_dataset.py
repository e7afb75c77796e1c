"""A read table -> a :class:`~model.data.dataset.Dataset`: the chosen columns,
rows with missing values dropped, categorical inputs one-hot encoded, the
target typed as classes or regression values."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.data.dataset import Dataset
from model.data.preprocessing import one_hot
from model.data.table_columns import Cancelled, Column, Table

TASKS = ("classification", "regression")


def _class_labels(col: Column) -> tuple[np.ndarray, list[str]]:
    """Class index per row and the ordered class names (numeric classes in numeric order)."""
    if col.numeric:
        uniq, labels = np.unique(col.values, return_inverse=True)
        names = [str(int(v)) if v.is_integer() else repr(float(v)) for v in uniq]
        return labels.astype(np.int64).ravel(), names
    used = np.unique(col.codes) if len(col.codes) else np.zeros(0, np.int32)
    names = sorted(col.levels[k] for k in used)
    rank = {col.levels[k]: i for i, k in enumerate(sorted(used, key=lambda k: col.levels[k]))}
    remap = np.zeros(max(len(col.levels), 1), np.int64)
    for k in used:
        remap[k] = rank[col.levels[k]]
    return remap[col.codes], names


def _one_hot_column(col: Column) -> tuple[np.ndarray, list[str]]:
    labels, names = _class_labels(col)
    return one_hot(labels, len(names)) if len(names) else np.zeros((len(labels), 0)), names


def _polling(columns: list[str], should_stop, every: int = 512):
    """The columns, raising Cancelled every ``every`` of them once ``should_stop()``."""
    for k, c in enumerate(columns):
        if should_stop is not None and k % every == every - 1 and should_stop():
            raise Cancelled()
        yield c


def table_to_dataset(
    table: Table, inputs: list[str], targets: list[str], task: str | None = None, *, should_stop=None
) -> tuple[Dataset, int]:
    """Build a Dataset from chosen columns; returns (dataset, number of dropped rows).

    Rows with a missing value in any chosen column are dropped.  Categorical
    inputs become one-hot columns ``col=value`` (sorted values).  A categorical
    target (or any target with task="classification") must be a single column:
    2 classes -> T (n, 1) of 0/1, more -> one-hot (n, k).  Numeric targets
    without a task are regression.  ``should_stop()`` returning True (polled
    every few hundred columns) raises :class:`Cancelled`.
    """
    inputs, targets = list(inputs), list(targets)
    if not inputs:
        raise ValueError("choose at least one input column")
    if not targets:
        raise ValueError("choose at least one target column")
    if task is not None and task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    both = [c for c in inputs if c in targets]
    if both:
        raise ValueError(f"column {both[0]!r} cannot be both an input and a target")
    for group in (inputs, targets):
        if len(set(group)) != len(group):
            raise ValueError("a column is chosen twice")
    for c in inputs + targets:
        table.index(c)  # raises for unknown names

    keep = np.ones(table.n_rows, dtype=bool)
    for c in _polling(inputs + targets, should_stop):
        keep &= ~table.missing_mask(c)
    dropped = int(table.n_rows - keep.sum())
    if not keep.any():
        raise ValueError(f"{table.source}: no rows left after dropping rows with missing values")
    sub = {c: table.col(c) if keep.all() else table.col(c).take(keep) for c in inputs + targets}
    lines = table.line_numbers if keep.all() else table.line_numbers[keep]

    def finite_column(c: str) -> np.ndarray:
        v = sub[c].values
        bad = np.nonzero(~np.isfinite(v))[0]
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"{table.source}, line {lines[i]}, column {c!r}: non-finite value {sub[c].cell(i)!r}"
            )
        return v

    # one allocation for X: each column is written into place
    encoded, feature_names, width = {}, [], 0
    for c in _polling(inputs, should_stop):
        if sub[c].numeric:
            feature_names.append(c)
            width += 1
        else:
            encoded[c] = _one_hot_column(sub[c])
            feature_names += [f"{c}={v}" for v in encoded[c][1]]
            width += encoded[c][0].shape[1]
    X = np.empty((int(keep.sum()), width))
    j = 0
    for c in _polling(inputs, should_stop):
        if sub[c].numeric:
            X[:, j] = finite_column(c)
            j += 1
        else:
            block = encoded.pop(c)[0]
            X[:, j : j + block.shape[1]] = block
            j += block.shape[1]

    kinds = {c: "numeric" if sub[c].numeric else "categorical" for c in targets}
    if task is None:
        task = "classification" if any(k == "categorical" for k in kinds.values()) else "regression"
    name = Path(table.source).stem
    if task == "regression":
        text = [c for c in targets if kinds[c] == "categorical"]
        if text:
            raise ValueError(f"target column {text[0]!r} contains text; regression needs numeric targets")
        T = np.empty((len(X), len(targets)))
        for k, c in enumerate(targets):
            T[:, k] = finite_column(c)
        return Dataset(X, T, "regression", feature_names, list(targets), [], name=name), dropped

    if len(targets) != 1:
        raise ValueError("classification needs exactly one target column")
    col = targets[0]
    if kinds[col] == "numeric":
        finite_column(col)
    labels, class_names = _class_labels(sub[col])
    if len(class_names) < 2:
        raise ValueError(
            f"target column {col!r} has only one class ({class_names[0]!r}); "
            f"classification needs at least two"
        )
    if len(class_names) == 2:
        T, target_names = labels.astype(np.float64)[:, None], [col]
    else:
        T, target_names = one_hot(labels, len(class_names)), list(class_names)
    return Dataset(X, T, "classification", feature_names, target_names, class_names, name=name), dropped
