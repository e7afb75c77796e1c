"""Every question the main window asks a person, in one object.

File choosers, the unsaved-changes prompt, the recovery question and error
boxes go through :class:`Dialogs`, so the file and export objects never
open a dialog themselves and tests replace one method with a plain answer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class Dialogs:
    """Dialogs parented to ``window``; ``start_dir()`` is where file choosers open;
    ``status(text, ms)`` shows a status-bar message."""

    def __init__(self, window: QWidget, start_dir: Callable[..., str], status: Callable[[str, int], None]):
        self._window = window
        self._start_dir = start_dir  # start_dir(kind): kind "project" | "data" | "" (saving)
        self._last: dict[str, str] = {}
        self.status = status
        self.last_error: str | None = None  # tests read the last error shown
        self._error_box: QMessageBox | None = None

    def ask_open_path(self, caption: str, filt: str) -> str | None:
        kind = "data" if "*.csv" in filt else "project"
        start = self._last.get(kind) or self._start_dir(kind)
        path, _ = QFileDialog.getOpenFileName(self._window, caption, start, filt)
        if path:
            self._last[kind] = str(Path(path).parent)  # next time: where the person went
        return path or None

    def ask_save_path(self, caption: str, filt: str, suggested: str) -> str | None:
        start = str(Path(self._start_dir()) / suggested)
        path, _ = QFileDialog.getSaveFileName(self._window, caption, start, filt)
        return path or None

    def ask_folder(self, caption: str) -> str | None:
        return QFileDialog.getExistingDirectory(self._window, caption, self._start_dir()) or None

    def ask_unsaved(self, name: str) -> str:
        """Unsaved changes: "save", "discard" or "cancel"."""
        B = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self._window,
            "Unsaved changes",
            f"Save changes to “{name}” before continuing?",
            B.Save | B.Discard | B.Cancel,
            B.Save,
        )
        return {B.Save: "save", B.Discard: "discard"}.get(answer, "cancel")

    def ask_yes_no(self, title: str, text: str) -> bool:
        B = QMessageBox.StandardButton
        return QMessageBox.question(self._window, title, text, B.Yes | B.No, B.Yes) == B.Yes

    def show_error(self, title: str, text: str) -> None:
        """Non-blocking message box plus status-bar text."""
        self.last_error = text
        self.status(text, 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self._window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._error_box = box

    def show_about(self) -> None:
        QMessageBox.about(
            self._window,
            "About MLP Studio",
            "MLP Studio — design, train and watch multilayer perceptrons.\nPySide6 · pyqtgraph · NumPy",
        )
