"""CSV import: pick input/target columns of a CSV file and see what data set
they make before the app switches to it.

:func:`import_csv_source` is the pure part (no widgets): it reads the file,
builds the data set exactly as the app will (``model.data.table.table_to_dataset``)
and returns the project's :class:`~model.io.project.DataSource`, or raises
ValueError with a message a person can act on. :class:`CsvImportDialog` is the
form around it: a preview of the first rows, one role combo per column, task,
preprocessing, validation split, a summary line and an error line; OK is
enabled only while the choice makes a valid data set.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from model.data.datasets import Dataset, train_val_split
from model.data.preprocessing import METHOD_TITLES, METHODS
from model.data.table import DEFAULT_MAX_BYTES, Table, is_missing, read_table, table_to_dataset
from model.io.project import DataSource

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
]

ROLES = ("ignore", "input", "target")
TASK_CHOICES = ("auto", "classification", "regression")
PREVIEW_ROWS = 100
TARGET_NAMES = ("target", "class", "label", "species", "y", "digit", "outcome")
ERROR_STYLE = "color: #b3261e;"
MISSING_COLOUR = QColor("#b3261e")
ROLE_COLOURS = {"ignore": QColor("#8a9099"), "input": QColor("#1f4fa8"), "target": QColor("#a33a12")}


@dataclass
class CsvImport:
    """A validated choice: the project's data source plus what it produces."""

    source: DataSource
    preprocessing: str
    dataset: Dataset
    dropped: int
    n_train: int
    n_val: int

    def summary(self) -> str:
        """ "150 rows, 4 inputs → 3 outputs, 0 rows with missing values dropped · …"."""
        ds = self.dataset
        s = "" if self.dropped == 1 else "s"
        text = (
            f"{ds.n_samples:,} rows, {ds.n_inputs} inputs → {ds.n_outputs} outputs, "
            f"{self.dropped:,} row{s} with missing values dropped · {ds.task}"
        )
        if ds.task == "classification":
            text += f" ({len(ds.class_names)} classes)"
        return text + f" · {self.n_train:,} training / {self.n_val:,} validation"


def _check_settings(task, preprocessing, val_fraction, seed) -> str | None:
    if task not in TASK_CHOICES and task is not None:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASK_CHOICES)}")
    if preprocessing not in METHODS:
        raise ValueError(f"unknown preprocessing {preprocessing!r}; expected one of {', '.join(METHODS)}")
    if (
        isinstance(val_fraction, bool)
        or not isinstance(val_fraction, (int, float))
        or not (math.isfinite(val_fraction) and 0.0 <= val_fraction < 1.0)
    ):
        raise ValueError(f"validation fraction must be a number in [0, 1), got {val_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"split seed must be a whole number ≥ 0, got {seed!r}")
    return None if task in (None, "auto") else task


def validate_table(
    table: Table,
    path,
    inputs,
    targets,
    task="auto",
    preprocessing="standardize",
    val_fraction: float = 0.2,
    seed: int = 0,
) -> CsvImport:
    """Build the data set of a column choice on an already read table; ValueError if it fails.

    ``task``: "auto" (or None) lets the target column decide; numeric
    preprocessing is one of ``model.data.preprocessing.METHODS``.
    """
    task_value = _check_settings(task, preprocessing, val_fraction, seed)
    ds, dropped = table_to_dataset(table, list(inputs), list(targets), task_value)
    if ds.n_samples < 2 and val_fraction > 0:
        raise ValueError("only one row left: too few to split off validation data")
    train, val = train_val_split(ds, float(val_fraction), int(seed))
    src = DataSource(
        kind="csv",
        path=os.fspath(path),
        inputs=list(inputs),
        targets=list(targets),
        task=task_value,
        val_fraction=float(val_fraction),
        split_seed=int(seed),
    )
    return CsvImport(src, preprocessing, ds, dropped, train.n_samples, val.n_samples)


def import_csv_source(
    path,
    inputs,
    targets,
    task="auto",
    preprocessing="standardize",
    val_fraction: float = 0.2,
    seed: int = 0,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[DataSource, str]:
    """Read ``path`` and validate a column choice -> (DataSource, preprocessing).

    Raises ValueError (only) with a message naming the file, line or column.
    """
    table = read_table(Path(os.fspath(path)), max_bytes=max_bytes)
    result = validate_table(table, path, inputs, targets, task, preprocessing, val_fraction, seed)
    return result.source, result.preprocessing


def default_roles(table: Table) -> dict[str, str]:
    """A first guess: one target (a column named like a label, else the last
    column), every other numeric column an input, text columns ignored."""
    cols = table.columns
    named = [c for c in cols if c.strip().lower() in TARGET_NAMES]
    target = named[0] if named else cols[-1]
    roles = {}
    for c in cols:
        if c == target:
            roles[c] = "target"
        else:
            roles[c] = "input" if table.column_kind(c) == "numeric" else "ignore"
    if len(cols) == 1:
        roles[target] = "target"
    return roles


def looks_like_classes(table: Table, column: str, max_classes: int = 20) -> bool:
    """A numeric column of a few whole numbers (class labels such as 0…9)."""
    if table.column_kind(column) != "numeric":
        return False
    v = table.numeric(column)
    v = v[np.isfinite(v)]
    return bool(v.size) and bool(np.all(v == np.round(v))) and len(np.unique(v)) <= max_classes


class CsvImportDialog(QDialog):
    """Choose columns of ``path`` for the project's data; see the module docstring.

    After ``exec()`` returns Accepted, :meth:`result_source` gives
    ``(DataSource, preprocessing)`` for the app's data-change path.
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
        self.role_combos: dict[str, QComboBox] = {}
        self.kinds: dict[str, str] = {}
        self._n_missing: dict[str, int] = {}
        self._n_categories: dict[str, int] = {}

        self.file_label = QLabel(str(self.path))
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_label.setWordWrap(True)
        self.columns_view = QTableWidget(0, 3)
        self.columns_view.setHorizontalHeaderLabels(["Column", "Detected kind", "Role"])
        self.columns_view.verticalHeader().setVisible(False)
        self.columns_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.columns_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        hh = self.columns_view.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setAlternatingRowColors(True)
        self.preview_label = QLabel("")

        self.task_combo = QComboBox()
        self.task_combo.addItems(TASK_CHOICES)
        self.task_combo.setToolTip("auto: text targets are classes, numeric targets are regressed")
        self.pre_combo = QComboBox()
        for m in METHODS:
            self.pre_combo.addItem(METHOD_TITLES[m], m)
        self.pre_combo.setCurrentIndex(METHODS.index(preprocessing) if preprocessing in METHODS else 0)
        self.pre_combo.setToolTip("Applied to the numeric inputs; fitted on the training rows only")
        self.val_spin = QDoubleSpinBox()
        self.val_spin.setRange(0.0, 0.9)
        self.val_spin.setSingleStep(0.05)
        self.val_spin.setDecimals(2)
        self.val_spin.setValue(val_fraction)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2_147_483_647)
        self.seed_spin.setValue(seed)
        form = QFormLayout()
        form.addRow("Task", self.task_combo)
        form.addRow("Numeric inputs", self.pre_combo)
        split = QHBoxLayout()
        split.addWidget(self.val_spin)
        split.addWidget(QLabel("split seed"))
        split.addWidget(self.seed_spin)
        split.addStretch(1)
        form.addRow("Validation fraction", split)

        self.note_label = QLabel(
            "Categorical (text) inputs are one-hot encoded: one input "
            "neuron per category, named column=value."
        )
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #5b6270;")
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Columns</b>"))
        left.addWidget(self.columns_view, 1)
        left.addWidget(self.note_label)
        left.addLayout(form)
        top.addLayout(left, 5)
        right = QVBoxLayout()
        right.addWidget(self.preview_label)
        right.addWidget(self.preview, 1)
        top.addLayout(right, 6)
        lay = QVBoxLayout(self)
        lay.addWidget(self.file_label)
        lay.addLayout(top, 1)
        lay.addWidget(self.summary_label)
        lay.addWidget(self.error_label)
        lay.addWidget(self.buttons)
        self.resize(1080, 580)

        self._load(max_bytes)
        for w in (self.task_combo, self.pre_combo):
            w.currentIndexChanged.connect(self._revalidate)
        self.val_spin.valueChanged.connect(self._revalidate)
        self.seed_spin.valueChanged.connect(self._revalidate)
        self._revalidate()

    # ------------------------------------------------------------- building
    def _load(self, max_bytes: int) -> None:
        try:
            self.table = read_table(self.path, max_bytes=max_bytes)
        except ValueError as exc:
            self.table = None
            self._set_error(str(exc))
            for w in (self.task_combo, self.pre_combo, self.val_spin, self.seed_spin):
                w.setEnabled(False)
            return
        t = self.table
        self.kinds = {c: t.column_kind(c) for c in t.columns}
        # counted once: the kind cells are refreshed on every role change
        self._n_missing = {c: int(t.missing_mask(c).sum()) for c in t.columns}
        self._n_categories = {c: len(t.categories(c)) for c in t.columns if self.kinds[c] == "categorical"}
        roles = default_roles(t) if t.columns else {}
        self.columns_view.setRowCount(len(t.columns))
        for r, c in enumerate(t.columns):
            self.columns_view.setItem(r, 0, QTableWidgetItem(c))
            self.columns_view.setItem(r, 1, QTableWidgetItem(""))
            combo = QComboBox()
            combo.addItems(ROLES)
            combo.setCurrentText(roles.get(c, "ignore"))
            combo.currentIndexChanged.connect(self._revalidate)
            self.role_combos[c] = combo
            self.columns_view.setCellWidget(r, 2, combo)
        self.columns_view.verticalHeader().setDefaultSectionSize(26)
        target = [c for c, r in roles.items() if r == "target"]
        if target and looks_like_classes(t, target[0]):
            self.task_combo.setCurrentText("classification")  # e.g. digits' 0…9 labels
        shown = t.rows[:PREVIEW_ROWS]
        self.preview.setColumnCount(len(t.columns))
        self.preview.setHorizontalHeaderLabels(t.columns)
        self.preview.setRowCount(len(shown))
        for i, row in enumerate(shown):
            for j, cell in enumerate(row):
                item = QTableWidgetItem(cell)
                if self.kinds[t.columns[j]] == "numeric":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if is_missing(cell):
                    item.setForeground(MISSING_COLOUR)
                self.preview.setItem(i, j, item)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        self.preview.resizeColumnsToContents()
        more = f" (first {len(shown)} shown)" if t.n_rows > len(shown) else ""
        self.preview_label.setText(f"<b>Preview</b> · {t.n_rows:,} rows × {len(t.columns)} columns{more}")

    # -------------------------------------------------------------- state
    def set_role(self, column: str, role: str) -> None:
        """Choose a column's role as a person would in its combo."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        self.role_combos[column].setCurrentText(role)

    def roles(self) -> dict[str, str]:
        return {c: cb.currentText() for c, cb in self.role_combos.items()}

    def chosen(self, role: str) -> list[str]:
        return [c for c, r in self.roles().items() if r == role]

    def preprocessing(self) -> str:
        return self.pre_combo.currentData()

    def kind_text(self, column: str) -> str:
        """The "Detected kind" cell: kind, categories, missing count, and what
        the current role makes of the column (one-hot for categorical inputs)."""
        kind, role = self.kinds[column], self.role_combos[column].currentText()
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

    def _update_kinds(self) -> None:
        for r, c in enumerate(self.table.columns):
            item = self.columns_view.item(r, 1)
            item.setText(self.kind_text(c))
            item.setToolTip(item.text())
            role = self.role_combos[c].currentText()
            item.setForeground(ROLE_COLOURS[role])
            self.columns_view.item(r, 0).setForeground(ROLE_COLOURS[role])

    def _revalidate(self, *_args) -> None:
        if self.table is not None:
            self._update_kinds()
        if self.table is None:
            self.result_import = None
            self.ok_button.setEnabled(False)
            return
        try:
            self.result_import = validate_table(
                self.table,
                self.path,
                self.chosen("input"),
                self.chosen("target"),
                self.task_combo.currentText(),
                self.preprocessing(),
                round(self.val_spin.value(), 4),
                self.seed_spin.value(),
            )
        except ValueError as exc:
            self.result_import = None
            self.summary_label.setText("")
            self._set_error(str(exc))
            return
        self.summary_label.setText(self.result_import.summary())
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
