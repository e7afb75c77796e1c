"""The training form's optimizer rows: the chosen rule's own hyper-parameters
(μ, ρ, β₁, β₂, and ε behind "Show advanced"); the other rules' rows are hidden."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox

from model.optim.optimizers import DEFAULTS
from widgets.forms.spins import SciSpinBox, double_spin

__all__ = ["OptimizerRows", "HYPER_TIPS"]

HYPER_TIPS = {
    "momentum": "μ: fraction of the previous velocity kept each step (0 = plain SGD, 0.9 typical).",
    "rho": "ρ: decay of RMSProp's running average of squared gradients (0.9 typical).",
    "beta1": "β₁: decay of Adam's running mean of gradients (0.9 typical).",
    "beta2": "β₂: decay of Adam's running mean of squared gradients (0.999 typical).",
    "eps": "ε: small constant added to the denominator so the step never divides by zero.",
}
TITLES = {"momentum": "Momentum μ", "rho": "Decay ρ", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}


class OptimizerRows:
    """Owns the widgets; the training panel adds them to a form and reads them."""

    def __init__(self) -> None:
        self.spins: dict[str, QDoubleSpinBox] = {}
        for key in ("momentum", "rho", "beta1", "beta2"):
            self.spins[key] = double_spin(0.0, 0.9999, 4, 0.01, HYPER_TIPS[key])
        self.spins["eps"] = SciSpinBox(1e-300, 1.0)
        self.spins["eps"].setKeyboardTracking(False)
        self.spins["eps"].setToolTip(HYPER_TIPS["eps"])
        self.advanced_check = QCheckBox(
            "Show advanced (ε)", toolTip="Show rarely changed hyper-parameters such as ε."
        )
        self._form = None

    def add_to(self, form) -> None:
        self._form = form
        for key in ("momentum", "rho", "beta1", "beta2"):
            form.addRow(TITLES[key], self.spins[key])
        form.addRow("", self.advanced_check)
        form.addRow(TITLES["eps"], self.spins["eps"])

    def show(self, name: str, hyper: dict) -> None:
        """The rule ``name``'s values: its textbook defaults overridden by ``hyper``."""
        values = {**DEFAULTS[name], **hyper}
        for key, spin in self.spins.items():
            if key in values:
                spin.setValue(float(values[key]))

    def read(self, name: str, spelled_out: set[str]) -> dict:
        """The rule's hyper-parameters that differ from its defaults (or were spelled out)."""
        out = {}
        for key in DEFAULTS[name]:
            if key == "lr":
                continue
            v = float(self.spins[key].value())
            if key in spelled_out or v != DEFAULTS[name][key]:
                out[key] = v
        return out

    def has_rows(self, name: str) -> bool:
        """Whether rule ``name`` has any hyper-parameter to show (plain SGD has none)."""
        return bool(set(DEFAULTS[name]) - {"lr"})

    def sync(self, name: str) -> None:
        keys = set(DEFAULTS[name]) - {"lr"}
        for key, spin in self.spins.items():
            show = key in keys and (key != "eps" or self.advanced_check.isChecked())
            self._form.setRowVisible(spin, show)
        self._form.setRowVisible(self.advanced_check, "eps" in keys)
