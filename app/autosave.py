"""Autosave and crash recovery, one recovery file per window.

While the document has unsaved changes, a copy is written atomically every
``interval`` seconds to ``recovery-<pid>-<token>.json`` in the recovery
folder (the token tells two windows of one process apart). The GUI thread
takes an immutable copy of the document (``Document.snapshot``, as an explicit
Save does: a few memcpys), never reading a training worker, so it is
consistent by construction; a short-lived thread turns that copy into JSON
and writes it atomically, so a long history never stalls the window (the
encoder works in chunks: it hands the GIL back every millisecond or two). A clean close deletes it; files whose owner
process is gone are *orphans*, and the next start offers every one of them.
Temporary files of an atomic save that was interrupted are removed at start.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from model.io.atomic import clean_stale_temporaries_in
from model.io.project import atomic_write_text, save_project

DEFAULT_INTERVAL = 60.0  # seconds
_NAME = re.compile(r"^recovery-(\d+)-([0-9a-f]+)\.json$")
_TEMP = re.compile(r"^\.recovery-(\d+)-[0-9a-f]+\.(json|meta)\..*\.tmp$")


def recovery_dir() -> Path:
    override = os.environ.get("MLP_STUDIO_RECOVERY_DIR")
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".mlp-studio") / "recovery"


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Recovery:
    """An orphaned recovery file: its project, sidecar, owner pid and where the work belonged."""

    path: Path
    pid: int
    original: str | None
    saved_at: float

    @property
    def meta(self) -> Path:
        return self.path.with_suffix(".meta")

    def remove(self) -> None:
        for p in (self.path, self.meta):
            try:
                p.unlink()
            except OSError:
                pass


class Autosaver(QObject):
    """Writes this window's recovery copy; ``configure`` sets interval and folder."""

    def __init__(self, doc, interval: float = DEFAULT_INTERVAL, folder: Path | None = None, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.folder = Path(folder) if folder else recovery_dir()
        self.stem = f"recovery-{os.getpid()}-{secrets.token_hex(6)}"
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_in_background)
        self.last_error: str | None = None
        self.saves = 0  # recovery copies written (tests and the status read it)
        self._writer: threading.Thread | None = None  # the background write under way
        self._lock = threading.Lock()  # guards the two flags below (GUI thread and writer)
        self._writing = False
        self._discard_after_write = False
        self.configure(interval=interval)

    def configure(self, interval: float | None = None, folder: str | Path | None = None) -> None:
        if folder is not None and Path(folder) != self.folder:
            self.wait()  # a write under way goes to the old folder
            self.discard()
            self.folder = Path(folder)
        if interval is not None:
            if not interval > 0:
                raise ValueError(
                    f"the autosave interval must be a positive number of seconds, got {interval!r}"
                )
            self.timer.setInterval(max(1, int(interval * 1000)))
            self.timer.start()

    @property
    def path(self) -> Path:
        return self.folder / f"{self.stem}.json"

    def save_now(self) -> bool:
        """Write the recovery copy now if there is anything unsaved (True once written)."""
        self.wait()
        job = self._prepare()
        return job is not None and self._write(*job)

    def save_in_background(self) -> None:
        """The timer's save: the copy is taken here, encoded and written by a thread.
        One at a time: while one is being written the tick is skipped (the next one saves)."""
        if self._writer is not None and self._writer.is_alive():
            return
        job = self._prepare()
        if job is not None:
            with self._lock:
                self._writing = True
            self._writer = threading.Thread(target=self._write_then_discard, args=job, name="mlp-autosave")
            self._writer.daemon = True
            self._writer.start()

    def _write_then_discard(self, *job) -> None:
        """The writer thread: write, then remove the copy if it was discarded meanwhile."""
        self._write(*job)
        with self._lock:
            self._writing = False
            discard, self._discard_after_write = self._discard_after_write, False
        if discard:
            self._remove()

    def wait(self) -> None:
        """Until the background write (if any) has finished."""
        if self._writer is not None:
            self._writer.join()
            self._writer = None

    def _prepare(self):
        """(project copy, meta, path, meta path) read from the document on the GUI thread, or None."""
        if not self.doc.dirty:
            return None
        try:
            project = self.doc.snapshot().project  # private copies: the document goes on changing
        except ValueError as e:
            self.last_error = str(e)
            return None
        # where the work belongs first, so a restore can offer the same name
        meta = {"path": str(self.doc.path) if self.doc.path else None, "name": self.doc.name}
        return project, meta, self.path, self.path.with_suffix(".meta")

    def _write(self, project, meta, path: Path, meta_path: Path) -> bool:
        """Encode and write (any thread; touches nothing but its arguments and counters)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(meta_path, json.dumps(meta))
            save_project(project, path)
        except (OSError, ValueError) as e:  # never disturb the user for a background copy
            self.last_error = str(e)
            return False
        self.saves += 1
        return True

    def discard(self) -> None:
        """Clean exit or explicit save: this window's recovery copy is no longer needed.
        A copy being written is removed by its writer once written: the GUI thread
        never waits for it (a long history's copy takes a fraction of a second)."""
        with self._lock:
            if self._writing:
                self._discard_after_write = True
                return
        self._remove()

    def _remove(self) -> None:
        Recovery(self.path, os.getpid(), None, 0.0).remove()

    def take_over(self, orphan: Recovery) -> None:
        """The orphan's work now lives in this window: copy it here, then drop the orphan."""
        if self.save_now() or not self.doc.dirty:
            orphan.remove()

    def stop(self) -> None:
        self.timer.stop()
        self.wait()


def _dead_owner_files(folder, pattern: re.Pattern) -> list[tuple[Path, re.Match]]:
    """Files in ``folder`` named by ``pattern`` whose owner pid (group 1) is gone."""
    folder = Path(folder) if folder else recovery_dir()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    matches = ((p, pattern.match(p.name)) for p in entries)
    return [(p, m) for p, m in matches if m and not pid_alive(int(m.group(1)))]


def orphaned_recoveries(folder: str | Path | None = None) -> list[Recovery]:
    """Recovery files whose owner process is gone, oldest first."""
    found = []
    for p, m in _dead_owner_files(folder, _NAME):
        try:
            original = json.loads(p.with_suffix(".meta").read_text()).get("path")
        except (OSError, ValueError, AttributeError):
            original = None
        try:
            saved_at = p.stat().st_mtime
        except OSError:
            continue
        found.append(Recovery(p, int(m.group(1)), original, saved_at))
    return sorted(found, key=lambda r: r.saved_at)


def remove_stale_temp_files(folder: str | Path | None = None) -> list[Path]:
    """Delete leftovers of interrupted atomic saves whose writer is gone: the
    recovery files' (their window's pid) and any other of ours in the folder."""
    removed = clean_stale_temporaries_in(Path(folder) if folder else recovery_dir())
    for p, _ in _dead_owner_files(folder, _TEMP):
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


def pending_recovery(folder: str | Path | None = None) -> Path | None:
    """The oldest orphaned recovery file, if any."""
    orphans = orphaned_recoveries(folder)
    return orphans[0].path if orphans else None


__all__ = [
    "Autosaver",
    "Recovery",
    "orphaned_recoveries",
    "pending_recovery",
    "recovery_dir",
    "remove_stale_temp_files",
]
