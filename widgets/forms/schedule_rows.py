"""The training form's learning-rate schedule rows: the kind, its own fields and
its formula (only the chosen kind's fields are shown)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from model.optim.names import SCHEDULE_TITLES
from model.optim.schedules import SCHEDULE_FIELDS, SCHEDULES, Schedule
from widgets.forms.form_error import Invalid
from widgets.forms.spins import double_spin, int_spin

__all__ = ["ScheduleRows", "FIELD_TITLES", "FIELD_TIPS"]

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


class ScheduleRows:
    """Owns the widgets; the training panel adds them to a form and reads them."""

    def __init__(self) -> None:
        self.combo = QComboBox()
        for kind in SCHEDULES:
            self.combo.addItem(SCHEDULE_TITLES[kind], kind)
        self.combo.setToolTip("How the learning rate changes over the epochs.")
        self.field_spins = {
            "step_size": int_spin(1, 10_000_000, FIELD_TIPS["step_size"], " epochs"),
            "gamma": double_spin(0.0001, 1.0, 4, 0.05, FIELD_TIPS["gamma"]),
            "decay": double_spin(0.0, 10.0, 6, 0.001, FIELD_TIPS["decay"]),
            "period": int_spin(1, 10_000_000, FIELD_TIPS["period"], " epochs"),
            "min_lr": double_spin(0.0, 100.0, 6, 0.0001, FIELD_TIPS["min_lr"]),
            "base_lr": double_spin(0.0, 100.0, 6, 0.0001, FIELD_TIPS["base_lr"]),
            "max_lr": double_spin(0.0, 100.0, 6, 0.001, FIELD_TIPS["max_lr"]),
        }
        self.label = QLabel(wordWrap=True, toolTip="The schedule's formula (η₀ = initial learning rate).")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._form = None

    def add_to(self, form) -> None:
        self._form = form
        form.addRow("Schedule", self.combo)
        for key, spin in self.field_spins.items():
            form.addRow(FIELD_TITLES[key], spin)
        form.addRow("", self.label)

    def edits(self):
        """The signals that mean "the settings changed"."""
        return [self.combo.currentIndexChanged, *(s.valueChanged for s in self.field_spins.values())]

    def show(self, schedule: Schedule) -> None:
        self.combo.setCurrentIndex(SCHEDULES.index(schedule.kind))
        for key, spin in self.field_spins.items():
            spin.setValue(getattr(schedule, key))

    def read(self, lr: float) -> Schedule:
        """The schedule the rows hold for initial rate ``lr``; :class:`Invalid` if it is not one."""
        kind = self.combo.currentData()
        fields = {k: self.field_spins[k].value() for k in SCHEDULE_FIELDS[kind]}
        if kind == "cosine" and fields["min_lr"] >= lr:
            raise Invalid(
                f"the cosine schedule's minimum η ({fields['min_lr']:g}) must be below "
                f"the learning rate η₀ ({lr:g})",
                self.field_spins["min_lr"],
            )
        try:
            return Schedule(kind=kind, **fields)
        except ValueError as exc:
            raise Invalid(str(exc), self.combo) from None

    def sync(self) -> None:
        """Only the chosen kind's fields, and its formula."""
        kind = self.combo.currentData()
        for key, spin in self.field_spins.items():
            self._form.setRowVisible(spin, key in SCHEDULE_FIELDS[kind])
        try:
            fields = {k: self.field_spins[k].value() for k in SCHEDULE_FIELDS[kind]}
            self.label.setText(Schedule(kind=kind, **fields).describe())
        except ValueError as exc:
            self.label.setText(str(exc))
