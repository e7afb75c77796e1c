"""BackgroundJob: run one long pure computation off the GUI thread.

The callable gets two arguments, ``should_stop()`` (poll it; True once
:meth:`BackgroundJob.cancel` was called) and ``progress(fraction)``.  It runs
in a plain ``threading.Thread`` and never touches Qt: it only writes its
progress and outcome into attributes.  A ``QTimer`` on the GUI thread polls
them and emits the signals there, so slots always run on the GUI thread, at
most one progress signal per tick however often the worker reports.

Signals
-------
progress(float)   fraction done in [0, 1]
finished(object)  the callable's return value (not cancelled)
failed(str)       the exception, as "message" (type name if the message is empty)
cancelled()       cancel() was called; the callable's (partial) return value,
                  if any, is in :attr:`BackgroundJob.result`
Exactly one of finished / failed / cancelled fires per :meth:`start`.
"""
from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, QTimer, Signal

__all__ = ["BackgroundJob"]

_PENDING = object()


class BackgroundJob(QObject):
    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn, parent=None, interval_ms: int = 30, name: str = "background job"):
        super().__init__(parent)
        self._fn = fn
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fraction = 0.0
        self._sent_fraction = -1.0
        self._outcome = _PENDING     # ("ok", value) | ("error", text), set by the worker
        self._delivered = True
        self.result = None
        self.error = ""
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)

    # ----------------------------------------------------------------- api
    def start(self) -> None:
        """Start the callable in a new thread (once at a time)."""
        if self.is_running():
            raise RuntimeError(f"{self._name} is already running")
        self._stop.clear()
        self._fraction, self._sent_fraction = 0.0, -1.0
        self._outcome = _PENDING
        self._delivered = False
        self.result, self.error = None, ""
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self._timer.start()

    def cancel(self) -> None:
        """Ask the callable to stop; ``cancelled`` fires once it has returned."""
        if self.is_running():
            self._stop.set()

    def is_running(self) -> bool:
        """True from :meth:`start` until the outcome signal has been emitted."""
        return not self._delivered

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker has returned (True) or ``timeout`` seconds passed
        (False); then deliver the outcome signal at once. For tests and shutdown."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return False
        self._poll()
        return True

    # ------------------------------------------------------------ internal
    def _run(self) -> None:
        try:
            value = self._fn(self._stop.is_set, self._report)
            self._outcome = ("ok", value)
        except Exception as exc:  # the GUI shows it; the worker must not die silently
            traceback.print_exc()
            self._outcome = ("error", str(exc) or type(exc).__name__)

    def _report(self, fraction: float) -> None:
        self._fraction = min(max(float(fraction), 0.0), 1.0)

    def _poll(self) -> None:
        if self._delivered:
            self._timer.stop()
            return
        outcome = self._outcome
        if self._fraction != self._sent_fraction:
            self._sent_fraction = self._fraction
            self.progress.emit(self._fraction)
        if outcome is _PENDING:
            return
        self._timer.stop()
        self._delivered = True
        kind, value = outcome
        if kind == "error":
            self.error = value
            self.failed.emit(value)
        elif self._stop.is_set():
            self.result = value
            self.cancelled.emit()
        else:
            self.result = value
            self.progress.emit(1.0)
            self.finished.emit(value)
