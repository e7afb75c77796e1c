"""The application style: Fusion (the one style that follows the palette
everywhere), with disabled icons that stay legible in high contrast.

Fusion makes a disabled icon by fading it towards the window colour; on the
high-contrast theme's black that leaves dark grey arrows on black, about
1.5:1. With ``disabled_greys`` set, a disabled icon is redrawn in greys, its
shape (alpha) and shading kept, in greys from the darkest that still reads on
the window at WCAG's 4.5:1 (its black) to the theme's disabled ink (its white),
so every pixel of it reads.

Fusion's media icons (play, pause, step) are black glyphs, drawn for a light
window: with ``glyph_colour`` set (dark themes) :func:`themed_icon` redraws a
grey, dark glyph in that colour, so an enabled Play reads on a dark toolbar too;
coloured icons (folder, disk) stay as they are.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QProxyStyle

from widgets.common.contrast import TEXT_CONTRAST, contrast_ratio

__all__ = ["ThemeStyle", "disabled_pixmap", "themed_icon", "style_app", "restyle_icons", "disabled_greys"]

_made: dict = {"style": None}


class ThemeStyle(QProxyStyle):
    def __init__(self):
        super().__init__("Fusion")
        # (grey of the icon's black, grey of its white) 0–255; None: Fusion's own
        self.disabled_greys: tuple[int, int] | None = None
        self.glyph_colour: QColor | None = None  # dark themes: the colour of black glyph icons

    def standardIcon(self, standard_icon, option=None, widget=None):
        icon = super().standardIcon(standard_icon, option, widget)
        return icon if self.glyph_colour is None else themed_icon(icon, self.glyph_colour)

    def generatedIconPixmap(self, mode, pixmap, option):
        if mode != QIcon.Mode.Disabled or self.disabled_greys is None or pixmap.isNull():
            return super().generatedIconPixmap(mode, pixmap, option)
        return disabled_pixmap(pixmap, *self.disabled_greys)


def disabled_pixmap(pixmap: QPixmap, of_black: int, of_white: int) -> QPixmap:
    """``pixmap`` in greys, ``of_black`` where it is black to ``of_white`` where white, alpha kept."""
    px = _argb(pixmap)
    grey = px[..., 2] * 0.299 + px[..., 1] * 0.587 + px[..., 0] * 0.114  # BGRA in memory
    out = np.empty_like(px)
    out[..., :3] = np.round(of_black + (of_white - of_black) * grey / 255.0).astype(np.uint8)[..., None]
    out[..., 3] = px[..., 3]
    return _pixmap(out, pixmap.devicePixelRatio())


def _argb(pixmap: QPixmap) -> np.ndarray:
    img = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    w, h = img.width(), img.height()
    return (
        np.frombuffer(img.constBits(), np.uint8)
        .reshape(h, img.bytesPerLine())[:, : w * 4]
        .reshape(h, w, 4)
        .copy()
    )


def _pixmap(px: np.ndarray, dpr: float) -> QPixmap:
    h, w = px.shape[:2]
    res = QImage(px.data, w, h, w * 4, QImage.Format.Format_ARGB32).copy()
    res.setDevicePixelRatio(dpr)
    return QPixmap.fromImage(res)


def _is_dark_glyph(px: np.ndarray) -> bool:
    """Mostly dark, colourless opaque pixels: a glyph drawn for a light background."""
    drawn = px[px[..., 3] > 40][:, :3].astype(int)
    if len(drawn) < 4:
        return False
    return float(np.mean(drawn)) < 100 and float(np.mean(drawn.max(1) - drawn.min(1))) < 40


def themed_icon(icon: QIcon, colour: QColor) -> QIcon:
    """``icon`` with its black glyphs in ``colour`` (alpha kept); other icons unchanged."""
    if icon.isNull():
        return icon
    sizes = icon.availableSizes() or [QSize(s, s) for s in (16, 24, 32, 48)]
    out, changed = QIcon(), False
    for size in sizes:
        pm = icon.pixmap(size)
        px = _argb(pm)
        if _is_dark_glyph(px):
            px[..., 0], px[..., 1], px[..., 2] = colour.blue(), colour.green(), colour.red()
            pm, changed = _pixmap(px, pm.devicePixelRatio()), True
        out.addPixmap(pm)
    return out if changed else icon


def style_app(app, t, make: bool):
    """The app's style for theme ``t``: our Fusion proxy (made once when ``make``, made
    again if something else replaced and so deleted it), set for the theme's icons."""
    from shiboken6 import isValid

    style = _made["style"]
    if style is None or not isValid(style):
        if not make:
            return None
        style = _made["style"] = ThemeStyle()
        app.setStyle(style)
    style.disabled_greys = disabled_greys(t.window, t.disabled) if t.key == "high-contrast" else None
    style.glyph_colour = QColor(t.text) if t.dark else None
    return style


def disabled_greys(window: str, disabled: str) -> tuple[int, int]:
    """From the darkest grey that reads on ``window`` at 4.5:1 to the disabled ink's grey."""
    ink = int(round(float(np.mean([int(disabled[i : i + 2], 16) for i in (1, 3, 5)]))))
    for g in range(ink + 1):
        if contrast_ratio(f"#{g:02x}{g:02x}{g:02x}", window) >= TEXT_CONTRAST:
            return g, ink
    return ink, ink


def restyle_icons(root, t) -> None:
    """Actions' icons made before a switch: black glyphs in the text colour of a dark
    theme, the icon as made in a light one (an icon the app set since is taken anew)."""
    from PySide6.QtGui import QAction

    for a in root.findChildren(QAction):
        icon = a.icon()
        if icon.isNull():
            continue
        if icon.cacheKey() != a.__dict__.get("_mlp_icon_shown"):
            a.__dict__["_mlp_icon_made"] = icon
        made = a.__dict__["_mlp_icon_made"]
        a.setIcon(themed_icon(made, QColor(t.text)) if t.dark else made)
        a.__dict__["_mlp_icon_shown"] = a.icon().cacheKey()
