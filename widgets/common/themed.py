"""Colours of plot items named by role, so they follow the theme.

A panel says *what* a colour is — the theme's ink, its muted grey, the plot
background, or a marker colour such as an event line's purple — and
:func:`paint` colours the item from the current theme and remembers the roles
on it. :func:`widgets.common.theme.restyle` repaints every remembered item
when the theme changes, whenever the item was made (a sweep's curves drawn
after the switch get the new theme's colours at once, since they are made from
the current theme).

A role is a :class:`Theme` attribute name (``"ink"``, ``"muted"``, ``"axis"``,
``"plot_background"``, ``"alarm"``…) or a hex colour; a hex colour is a
semantic marker colour and is moved towards the theme's ink until it reads on
the plot background at WCAG's 4.5:1 (:func:`readable`). Data colours (the
colour-blind-safe palettes) stay as they are and need no role.
"""

from __future__ import annotations

from dataclasses import dataclass

from widgets.common import theme as themes
from widgets.common.contrast import contrast_ratio
from widgets.common.contrast import readable as _readable

__all__ = ["Ink", "Pen", "paint", "colour", "contrast_ratio", "readable", "on_canvas", "LABEL_FILL_ALPHA"]

LABEL_FILL_ALPHA = 210  # text labels on plots sit on a nearly opaque patch of the background


def readable(colour: str, t) -> str:
    """A marker colour moved towards theme ``t``'s ink until it reads on its plots (4.5:1)."""
    return _readable(colour, t.plot_background, t.ink)


_ON_CANVAS: dict = {}


# layer titles and feature names are what a projector shows: WCAG AAA (7:1) on the dark
# canvas, near white on the high-contrast black
CANVAS_TEXT = {"dark": 7.0, "high-contrast": 15.0}


def on_canvas(colour: str, t) -> str:
    """A text colour made for the light canvas, read on theme ``t``'s canvas at 4.5:1,
    more in the dark ones (:data:`CANVAS_TEXT`; at 4.5:1 the titles were a dim grey on a
    projector); cached: canvas labels ask on every paint."""
    key = (colour, t.key)
    if key not in _ON_CANVAS:
        _ON_CANVAS[key] = _readable(colour, t.canvas_background, t.ink, CANVAS_TEXT.get(t.key, 4.5))
    return _ON_CANVAS[key]


@dataclass(frozen=True)
class Ink:
    """A colour role (a Theme attribute or a marker hex colour) and its alpha."""

    role: str
    alpha: int = 255

    def qcolor(self, t):
        from PySide6.QtGui import QColor

        c = QColor(readable(self.role, t) if self.role.startswith("#") else getattr(t, self.role))
        c.setAlpha(self.alpha)
        return c


@dataclass(frozen=True)
class Pen(Ink):
    width: float = 1.0
    dashed: bool = False

    def qpen(self, t):
        import pyqtgraph as pg
        from PySide6.QtCore import Qt

        style = Qt.PenStyle.DashLine if self.dashed else Qt.PenStyle.SolidLine
        return pg.mkPen(self.qcolor(t), width=self.width, style=style)


def colour(role: str, alpha: int = 255, t=None):
    """The QColor of ``role`` in theme ``t`` (the current one by default)."""
    return Ink(role, alpha).qcolor(t or themes.current_theme())


def _apply(item, roles: dict, t) -> None:
    import pyqtgraph as pg

    for key, role in roles.items():
        if key == "pen":
            item.setPen(role.qpen(t))
        elif key == "brush":
            item.setBrush(pg.mkBrush(role.qcolor(t)))
        elif key == "symbolPen":
            item.setSymbolPen(role.qpen(t))
        elif key == "symbolBrush":
            item.setSymbolBrush(pg.mkBrush(role.qcolor(t)))
        elif key == "text":  # a TextItem, or an InfiniteLine's label
            target = item.label if isinstance(item, pg.InfiniteLine) else item
            target.setColor(role.qcolor(t))
        elif key == "fill":  # the patch behind a TextItem or an InfiniteLine's label
            target = item.label if isinstance(item, pg.InfiniteLine) else item
            target.fill = pg.mkBrush(role.qcolor(t))
            target.update()
        else:
            raise ValueError(f"unknown colour slot {key!r}")


def paint(item, **roles):
    """Colour ``item`` now from the current theme and on every theme change.

    Slots: ``pen``/``symbolPen`` (:class:`Pen`), ``brush``/``symbolBrush``/
    ``text``/``fill`` (:class:`Ink`). Returns ``item``.
    """
    item.__dict__["_mlp_paint"] = (_apply, roles)
    _apply(item, roles, themes.current_theme())
    return item
