"""JobManager: every background computation of one window, in one place.

Sweeps, range tests, loss surfaces and activation comparisons are
:class:`~widgets.common.background.BackgroundJob` s created through a
manager; training registers its own stop-and-join function. ``shutdown()``
cancels and joins them all, so no thread outlives the window. A job created
with a ``replace`` key cancels the running job of that key first: a new
surface request supersedes the old one instead of piling threads up.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from .background import BackgroundJob

__all__ = ["JobManager"]


class JobManager(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._jobs: list[BackgroundJob] = []
        self._keys: dict[str, BackgroundJob] = {}
        self._stoppers: dict[str, Callable[[float], object]] = {}
        self.started = 0  # jobs started so far (tests count them)

    def create(
        self, fn, parent: QObject | None = None, name: str = "background job", replace: str | None = None
    ):
        """A new, not yet started job running ``fn(should_stop, progress)``.

        Connect its signals, then call ``start()``. With ``replace``, the
        running job created under the same key is cancelled first."""
        if replace is not None:
            self.cancel(replace)
        job = BackgroundJob(fn, parent if parent is not None else self, name=name)
        job.started_hook = self._count
        self._prune()
        self._jobs.append(job)
        if replace is not None:
            self._keys[replace] = job
        return job

    def add_stopper(self, name: str, stop: Callable[[float], object]) -> None:
        """Work that is not a BackgroundJob (the training worker): ``stop(timeout)``
        must end and join it; :meth:`shutdown` calls it."""
        self._stoppers[name] = stop

    def cancel(self, key: str) -> None:
        job = self._keys.pop(key, None)
        if job is not None:
            job.cancel()

    def running(self) -> list[str]:
        """Names of the jobs whose outcome has not been delivered yet."""
        self._prune()
        return [j.name for j in self._jobs if j.is_running()]

    def wait(self, timeout: float | None = None) -> bool:
        """Let every running job finish (not cancelled) and deliver its outcome."""
        ok = all([job.wait(timeout) for job in list(self._jobs)])
        self._prune()
        return ok

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel everything and wait for every thread; True if all ended in time."""
        ok = True
        for stop in self._stoppers.values():
            stop(timeout)
        for job in list(self._jobs):
            job.cancel()
        for job in list(self._jobs):
            ok = job.wait(timeout) and ok
        self._prune()
        self._keys.clear()
        return ok

    def _count(self) -> None:
        self.started += 1

    def _prune(self) -> None:
        self._jobs = [j for j in self._jobs if j.is_running()]
