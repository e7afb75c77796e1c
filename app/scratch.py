"""One throwaway folder per process, removed when the process exits.

A screenshot or recording run, a test session, a GUI probe or a bench must keep
away from the user's settings and crash-recovery files, but must not leave its
stand-ins behind either: each such run used to leave one to three folders or
files in the temp directory (a few hundred after a day of tests and screenshots).
Everything throwaway goes under :func:`scratch_dir` instead, which is deleted at
interpreter exit (a process killed outright still leaves it).  No Qt here: the
folder is made before the QApplication, whose offscreen screen is read from it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading

_lock = threading.Lock()
_dir: str | None = None


def scratch_dir() -> str:
    """This process's throwaway folder (made on first use, private to the user)."""
    global _dir
    with _lock:
        if _dir is None or not os.path.isdir(_dir):
            _dir = tempfile.mkdtemp(prefix="mlp-studio-")
            atexit.register(shutil.rmtree, _dir, True)
        return _dir


def scratch_subdir(name: str) -> str:
    """A folder ``name`` inside :func:`scratch_dir` (made if missing)."""
    path = os.path.join(scratch_dir(), name)
    os.makedirs(path, exist_ok=True)
    return path


def remove_scratch() -> None:
    """Delete the folder now: for a process about to leave by ``os._exit``
    (which skips the exit handlers, as probes do to skip Qt's teardown)."""
    global _dir
    with _lock:
        if _dir is not None:
            shutil.rmtree(_dir, ignore_errors=True)
            _dir = None
