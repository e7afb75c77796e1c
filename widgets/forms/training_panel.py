"""TrainingPanel: the form that shows and edits :class:`model.train.trainer.TrainSettings`.

A thin two-way binding (napari style): :meth:`TrainingPanel.set_settings`
writes a document's settings into the controls with signals blocked;
every user edit builds a *requested* new ``TrainSettings`` from the controls
and emits ``settingsEdited(settings)`` (plus ``learningRateEdited(lr)`` first
when the learning rate moved).  An invalid combination turns the offending
control red, shows why in the message line, and emits nothing.
The panel never keeps settings of its own: the document is the truth.

Laid out for a laptop's short dock (~270 px at 1280×720): the most-used
controls first and always unfolded — play and pace (when the app hands them
over), optimizer, learning rate, mode, batch size, epoch limit — then folding
sections for the optimizer's own hyper-parameters, the schedule, stopping and
generalisation. Nothing above a row moves when the optimizer changes (its β
rows are in the section below), and folding a section moves nothing above it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from model.analysis.lr_suggestion import suggest_lr
from model.optim.names import (
    GD_MODES,
    MINI_BATCH,
    OPTIMIZER_TITLES,
    SCHEDULE_TITLES,
    gd_mode,
    mode_batch_size,
)
from model.optim.optimizers import OPTIMIZERS
from model.train.trainer import TrainSettings
from widgets.common.fit import scroll_body
from widgets.common.themed_widgets import set_sheet
from widgets.forms.collapsible import CollapsibleSection, new_form
from widgets.forms.form_error import ERROR_STYLE, Invalid
from widgets.forms.generalisation_rows import GeneralisationRows
from widgets.forms.learning_rate_row import LearningRateRow, slider_pos
from widgets.forms.optimizer_rows import OptimizerRows
from widgets.forms.schedule_rows import ScheduleRows
from widgets.forms.spins import SciSpinBox, int_spin

__all__ = ["TrainingPanel", "OPTIMIZER_TITLES", "SCHEDULE_TITLES", "SciSpinBox"]

SECTIONS = {  # key: (title, tooltip)
    "optimizer": ("Optimizer settings", "The chosen update rule's own hyper-parameters (μ, ρ, β, ε)."),
    "schedule": ("Learning-rate schedule", "How η changes over the epochs."),
    "stopping": ("Stopping and shuffling", "A target loss to stop at, and the shuffle seed."),
    "generalisation": ("Generalisation", "Penalties, weight decay and early stopping."),
}
FOLDED_KEY = "training/folded"  # the settings key of the folded sections


class TrainingPanel(QWidget):
    """Form for optimizer, learning rate, schedule, batch mode, stop conditions and seed.

    Signals
    -------
    settingsEdited(object)
        A new, validated :class:`TrainSettings` requested by the user.
    learningRateEdited(float)
        The requested η₀ when the user moved the learning rate (emitted just
        before the matching ``settingsEdited``); fires on every slider step.
    """

    settingsEdited = Signal(object)
    learningRateEdited = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._n_train = 0
        self._hyper_keys: set[str] = set()  # hyper keys the shown settings spelled out
        self._updating = False
        self._build()
        self.set_settings(TrainSettings(), 0)
        self._set_suggestion(None)

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        outer = QVBoxLayout(scroll_body(self))
        self.run_row = QHBoxLayout()  # play and pace, handed over by the app (set_run_controls)
        outer.addLayout(self.run_row)
        form = self._form = new_form()
        self.optimizer_combo = QComboBox()
        for name in OPTIMIZERS:
            self.optimizer_combo.addItem(OPTIMIZER_TITLES[name], name)
        self.optimizer_combo.setToolTip("The update rule: how a gradient becomes a weight change.")
        form.addRow("Optimizer", self.optimizer_combo)
        self.lr = LearningRateRow()
        self.lr_spin, self.lr_slider = self.lr.spin, self.lr.slider
        form.addRow("Learning rate η₀", self.lr.layout)
        self.mode_group = QButtonGroup(self)
        mode_row = QHBoxLayout()
        self.mode_buttons = {}
        for i, (key, (title, tip)) in enumerate(GD_MODES.items()):
            b = QRadioButton(title)
            b.setToolTip(tip)
            self.mode_group.addButton(b, i)
            self.mode_buttons[key] = b
            mode_row.addWidget(b)
        mode_row.addStretch(1)
        form.addRow("Mode", mode_row)
        self.batch_spin = int_spin(2, 10_000_000, "Samples per mini-batch.")
        self.batch_info = QLabel(wordWrap=True, toolTip="Updates per epoch for the current training set.")
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch_spin)
        batch_row.addWidget(self.batch_info, 1)
        form.addRow("Batch size", batch_row)
        self.epochs_spin = int_spin(1, 10_000_000, "Stop after this many epochs (passes over the data).")
        form.addRow("Epoch limit", self.epochs_spin)
        outer.addLayout(form)

        # a new optimizer wants its own η: suggested below the common rows (none of them
        # moves when it appears), applied only on request (one undo step)
        self.suggest_label = QLabel(wordWrap=True)
        self.suggest_button = QPushButton("Apply")
        self.suggest_button.setToolTip("Set the learning rate to the suggested η (one undo step)")
        self.suggest_button.clicked.connect(self.apply_suggestion)
        self.suggest_row = QWidget()
        srow = QHBoxLayout(self.suggest_row)
        srow.setContentsMargins(0, 0, 0, 0)
        srow.addWidget(self.suggest_label, 1)
        srow.addWidget(self.suggest_button)
        outer.addWidget(self.suggest_row)
        self.suggestion = None
        #: () -> Curvature | None, set by the app: λ_max of the current network and data
        self.curvature_provider = None
        self.message = QLabel(wordWrap=True, toolTip="Why the last edit was not applied.")
        set_sheet(self.message, "color: @error;")
        outer.addWidget(self.message)

        self.sections = {k: CollapsibleSection(k, t, tip) for k, (t, tip) in SECTIONS.items()}
        self.optimizer_rows = OptimizerRows()
        self.optimizer_rows.add_to(self.sections["optimizer"].form)
        self.hyper_spins, self.advanced_check = self.optimizer_rows.spins, self.optimizer_rows.advanced_check
        self.schedule = ScheduleRows()
        self.schedule.add_to(self.sections["schedule"].form)
        self.schedule_combo, self.field_spins = self.schedule.combo, self.schedule.field_spins
        self.schedule_label = self.schedule.label
        stop = self.sections["stopping"].form
        self.target_check = QCheckBox()
        self.target_check.setToolTip("Stop early once the training loss falls to the target.")
        self.target_spin = SciSpinBox(0.0, 1e12)
        self.target_spin.setKeyboardTracking(False)
        self.target_spin.setToolTip("The training loss at which training stops.")
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_check)
        target_row.addWidget(self.target_spin, 1)
        stop.addRow("Target loss", target_row)
        self.seed_spin = int_spin(0, 2**31 - 1, "Seed for shuffling the samples each epoch.")
        stop.addRow("Shuffle seed", self.seed_spin)
        self.generalisation = GeneralisationRows()
        self.generalisation.add_to(self.sections["generalisation"].form)
        for section in self.sections.values():
            outer.addWidget(section)
        outer.addStretch(1)
        self._align_labels([form, *(s.form for s in self.sections.values())])

        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer)
        for spin in self.hyper_spins.values():
            spin.valueChanged.connect(self._on_edit)
        self.advanced_check.toggled.connect(self._sync_visibility)
        self.lr_spin.valueChanged.connect(self._on_lr_spin)
        self.lr_slider.valueChanged.connect(self._on_lr_slider)
        self.mode_group.idToggled.connect(self._on_mode)
        for w in (self.batch_spin, self.epochs_spin, self.seed_spin, self.target_spin):
            w.valueChanged.connect(self._on_edit)
        self.target_check.toggled.connect(self._on_edit)
        for signal in self.schedule.edits() + self.generalisation.edits():
            signal.connect(self._on_edit)

    @staticmethod
    def _align_labels(forms) -> None:
        """One label column for the common rows and every section, so the fields line up."""
        from PySide6.QtWidgets import QFormLayout

        labels = []
        for form in forms:
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                if item is not None and item.widget() is not None:
                    labels.append(item.widget())
        width = max((w.sizeHint().width() for w in labels), default=0)
        for w in labels:
            w.setMinimumWidth(width)

    def set_run_controls(self, play_action, pace_combo) -> None:
        """Put the app's Play / Pause action (as a button) and a pace combo at the top."""
        button = QToolButton()
        button.setObjectName("training_play")
        button.setDefaultAction(play_action)
        button.setToolButtonStyle(button.toolButtonStyle().ToolButtonTextBesideIcon)
        self.play_button, self.pace_combo = button, pace_combo
        self.run_row.addWidget(button)
        self.run_row.addWidget(pace_combo, 1)

    def remember_sections(self, store) -> None:
        """Fold the sections ``store`` (a QSettings) says were folded; keep it told."""
        folded = store.value(FOLDED_KEY, "")
        folded = folded.split(",") if isinstance(folded, str) else list(folded or [])
        for key, section in self.sections.items():
            section.set_unfolded(key not in folded)

        def save(*_):
            store.setValue(FOLDED_KEY, ",".join(k for k, s in self.sections.items() if not s.unfolded()))

        for section in self.sections.values():
            section.toggled.connect(save)

    # ------------------------------------------------------------------ model -> widget
    def set_settings(self, settings: TrainSettings, n_train: int) -> None:
        """Show ``settings`` (no signals); ``n_train`` = training samples, for batch hints."""
        self._updating = True
        try:
            self._n_train = int(n_train)
            self.optimizer_combo.setCurrentIndex(OPTIMIZERS.index(settings.optimizer))
            self.optimizer_rows.show(settings.optimizer, settings.hyper)
            self._hyper_keys = set(settings.hyper)
            self.lr.show(settings.lr)
            self.schedule.show(settings.schedule)
            bs = settings.batch_size
            mode = gd_mode(bs)
            self.mode_buttons[mode].setChecked(True)
            if bs is not None and bs > 1:
                self.batch_spin.setValue(bs)
            self.epochs_spin.setValue(settings.epochs)
            self.target_check.setChecked(settings.target_loss is not None)
            if settings.target_loss is not None:
                self.target_spin.setValue(settings.target_loss)
            elif self.target_spin.value() == 0:
                self.target_spin.setValue(1e-3)
            self.seed_spin.setValue(settings.seed)
            self.generalisation.show(settings)
            self._show_error(None)
            sug = self.suggestion
            if sug is not None and (sug.optimizer != settings.optimizer or sug.lr == settings.lr):
                self._set_suggestion(None)  # another rule, or the η is already the suggested one
        finally:
            self._updating = False
        self._sync_visibility()

    # ------------------------------------------------------------------ widget -> settings
    def settings(self) -> TrainSettings:
        """A TrainSettings read from the controls; ``ValueError`` (with a message) if invalid."""
        return self._read()

    def _read(self) -> TrainSettings:
        name = self.optimizer_combo.currentData()
        lr = self.lr.value()
        hyper = self.optimizer_rows.read(name, self._hyper_keys)
        schedule = self.schedule.read(lr)
        mode = self._mode()
        batch = mode_batch_size(mode, self.batch_spin.value())
        target = self.target_spin.value() if self.target_check.isChecked() else None
        try:
            s = TrainSettings(
                optimizer=name,
                lr=lr,
                hyper=hyper,
                schedule=schedule,
                batch_size=batch,
                epochs=self.epochs_spin.value(),
                target_loss=target,
                seed=self.seed_spin.value(),
                **self.generalisation.read(),
            )
        except ValueError as exc:
            raise Invalid(str(exc), self.optimizer_combo) from None
        return s

    def _mode(self) -> str:
        return list(GD_MODES)[max(self.mode_group.checkedId(), 0)]

    # ------------------------------------------------------------------ edits
    def _emit(self, lr_moved: bool = False) -> None:
        if self._updating:
            return
        self._sync_visibility()
        try:
            s = self._read()
        except Invalid as exc:
            self._show_error(exc.message, exc.widget)
            return
        self._show_error(None)
        if lr_moved:
            self.learningRateEdited.emit(s.lr)
        self.settingsEdited.emit(s)

    def _on_edit(self, *_):
        self._emit()

    def _on_optimizer(self, *_):
        if self._updating:
            return
        name = self.optimizer_combo.currentData()
        self._hyper_keys = set()
        self._updating = True
        self.optimizer_rows.show(name, {})  # a new rule starts from its textbook defaults
        self._updating = False
        self._suggest(name)
        self._emit()

    # ------------------------------------------------------------------ suggested η
    def _suggest(self, name: str) -> None:
        curvature = None
        if self.curvature_provider is not None:
            try:
                curvature = self.curvature_provider()
            except (ValueError, ArithmeticError):
                curvature = None  # no λ_max here: the optimizer's usual default
        sug = suggest_lr(name, curvature, self.hyper_spins["momentum"].value())
        self._set_suggestion(None if sug.lr == self.lr.value() else sug)

    def _set_suggestion(self, sug) -> None:
        self.suggestion = sug
        self.suggest_row.setVisible(sug is not None)
        if sug is not None:
            self.suggest_label.setText(sug.text)  # why: in the tooltip (a narrow dock)
            self.suggest_label.setToolTip(f"Why {sug.lr:g}: {sug.reason}.")
            self.suggest_button.setToolTip(f"Set η₀ = {sug.lr:g} (one undo step). Why: {sug.reason}.")

    def apply_suggestion(self) -> None:
        """Set η₀ to the suggested learning rate: one settings edit (one undo step)."""
        sug = self.suggestion
        if sug is None:
            return
        self._set_suggestion(None)
        self.lr.show(sug.lr, signals=False)
        self._emit(lr_moved=True)

    def _on_mode(self, _id: int, checked: bool):
        if checked:
            self._emit()

    def _on_lr_spin(self, value: float):
        if self._updating:
            return
        self._set_suggestion(None)  # the student chose an η themselves
        self.lr.follow_spin(value)
        self._emit(lr_moved=True)

    def _on_lr_slider(self, pos: int):
        if self._updating:
            return
        self._set_suggestion(None)
        self.lr.follow_slider(pos)
        self._emit(lr_moved=True)

    _slider_pos = staticmethod(slider_pos)

    # ------------------------------------------------------------------ display
    def _sync_visibility(self) -> None:
        name = self.optimizer_combo.currentData()
        self.optimizer_rows.sync(name)
        self.sections["optimizer"].setVisible(self.optimizer_rows.has_rows(name))  # SGD: none
        self.schedule.sync()
        mode = self._mode()
        self.batch_spin.setEnabled(mode == MINI_BATCH)
        self.target_spin.setEnabled(self.target_check.isChecked())
        n = self._n_train
        size = mode_batch_size(mode, self.batch_spin.value()) or n
        if n > 0:
            steps = max(1, math.ceil(n / max(1, min(size, n))))
            note = " (≥ n: full batch)" if mode == MINI_BATCH and size >= n else ""
            self.batch_info.setText(f"{steps} update{'s' * (steps != 1)}/epoch, n = {n}{note}")
        else:
            self.batch_info.setText("")

    def _show_error(self, message: str | None, widget: QWidget | None = None) -> None:
        for w in (
            *self.hyper_spins.values(),
            *self.field_spins.values(),
            self.lr_spin,
            self.optimizer_combo,
            self.schedule_combo,
            self.batch_spin,
            self.target_spin,
        ):
            w.setStyleSheet("")
        if widget is not None:
            set_sheet(widget, ERROR_STYLE)
        self.message.setText(message or "")
        self.message.setVisible(bool(message))
