"""The error a form raises for a rejected edit: the message and the control to mark red."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

__all__ = ["Invalid", "ERROR_STYLE"]

ERROR_STYLE = "border: 2px solid @error_border; border-radius: 3px;"  # a theme role (ui_roles)


class Invalid(ValueError):
    """A rejected edit: the message and the control to mark red."""

    def __init__(self, message: str, widget: QWidget):
        super().__init__(message)
        self.message, self.widget = message, widget
