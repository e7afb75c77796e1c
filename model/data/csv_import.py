"""The pure part of the CSV import: a column choice on a read table -> the
project's data source and what it produces.  No widgets; the dialog
(``widgets/dialogs/csv_import_dialog.py``) is the form around it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.data.datasets import Dataset, train_val_split
from model.data.preprocessing import METHODS
from model.data.table import DEFAULT_MAX_BYTES, Table, read_table, table_to_dataset
from model.io.project import DataSource

TASK_CHOICES = ("auto", "classification", "regression")
TARGET_NAMES = ("target", "class", "label", "species", "y", "digit", "outcome")


@dataclass
class CsvImport:
    """A validated choice: the project's data source plus what it produces."""

    source: DataSource
    preprocessing: str
    dataset: Dataset
    dropped: int
    n_train: int
    n_val: int

    def summary(self) -> str:
        """ "150 rows, 4 inputs → 3 outputs, 0 rows with missing values dropped · …"."""
        ds = self.dataset
        s = "" if self.dropped == 1 else "s"
        text = (
            f"{ds.n_samples:,} rows, {ds.n_inputs:,} inputs → {ds.n_outputs:,} outputs, "
            f"{self.dropped:,} row{s} with missing values dropped · {ds.task}"
        )
        if ds.task == "classification":
            text += f" ({len(ds.class_names)} classes)"
        return text + f" · {self.n_train:,} training / {self.n_val:,} validation"


def _check_settings(task, preprocessing, val_fraction, seed) -> str | None:
    if task not in TASK_CHOICES and task is not None:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASK_CHOICES)}")
    if preprocessing not in METHODS:
        raise ValueError(f"unknown preprocessing {preprocessing!r}; expected one of {', '.join(METHODS)}")
    if (
        isinstance(val_fraction, bool)
        or not isinstance(val_fraction, (int, float))
        or not (math.isfinite(val_fraction) and 0.0 <= val_fraction < 1.0)
    ):
        raise ValueError(f"validation fraction must be a number in [0, 1), got {val_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"split seed must be a whole number ≥ 0, got {seed!r}")
    return None if task in (None, "auto") else task


def validate_table(
    table: Table,
    path,
    inputs,
    targets,
    task="auto",
    preprocessing="standardize",
    val_fraction: float = 0.2,
    seed: int = 0,
    *,
    should_stop=None,
) -> CsvImport:
    """Build the data set of a column choice on an already read table; ValueError if it fails.

    ``task``: "auto" (or None) lets the target column decide; numeric
    preprocessing is one of ``model.data.preprocessing.METHODS``.
    ``should_stop()`` True raises :class:`~model.data.table.Cancelled` (checked
    every few hundred columns, for a background check).
    """
    task_value = _check_settings(task, preprocessing, val_fraction, seed)
    ds, dropped = table_to_dataset(table, list(inputs), list(targets), task_value, should_stop=should_stop)
    if ds.n_samples < 2 and val_fraction > 0:
        raise ValueError("only one row left: too few to split off validation data")
    train, val = train_val_split(ds, float(val_fraction), int(seed))
    src = DataSource(
        kind="csv",
        path=os.fspath(path),
        inputs=list(inputs),
        targets=list(targets),
        task=task_value,
        val_fraction=float(val_fraction),
        split_seed=int(seed),
    )
    return CsvImport(src, preprocessing, ds, dropped, train.n_samples, val.n_samples)


def import_csv_source(
    path, inputs, targets, *choice, max_bytes: int = DEFAULT_MAX_BYTES, **options
) -> tuple[DataSource, str]:
    """Read ``path`` and validate a column choice -> (DataSource, preprocessing).

    ``choice``/``options``: task, preprocessing, val_fraction, seed as for
    :func:`validate_table`.

    Raises ValueError (only) with a message naming the file, line or column.
    """
    table = read_table(Path(os.fspath(path)), max_bytes=max_bytes)
    result = validate_table(table, path, inputs, targets, *choice, **options)
    return result.source, result.preprocessing


def default_roles(table: Table) -> dict[str, str]:
    """A first guess: one target (a column named like a label, else the last
    column), every other numeric column an input, text columns ignored."""
    cols = table.columns
    named = [c for c in cols if c.strip().lower() in TARGET_NAMES]
    target = named[0] if named else cols[-1]
    roles = {}
    for c in cols:
        if c == target:
            roles[c] = "target"
        else:
            roles[c] = "input" if table.column_kind(c) == "numeric" else "ignore"
    if len(cols) == 1:
        roles[target] = "target"
    return roles


def looks_like_classes(table: Table, column: str, max_classes: int = 20) -> bool:
    """A numeric column of a few whole numbers (class labels such as 0…9)."""
    if table.column_kind(column) != "numeric":
        return False
    v = table.numeric(column)
    v = v[np.isfinite(v)]
    return bool(v.size) and bool(np.all(v == np.round(v))) and len(np.unique(v)) <= max_classes
