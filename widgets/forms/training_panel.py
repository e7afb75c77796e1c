"""TrainingPanel: the form that shows and edits :class:`model.train.trainer.TrainSettings`.

A thin two-way binding (napari style): :meth:`TrainingPanel.set_settings`
writes a document's settings into the controls with signals blocked;
every user edit builds a *requested* new ``TrainSettings`` from the controls
and emits ``settingsEdited(settings)`` (plus ``learningRateEdited(lr)`` first
when the learning rate moved).  An invalid combination turns the offending
control red, shows why in the message line, and emits nothing.
The panel never keeps settings of its own: the document is the truth.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
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
from model.optim.optimizers import DEFAULTS, OPTIMIZERS
from model.optim.schedules import SCHEDULE_FIELDS, SCHEDULES, Schedule
from model.train.trainer import TrainSettings
from widgets.common.fit import scroll_body
from widgets.common.themed_widgets import set_sheet
from widgets.forms.generalisation_rows import GeneralisationRows
from widgets.forms.spins import double_spin

__all__ = ["TrainingPanel", "OPTIMIZER_TITLES", "SCHEDULE_TITLES", "SciSpinBox"]

HYPER_TIPS = {
    "momentum": "μ: fraction of the previous velocity kept each step (0 = plain SGD, 0.9 typical).",
    "rho": "ρ: decay of RMSProp's running average of squared gradients (0.9 typical).",
    "beta1": "β₁: decay of Adam's running mean of gradients (0.9 typical).",
    "beta2": "β₂: decay of Adam's running mean of squared gradients (0.999 typical).",
    "eps": "ε: small constant added to the denominator so the step never divides by zero.",
}
FIELD_TITLES = {
    "step_size": "Step every",
    "gamma": "Factor γ",
    "decay": "Decay rate",
    "period": "Period",
    "min_lr": "Minimum η",
    "base_lr": "Lowest η",
    "max_lr": "Highest η",
}
FIELD_TIPS = {
    "step_size": "Step decay: multiply η by γ every this many epochs. Cyclic: epochs from the lowest to the highest η.",
    "gamma": "The factor (0 < γ ≤ 1) the learning rate is multiplied by at each step.",
    "decay": "How fast the learning rate shrinks per epoch (≥ 0).",
    "period": "Epochs over which the cosine goes from η₀ down to the minimum.",
    "min_lr": "The learning rate the cosine schedule ends at (must be below η₀).",
    "base_lr": "Cyclic schedule: the learning rate at the start and bottom of every cycle (η₀ is not used).",
    "max_lr": "Cyclic schedule: the learning rate at the top of every cycle.",
}
LR_MIN_EXP, LR_MAX_EXP, SLIDER_STEPS = -5.0, 1.0, 100  # slider: 100 ticks per decade
ERROR_STYLE = "border: 2px solid @error_border; border-radius: 3px;"


class SciSpinBox(QDoubleSpinBox):
    """A positive-number spin box shown in ``%g`` form; arrows step by ×10 / ÷10."""

    def __init__(self, lo: float, hi: float, parent=None):
        super().__init__(parent)
        self.setDecimals(323)  # keep the value exact: no rounding to a fixed number of decimals
        self.setRange(lo, hi)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        from PySide6.QtGui import QValidator

        try:
            v = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = math.isfinite(v) and self.minimum() <= v <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:
        self.setValue(self.value() * 10.0**steps)


def _spin(lo: int, hi: int, tip: str, suffix: str = "") -> QSpinBox:
    s = QSpinBox(suffix=suffix)
    s.setRange(lo, hi)
    s.setKeyboardTracking(False)  # commit on Enter / focus loss, not on every keystroke
    s.setToolTip(tip)
    return s


_dspin = double_spin  # one definition for every form


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
        self._exact_lr: float | None = None  # display cache: lr beyond the spin box's 6 decimals
        self._hyper_keys: set[str] = set()  # hyper keys the shown settings spelled out
        self._updating = False
        self._build()
        self.set_settings(TrainSettings(), 0)
        self._set_suggestion(None)

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow dock: label above field
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.optimizer_combo = QComboBox()
        for name in OPTIMIZERS:
            self.optimizer_combo.addItem(OPTIMIZER_TITLES[name], name)
        self.optimizer_combo.setToolTip("The update rule: how a gradient becomes a weight change.")
        form.addRow("Optimizer", self.optimizer_combo)

        # the learning rate sits right under the optimizer, above the optimizer's own
        # rows: choosing Adam adds β rows below it, so η₀ never moves under the mouse
        self.lr_spin = _dspin(1e-6, 100.0, 6, 0.001, "η₀: the initial learning rate (step size).")
        self.lr_slider = QSlider(Qt.Orientation.Horizontal)
        self.lr_slider.setRange(int(LR_MIN_EXP * SLIDER_STEPS), int(LR_MAX_EXP * SLIDER_STEPS))
        self.lr_slider.setToolTip("Learning rate on a log scale from 10⁻⁵ to 10.")
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.lr_spin)
        lr_row.addWidget(self.lr_slider, 1)
        form.addRow("Learning rate η₀", lr_row)
        # a new optimizer wants its own η: suggested, applied only on request (one undo step)
        self.suggest_label = QLabel(wordWrap=True)
        self.suggest_button = QPushButton("Apply")
        self.suggest_button.setToolTip("Set the learning rate to the suggested η (one undo step)")
        self.suggest_button.clicked.connect(self.apply_suggestion)
        self.suggest_row = QWidget()
        srow = QHBoxLayout(self.suggest_row)
        srow.setContentsMargins(0, 0, 0, 0)
        srow.addWidget(self.suggest_label, 1)
        srow.addWidget(self.suggest_button)
        form.addRow("", self.suggest_row)
        self.suggestion = None
        #: () -> Curvature | None, set by the app: λ_max of the current network and data
        self.curvature_provider = None

        self.hyper_spins: dict[str, QDoubleSpinBox] = {}
        titles = {"momentum": "Momentum μ", "rho": "Decay ρ", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}
        for key in ("momentum", "rho", "beta1", "beta2"):
            self.hyper_spins[key] = _dspin(0.0, 0.9999, 4, 0.01, HYPER_TIPS[key])
        self.hyper_spins["eps"] = SciSpinBox(1e-300, 1.0)
        self.hyper_spins["eps"].setKeyboardTracking(False)
        self.hyper_spins["eps"].setToolTip(HYPER_TIPS["eps"])
        for key, title in titles.items():
            form.addRow(title, self.hyper_spins[key])
        self.advanced_check = QCheckBox(
            "Show advanced (ε)", toolTip="Show rarely changed hyper-parameters such as ε."
        )
        form.addRow("", self.advanced_check)
        self._form = form

        self.schedule_combo = QComboBox()
        for kind in SCHEDULES:
            self.schedule_combo.addItem(SCHEDULE_TITLES[kind], kind)
        self.schedule_combo.setToolTip("How the learning rate changes over the epochs.")
        form.addRow("Schedule", self.schedule_combo)
        self.field_spins = {
            "step_size": _spin(1, 10_000_000, FIELD_TIPS["step_size"], " epochs"),
            "gamma": _dspin(0.0001, 1.0, 4, 0.05, FIELD_TIPS["gamma"]),
            "decay": _dspin(0.0, 10.0, 6, 0.001, FIELD_TIPS["decay"]),
            "period": _spin(1, 10_000_000, FIELD_TIPS["period"], " epochs"),
            "min_lr": _dspin(0.0, 100.0, 6, 0.0001, FIELD_TIPS["min_lr"]),
            "base_lr": _dspin(0.0, 100.0, 6, 0.0001, FIELD_TIPS["base_lr"]),
            "max_lr": _dspin(0.0, 100.0, 6, 0.001, FIELD_TIPS["max_lr"]),
        }
        for key, spin in self.field_spins.items():
            form.addRow(FIELD_TITLES[key], spin)
        self.schedule_label = QLabel(
            wordWrap=True, toolTip="The schedule's formula (η₀ = initial learning rate)."
        )
        self.schedule_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("", self.schedule_label)

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
        self.batch_spin = _spin(2, 10_000_000, "Samples per mini-batch.")
        self.batch_info = QLabel(wordWrap=True, toolTip="Updates per epoch for the current training set.")
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch_spin)
        batch_row.addWidget(self.batch_info, 1)
        form.addRow("Batch size", batch_row)

        self.epochs_spin = _spin(1, 10_000_000, "Stop after this many epochs (passes over the data).")
        form.addRow("Epoch limit", self.epochs_spin)
        self.target_check = QCheckBox()
        self.target_check.setToolTip("Stop early once the training loss falls to the target.")
        self.target_spin = SciSpinBox(0.0, 1e12)
        self.target_spin.setKeyboardTracking(False)
        self.target_spin.setToolTip("The training loss at which training stops.")
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_check)
        target_row.addWidget(self.target_spin, 1)
        form.addRow("Target loss", target_row)
        self.seed_spin = _spin(0, 2**31 - 1, "Seed for shuffling the samples each epoch.")
        form.addRow("Shuffle seed", self.seed_spin)
        self.generalisation = GeneralisationRows()
        self.generalisation.add_to(form)

        self.message = QLabel(wordWrap=True, toolTip="Why the last edit was not applied.")
        set_sheet(self.message, "color: @error;")
        outer = QVBoxLayout(scroll_body(self))
        outer.addLayout(form)
        outer.addWidget(self.message)
        outer.addStretch(1)

        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer)
        for spin in self.hyper_spins.values():
            spin.valueChanged.connect(self._on_edit)
        self.advanced_check.toggled.connect(self._sync_visibility)
        self.lr_spin.valueChanged.connect(self._on_lr_spin)
        self.lr_slider.valueChanged.connect(self._on_lr_slider)
        self.schedule_combo.currentIndexChanged.connect(self._on_schedule_kind)
        for spin in self.field_spins.values():
            spin.valueChanged.connect(self._on_edit)
        self.mode_group.idToggled.connect(self._on_mode)
        for w in (self.batch_spin, self.epochs_spin, self.seed_spin, self.target_spin):
            w.valueChanged.connect(self._on_edit)
        self.target_check.toggled.connect(self._on_edit)
        for signal in self.generalisation.edits():
            signal.connect(self._on_edit)

    # ------------------------------------------------------------------ model -> widget
    def set_settings(self, settings: TrainSettings, n_train: int) -> None:
        """Show ``settings`` (no signals); ``n_train`` = training samples, for batch hints."""
        self._updating = True
        try:
            self._n_train = int(n_train)
            self.optimizer_combo.setCurrentIndex(OPTIMIZERS.index(settings.optimizer))
            hyper = {**DEFAULTS[settings.optimizer], **settings.hyper}
            self._hyper_keys = set(settings.hyper)
            for key, spin in self.hyper_spins.items():
                if key in hyper:
                    spin.setValue(float(hyper[key]))
            self._exact_lr = float(settings.lr)
            self.lr_spin.setValue(settings.lr)
            self.lr_slider.setValue(self._slider_pos(settings.lr))
            sch = settings.schedule
            self.schedule_combo.setCurrentIndex(SCHEDULES.index(sch.kind))
            for key, spin in self.field_spins.items():
                spin.setValue(getattr(sch, key))
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
        lr = self._lr_value()
        hyper = {}
        for key in DEFAULTS[name]:
            if key == "lr":
                continue
            v = float(self.hyper_spins[key].value())
            if key in self._hyper_keys or v != DEFAULTS[name][key]:
                hyper[key] = v
        kind = self.schedule_combo.currentData()
        fields = {k: self.field_spins[k].value() for k in SCHEDULE_FIELDS[kind]}
        if kind == "cosine" and fields["min_lr"] >= lr:
            raise _Invalid(
                f"the cosine schedule's minimum η ({fields['min_lr']:g}) must be below "
                f"the learning rate η₀ ({lr:g})",
                self.field_spins["min_lr"],
            )
        try:
            schedule = Schedule(kind=kind, **fields)
        except ValueError as exc:
            raise _Invalid(str(exc), self.schedule_combo) from None
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
            raise _Invalid(str(exc), self.optimizer_combo) from None
        return s

    def _lr_value(self) -> float:
        v = float(self.lr_spin.value())
        if self._exact_lr is not None and round(self._exact_lr, 6) == v:
            return self._exact_lr  # the document's exact value, not its 6-decimal display
        return v

    def _mode(self) -> str:
        return list(GD_MODES)[max(self.mode_group.checkedId(), 0)]

    # ------------------------------------------------------------------ edits
    def _emit(self, lr_moved: bool = False) -> None:
        if self._updating:
            return
        self._sync_visibility()
        try:
            s = self._read()
        except _Invalid as exc:
            self._show_error(exc.message, exc.widget)
            return
        self._show_error(None)
        if lr_moved:
            self.learningRateEdited.emit(s.lr)
        self.settingsEdited.emit(s)

    def _on_edit(self, *_):
        self._emit()

    _on_schedule_kind = _on_edit

    def _on_optimizer(self, *_):
        if self._updating:
            return
        name = self.optimizer_combo.currentData()
        self._hyper_keys = set()
        self._updating = True
        for key, value in DEFAULTS[name].items():  # a new rule starts from its textbook defaults
            if key != "lr":
                self.hyper_spins[key].setValue(value)
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
        self._set_suggestion(None if sug.lr == self._lr_value() else sug)

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
        self._exact_lr = sug.lr
        for w, v in ((self.lr_spin, sug.lr), (self.lr_slider, self._slider_pos(sug.lr))):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
        self._emit(lr_moved=True)

    def _on_mode(self, _id: int, checked: bool):
        if checked:
            self._emit()

    def _on_lr_spin(self, value: float):
        if self._updating:
            return
        self._set_suggestion(None)  # the student chose an η themselves
        self._exact_lr = None
        self.lr_slider.blockSignals(True)
        self.lr_slider.setValue(self._slider_pos(value))
        self.lr_slider.blockSignals(False)
        self._emit(lr_moved=True)

    def _on_lr_slider(self, pos: int):
        if self._updating:
            return
        self._set_suggestion(None)
        self._exact_lr = None
        self.lr_spin.blockSignals(True)
        self.lr_spin.setValue(10.0 ** (pos / SLIDER_STEPS))
        self.lr_spin.blockSignals(False)
        self._emit(lr_moved=True)

    @staticmethod
    def _slider_pos(lr: float) -> int:
        e = math.log10(max(lr, 1e-300))
        return int(round(min(max(e, LR_MIN_EXP), LR_MAX_EXP) * SLIDER_STEPS))

    # ------------------------------------------------------------------ display
    def _sync_visibility(self) -> None:
        name = self.optimizer_combo.currentData()
        keys = set(DEFAULTS[name]) - {"lr"}
        for key, spin in self.hyper_spins.items():
            show = key in keys and (key != "eps" or self.advanced_check.isChecked())
            self._form.setRowVisible(spin, show)
        self._form.setRowVisible(self.advanced_check, "eps" in keys)
        kind = self.schedule_combo.currentData()
        for key, spin in self.field_spins.items():
            self._form.setRowVisible(spin, key in SCHEDULE_FIELDS[kind])
        try:
            fields = {k: self.field_spins[k].value() for k in SCHEDULE_FIELDS[kind]}
            self.schedule_label.setText(Schedule(kind=kind, **fields).describe())
        except ValueError as exc:
            self.schedule_label.setText(str(exc))
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


class _Invalid(ValueError):
    """A rejected edit: the message and the control to mark red."""

    def __init__(self, message: str, widget: QWidget):
        super().__init__(message)
        self.message, self.widget = message, widget
