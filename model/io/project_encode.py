"""Writing a project: the dict of every section, and its JSON text (see ``model.io.project``).

The text keeps the structure readable (one key a line, indented by level) but
writes every list of numbers on one line and every matrix one row a line:
each number on its own line (``json.dumps(indent=1)``) made a 40,000-epoch
history 9.0 MB and took ~1.0 s in the pure-Python encoder; this is 5.8 MB
and ~0.3 s. The same JSON values either way, so every reader reads both.

Lists are encoded by the C encoder in chunks of :data:`CHUNK` values, and the
GIL is offered to waiting threads after each, so a thread saving a long
history never keeps the GUI thread waiting more than a millisecond or two
(one ``json.dumps`` of a 40,000-value list holds it ~10 ms; measured with the
window open, the longest GUI stall during a 40,000-epoch Save fell from ~300 ms
without the offers to ~25 ms with them: tests/bench/save_stall.py).
"""

from __future__ import annotations

import json
import time

import numpy as np

from model.io.project_types import FORMAT, MAX_FILE_BYTES, VERSION, Project, ProjectError

CHUNK = 2048  # values per json.dumps call: ~1 ms of GIL each
_STEP = " "  # one space a level, as the files always had


def project_to_dict(p: Project) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": p.name,
        "description": p.description,
        "network": p.spec.to_dict(),
        "data": p.data.to_dict(),
        "preprocessing": {
            "inputs": p.preprocessing,
            "scaler": p.scaler.to_dict() if p.scaler is not None else None,
        },
        "training": p.training.to_dict(),
        "weights": None
        if p.weights is None
        else {
            "W": [np.asarray(w, float).tolist() for w in p.weights[0]],
            "b": [np.asarray(b, float).tolist() for b in p.weights[1]],
        },
        "history": None if p.history is None else p.history.to_dict(),
        "view": {"pace": p.pace},
        **({"challenge": p.challenge.to_dict()} if p.challenge is not None else {}),
    }


def encode_project(p: Project) -> bytes:
    """The project file's bytes (UTF-8).

    A project its own loader would refuse is not encoded (what the app
    writes, it reads): NaN/inf raise ValueError, too large a file ProjectError.
    """
    out: list[str] = []
    _value(project_to_dict(p), 0, out)
    data = "".join(out).encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise ProjectError(
            "",
            f"the project would be {len(data) / 2**20:,.0f} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB "
            "a project file may have (a very long training history?); export the weights instead",
        )
    return data


def _value(v, level: int, out: list[str]) -> None:
    """Append ``v``'s JSON at indentation ``level`` (its first line already placed)."""
    if isinstance(v, dict):
        _items([f"{json.dumps(k)}: " for k in v], list(v.values()), "{}", level, out)
    elif not isinstance(v, (list, tuple)):
        out.append(json.dumps(v, allow_nan=False))
    elif not v:
        out.append("[]")
    elif any(isinstance(x, dict) for x in v) or _is_list(v[0]) and v[0] and _is_list(v[0][0]):
        _items([""] * len(v), v, "[]", level, out)  # records, or a list of matrices
    elif all(_is_list(x) for x in v):
        _rows(v, level, out)
    else:
        out.append("[")
        _flat(v, out)
        out.append("]")


def _is_list(x) -> bool:
    return isinstance(x, (list, tuple))


def _items(heads: list[str], values: list, brackets: str, level: int, out: list[str]) -> None:
    """An object's members or a list's items, one a line, ``heads`` before each."""
    pad = "\n" + _STEP * (level + 1)
    out.append(brackets[0])
    for i, (head, item) in enumerate(zip(heads, values)):
        out.append(f"{',' if i else ''}{pad}{head}")
        _value(item, level + 1, out)
    out.append(f"\n{_STEP * level}{brackets[1]}" if values else brackets[1])


def _chunk(values: list) -> str:
    """``values`` encoded without their brackets; then the GIL is offered to a waiting
    thread (a GUI thread waits for it after every NumPy call; unoffered, it waits the
    interpreter's 5 ms switch interval each time)."""
    text = json.dumps(values, allow_nan=False)[1:-1]
    time.sleep(0)
    return text


def _flat(v, out: list[str]) -> None:
    """The values of a list, without its brackets, a chunk per encoder call."""
    for start in range(0, len(v), CHUNK):
        out.append((", " if start else "") + _chunk(v[start : start + CHUNK]))


def _rows(v, level: int, out: list[str]) -> None:
    """A matrix (a list of lists of values): one row a line, rows encoded in chunks."""
    pad = "\n" + _STEP * (level + 1)
    per = max(1, CHUNK // max(1, len(v[0])))
    out.append("[")
    for start in range(0, len(v), per):
        part = v[start : start + per]
        text = _chunk(part)
        if '"' in text or "[[" in text:  # a string (or a deeper list) may hold "], [": row by row
            for i, row in enumerate(part):
                out.append(("," if start or i else "") + pad)
                _value(row, level + 1, out)
            continue
        out.append(("," if start else "") + pad + text.replace("], [", "]," + pad + "["))
    out.append(f"\n{_STEP * level}]")
