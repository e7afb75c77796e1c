"""CSV table reader (streaming, columnar) and table -> Dataset conversion.

The file is read through :mod:`model.io.safe_read` (regular files only, a
byte budget counted while reading) and parsed in chunks of about
:data:`CHUNK_CELLS` cells: each chunk's columns become NumPy arrays at once,
so the peak memory is the numeric result plus one chunk of strings, not the
whole file as Python strings.  A numeric column is a float64 array (NaN for
missing cells, the missing token kept as a small code); a text column is an
int32 code per row plus the list of its distinct values.  A column that turns
from numbers to text after the first chunk is re-read as text in a second
pass over the file (rare: only such columns).

Typing (numeric / categorical), dropping of rows with missing values and
one-hot encoding happen in :func:`table_to_dataset`.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.data.dataset import Dataset
from model.data.preprocessing import one_hot
from model.io import safe_read
from model.train import budget

MISSING_TOKENS = ("", "NA", "NaN", "nan", "?")
MISSING = frozenset(MISSING_TOKENS)
DEFAULT_MAX_BYTES = 200_000_000
TASKS = ("classification", "regression")
CHUNK_CELLS = 500_000
_MISSING_CODE = {t: i + 1 for i, t in enumerate(MISSING_TOKENS)}


class Cancelled(Exception):
    """Raised inside :func:`read_table` when ``should_stop()`` returns True."""


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
        b = _Builder(len(columns), set())
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


# ------------------------------------------------------------------ building
class _Builder:
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


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


class _Counting(io.RawIOBase):
    """A binary reader that stops at the byte budget and reports progress."""

    def __init__(self, f, limit: int, source: str, progress=None, total: int = 0):
        self.f, self.limit, self.source, self.progress, self.total = f, limit, source, progress, total
        self.n = 0
        self.consumed = 0  # characters of the lines the parser has taken (≈ bytes)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        k = self.f.readinto(b)
        self.n += k or 0
        if self.n > self.limit:
            raise ValueError(f"{self.source}: file is larger than the limit of {self.limit} bytes")
        if self.progress is not None and self.total:
            self.progress(min(self.n / self.total, 1.0))
        return k

    def close(self) -> None:
        self.f.close()
        super().close()


def _open_text(path_or_text, max_bytes: int, progress):
    """(source name, a function returning a fresh text stream and its byte counter)."""
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text):
        if len(path_or_text.encode("utf-8")) > max_bytes:
            raise ValueError(f"<text>: text is larger than the limit of {max_bytes} bytes")
        text = path_or_text.lstrip("\ufeff")
        return "<text>", lambda: (io.StringIO(text, newline=""), None)
    path = Path(os.fspath(path_or_text))
    source = path.name or str(path)
    try:
        st = safe_read.check_regular(path, "CSV file")
    except safe_read.ReadError as e:
        raise ValueError(str(e)) from None
    if st.st_size > max_bytes:  # refuse early; the budget is still counted while reading
        raise ValueError(f"{source}: file is {st.st_size} bytes, larger than the limit of {max_bytes} bytes")

    def stream():
        raw = _Counting(safe_read.open_regular(path, "CSV file"), max_bytes, source, progress, st.st_size)
        return io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding="utf-8-sig", newline=""), raw

    return source, stream


def read_table(
    path_or_text,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    delimiter: str | None = None,
    progress=None,
    should_stop=None,
) -> Table:
    """Read a CSV with a header row into a :class:`Table`.

    ``path_or_text``: a ``Path``/PathLike, a str path, or CSV text (a str that
    contains a newline is taken as text).  The delimiter is guessed from the
    header (",", ";" or tab) unless given.  ValueError names file/line/column.
    ``progress(fraction)`` is called while reading; ``should_stop()`` returning
    True raises :class:`Cancelled`.
    """
    source, stream = _open_text(path_or_text, max_bytes, progress)
    header, table, switched = _parse(stream, source, delimiter, set(), should_stop)
    if switched:  # columns that met text after the first chunk: read them again as text
        header, table, _ = _parse(stream, source, delimiter, switched, should_stop)
    return table


def _parse(stream, source, delimiter, force_text, should_stop):
    try:
        f, counter = stream()
        with f:
            return _parse_stream(f, counter, source, delimiter, force_text, should_stop)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ValueError(f"{source}: cannot read file ({exc.strerror or exc})") from None


def _counted(lines, counter):
    for ln in lines:
        counter.consumed += len(ln)
        yield ln


def _check_budget(counter, rows: int, width: int, source: str) -> None:
    """After the first chunk: will the whole file's columns fit in the memory budget?

    Rows are extrapolated from the bytes the first chunk took; the reader's
    peak is about 3× the float64 result."""
    if counter is None or not counter.consumed or not counter.total:
        return
    est_rows = rows * counter.total / counter.consumed
    budget.check_bytes(
        int(3 * est_rows * width * 8), f"reading {source} (about {est_rows:,.0f} rows × {width:,} columns)"
    )


def _parse_stream(f, counter, source, delimiter, force_text, should_stop):
    lines = iter(f)
    first: list[str] = []
    for ln in lines:
        first.append(ln)
        if ln.strip():
            break
    if not first or not first[-1].strip():
        raise ValueError(f"{source}: file is empty")
    first[0] = first[0].lstrip("\ufeff")
    if delimiter is None:
        delimiter = _sniff_delimiter(first[-1])
    source_lines = itertools.chain(first, lines)
    if counter is not None:
        source_lines = _counted(source_lines, counter)
    reader = csv.reader(source_lines, delimiter=delimiter)
    header: list[str] | None = None
    b: _Builder | None = None
    chunk: list[list[str]] = []
    chunk_lines: list[int] = []
    per_chunk = CHUNK_CELLS
    try:
        for raw in reader:
            if not raw or all(not c.strip() for c in raw):
                continue  # blank line
            if header is None:
                header = [c.strip() for c in raw]
                header_line = reader.line_num
                _check_header(header, source, header_line)
                b = _Builder(len(header), force_text)
                per_chunk = max(1, CHUNK_CELLS // len(header))
                continue
            if len(raw) != len(header):
                raise ValueError(
                    f"{source}, line {reader.line_num}: expected {len(header)} fields, found {len(raw)}"
                )
            chunk.append(raw)
            chunk_lines.append(reader.line_num)
            if len(chunk) >= per_chunk:
                if should_stop is not None and should_stop():
                    raise Cancelled()
                b.add(chunk, np.array(chunk_lines, np.int64))
                if len(b.lines) == 1:
                    _check_budget(counter, len(chunk), len(header), source)
                chunk, chunk_lines = [], []
    except csv.Error as exc:
        raise ValueError(f"{source}, line {reader.line_num}: malformed CSV ({exc})") from None
    if header is None:
        raise ValueError(f"{source}: no header row (the file has no non-blank line)")
    b.add(chunk, np.array(chunk_lines, np.int64))
    return header, b.finish(header, source), b.switched


def _check_header(header: list[str], source: str, line: int) -> None:
    if all(parse_float(c) is not None for c in header):
        raise ValueError(
            f"{source}, line {line}: no header row (the first line contains only numbers; add column names)"
        )
    for j, name in enumerate(header):
        if not name:
            header[j] = f"column{j + 1}"
    seen: set[str] = set()
    for j, name in enumerate(header):
        if name in seen:
            raise ValueError(f"{source}, line {line}, column {j + 1}: duplicate column name {name!r}")
        seen.add(name)


def read_preview(path, rows: int, columns: int, *, max_bytes: int = DEFAULT_MAX_BYTES, delimiter=None):
    """(header, first ``rows`` rows of the first ``columns`` cells) without reading further.

    For a dialog's preview: cost bounded by what is shown, not by the file."""
    source, stream = _open_text(path, max_bytes, None)
    try:
        f, _ = stream()
        with f:
            lines = iter(f)
            first = [ln for ln in itertools.islice(lines, 1)]
            while first and not first[-1].strip():
                nxt = next(lines, None)
                if nxt is None:
                    break
                first.append(nxt)
            if not first or not first[-1].strip():
                raise ValueError(f"{source}: file is empty")
            delimiter = delimiter or _sniff_delimiter(first[-1].lstrip("\ufeff"))
            reader = csv.reader(itertools.chain(first, lines), delimiter=delimiter)
            out, header = [], None
            for raw in reader:
                if not raw or all(not c.strip() for c in raw):
                    continue
                if header is None:
                    header = [c.strip() or f"column{j + 1}" for j, c in enumerate(raw)]
                    continue
                out.append([c.strip() for c in raw[:columns]])
                if len(out) >= rows:
                    break
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise ValueError(f"{source}: malformed CSV ({exc})") from None
    if header is None:
        raise ValueError(f"{source}: no header row (the file has no non-blank line)")
    return header, out


# ------------------------------------------------------------- to a data set
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
    for c in inputs:
        if sub[c].numeric:
            feature_names.append(c)
            width += 1
        else:
            encoded[c] = _one_hot_column(sub[c])
            feature_names += [f"{c}={v}" for v in encoded[c][1]]
            width += encoded[c][0].shape[1]
    X = np.empty((int(keep.sum()), width))
    j = 0
    for c in inputs:
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


__all__ = [
    "Table",
    "Column",
    "Cancelled",
    "read_table",
    "read_preview",
    "table_to_dataset",
    "is_missing",
    "parse_float",
    "format_number",
    "MISSING",
]
