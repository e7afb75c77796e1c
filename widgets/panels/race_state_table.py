"""The race panel's "show internal state" table: each racer's position, gradient
and optimizer buffers (velocity, accumulated squared gradients, Adam's m, v and
effective step) as x, y pairs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

from widgets.common.themed_widgets import set_item_ink
from widgets.panels.racer_controls import COLORS, LABELS

__all__ = ["RaceStateTable", "STATE_LABELS"]

STATE_LABELS = {
    "position": "position (x, y)",
    "gradient": "gradient ∇E",
    "velocity": "velocity v",
    "sum_sq": "Σ g² (accumulated)",
    "square_avg": "E[g²] (running mean)",
    "m": "m (mean of g)",
    "v": "v (mean of g²)",
    "effective_step": "effective step size",
}


class RaceStateTable(QTableWidget):
    """Hidden until "show internal state" is ticked; :meth:`show_race` fills it."""

    def __init__(self, parent=None):
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["optimizer", "quantity", "x", "y"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVisible(False)

    def show_race(self, race) -> None:
        rows = []
        for name in race.names:
            rows.append((name, "position", race.position(name)))
            rows.append((name, "gradient", race.gradient(name)))
            rows += [(name, k, v) for k, v in race.state(name).items()]
        self.setRowCount(len(rows))
        for r, (name, key, vec) in enumerate(rows):
            cells = [LABELS[name], STATE_LABELS[key], f"{vec[0]:.6g}", f"{vec[1]:.6g}"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (name, key))
                if c == 0:
                    set_item_ink(item, COLORS[name])  # made to read on the table
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
