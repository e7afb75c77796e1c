"""Atomic saves: a temporary file beside the target, then ``os.replace``.

- A symlink is followed: the temporary file is made beside the link's
  *target* and replaces the target, so the link keeps pointing at fresh bytes.
- Only regular files are replaced: saving onto a device, FIFO or directory is
  refused with one line.
- Temporary files are named ``.NAME.PID.RANDOM.mlp-studio.tmp``; one left behind by
  a killed process (its PID no longer runs) is removed by the next save to,
  or the next open of, the same file.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
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


def _tmp_pattern(name: str) -> re.Pattern:
    # ours: .NAME.PID.RANDOM.mlp-studio.tmp; older versions: .NAME.XXXXXXXX.tmp (tempfile.mkstemp)
    n = re.escape(name)
    return re.compile(rf"^\.{n}\.(?:(\d+)\.[a-z0-9_]{{8}}{re.escape(TMP_SUFFIX)}|[a-z0-9_]{{8}}\.tmp)$")


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


def clean_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove temporary files of saves to ``path`` whose writer is gone; returns them."""
    path = Path(os.fspath(path))
    try:
        target = resolve_target(path)
    except NotRegularTarget:
        return []
    pat = _tmp_pattern(target.name)
    removed = []
    try:
        entries = list(os.scandir(target.parent if str(target.parent) else "."))
    except OSError:
        return []
    for e in entries:
        m = pat.match(e.name)
        if not m:
            continue
        pid = m.group(1)
        if pid is not None and (int(pid) == os.getpid() or _running(int(pid))):
            continue
        try:
            if e.is_file(follow_symlinks=False):
                os.unlink(e.path)
                removed.append(Path(e.path))
        except OSError:
            pass
    return removed


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
