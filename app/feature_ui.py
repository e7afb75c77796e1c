"""Input features in the window: the chips on the canvas, Network ▸ Input Features…,
and the dialog, turned into undoable edits that pause training like other
topology edits (:meth:`app.edits.Edits.set_features`)."""

from __future__ import annotations

from PySide6.QtGui import QAction

from model.data.features import toggled
from widgets.canvas.feature_strip import FeatureStrip
from widgets.dialogs.feature_dialog import FeatureDialog

from . import change_kinds as K

__all__ = ["FeatureUi"]


class FeatureUi:
    def __init__(self, win):
        self.win, self.doc = win, win.doc
        self.strip = FeatureStrip(win.canvas)
        self.strip.featureToggled.connect(self.toggle)
        self.strip.dialogRequested.connect(self.choose)
        win.canvas.inputFeatureToggled.connect(self.toggle)
        menu = win.menus.network
        self.action = QAction("Input &Features…", win)
        tip = "Choose the network's inputs: the columns, their powers and products (x₁², x₁x₂, sin x₁, …)"
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(self.choose)
        menu.addAction(self.action)
        self.menu = menu
        self.dialog = None  # the open dialog (tests fill it in)
        self.doc.changed.connect(self._changed)
        self.refresh()

    def _columns(self) -> list[str]:
        return list(self.doc.data.train.feature_names)

    def _changed(self, kind: str) -> None:
        if kind in (K.DOCUMENT, K.DATA, K.NETWORK):
            self.refresh()

    def refresh(self) -> None:
        self.strip.set_features(self._columns(), self.doc.project.data.features)

    def set_features(self, names):
        """Apply a feature list (None = the raw columns) as one undo step; the message, or None if refused."""
        out = self.win.apply_edit(self.win.edits.set_features, names)
        if out is None:
            self.refresh()  # a refused change: the chips show the document again
        return out

    def toggle(self, name: str, on: bool):
        def edit():
            return self.win.edits.set_features(
                toggled(self.doc.project.data.features, self._columns(), name, on)
            )

        out = self.win.apply_edit(edit)
        if out is None:
            self.refresh()
        return out

    def choose(self) -> None:
        """The dialog (any data); OK applies the checked features."""
        self.dialog = FeatureDialog(self._columns(), self.doc.project.data.features, self.win)
        try:
            if self.dialog.exec():
                names = self.dialog.names()
                self.set_features(None if names == self._columns() else names)
        finally:
            self.dialog = None
