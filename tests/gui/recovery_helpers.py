"""Make a recovery file look like the one a dead process left behind."""

import subprocess
import sys
from pathlib import Path


def dead_pid() -> int:
    """The pid of a process that has just exited (reuse within a test is not a concern)."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def orphan_of(path: Path, pid: int | None = None) -> Path:
    """Rename ``recovery-<pid>-<token>.json`` (and its .meta) to a dead pid; returns the new path."""
    pid = dead_pid() if pid is None else pid
    token = path.stem.split("-")[-1]
    new = path.with_name(f"recovery-{pid}-{token}.json")
    path.rename(new)
    meta = path.with_suffix(".meta")
    if meta.exists():
        meta.rename(new.with_suffix(".meta"))
    return new
