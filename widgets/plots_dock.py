"""The tabbed plot panels in the bottom dock."""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from .loss_panel import LossPanel


class PlotsDock(QTabWidget):
    """Tabs by name; ``set_history`` feeds every panel that plots the history."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.panels = {"loss": LossPanel()}
        self.addTab(self.panels["loss"], "Loss")
        self.setTabToolTip(0, "Training and validation loss per epoch")

    def set_history(self, history, ghosts=()) -> None:
        self.panels["loss"].set_history(history, ghosts)

    def set_task(self, task: str) -> None:
        self.panels["loss"].set_accuracy_visible(task == "classification")

    def show_panel(self, name: str) -> None:
        if name not in self.panels:
            raise ValueError(f"unknown panel {name!r}; available: {', '.join(self.panels)}")
        self.setCurrentWidget(self.panels[name])
