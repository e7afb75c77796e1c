"""The CSV import dialog's widgets and their layout, without behaviour.

Columns list, preview, reading bar, settings form (task, preprocessing,
validation split), summary and error lines, buttons: built by
:meth:`CsvImportForm._build_form`, a mixin of
:class:`~widgets.dialogs.csv_import_dialog.CsvImportDialog`, which connects them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QVBoxLayout,
)

from model.data.csv_import import TASK_CHOICES
from model.data.preprocessing import METHOD_TITLES, METHODS
from widgets.common.themed_widgets import set_sheet
from widgets.dialogs.csv_columns_model import ColumnsModel, RoleDelegate

ERROR_STYLE = "color: @error;"


class CsvImportForm:
    """Builds the dialog's widgets as attributes of ``self`` (a QDialog with
    ``path`` and ``kind_text``) and lays them out."""

    def _build_form(self, preprocessing: str, val_fraction: float, seed: int) -> None:
        self.file_label = QLabel(str(self.path))
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_label.setWordWrap(True)
        self.columns_model = ColumnsModel([], self.kind_text, self)
        self.columns_view = QTableView()
        self.columns_view.setModel(self.columns_model)
        self.columns_view.setItemDelegateForColumn(2, RoleDelegate(self.columns_view))
        self.columns_view.verticalHeader().setVisible(False)
        self.columns_view.verticalHeader().setDefaultSectionSize(26)
        self.columns_view.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers & ~QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.columns_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.columns_view.setToolTip(
            "Click a Role cell to make the column an input, the target, or ignore it"
        )
        hh = self.columns_view.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        hh.resizeSection(0, 150)
        hh.resizeSection(2, 90)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setAlternatingRowColors(True)
        self.preview_label = QLabel("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setFormat(f"Reading {self.path.name}… %p%")
        self.stop_button = QPushButton("Stop reading")
        self.stop_button.setToolTip("Stop reading the file (the import is then not possible)")

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
        set_sheet(self.note_label, "color: @hint;")
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        set_sheet(self.error_label, ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Import")
        self.ok_button.setEnabled(False)

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
        reading = QHBoxLayout()
        reading.addWidget(self.progress_bar, 1)
        reading.addWidget(self.stop_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.file_label)
        lay.addLayout(top, 1)
        lay.addLayout(reading)
        lay.addWidget(self.summary_label)
        lay.addWidget(self.error_label)
        lay.addWidget(self.buttons)
        self.resize(1080, 580)
