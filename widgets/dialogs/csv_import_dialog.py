"""CSV import: pick input/target columns of a CSV file and see what data set
they make before the app switches to it.

:func:`import_csv_source` is the pure part (no widgets): it reads the file,
builds the data set exactly as the app will (``model.data.table.table_to_dataset``)
and returns the project's :class:`~model.io.project.DataSource`, or raises
ValueError with a message a person can act on. :class:`CsvImportDialog` is the
form around it (its widgets: :mod:`widgets.dialogs.csv_import_form`): a preview
of the first rows, a role per column, task, preprocessing, validation split, a
summary line and an error line; OK is enabled only while the choice makes a
valid data set.

The dialog never blocks the GUI: the preview reads only the rows and columns
it shows (:func:`~model.data.table.read_preview`), and the whole file is
parsed by a :class:`~widgets.common.background.BackgroundJob` with a progress
bar and a Stop button; the column list is a model, so 100,000 columns cost
what the visible rows cost.  A change of role or setting on a wide table is
checked in the background (:mod:`widgets.dialogs.csv_choice_check`, the
whole choice exactly as the import will build it) with Import disabled until
it answers: on the GUI thread a role change touches only its own row.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QDialog, QTableWidgetItem, QWidget

from model.data.csv_import import (
    TASK_CHOICES,
    CsvImport,
    default_roles,
    import_csv_source,
    looks_like_classes,
    validate_table,
)
from model.data.table import (
    DEFAULT_MAX_BYTES,
    Cancelled,
    Table,
    is_missing,
    parse_float,
    read_preview,
    read_table,
)
from model.io.project import DataSource
from widgets.common.background import BackgroundJob
from widgets.common.themed_widgets import set_item_ink
from widgets.dialogs.csv_choice_check import SYNC_COLUMNS, ChoiceChecker
from widgets.dialogs.csv_columns_model import ROLES
from widgets.dialogs.csv_import_form import CsvImportForm

__all__ = [
    "CsvImportDialog",
    "CsvImport",
    "import_csv_source",
    "validate_table",
    "default_roles",
    "looks_like_classes",
    "ROLES",
    "TASK_CHOICES",
    "PREVIEW_ROWS",
    "SYNC_COLUMNS",
]

PREVIEW_ROWS = 100
PREVIEW_COLUMNS = 60


class CsvImportDialog(CsvImportForm, QDialog):
    """Choose columns of ``path`` for the project's data; see the module docstring.

    After ``exec()`` returns Accepted, :meth:`result_source` gives
    ``(DataSource, preprocessing)`` for the app's data-change path.  While the
    file is being read, :attr:`loading` is True; while a choice is being
    checked in the background, :attr:`checking` is (:meth:`wait_loaded` waits
    for both).
    """

    def __init__(
        self,
        path,
        parent: QWidget | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        preprocessing: str = "standardize",
        val_fraction: float = 0.2,
        seed: int = 0,
    ):
        super().__init__(parent)
        self.path = Path(os.fspath(path))
        self.setWindowTitle(f"Import CSV — {self.path.name}")
        self.table: Table | None = None
        self.result_import: CsvImport | None = None
        self.kinds: dict[str, str] = {}
        self._n_missing: dict[str, int] = {}
        self._n_categories: dict[str, int] = {}
        self._max_bytes = max_bytes

        self._build_form(preprocessing, val_fraction, seed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.job = BackgroundJob(self._read_whole_file, self, name="CSV import")
        self.job.progress.connect(lambda f: self.progress_bar.setValue(int(f * 1000)))
        self.job.finished.connect(self._loaded)
        self.job.cancelled.connect(lambda: self._load_failed("reading stopped; the file was not imported"))
        self.job.failed.connect(self._load_failed)
        self.stop_button.clicked.connect(self.job.cancel)
        self.checker = ChoiceChecker(self.path, self)
        self.checker.answered.connect(self._show_check)
        if self._show_preview():
            self._set_inputs_enabled(False)
            self.job.start()
        else:
            self._reading_done()
        for w in (self.task_combo, self.pre_combo):
            w.currentIndexChanged.connect(self._revalidate)
        self.val_spin.valueChanged.connect(self._revalidate)
        self.seed_spin.valueChanged.connect(self._revalidate)
        self.columns_model.rolesChanged.connect(self._revalidate)

    # ------------------------------------------------------------- building
    @property
    def loading(self) -> bool:
        return self.job.is_running()

    @property
    def checking(self) -> bool:
        """True while the current choice is being checked in the background."""
        return self.checker.checking

    def wait_loaded(self, timeout_ms: int = 60_000) -> bool:
        """Let the event loop run until the file is read and the choice checked
        (True) or the time is up."""
        clock = QElapsedTimer()
        clock.start()
        while (self.loading or self.checking) and clock.elapsed() < timeout_ms:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.005)  # processEvents keeps the GIL: let the reader thread run
        return not (self.loading or self.checking)

    def _read_whole_file(self, should_stop, progress):
        # runs in the worker thread: pure model code, no Qt; errors come back as values
        try:
            t = read_table(self.path, max_bytes=self._max_bytes, progress=progress, should_stop=should_stop)
        except Cancelled:
            return None
        except ValueError as exc:
            return exc
        # the per-column summaries too: at 100,000 columns they take a while (stoppable)
        kinds, n_missing, n_categories = {}, {}, {}
        for j, c in enumerate(t.columns):
            if j % 512 == 511 and should_stop():
                return None
            kinds[c] = t.column_kind(c)
            n_missing[c] = int(t.missing_mask(c).sum())
            if kinds[c] == "categorical":
                n_categories[c] = len(t.categories(c))
        return t, kinds, n_missing, n_categories, default_roles(t) if t.columns else {}

    def _show_preview(self) -> bool:
        """Header and the first rows/columns at once; False (with the message) if unreadable."""
        try:
            header, rows = read_preview(self.path, PREVIEW_ROWS, PREVIEW_COLUMNS, max_bytes=self._max_bytes)
        except ValueError as exc:
            self._set_error(str(exc))
            return False
        self.columns_model.reset(header)
        shown = header[:PREVIEW_COLUMNS]
        self.preview.setColumnCount(len(shown))
        self.preview.setHorizontalHeaderLabels(shown)
        self.preview.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                item = QTableWidgetItem(cell)
                if parse_float(cell) is not None:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if is_missing(cell):
                    set_item_ink(item, "error")
                self.preview.setItem(i, j, item)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        self.preview.resizeColumnsToContents()
        cols = f"first {len(shown)} of {len(header):,} columns" if len(header) > len(shown) else ""
        self.preview_label.setText(f"<b>Preview</b> · reading… {cols}")
        return True

    def _loaded(self, result) -> None:
        if isinstance(result, Exception) or result is None:
            self._load_failed(str(result) if result is not None else "reading stopped")
            return
        t, self.kinds, self._n_missing, self._n_categories, roles = result
        self.table = t
        self.columns_model.blockSignals(True)
        self.columns_model.set_all(roles)
        self.columns_model.blockSignals(False)
        self.columns_model.refresh()
        target = [c for c, r in roles.items() if r == "target"]
        if target and looks_like_classes(t, target[0]):
            self.task_combo.blockSignals(True)
            self.task_combo.setCurrentText("classification")  # e.g. digits' 0…9 labels
            self.task_combo.blockSignals(False)
        shown = self.preview.rowCount()
        parts = [f"first {shown} rows"] if t.n_rows > shown else []
        if len(t.columns) > self.preview.columnCount():
            parts.append(f"first {self.preview.columnCount()} columns")
        more = f" ({' and '.join(parts)} shown)" if parts else ""
        self.preview_label.setText(f"<b>Preview</b> · {t.n_rows:,} rows × {len(t.columns):,} columns{more}")
        self._reading_done()
        self._set_inputs_enabled(True)
        self._revalidate()

    def _load_failed(self, message: str) -> None:
        self.table = None
        self._reading_done()
        self._set_error(message)

    def _reading_done(self) -> None:
        self.progress_bar.setVisible(False)
        self.stop_button.setVisible(False)
        if self.table is None:
            self._set_inputs_enabled(False)

    def _set_inputs_enabled(self, on: bool) -> None:
        for w in (self.task_combo, self.pre_combo, self.val_spin, self.seed_spin, self.columns_view):
            w.setEnabled(on)

    # -------------------------------------------------------------- state
    def set_role(self, column: str, role: str) -> None:
        """Choose a column's role as a person would in its Role cell."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        self.columns_model.set_role(column, role)

    def roles(self) -> dict[str, str]:
        m = self.columns_model
        return dict(zip(m.names, m.roles))

    def chosen(self, role: str) -> list[str]:
        return [c for c, r in self.roles().items() if r == role]

    def preprocessing(self) -> str:
        return self.pre_combo.currentData()

    def kind_text(self, column: str) -> str:
        """The "Detected kind" cell: kind, categories, missing count, and what
        the current role makes of the column (one-hot for categorical inputs)."""
        if column not in self.kinds:
            return "reading…" if self.loading else ""
        kind = self.kinds[column]
        role = self.columns_model.roles[self.columns_model.row_of[column]]
        if kind == "categorical":
            k = self._n_categories[column]
            text = f"categorical · {k} value{'s' if k != 1 else ''}"
            if role == "input":
                text += f" → one-hot, {k} input{'s' if k != 1 else ''}"
            elif role == "target":
                text += " → classes"
        else:
            text = "numeric"
        n_missing = self._n_missing[column]
        if n_missing:
            text += f" · {n_missing} missing"
        return text

    def _choice(self) -> tuple:
        """The settings and a snapshot of every role (a C-level list copy, not a Python loop)."""
        settings = (self.task_combo.currentText(), self.preprocessing(), round(self.val_spin.value(), 4))
        return (self.columns_model.names, tuple(self.columns_model.roles), *settings, self.seed_spin.value())

    def _revalidate(self, *_args) -> None:
        self.result_import = None
        if self.table is None:
            self.checker.forget()
            self.ok_button.setEnabled(False)
            return
        if not self.checker.check(self.table, self._choice()):
            # wide: Import waits for the background check of exactly this choice
            self.ok_button.setEnabled(False)
            self.error_label.setVisible(False)
            self.summary_label.setText(f"Checking the choice of {len(self.table.columns):,} columns…")

    def _show_check(self, outcome) -> None:
        if isinstance(outcome, Exception):
            self.result_import = None
            self.summary_label.setText("")
            self._set_error(str(outcome))
            return
        self.result_import = outcome
        self.summary_label.setText(outcome.summary())
        self.error_label.setText("")
        self.error_label.setVisible(False)
        self.ok_button.setEnabled(True)

    def _set_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        self.ok_button.setEnabled(False)

    def error_text(self) -> str:
        return self.error_label.text()

    def summary_text(self) -> str:
        return self.summary_label.text()

    def result_source(self) -> tuple[DataSource, str]:
        """(DataSource, preprocessing) of the current valid choice; ValueError if none."""
        if self.result_import is None:
            raise ValueError(self.error_text() or "no valid column choice")
        return self.result_import.source, self.result_import.preprocessing

    def accept(self) -> None:
        if self.result_import is not None:
            super().accept()

    def done(self, code: int) -> None:
        self.job.cancel()  # closing while reading or checking stops both (within a chunk
        self.checker.close()  # / a few hundred columns) and joins their threads
        self.job.wait(30)
        super().done(code)
