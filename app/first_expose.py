"""Run something once a window is on screen: right after its first Expose.

The app's start shows the window's frame first and builds the rest after
(app/main_window.py ``deferred``): the Expose is when the frame has been
given to the screen, so a zero-timer from there runs once it is painted.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer

#: if the window is never exposed (started minimised, on another desktop), build anyway
FALLBACK_MS = 2000


class _FirstExpose(QObject):
    def __init__(self, handle, fn: Callable[[], None]):
        super().__init__(handle)
        self._handle, self._fn, self._done = handle, fn, False
        handle.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._run)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Expose and obj.isExposed() and not self._done:
            QTimer.singleShot(0, self, self._run)  # after this expose has been painted
        return False

    def _run(self) -> None:
        if self._done:
            return
        self._done = True
        self._handle.removeEventFilter(self)
        self._fn()


def after_first_expose(window, fn: Callable[[], None]) -> None:
    """Call ``fn()`` once, right after ``window``'s first expose (before ``window.show()``)."""
    window.winId()  # the native window exists now, so its first Expose can be seen
    _FirstExpose(window.windowHandle(), fn)
