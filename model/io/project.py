"""Project files: one versioned JSON document that reproduces a run.

```
{"format": "mlp-studio", "version": 1, "name": ..., "description": ...,
 "network": {NetworkSpec fields}, "data": {DataSource fields},
 "preprocessing": {"inputs": "none|normalize|standardize|scale", "scaler": {...} | null},
 "training": {TrainSettings fields},
 "weights": {"W": [...], "b": [...]} | null, "history": {...} | null,
 "view": {"pace": "slow|10|100|epoch|full"}}
```
``view`` is optional (files written before it existed load with full speed).
``challenge`` is optional too (a teacher's locks, goal and hint; see
``model.teaching.challenge``); files without it load as before.
Loading validates everything and raises :class:`ProjectError` naming the JSON
path of the first problem. Saving is atomic (temp file + ``os.replace``); the
text is indented by level with each list of numbers on one line (project_encode.py).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from model.io import safe_read
from model.io.atomic import (  # noqa: F401 - atomic_write_* are imported from here by others
    atomic_write_bytes,
    atomic_write_text,
    clean_stale_temporaries,
)
from model.io.project_encode import encode_project, project_to_dict
from model.io.project_reader import plain_reason, project_from_dict
from model.io.project_types import (
    FORMAT,
    MAX_FILE_BYTES,
    READABLE_VERSIONS,
    VERSION,
    DataSource,
    Project,
    ProjectError,
)


def save_project(p: Project, path: str | os.PathLike) -> None:
    """Write atomically: a failure leaves any previous file at ``path`` intact.

    Any thread may call it (it reads nothing but ``p``). A project its own
    loader would refuse is not written (what the app writes, it reads): too
    large a file is one line, before any byte is written.
    """
    atomic_write_bytes(path, encode_project(p))


def load_project(path: str | os.PathLike) -> Project:
    """Read and validate a project file; raises ProjectError (a ValueError).

    Every failure is one line: FIFOs, devices and directories are refused
    before opening, the size budget holds while reading, and anything the
    validators did not foresee (an overflow, a deep structure) is still
    reported as a ProjectError rather than a traceback.
    """
    path = Path(path)
    clean_stale_temporaries(path)
    try:
        text = safe_read.read_text(path, MAX_FILE_BYTES, "project file")
        d = safe_read.parse_json(text, path.name)
        if "true" in text or "false" in text:
            _refuse_booleans(d)
        p = project_from_dict(d)
    except ProjectError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, MemoryError) as e:
        raise ProjectError("", f"{path.name}: {plain_reason(e)}") from None
    if p.data.kind == "csv" and p.data.path and not os.path.isabs(p.data.path):
        p.data.path = str(resolve_data_path(p.data.path, path.parent))
    return p


#: Numeric sections holding arrays; booleans there would silently become 0/1.
_ARRAY_SECTIONS = (("weights",), ("data", "X"), ("data", "T"), ("history",), ("preprocessing", "scaler"))


def _refuse_booleans(d) -> None:
    if not isinstance(d, dict):
        return
    for keys in _ARRAY_SECTIONS:
        v = d
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        if v is None:
            continue
        where, _ = safe_read.find_first(v, lambda x: isinstance(x, bool))
        if where is not None:
            raise ProjectError(
                ".".join(keys) + (where if where.startswith("[") else f".{where}" if where else ""),
                "must be a number, not true/false",
            )


def resolve_data_path(rel: str, base: Path) -> Path:
    """Relative CSV paths: next to the project first, then the shipped datasets."""
    cand = base / rel
    if cand.exists():
        return cand
    shipped = Path(__file__).resolve().parents[2] / "resources" / "datasets" / Path(rel).name
    return shipped if shipped.exists() else cand


def is_finite_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "READABLE_VERSIONS",
    "VERSION",
    "DataSource",
    "Project",
    "ProjectError",
    "atomic_write_bytes",
    "atomic_write_text",
    "is_finite_number",
    "load_project",
    "project_from_dict",
    "project_to_dict",
    "resolve_data_path",
    "save_project",
]
