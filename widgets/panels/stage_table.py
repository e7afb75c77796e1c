"""The step-through's table of one stage: a row per node of the stage's layer
(its θ/b, b/z, V/a, δ/∂L/∂z, …), the highlighted node's row marked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from widgets.common.themed_widgets import set_item_fill, set_item_ink

__all__ = ["StageTable", "MAX_TABLE_ROWS", "HIGHLIGHT_ROW"]

MAX_TABLE_ROWS = 8  # more rows scroll
HIGHLIGHT_ROW = "#fff3c4"  # the light theme's mark_fill (widgets/common/ui_roles.py)


def _mono(pt: float, bold: bool = False) -> QFont:
    f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    f.setPointSizeF(pt)
    f.setBold(bold)
    return f


class StageTable(QTableWidget):
    """Read-only, monospace, sized to show up to :data:`MAX_TABLE_ROWS` rows."""

    def __init__(self, parent=None):
        super().__init__(0, 0, parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setFont(_mono(10.0))

    def show_stage(self, stage, highlight: int | None) -> None:
        """The stage's headers and rows; row ``highlight`` bold on the highlight colour."""
        self.setColumnCount(len(stage.table_headers))
        self.setHorizontalHeaderLabels(stage.table_headers)
        self.setRowCount(len(stage.table_rows))
        bold = QFont(self.font())
        bold.setBold(True)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, row in enumerate(stage.table_rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setTextAlignment(right if c else Qt.AlignmentFlag.AlignCenter)
                if r == highlight and stage.equations:
                    item.setFont(bold)
                    set_item_fill(item, "mark_fill")
                    set_item_ink(item, "ink")
                self.setItem(r, c, item)
        self.resizeRowsToContents()
        rows = min(len(stage.table_rows), MAX_TABLE_ROWS)  # fit the rows; scroll beyond
        self.setFixedHeight(
            self.horizontalHeader().height()
            + 2 * self.frameWidth()
            + sum(self.rowHeight(r) for r in range(rows))
            + 6
        )
