"""DataPanel: choose the data set, its size/noise/seed, the validation split and preprocessing.

Thin binding: :meth:`DataPanel.set_source` shows a :class:`model.io.project.DataSource`
(no signals); user edits emit ``sourceEdited(source, preprocessing)`` with a
*new* DataSource — the shown one is never mutated.  Parameters the panel has
no control for (e.g. a spiral's ``turns``) are carried over unchanged.
"""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from model.data.datasets import BUILTIN, MAX_N
from model.data.preprocessing import METHOD_TITLES, METHODS
from model.io.project import DataSource
from widgets.common.themed_widgets import set_sheet
from widgets.forms.spins import double_spin

__all__ = ["DataPanel", "GROUPS", "dataset_group", "task_text"]

GROUPS = ("Lecture tables", "2-D classification", "Regression", "Real data")
EXTERNAL = "__external__"  # combo data of the entry standing for a CSV / embedded source


def dataset_group(name: str) -> str:
    """Which combo group a BUILTIN data set belongs to."""
    info = BUILTIN[name]
    if info["kind"] == "fixed":
        return GROUPS[0]
    if info["kind"] == "csv":
        return GROUPS[3]
    return GROUPS[1] if info["task"] == "classification" else GROUPS[2]


def task_text(task: str | None, n_in: int | None, n_out: int | None) -> str:
    """``"Task: classification, 2 inputs → 1 output"`` (unknown parts left out)."""
    parts = [f"Task: {task or 'unknown'}"]
    if n_in is not None and n_out is not None:
        parts.append(f"{n_in} input{'s' * (n_in != 1)} → {n_out} output{'s' * (n_out != 1)}")
    return ", ".join(parts)


class DataPanel(QWidget):
    """Data-set form.  Signal ``sourceEdited(object source, str preprocessing)``."""

    sourceEdited = Signal(object, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._shown = DataSource()  # display cache: the source last given to set_source
        self._build()
        self.set_source(DataSource(), "none")

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        self.dataset_combo = QComboBox()
        self.dataset_combo.setToolTip(
            "The data set to learn. Lecture tables are fixed; generated sets take a size, noise and seed."
        )
        model = QStandardItemModel(self.dataset_combo)
        bold = QFont()
        bold.setBold(True)
        for group in GROUPS:
            header = QStandardItem(group)
            header.setFlags(Qt.ItemFlag.NoItemFlags)  # a heading, not selectable
            header.setFont(bold)
            model.appendRow(header)
            for name, info in BUILTIN.items():
                if dataset_group(name) == group:
                    item = QStandardItem(info["title"])
                    item.setData(name, Qt.ItemDataRole.UserRole)
                    item.setToolTip(info["description"])
                    model.appendRow(item)
        self.dataset_combo.setModel(model)
        self.dataset_combo.setMaxVisibleItems(30)

        self.description = QLabel()
        self.description.setWordWrap(True)
        set_sheet(self.description, "color: @hint;")
        self.description.setToolTip("What this data set is.")
        self.n_spin = QSpinBox()
        self.n_spin.setRange(1, MAX_N)
        self.n_spin.setKeyboardTracking(False)
        self.n_spin.setToolTip("Number of samples to generate (before the validation split).")
        self.noise_spin = QDoubleSpinBox()
        self.noise_spin.setRange(0.0, 5.0)
        self.noise_spin.setDecimals(3)
        self.noise_spin.setSingleStep(0.01)
        self.noise_spin.setKeyboardTracking(False)
        self.noise_spin.setToolTip(
            "Standard deviation of the gaussian noise added to the inputs "
            "(classification) or targets (regression)."
        )
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip("Seed of the random generator that draws the samples.")
        self.val_spin = _fraction_spin("Fraction of the samples held out for validation (not trained on).")
        self.test_spin = _fraction_spin(
            "Fraction of the samples held out as a test set: never trained on nor watched while "
            "training; its loss and accuracy are reported once, when a run ends. Validation + test < 1."
        )
        self.held_out = QWidget()  # validation and test side by side: the form keeps its height
        row = QHBoxLayout(self.held_out)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.val_spin, 1)
        test_label = QLabel("test")
        test_label.setToolTip(self.test_spin.toolTip())
        row.addWidget(test_label)
        row.addWidget(self.test_spin, 1)
        self.split_seed_spin = QSpinBox()
        self.split_seed_spin.setRange(0, 2**31 - 1)
        self.split_seed_spin.setKeyboardTracking(False)
        self.split_seed_spin.setToolTip("Seed of the random train/validation split.")
        self.prep_combo = QComboBox()
        for m in METHODS:
            self.prep_combo.addItem(METHOD_TITLES[m], m)
        for combo in (self.dataset_combo, self.prep_combo):  # long titles must not widen the dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.prep_combo.setToolTip(
            "How inputs are scaled before they reach the network; fitted on the training split only."
        )
        self.info = QLabel()
        self.info.setToolTip("The kind of problem and the network's input and output widths it needs.")
        self.info.setStyleSheet("font-weight: bold;")

        def make_form() -> QFormLayout:
            f = QFormLayout()
            f.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            return f

        top, form = make_form(), make_form()
        top.addRow("Data set", self.dataset_combo)
        form.addRow("Samples n", self.n_spin)
        form.addRow("Noise", self.noise_spin)
        form.addRow("Data seed", self.seed_spin)
        form.addRow("Validation, test", self.held_out)
        form.addRow("Split seed", self.split_seed_spin)
        form.addRow("Preprocessing", self.prep_combo)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        # outside the form: a box layout gives a wrapped label the height it needs
        outer.addWidget(self.description)
        outer.addLayout(form)
        outer.addWidget(self.info)
        outer.addStretch(1)

        self.dataset_combo.currentIndexChanged.connect(self._on_dataset)
        self._fields = (
            self.dataset_combo,
            self.n_spin,
            self.noise_spin,
            self.seed_spin,
            self.val_spin,
            self.test_spin,
            self.split_seed_spin,
            self.prep_combo,
        )
        for spin in self._fields[1:-1]:
            spin.valueChanged.connect(self._on_edit)
        self.prep_combo.currentIndexChanged.connect(self._on_edit)

    # ------------------------------------------------------------------ model -> widget
    def show_shape(self, task: str, n_inputs: int, n_outputs: int, n_samples: int) -> None:
        """What the loaded data really is (after one-hot encoding): task, widths, rows."""
        self.info.setText(task_text(task, n_inputs, n_outputs))
        if self._shown is None or self._shown.kind != "builtin":
            self.n_spin.blockSignals(True)
            self.n_spin.setValue(int(n_samples))
            self.n_spin.blockSignals(False)

    def set_source(self, source: DataSource, preprocessing: str) -> None:
        """Show ``source`` and the ``preprocessing`` method (emits nothing)."""
        self._shown = dataclasses.replace(source, params=dict(source.params))
        widgets = self._fields
        for w in widgets:
            w.blockSignals(True)
        try:
            self._remove_external()
            if source.kind == "builtin" and source.name in BUILTIN:
                self.dataset_combo.setCurrentIndex(self._row_of(source.name))
                info = BUILTIN[source.name]
                p = source.params
                self.n_spin.setValue(int(p.get("n", info["defaults"]["n"])))
                self.noise_spin.setValue(float(p.get("noise", info["defaults"]["noise"])))
                self.seed_spin.setValue(int(p.get("seed", 0)))
                self.description.setText(info["description"])
                generated = info["kind"] == "generated"
                outputs = int(p.get("classes", info["params"].get("classes", info["outputs"])))
                self.info.setText(task_text(info["task"], info["inputs"], outputs))
            else:
                self.dataset_combo.setCurrentIndex(self._add_external(source))
                generated = False
                n_in = len(source.inputs) if source.kind == "csv" else _width(source.X)
                n_out = len(source.targets) if source.kind == "csv" else _width(source.T)
                self.info.setText(task_text(source.task, n_in, n_out))
                self.description.setText(
                    f"CSV file {source.path}"
                    if source.kind == "csv"
                    else "Points stored in the project file."
                )
            for w in (self.n_spin, self.noise_spin, self.seed_spin):
                w.setEnabled(generated)
            self.val_spin.setValue(float(source.val_fraction))
            self.test_spin.setValue(float(source.test_fraction))
            self.split_seed_spin.setValue(int(source.split_seed))
            idx = self.prep_combo.findData(preprocessing)
            self.prep_combo.setCurrentIndex(max(idx, 0))
        finally:
            for w in widgets:
                w.blockSignals(False)

    def source(self) -> DataSource:
        """The DataSource the controls describe (a new object)."""
        shown = self._shown
        name = self.dataset_combo.currentData(Qt.ItemDataRole.UserRole)
        common = {
            "val_fraction": float(self.val_spin.value()),
            "test_fraction": float(self.test_spin.value()),
            "split_seed": int(self.split_seed_spin.value()),
        }
        if name == EXTERNAL or name is None:
            return dataclasses.replace(shown, params=dict(shown.params), **common)
        info = BUILTIN[name]
        if shown.kind == "builtin" and shown.name == name:
            params = dict(shown.params)
            common["features"] = shown.features  # same columns: the chosen input features stay
        else:
            params = {}
        if info["kind"] == "generated":
            params.update(
                n=int(self.n_spin.value()),
                noise=float(self.noise_spin.value()),
                seed=int(self.seed_spin.value()),
            )
        return DataSource(kind="builtin", name=name, params=params, **common)

    def preprocessing(self) -> str:
        return str(self.prep_combo.currentData())

    # ------------------------------------------------------------------ widget -> model
    def _on_dataset(self, *_):
        name = self.dataset_combo.currentData(Qt.ItemDataRole.UserRole)
        if name is None or name == EXTERNAL or (self._shown.kind == "builtin" and name == self._shown.name):
            return
        info = BUILTIN[name]
        for w, v in ((self.n_spin, info["defaults"]["n"]), (self.noise_spin, info["defaults"]["noise"])):
            w.blockSignals(True)  # a new data set starts from its own default size and noise
            w.setValue(v)
            w.blockSignals(False)
        self.sourceEdited.emit(self.source(), self.preprocessing())

    def _on_edit(self, *_):
        self.sourceEdited.emit(self.source(), self.preprocessing())

    # ------------------------------------------------------------------ helpers
    def _row_of(self, name: str) -> int:
        return self.dataset_combo.findData(name, Qt.ItemDataRole.UserRole)

    def _add_external(self, source: DataSource) -> int:
        model = self.dataset_combo.model()
        title = f"File: {os.path.basename(source.path)}" if source.kind == "csv" else "Embedded points"
        item = QStandardItem(title)
        item.setData(EXTERNAL, Qt.ItemDataRole.UserRole)
        item.setToolTip("The project's own data; pick a built-in set above to replace it.")
        model.appendRow(item)
        return model.rowCount() - 1

    def _remove_external(self) -> None:
        row = self._row_of(EXTERNAL)
        if row >= 0:
            self.dataset_combo.model().removeRow(row)


def _fraction_spin(tip: str) -> QDoubleSpinBox:
    return double_spin(0.0, 0.9, 2, 0.05, tip)


def _width(rows) -> int | None:
    try:
        return len(rows[0])
    except (TypeError, IndexError):
        return None
