"""Explicit Save (Ctrl+S, Save As) off the GUI thread.

The GUI thread only takes the document's immutable snapshot
(:meth:`~app.document.Document.snapshot`: weights and history copied, ~5 ms
for a 40,000-epoch run, no JSON); a :class:`~widgets.common.background.BackgroundJob`
encodes it with the one project encoder (``model.io.project.save_project``,
which the CLI and autosave use too) and writes it atomically. The outcome comes
back on the GUI thread: :meth:`Document.mark_saved` marks the document clean
only if nothing changed since the snapshot, so edits and training made while
the file was being written keep it unsaved.

One save is written at a time. A save asked for while one is being written
*queues behind it* with its own snapshot, taken when it was asked for; a
queued save that has not started yet is *superseded* by a newer one to the
same file (the newer snapshot holds everything the older one did), so the
last state asked for is the one on disk. :meth:`ProjectSaver.wait` lets
paint and timer events through (never user input) until every queued save
is written, or a bound passes: closing and opening wait so, and never lose work.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Signal

from model.io.atomic import NotRegularTarget
from model.io.project import save_project
from widgets.common.background import BackgroundJob

#: Seconds closing (or opening another file) waits for a save under way before it gives up and says so.
WAIT_SECONDS = 60.0


@dataclass
class SaveRequest:
    """One save asked for: where, what (the document's snapshot) and, once known, how it went."""

    path: Path
    snapshot: object  # app.document.Snapshot
    done: bool = False
    error: str | None = None  # one line for the person, when it failed
    superseded_by: SaveRequest | None = field(default=None, repr=False)

    @property
    def outcome(self) -> SaveRequest:
        """The request whose write decides this one (itself, or the newer save that replaced it)."""
        req = self
        while req.superseded_by is not None:
            req = req.superseded_by
        return req


def save_error_text(e: BaseException, path: Path) -> str:
    """Why a save failed, in one line that names the file or folder, not our temporary file."""
    where = path.parent if str(path.parent) else Path(".")
    if isinstance(e, NotRegularTarget) or not isinstance(e, OSError):
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
    elif isinstance(e, FileNotFoundError):
        reason = f"the folder {where} does not exist (was it moved or removed?)"
    elif isinstance(e, PermissionError):
        reason = f"Permission denied: cannot write in {where}"
    elif e.errno == errno.ENOSPC:
        reason = f"No space left on device: the disk holding {where} is full"
    else:
        reason = e.strerror or str(e)
    return f"Could not save {path.name}: {reason}. The project is not saved; nothing else was changed."


def _write(req: SaveRequest) -> str | None:
    """Encode and write (the worker thread; touches nothing but its request's snapshot)."""
    try:
        save_project(req.snapshot.project, req.path)
    except (OSError, ValueError) as e:
        return save_error_text(e, req.path)
    return None


class ProjectSaver(QObject):
    """``started(path)``, ``saved(path)`` and ``failed(path, message)``, all on the GUI thread."""

    started = Signal(str)
    saved = Signal(str)
    failed = Signal(str, str)

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._queue: list[SaveRequest] = []
        self._job: BackgroundJob | None = None

    @property
    def busy(self) -> bool:
        """A save is being written or waits its turn."""
        return self._job is not None or bool(self._queue)

    def save(self, path) -> SaveRequest:
        """Snapshot the document now and write it to ``path`` in the background.
        ValueError (one line) if the document cannot be saved at all."""
        req = SaveRequest(Path(path), self.doc.snapshot())
        for old in self._queue:
            if old.path == req.path:  # not started: the newer snapshot has all it had
                old.superseded_by, old.done = req, True
        self._queue = [q for q in self._queue if not q.done] + [req]
        self._start_next()
        return req

    def wait(self, timeout: float | None = WAIT_SECONDS) -> bool:
        """Until every queued save is written (True), or ``timeout`` seconds passed (False).
        Paint and timer events go on meanwhile (the status bar says what happens);
        user input waits, so nothing can be edited or closed halfway."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.busy:
            if self._job is None:
                self._start_next()
                continue
            if self._job.wait(0.02):  # joined: delivers the outcome (and starts the next)
                continue
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            if deadline is not None and time.monotonic() > deadline:
                return False
        return True

    def _start_next(self) -> None:
        if self._job is not None or not self._queue:
            return
        req = self._queue.pop(0)
        job = BackgroundJob(lambda _stop, _progress: _write(req), self, interval_ms=20, name="mlp-save")
        job.finished.connect(lambda error: self._done(req, error))
        job.failed.connect(lambda text: self._done(req, save_error_text(RuntimeError(text), req.path)))
        self._job = job
        job.start()
        self.started.emit(str(req.path))

    def _done(self, req: SaveRequest, error: str | None) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        req.done, req.error = True, error
        if error is None:
            self.doc.mark_saved(req.path, req.snapshot.revision)
            self.saved.emit(str(req.path))
        else:
            self.failed.emit(str(req.path), error)
        self._start_next()
