"""FeatureDialog: choose the network's input features for any data.

A checkable list of the raw columns, their squares and pairwise products
(:func:`model.data.features.candidate_features`) plus the current features,
and a line to type another (``age*income``, ``x1^3``, ``sin(x2)``), checked
by the same parser the project file uses. :meth:`names` is the choice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from model.data.features import candidate_features, canonical, parse_tree, pretty_name
from widgets.common.themed_widgets import set_sheet

__all__ = ["FeatureDialog"]


class FeatureDialog(QDialog):
    def __init__(self, columns, features, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Input Features")
        self.columns = list(columns)
        chosen = list(features) if features is not None else list(self.columns)
        intro = QLabel(
            "Each checked feature is one input node of the network: a column, its power or a product of "
            "columns. Unchecked columns are not used."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setToolTip("Check the features the network takes as inputs")
        for name in candidate_features(self.columns) + [
            n for n in chosen if n not in candidate_features(self.columns)
        ]:
            self._add(name, name in chosen)
        self.entry = QLineEdit(placeholderText="another feature, e.g. a*b, a^3, sin(a)")
        self.entry.setToolTip("Products (*), whole powers 1…9 (^), sin( ) and cos( ) of the columns")
        add = QPushButton("Add")
        add.setToolTip("Add the typed feature to the list, checked")
        add.clicked.connect(self.add_typed)
        self.entry.returnPressed.connect(self.add_typed)
        self.error = QLabel()
        set_sheet(self.error, "color: @error;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(add)
        lay = QVBoxLayout(self)
        for w in (intro, self.list):
            lay.addWidget(w)
        lay.addLayout(row)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(420, 460)

    def _add(self, name: str, checked: bool) -> None:
        item = QListWidgetItem(pretty_name(name))
        item.setData(Qt.ItemDataRole.UserRole, name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.addItem(item)

    def add_typed(self) -> None:
        text = canonical(self.entry.text())
        if not text:
            return
        try:
            parse_tree(text, self.columns)
        except ValueError as e:
            self.error.setText(str(e))
            return
        self.error.setText("")
        if text not in self.all_names():
            self._add(text, True)
        self.entry.clear()

    def all_names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def names(self) -> list[str]:
        """The checked features, in list order."""
        items = (self.list.item(i) for i in range(self.list.count()))
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked]

    def _accept(self) -> None:
        if not self.names():
            self.error.setText("Check at least one feature: the network needs an input.")
            return
        self.accept()
