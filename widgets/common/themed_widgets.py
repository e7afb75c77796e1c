"""Widgets' style sheets, rich text and table-cell inks written with colour roles.

``set_sheet(w, "color: @hint;")`` and ``set_rich(label, "<span style='color:@error'>…")``
resolve the ``@role`` tokens (:mod:`widgets.common.ui_roles`) in the current theme
at once — a sheet set after a switch is in the new theme's colours, not the light
one's — and keep the template on the widget, so :func:`refresh` (called by
:func:`widgets.common.theme.restyle` on every switch, where it registers itself) resolves it again.
``set_item_ink(item, "error")`` does the same for a table cell's text.

A sheet or text the widget's code has replaced since (a plain ``setText``) is
left as it is: the template is forgotten, not re-applied over the new text.
"""

from __future__ import annotations

from widgets.common import theme as themes
from widgets.common.ui_roles import resolve, role_colour

__all__ = ["set_sheet", "set_rich", "set_item_ink", "set_item_fill", "ink", "refresh"]

_ITEM_INK, _ITEM_FILL = 0x0100 + 77, 0x0100 + 78  # Qt.UserRole + 77/78: a cell's colour roles


def _show(w, kind: str, template: str, t) -> None:
    shown = resolve(template, t)
    w.setProperty(f"mlp{kind}Template", template)
    w.setProperty(f"mlp{kind}Shown", shown)
    if kind == "Sheet":
        w.setStyleSheet(shown)
    else:
        w.setText(shown)


def set_sheet(widget, template: str) -> None:
    """``widget``'s style sheet from ``template`` (``@role`` colours), now and on every switch."""
    _show(widget, "Sheet", template, themes.current_theme())


def set_rich(label, template: str) -> None:
    """``label``'s (rich) text from ``template`` (``@role`` colours), now and on every switch."""
    _show(label, "Text", template, themes.current_theme())


def ink(role: str, t=None):
    """The QColor of ``role`` in theme ``t`` (the current one by default)."""
    from PySide6.QtGui import QColor

    return QColor(role_colour(role, t or themes.current_theme()))


def set_item_ink(item, role: str) -> None:
    """A table cell's text in ``role``'s colour (a ``#hex`` marker colour made to read),
    now and on every switch."""
    item.setData(_ITEM_INK, role)
    item.setForeground(ink(role))


def set_item_fill(item, role: str) -> None:
    """A table cell's background in ``role``'s colour, now and on every switch."""
    item.setData(_ITEM_FILL, role)
    item.setBackground(ink(role))


def _current(w, kind: str) -> str:
    return w.styleSheet() if kind == "Sheet" else w.text()


def refresh(root, t) -> None:
    """Resolve the templates under ``root`` in theme ``t``; re-set plain sheets (a
    style-sheeted widget takes the new palette only when its sheet is set again)."""
    from PySide6.QtWidgets import QTableWidget, QWidget

    for w in [root, *root.findChildren(QWidget)]:
        for kind in ("Sheet", "Text"):
            template = w.property(f"mlp{kind}Template")
            if template is None:
                continue
            if _current(w, kind) == w.property(f"mlp{kind}Shown"):
                _show(w, kind, template, t)
            else:  # the code has set its own since
                w.setProperty(f"mlp{kind}Template", None)
        if w.property("mlpSheetTemplate") is None and w.styleSheet():
            w.setStyleSheet(w.styleSheet())
        if isinstance(w, QTableWidget):
            _refresh_cells(w, t)


def _refresh_cells(table, t) -> None:
    from PySide6.QtGui import QColor

    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            if item is None:
                continue
            if item.data(_ITEM_INK):
                item.setForeground(QColor(role_colour(item.data(_ITEM_INK), t)))
            if item.data(_ITEM_FILL):
                item.setBackground(QColor(role_colour(item.data(_ITEM_FILL), t)))


themes.WIDGET_REFRESH.append(refresh)
