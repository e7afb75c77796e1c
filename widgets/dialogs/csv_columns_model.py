"""The CSV import dialog's column list as a Qt model: any number of columns.

One ``QComboBox`` per column (the old list) cost seconds at 4,097 columns
and minutes at 100,000; a model draws only the visible rows, and the role
combo exists only while a cell is being edited (:class:`RoleDelegate`).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate

from widgets.common.themed_widgets import ink

ROLES = ("ignore", "input", "target")
ROLE_INKS = {
    "ignore": "disabled",
    "input": "input_column",
    "target": "target_column",
}  # colour roles (ui_roles)
HEADERS = ("Column", "Detected kind", "Role")


class ColumnsModel(QAbstractTableModel):
    """Rows = CSV columns; ``kind_text(name)`` fills the middle column."""

    rolesChanged = Signal()

    def __init__(self, names: list[str], kind_text, parent=None):
        super().__init__(parent)
        self._kind_text = kind_text
        self._set_names(names)

    def _set_names(self, names: list[str]) -> None:
        self.names = list(names)
        self.roles = ["ignore"] * len(self.names)
        self.row_of = {c: i for i, c in enumerate(self.names)}

    def reset(self, names: list[str]) -> None:
        """New column names (all ignored)."""
        self.beginResetModel()
        self._set_names(names)
        self.endResetModel()

    def rowCount(self, parent=None) -> int:  # noqa: N802 - Qt API
        return 0 if parent is not None and parent.isValid() else len(self.names)

    def columnCount(self, parent=None) -> int:  # noqa: N802 - Qt API
        return 0 if parent is not None and parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled
        return f | Qt.ItemFlag.ItemIsEditable if index.column() == 2 else f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        r, c = index.row(), index.column()
        name = self.names[r]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole):
            return (name, self._kind_text(name), self.roles[r])[c]
        if role == Qt.ItemDataRole.ForegroundRole and c < 2:
            return ink(ROLE_INKS[self.roles[r]])  # the current theme's, at every paint
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if index.column() != 2 or value not in ROLES:
            return False
        self.set_role(self.names[index.row()], value)
        return True

    def set_role(self, name: str, role: str) -> None:
        r = self.row_of[name]
        if self.roles[r] == role:
            return
        self.roles[r] = role
        self.dataChanged.emit(self.index(r, 0), self.index(r, 2))
        self.rolesChanged.emit()

    def set_all(self, roles: dict[str, str]) -> None:
        self.roles = [roles.get(c, "ignore") for c in self.names]
        self.refresh()

    def refresh(self) -> None:
        if self.names:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.names) - 1, 2))


class RoleDelegate(QStyledItemDelegate):
    """A role combo while the Role cell is edited; committed as soon as it changes."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        combo = QComboBox(parent)
        combo.addItems(ROLES)
        combo.currentIndexChanged.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor, index):  # noqa: N802
        editor.blockSignals(True)
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))
        editor.blockSignals(False)

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentText())
