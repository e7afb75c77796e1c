"""One reading layer for every file the app opens (projects, CSV, weights, ONNX).

Hostile paths this refuses, each with one plain line (:class:`ReadError`, a
``ValueError``):

- **not a regular file**: a FIFO blocks ``open()`` forever, ``/dev/zero`` and
  ``/dev/urandom`` never end, a directory cannot be read.  They are refused
  from ``os.stat`` *before* opening; the file is then opened with
  ``O_NONBLOCK`` and checked again with ``fstat`` (a path swapped for a FIFO
  in between still cannot block).
- **too large**: the byte budget is enforced while reading, never trusted
  from ``st_size`` (a device reports 0).

JSON goes through :func:`parse_json`: integers too long for a float become
one line naming their JSON path (``json.loads`` itself would raise
"Exceeds the limit (4300 digits)" or hand an int to code that overflows),
``NaN``/``Infinity`` are refused, and deep nesting is a message, not a
``RecursionError``.
"""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

CHUNK = 1 << 20
MAX_INT_DIGITS = 300  # below float's 309 digits; no field of ours allows anything near


class ReadError(ValueError):
    """A file that cannot be read safely; the message is one line for the user."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: str | os.PathLike, what: str = "file") -> os.stat_result:
    """``os.stat`` (following symlinks); ReadError unless it is a regular file."""
    path = Path(os.fspath(path))
    try:
        st = os.stat(path)
    except OSError as e:
        raise ReadError(f"cannot open {what} {path}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(f"{path} is {_kind(st.st_mode)}; only a regular {what} can be opened")
    return st


def open_regular(path: str | os.PathLike, what: str = "file") -> io.BufferedReader:
    """A binary file object for a regular file, checked before and after opening."""
    path = Path(os.fspath(path))
    check_regular(path, what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise ReadError(f"cannot open {what} {path}: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(f"{path} is {_kind(st.st_mode)}; only a regular {what} can be opened")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def too_large(path, limit: int, what: str = "file") -> ReadError:
    name = Path(os.fspath(path)).name
    return ReadError(f"{name} is larger than the {_size(limit)} a {what} may have")


def _size(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n:,} bytes"


def read_bytes(path: str | os.PathLike, max_bytes: int, what: str = "file") -> bytes:
    """The whole file, refused as soon as more than ``max_bytes`` arrive."""
    with open_regular(path, what) as f:
        parts, total = [], 0
        while True:
            try:
                chunk = f.read(min(CHUNK, max_bytes + 1 - total))
            except OSError as e:
                raise ReadError(f"cannot read {what} {path}: {e.strerror or e}") from None
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise too_large(path, max_bytes, what)
            parts.append(chunk)
    return b"".join(parts)


def read_text(path: str | os.PathLike, max_bytes: int, what: str = "file") -> str:
    """UTF-8 text (a BOM is dropped) within the byte budget."""
    data = read_bytes(path, max_bytes, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReadError(f"{Path(os.fspath(path)).name} is not UTF-8 text (byte {e.start})") from None


class HugeInt:
    """Stands in for an integer literal too long for a float, until its path is found."""

    __slots__ = ("digits",)

    def __init__(self, text: str):
        self.digits = len(text.lstrip("-"))


def parse_json(text: str, source: str):
    """``json.loads`` with the hostile cases turned into one ReadError line."""
    found = []

    def parse_int(s: str):
        if len(s) > MAX_INT_DIGITS:
            found.append(True)
            return HugeInt(s)
        return int(s)

    def parse_constant(name: str):
        raise ReadError(f"{source}: NaN and Infinity are not allowed (found {name})")

    try:
        d = json.loads(text, parse_int=parse_int, parse_constant=parse_constant)
    except json.JSONDecodeError as e:
        raise ReadError(f"{source} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        raise ReadError(f"{source} is nested too deeply (more than about 1,000 levels)") from None
    if found:
        where, v = find_first(d, lambda x: isinstance(x, HugeInt))
        raise ReadError(
            f"{source}: {where or 'the file'}: an integer with {v.digits:,} digits is too large "
            "(numbers must fit in a float, at most about 1.8e308)"
        )
    return d


def find_first(tree, pred):
    """(JSON path, value) of the first value in ``tree`` for which ``pred`` holds,
    depth first in file order; iterative, so any nesting depth is fine."""
    stack = [("", tree)]
    while stack:
        path, v = stack.pop()
        if pred(v):
            return path, v
        if isinstance(v, dict):
            stack.extend((f"{path}.{k}" if path else str(k), x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((f"{path}[{i}]", x) for i, x in reversed(list(enumerate(v))))
    return None, None


def load_json(path: str | os.PathLike, max_bytes: int, what: str = "file"):
    """Read and parse a JSON file through all the checks above."""
    return parse_json(read_text(path, max_bytes, what), Path(os.fspath(path)).name)
