"""The columnar table a CSV becomes: typed columns as NumPy arrays.

A numeric column is a float64 array (NaN for missing cells, the missing
token kept as a small code); a text column is an int32 code per row plus the
list of its distinct values.  :class:`ColumnBuilder` turns chunks of string
rows into such columns (the streaming reader, :mod:`model.data.csv_reader`,
feeds it), noting numeric columns that met text late so the reader can read
them again as text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MISSING_TOKENS = ("", "NA", "NaN", "nan", "?")
MISSING = frozenset(MISSING_TOKENS)
_MISSING_CODE = {t: i + 1 for i, t in enumerate(MISSING_TOKENS)}


class Cancelled(Exception):
    """Raised by :func:`~model.data.csv_reader.read_table` or
    :func:`~model.data.table_dataset.table_to_dataset` once ``should_stop()`` is True."""


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


def format_number(v: float) -> str:
    """The text of a numeric cell as the table gives it back ("2", "2.5", "1e+20")."""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


class Column:
    """One column: numeric (``values`` + ``missing`` codes) or text (``codes`` + ``levels``)."""

    __slots__ = ("values", "missing", "codes", "levels")

    def __init__(self, values=None, missing=None, codes=None, levels=None):
        self.values, self.missing, self.codes, self.levels = values, missing, codes, levels

    @property
    def numeric(self) -> bool:
        return self.values is not None

    def __len__(self) -> int:
        return len(self.values) if self.numeric else len(self.codes)

    def cell(self, i: int) -> str:
        if self.numeric:
            m = self.missing[i] if self.missing is not None else 0
            return MISSING_TOKENS[m - 1] if m else format_number(float(self.values[i]))
        return self.levels[self.codes[i]]

    def cells(self, rows=None) -> list[str]:
        idx = range(len(self)) if rows is None else rows
        if not self.numeric:
            lv = self.levels
            return [lv[c] for c in (self.codes if rows is None else self.codes[rows])]
        return [self.cell(int(i)) for i in idx]

    def missing_mask(self) -> np.ndarray:
        if self.numeric:
            return self.missing > 0 if self.missing is not None else np.zeros(len(self), bool)
        flags = np.array([lv in MISSING for lv in self.levels], dtype=bool)
        return flags[self.codes] if len(self.levels) else np.zeros(len(self), bool)

    def take(self, keep: np.ndarray) -> "Column":
        if self.numeric:
            miss = self.missing[keep] if self.missing is not None else None
            return Column(self.values[keep], miss)
        return Column(codes=self.codes[keep], levels=self.levels)


@dataclass
class Table:
    """Header names, one :class:`Column` per name, and the file line of each row.

    ``line_numbers[i]`` is the 1-based file line on which row ``i`` ends.
    """

    columns: list[str]
    data: list[Column]
    source: str = "<text>"
    line_numbers: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.line_numbers is None:
            self.line_numbers = np.arange(2, self.n_rows + 2)
        self._index = {c: j for j, c in enumerate(self.columns)}  # 100,000 columns: no list.index

    @classmethod
    def from_rows(cls, columns, rows, source="<text>", line_numbers=None) -> "Table":
        """A table from lists of string cells (e.g. tests or small in-memory data)."""
        b = ColumnBuilder(len(columns), set())
        b.add(list(rows), np.asarray(line_numbers if line_numbers is not None else [], np.int64))
        t = b.finish(list(columns), source)
        if line_numbers is None:
            t.line_numbers = np.arange(2, t.n_rows + 2)
        return t

    @property
    def n_rows(self) -> int:
        return len(self.data[0]) if self.data else 0

    @property
    def rows(self) -> list[list[str]]:
        """Every row as strings (built on demand: for small tables and output)."""
        cols = [c.cells() for c in self.data]
        return [list(r) for r in zip(*cols)]

    def head(self, k: int) -> list[list[str]]:
        """The first ``k`` rows as strings."""
        k = min(k, self.n_rows)
        return [[c.cell(i) for c in self.data] for i in range(k)]

    def index(self, name: str) -> int:
        try:
            return self._index[name]
        except (KeyError, TypeError):
            raise ValueError(f"{self.source}: no column named {name!r}") from None

    def col(self, name: str) -> Column:
        return self.data[self.index(name)]

    def column(self, name: str) -> list[str]:
        """Raw cells of one column, length n_rows."""
        return self.col(name).cells()

    def missing_mask(self, name: str) -> np.ndarray:
        """(n_rows,) bool, True where the cell is missing."""
        return self.col(name).missing_mask()

    def column_kind(self, name: str) -> str:
        """ "numeric" if every non-missing cell parses as a float, else "categorical"."""
        return "numeric" if self.col(name).numeric else "categorical"

    def numeric(self, name: str) -> np.ndarray:
        """(n_rows,) float64, nan for missing cells; ValueError on text cells."""
        c = self.col(name)
        if c.numeric:
            return c.values
        miss = c.missing_mask()
        for i in range(len(c)):
            if not miss[i] and parse_float(c.cell(i)) is None:
                raise ValueError(
                    f"{self.source}, line {self.line_numbers[i]}, column {name!r}: "
                    f"{c.cell(i)!r} is not a number"
                )
        raise AssertionError("unreachable: a text column has a non-number")  # pragma: no cover

    def categories(self, name: str) -> list[str]:
        """Sorted distinct non-missing values of a column."""
        c = self.col(name)
        if c.numeric:
            keep = ~c.missing_mask()
            return sorted({format_number(float(v)) for v in np.unique(c.values[keep])})
        used = np.unique(c.codes) if len(c.codes) else []
        return sorted({c.levels[k] for k in used if c.levels[k] not in MISSING})

    def take(self, keep: np.ndarray) -> "Table":
        """The rows where ``keep`` (bool mask) is True."""
        return Table(self.columns, [c.take(keep) for c in self.data], self.source, self.line_numbers[keep])


class ColumnBuilder:
    """Accumulates chunks of rows into columns; notes numeric columns that met text late."""

    def __init__(self, width: int, force_text: set[int]):
        self.width = width
        self.force_text = force_text
        self.kind = ["text" if j in force_text else None for j in range(width)]
        self.num: list[list] = [[] for _ in range(width)]  # (values, missing) chunks
        self.txt: list[list] = [[] for _ in range(width)]  # code chunks
        self.levels: list[dict] = [{} for _ in range(width)]
        self.lines: list[np.ndarray] = []
        self.switched: set[int] = set()

    def add(self, rows: list[list[str]], lines: np.ndarray) -> None:
        if not rows:
            return
        self.lines.append(lines)
        for j, cells in enumerate(zip(*rows)):
            if j in self.switched:
                continue
            if self.kind[j] != "text":
                got = _numeric_chunk(cells)
                if got is not None:
                    self.kind[j] = "numeric"
                    self.num[j].append(got)
                    continue
                if self.kind[j] == "numeric":  # text after numbers: re-read this column
                    self.switched.add(j)
                    self.num[j] = []
                    continue
                self.kind[j] = "text"
            index = self.levels[j]
            self.txt[j].append(
                np.fromiter((index.setdefault(c.strip(), len(index)) for c in cells), np.int32, len(cells))
            )

    def finish(self, header: list[str], source: str) -> Table:
        cols = []
        for j in range(self.width):
            if self.kind[j] == "text":
                codes = np.concatenate(self.txt[j]) if self.txt[j] else np.zeros(0, np.int32)
                self.txt[j] = []
                cols.append(Column(codes=codes, levels=list(self.levels[j])))
            else:
                parts = self.num[j]
                values = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
                miss = None
                if any(p[1] is not None for p in parts):
                    miss = np.concatenate(
                        [p[1] if p[1] is not None else np.zeros(len(p[0]), np.uint8) for p in parts]
                    )
                self.num[j] = []
                cols.append(Column(values, miss))
        lines = np.concatenate(self.lines) if self.lines else np.zeros(0, np.int64)
        return Table(header, cols, source, lines)


def _numeric_chunk(cells: tuple[str, ...]):
    """(values float64, missing codes uint8 | None) for a chunk of one column, or None if
    a cell is text.  Fast path: NumPy converts the whole chunk; the per-cell path only
    for chunks with missing cells."""
    try:
        if "_" in "".join(cells):
            raise ValueError("underscores")  # NumPy would accept 1_000; the app does not
        v = np.array(cells, dtype=np.float64)
        if not np.isnan(v).any():
            return v, None
    except ValueError:
        pass
    values = np.empty(len(cells))
    miss = np.zeros(len(cells), np.uint8)
    for i, c in enumerate(cells):
        s = c.strip()
        code = _MISSING_CODE.get(s)
        if code:
            values[i], miss[i] = np.nan, code
            continue
        f = parse_float(s)
        if f is None:
            return None
        values[i] = f
    return values, (miss if miss.any() else None)
