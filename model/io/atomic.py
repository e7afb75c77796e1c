"""Atomic saves: a temporary file beside the target, then ``os.replace``.

- A symlink is followed: the temporary file is made beside the link's
  *target* and replaces the target, so the link keeps pointing at fresh bytes.
- Only regular files are replaced: saving onto a device, FIFO or directory is
  refused with one line.
- Temporary files are named ``.NAME.PID.RANDOM.mlp-studio.tmp``; one left behind by
  a killed process (its PID no longer runs, or it is older than an hour) is
  removed by the next save into, or open from, the same folder (whichever
  file it belonged to) and by the next start of the app (its recovery folder).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

TMP_SUFFIX = ".mlp-studio.tmp"


class NotRegularTarget(OSError):
    """Saving onto a directory, device or pipe (an OSError, like every other failed save)."""


def resolve_target(path: str | os.PathLike) -> Path:
    """The file a save to ``path`` must replace (symlinks followed); NotRegularTarget if not regular."""
    path = Path(os.fspath(path))
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError:
        return target  # let the write itself report it
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device or pipe)"
        raise NotRegularTarget(f"cannot save to {path}: it is {kind}; choose a regular file name")
    return target


# ours: .NAME.PID.RANDOM.mlp-studio.tmp (NAME any file's name, PID the writer's)
_OURS = re.compile(rf"^\.(.+)\.(\d+)\.[a-z0-9_]{{8}}{re.escape(TMP_SUFFIX)}$")
# A temporary file lives for the seconds a save takes: one this old whose PID
# runs belongs to a recycled PID, not to a save in progress.
SAFE_AGE = 3600.0


def _legacy_pattern(name: str) -> re.Pattern:
    # older versions: .NAME.XXXXXXXX.tmp (tempfile.mkstemp); only the target's own name counts
    return re.compile(rf"^\.{re.escape(name)}\.[a-z0-9_]{{8}}\.tmp$")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    except OSError:
        return False
    return True


def _is_stale(entry: os.DirEntry, pid: int, now: float) -> bool:
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False  # a symlink or pipe named like ours is not ours
    if now - st.st_mtime > SAFE_AGE:
        return True
    return pid != os.getpid() and not _running(pid)


def clean_stale_temporaries_in(folder: str | os.PathLike, legacy_name: str | None = None) -> list[Path]:
    """Remove, from ``folder``, temporary files of our interrupted saves (of any file).

    Only names of our own pattern (``.NAME.PID.RANDOM.mlp-studio.tmp``), only
    regular files, and only when the writing PID no longer runs or the file is
    older than :data:`SAFE_AGE` seconds; anything else in the folder is left
    alone.  ``legacy_name``: also the old-style ``.NAME.XXXXXXXX.tmp`` files of
    that one file name (what older versions left beside it).  Returns the removed paths.
    """
    folder = Path(os.fspath(folder)) if str(folder) else Path(".")
    legacy = _legacy_pattern(legacy_name) if legacy_name else None
    now = time.time()
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for e in entries:
        m = _OURS.match(e.name)
        if m:
            stale = _is_stale(e, int(m.group(2)), now)
        else:
            stale = legacy is not None and bool(legacy.match(e.name)) and e.is_file(follow_symlinks=False)
        if not stale:
            continue
        try:
            os.unlink(e.path)
            removed.append(Path(e.path))
        except OSError:
            pass
    return removed


def clean_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Before a save to or an open of ``path``: remove the stale temporary files of
    our saves in its folder (every file's, not only its own); returns them."""
    path = Path(os.fspath(path))
    try:
        target = resolve_target(path)
    except NotRegularTarget:
        return []
    return clean_stale_temporaries_in(target.parent if str(target.parent) else ".", target.name)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` so that a failure at any point leaves the old file intact."""
    target = resolve_target(path)
    clean_stale_temporaries(target)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=directory)
    try:
        # give the file the mode a plain open() would (or the old file's)
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
