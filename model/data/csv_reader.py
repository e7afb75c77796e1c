"""Streaming CSV reader: a file (or text) -> :class:`~model.data.table_columns.Table`.

The file is read through :mod:`model.io.safe_read` (regular files only, a
byte budget counted while reading) and parsed in chunks of about
:data:`CHUNK_CELLS` cells: each chunk's columns become NumPy arrays at once,
so the peak memory is the numeric result plus one chunk of strings, not the
whole file as Python strings.  A column that turns from numbers to text
after the first chunk is re-read as text in a second pass over the file
(rare: only such columns).  :func:`read_preview` reads only the rows and
columns a dialog shows.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from pathlib import Path

import numpy as np

from model.data.table_columns import Cancelled, ColumnBuilder, Table, parse_float
from model.io import safe_read
from model.train import budget

DEFAULT_MAX_BYTES = 200_000_000
CHUNK_CELLS = 500_000


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
    b: ColumnBuilder | None = None
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
                b = ColumnBuilder(len(header), force_text)
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
