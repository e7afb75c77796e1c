"""Tiny CSV table reader and table -> Dataset conversion (core of the CSV import).

Pure stdlib ``csv`` + NumPy.  Cells stay raw strings in :class:`Table`; typing
(numeric / categorical), dropping of rows with missing values and one-hot
encoding happen in :func:`table_to_dataset`.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.data.dataset import Dataset
from model.data.preprocessing import one_hot, one_hot_categories

MISSING = frozenset({"", "NA", "NaN", "nan", "?"})
DEFAULT_MAX_BYTES = 200_000_000
TASKS = ("classification", "regression")


def is_missing(cell: str) -> bool:
    return cell.strip() in MISSING


def parse_float(cell: str) -> float | None:
    """Float value of a cell, or None if it is not a number (underscores rejected)."""
    s = cell.strip()
    if "_" in s:
        return None
    try:
        return float(s)
    except ValueError:
        return None


@dataclass
class Table:
    """columns: header names; rows: list of raw string cells, each len(columns).

    ``line_numbers[i]`` is the 1-based file line on which ``rows[i]`` ends.
    """

    columns: list[str]
    rows: list[list[str]]
    source: str = "<text>"
    line_numbers: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.line_numbers:
            self.line_numbers = list(range(2, len(self.rows) + 2))

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def index(self, name: str) -> int:
        try:
            return self.columns.index(name)
        except ValueError:
            raise ValueError(f"{self.source}: no column named {name!r}") from None

    def column(self, name: str) -> list[str]:
        """Raw cells of one column, length n_rows."""
        j = self.index(name)
        return [r[j] for r in self.rows]

    def missing_mask(self, name: str) -> np.ndarray:
        """(n_rows,) bool, True where the cell is missing."""
        return np.array([is_missing(c) for c in self.column(name)], dtype=bool)

    def column_kind(self, name: str) -> str:
        """ "numeric" if every non-missing cell parses as a float, else "categorical"."""
        for c in self.column(name):
            if not is_missing(c) and parse_float(c) is None:
                return "categorical"
        return "numeric"

    def numeric(self, name: str) -> np.ndarray:
        """(n_rows,) float64, nan for missing cells; ValueError on text cells."""
        out = np.empty(self.n_rows, dtype=np.float64)
        for i, c in enumerate(self.column(name)):
            if is_missing(c):
                out[i] = np.nan
                continue
            v = parse_float(c)
            if v is None:
                raise ValueError(
                    f"{self.source}, line {self.line_numbers[i]}, column {name!r}: "
                    f"{c.strip()!r} is not a number"
                )
            out[i] = v
        return out

    def categories(self, name: str) -> list[str]:
        """Sorted distinct non-missing values of a column."""
        return sorted({c.strip() for c in self.column(name) if not is_missing(c)})


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_table(path_or_text, *, max_bytes: int = DEFAULT_MAX_BYTES, delimiter: str | None = None) -> Table:
    """Read a CSV with a header row into a :class:`Table`.

    ``path_or_text``: a ``Path``/PathLike, a str path, or CSV text (a str that
    contains a newline is taken as text).  The delimiter is guessed from the
    header (",", ";" or tab) unless given.  ValueError names file/line/column.
    """
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text):
        source = "<text>"
        if len(path_or_text.encode("utf-8")) > max_bytes:
            raise ValueError(f"{source}: text is larger than the limit of {max_bytes} bytes")
        text = path_or_text
    else:
        path = Path(os.fspath(path_or_text))
        source = path.name or str(path)
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            raise ValueError(f"{path}: cannot open file ({exc.strerror or exc})") from None
        if size > max_bytes:
            raise ValueError(f"{source}: file is {size} bytes, larger than the limit of {max_bytes} bytes")
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
        except UnicodeDecodeError as exc:
            raise ValueError(f"{source}: not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise ValueError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ValueError(f"{source}: file is empty")
    if delimiter is None:
        first = next(ln for ln in text.splitlines() if ln.strip())
        delimiter = _sniff_delimiter(first)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for raw in reader:
            if not raw or all(not c.strip() for c in raw):
                continue  # blank line
            if header is None:
                header = [c.strip() for c in raw]
                header_line = reader.line_num
                continue
            if len(raw) != len(header):
                raise ValueError(
                    f"{source}, line {reader.line_num}: expected {len(header)} fields, found {len(raw)}"
                )
            rows.append([c.strip() for c in raw])
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise ValueError(f"{source}, line {reader.line_num}: malformed CSV ({exc})") from None

    if header is None:
        raise ValueError(f"{source}: no header row (the file has no non-blank line)")
    if all(parse_float(c) is not None for c in header):
        raise ValueError(
            f"{source}, line {header_line}: no header row "
            f"(the first line contains only numbers; add column names)"
        )
    for j, name in enumerate(header):
        if not name:
            header[j] = f"column{j + 1}"
    seen: set[str] = set()
    for j, name in enumerate(header):
        if name in seen:
            raise ValueError(f"{source}, line {header_line}, column {j + 1}: duplicate column name {name!r}")
        seen.add(name)
    return Table(header, rows, source, lines)


def _class_labels(cells: list[str], numeric: bool) -> tuple[np.ndarray, list[str]]:
    """Class index per row and the ordered class names (numeric classes in numeric order)."""
    if numeric:
        vals = [float(c) for c in cells]
        uniq = sorted(set(vals))
        names = [str(int(v)) if v.is_integer() else repr(v) for v in uniq]
        index = {v: i for i, v in enumerate(uniq)}
        return np.array([index[v] for v in vals], dtype=np.int64), names
    oh, names = one_hot_categories(cells)
    return (oh.argmax(axis=1) if len(cells) else np.zeros(0, np.int64)), names


def table_to_dataset(
    table: Table, inputs: list[str], targets: list[str], task: str | None = None
) -> tuple[Dataset, int]:
    """Build a Dataset from chosen columns; returns (dataset, number of dropped rows).

    Rows with a missing value in any chosen column are dropped.  Categorical
    inputs become one-hot columns ``col=value`` (sorted values).  A categorical
    target (or any target with task="classification") must be a single column:
    2 classes -> T (n, 1) of 0/1, more -> one-hot (n, k).  Numeric targets
    without a task are regression.
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
    for c in inputs + targets:
        keep &= ~table.missing_mask(c)
    dropped = int(table.n_rows - keep.sum())
    if not keep.any():
        raise ValueError(f"{table.source}: no rows left after dropping rows with missing values")
    kept = Table(
        table.columns,
        [r for r, k in zip(table.rows, keep) if k],
        table.source,
        [ln for ln, k in zip(table.line_numbers, keep) if k],
    )
    kinds = {c: kept.column_kind(c) for c in inputs + targets}

    def finite_column(c: str) -> np.ndarray:
        v = kept.numeric(c)
        bad = np.nonzero(~np.isfinite(v))[0]
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"{table.source}, line {kept.line_numbers[i]}, column {c!r}: "
                f"non-finite value {kept.rows[i][kept.index(c)]!r}"
            )
        return v

    blocks, feature_names = [], []
    for c in inputs:
        if kinds[c] == "numeric":
            blocks.append(finite_column(c)[:, None])
            feature_names.append(c)
        else:
            oh, cats = one_hot_categories(kept.column(c))
            blocks.append(oh)
            feature_names += [f"{c}={v}" for v in cats]
    X = np.hstack(blocks).astype(np.float64)

    if task is None:
        task = "classification" if any(kinds[c] == "categorical" for c in targets) else "regression"
    if task == "regression":
        text = [c for c in targets if kinds[c] == "categorical"]
        if text:
            raise ValueError(f"target column {text[0]!r} contains text; regression needs numeric targets")
        T = np.column_stack([finite_column(c) for c in targets]).astype(np.float64)
        ds = Dataset(X, T, "regression", feature_names, list(targets), [], name=Path(table.source).stem)
        return ds, dropped

    if len(targets) != 1:
        raise ValueError("classification needs exactly one target column")
    col = targets[0]
    if kinds[col] == "numeric":
        finite_column(col)
    labels, class_names = _class_labels(kept.column(col), kinds[col] == "numeric")
    if len(class_names) < 2:
        raise ValueError(
            f"target column {col!r} has only one class ({class_names[0]!r}); "
            f"classification needs at least two"
        )
    if len(class_names) == 2:
        T, target_names = labels.astype(np.float64)[:, None], [col]
    else:
        T, target_names = one_hot(labels, len(class_names)), list(class_names)
    ds = Dataset(
        X, T, "classification", feature_names, target_names, class_names, name=Path(table.source).stem
    )
    return ds, dropped


__all__ = ["Table", "read_table", "table_to_dataset", "is_missing", "parse_float", "MISSING"]
