"""Help ▸ Keyboard Shortcuts: a table generated from the window's actions, so
it cannot drift from what the keys really do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

__all__ = ["ShortcutsDialog", "shortcut_rows"]


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcut_rows(actions) -> list[tuple[str, str, str]]:
    """(command, keys, what it does) for every action with a shortcut, sorted by command.
    Keys in the platform's own notation; several shortcuts joined by " or "."""
    rows = {}
    for a in actions:
        if not isinstance(a, QAction) or not a.shortcuts():
            continue
        keys = " or ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts())
        tip = a.statusTip() or a.toolTip()
        tip = tip.split(" (")[0] if tip.endswith(")") else tip
        rows[(_plain(a.text()), keys)] = tip if tip != _plain(a.text()) else ""
    return sorted(((t, k, tip) for (t, k), tip in rows.items()), key=lambda r: r[0].lower())


class ShortcutsDialog(QDialog):
    """Non-modal table of shortcuts; ``rows`` from :func:`shortcut_rows`."""

    def __init__(self, actions, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts — MLP Studio")
        self.rows = shortcut_rows(actions)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Command", "Keys", "What it does"])
        self.table.setToolTip("Every keyboard shortcut of the window, read from its commands")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for r, row in enumerate(self.rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close this list")
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        self.resize(720, 520)
