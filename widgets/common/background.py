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

:class:`JobView` is the matching widget: inputs, Run / Cancel, a progress
bar and a status line around one job; subclasses say what to compute and
how to show it.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from widgets.common.themed_widgets import set_sheet

__all__ = ["BackgroundJob", "JobView"]

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
        self._outcome = _PENDING  # ("ok", value) | ("error", text), set by the worker
        self._delivered = True
        self.result = None
        self.error = ""
        self.started_hook = None  # called at each start (a JobManager counts jobs)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)

    @property
    def name(self) -> str:
        return self._name

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
        if self.started_hook is not None:
            self.started_hook()

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


INPUTS_PER_ROW = 3


class JobView(QWidget):
    """Inputs, Run / Cancel, progress bar and status line around one :class:`BackgroundJob`.

    Subclasses put inputs in ``self.inputs`` (:meth:`add_input`, then
    :meth:`finish_controls`), plots in ``self.body``, and implement
    :meth:`job_function` (returns the callable(should_stop, progress); raise
    ``ValueError`` to refuse with a message), :meth:`show_result` and
    optionally :meth:`summary`.  A cancelled job's partial result is shown too.
    """

    intro = ""

    def __init__(self, parent=None, jobs=None):
        super().__init__(parent)
        self.jobs = jobs  # a JobManager (shutdown joins the job), or None: a plain job
        self.job: BackgroundJob | None = None
        self.result = None
        self.run_button = QPushButton("Run", toolTip="Start this computation in the background")
        self.cancel_button = QPushButton("Cancel", toolTip="Stop it and keep what was computed so far")
        self.cancel_button.setEnabled(False)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(180)
        self.status = QLabel(self.intro)
        self.status.setWordWrap(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.controls = QHBoxLayout()  # Run, Cancel, progress
        # the job's inputs below, at most INPUTS_PER_ROW a row: a narrow dock never scrolls sideways
        self.inputs = QVBoxLayout()
        self._input_row: QHBoxLayout | None = None
        self.body = QVBoxLayout()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(self.controls)
        lay.addLayout(self.inputs)
        lay.addWidget(self.status)
        lay.addLayout(self.body, 1)

    def add_input(self, label: str, widget, tip: str) -> None:
        widget.setToolTip(tip)
        lab = QLabel(label)
        lab.setToolTip(tip)
        row = self._input_row
        if row is None or row.count() >= 2 * INPUTS_PER_ROW:
            row = self._input_row = QHBoxLayout()
            self.inputs.addLayout(row)
        row.addWidget(lab)
        row.addWidget(widget)

    def finish_controls(self) -> None:
        # Run first, on its own row above the inputs: in view on a narrow, short dock
        for i, w in enumerate((self.run_button, self.cancel_button, self.progress_bar)):
            self.controls.insertWidget(i, w)
        self.controls.addStretch(1)
        for i in range(self.inputs.count()):
            self.inputs.itemAt(i).layout().addStretch(1)

    def run(self) -> None:
        """Start the job (ignored while one runs)."""
        if self.job is not None and self.job.is_running():
            return
        try:
            fn = self.job_function()
        except ValueError as exc:
            self.say(str(exc), error=True)
            return
        name = type(self).__name__
        self.job = (
            self.jobs.create(fn, self, name) if self.jobs is not None else BackgroundJob(fn, self, name=name)
        )
        self.job.progress.connect(lambda f: self.progress_bar.setValue(int(round(1000 * f))))
        self.job.finished.connect(self._finished)
        self.job.cancelled.connect(self._cancelled)
        self.job.failed.connect(lambda msg: self._done(f"Failed: {msg}", error=True))
        self.progress_bar.setValue(0)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.say("Running…")
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel a running job and wait for its thread (for closing the window)."""
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.wait(timeout)

    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        set_sheet(self.status, "color: @error;" if error else "")

    def _finished(self, result) -> None:
        self._show(result, lambda: self.summary(result))

    def _cancelled(self) -> None:
        partial = self.job.result if self.job is not None else None
        self._show(partial, lambda: "Cancelled; showing what was computed so far.")

    def _show(self, result, text) -> None:
        try:
            if result is not None:
                self.result = result
                self.setProperty("analysisStale", False)  # computed on what is shown now
                self.show_result(result)
            self._done(text())
        except Exception as exc:  # a drawing bug must not leave the Run button dead
            traceback.print_exc()
            self._done(f"Could not show the result: {exc}", error=True)

    def _done(self, text: str, error: bool = False) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.say(text, error)

    # ------------------------------------------------------------ subclass
    def job_function(self):
        raise NotImplementedError

    def show_result(self, result) -> None:
        raise NotImplementedError

    def summary(self, result) -> str:
        return "Done."
