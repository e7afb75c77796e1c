"""Checking a CSV column choice without blocking the GUI.

:class:`ChoiceChecker` validates a choice (roles of every column plus the
settings) exactly as the import will build it
(:func:`model.data.csv_import.validate_table`).  A small table is checked at
once; a wide one (more than :data:`SYNC_COLUMNS` columns) in a
:class:`~widgets.common.background.BackgroundJob`, because at 100,000 columns
a check takes ~0.8 s and ran on the GUI thread per role click.  Only the
answer for the newest choice is delivered: a check of an older choice is
stopped (within a few hundred columns) and the newest one checked after it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from model.data.csv_import import validate_table
from model.data.table import Cancelled, Table
from widgets.common.background import BackgroundJob

# up to this many columns (and cells) a choice is checked on the GUI thread: a few ms
SYNC_COLUMNS = 400
SYNC_CELLS = 2_000_000


def validate_choice(table: Table, path, choice: tuple, should_stop=None):
    """The CsvImport of ``choice`` = (names, roles, task, preprocessing, val_fraction,
    seed), or the ValueError saying why not.  Pure: any thread."""
    names, roles, task, pre, val, seed = choice
    inputs = [c for c, r in zip(names, roles) if r == "input"]
    targets = [c for c, r in zip(names, roles) if r == "target"]
    try:
        return validate_table(table, path, inputs, targets, task, pre, val, seed, should_stop=should_stop)
    except ValueError as exc:
        return exc


class ChoiceChecker(QObject):
    """``answered(outcome)``: a CsvImport or a ValueError, for the newest choice only."""

    answered = Signal(object)

    def __init__(self, path, parent=None):
        super().__init__(parent)
        self.path = path
        self._generation = 0  # of the newest choice; an answer for an older one is dropped
        self._args: tuple | None = None  # (generation, table, choice) of the running check
        self._newest: tuple | None = None  # (table, choice) waiting to be checked
        self._closed = False
        self.job = BackgroundJob(self._run, self, name="CSV column check")
        self.job.finished.connect(self._finished)
        self.job.cancelled.connect(self._check_newest)
        self.job.failed.connect(self._failed)

    @property
    def checking(self) -> bool:
        return self.job.is_running()

    @staticmethod
    def is_wide(table: Table) -> bool:
        return len(table.columns) > SYNC_COLUMNS or len(table.columns) * table.n_rows > SYNC_CELLS

    def check(self, table: Table, choice: tuple) -> bool:
        """Check ``choice``; True if answered already (small table), False if in the background."""
        self._generation += 1
        if not self.is_wide(table):
            self.answered.emit(validate_choice(table, self.path, choice))
            return True
        self._newest = (table, choice)
        if self.job.is_running():
            self.job.cancel()  # it stops within a few hundred columns; then the newest is checked
        else:
            self._start()
        return False

    def forget(self) -> None:
        """No choice to check (the table is gone): drop any answer still coming."""
        self._generation += 1
        self._newest = None
        self.job.cancel()

    def close(self, timeout: float = 30.0) -> None:
        """Stop a running check and join its thread (for closing the dialog)."""
        self._closed = True
        self.job.cancel()
        self.job.wait(timeout)

    # ------------------------------------------------------------ internal
    def _start(self) -> None:
        table, choice = self._newest
        self._args = (self._generation, table, choice)
        self.job.start()

    def _run(self, should_stop, _progress):
        generation, table, choice = self._args  # set on the GUI thread before start
        try:
            return generation, validate_choice(table, self.path, choice, should_stop)
        except Cancelled:
            return generation, None

    def _finished(self, result) -> None:
        generation, outcome = result
        if generation == self._generation and outcome is not None:
            self.answered.emit(outcome)
        else:
            self._check_newest()

    def _failed(self, message: str) -> None:
        if self._args is not None and self._args[0] == self._generation:
            self.answered.emit(ValueError(message))
        else:
            self._check_newest()

    def _check_newest(self) -> None:
        stale = self._args is None or self._args[0] != self._generation
        if stale and not self._closed and self._newest is not None and not self.job.is_running():
            self._start()
