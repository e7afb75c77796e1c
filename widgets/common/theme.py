"""Themes (light, dark, high contrast) and the presentation zoom.

``apply_theme(app, key)`` sets the application palette and pyqtgraph's
defaults and restyles the plots and canvases that already exist;
``"system"`` follows the desktop's colour scheme (Qt 6.5+ style hints).
The data colours stay the same in every theme: they were chosen to be
told apart with the common colour-vision deficiencies, and
:func:`cvd_distance` (Machado et al. 2009 simulation, CIELAB ΔE) lets a test
prove it for every palette the app draws with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets.common import pen_zoom
from widgets.common.contrast import readable

__all__ = [
    "Theme",
    "THEMES",
    "THEME_KEYS",
    "OKABE_ITO",
    "resolve_theme",
    "apply_theme",
    "restyle",
    "cvd_simulate",
    "cvd_distance",
    "current_theme",
    "adopt",
    "mix",
]

# Okabe & Ito's palette for colour-blind readers (vermillion, orange, reddish
# purple, bluish green, sky blue, blue); all readable on white and on dark grey
OKABE_ITO = ("#d55e00", "#e69f00", "#cc79a7", "#009e73", "#56b4e9", "#0072b2")


@dataclass(frozen=True)
class Theme:
    key: str
    title: str
    window: str
    base: str
    alt_base: str
    text: str
    button: str
    highlight: str
    highlight_text: str
    disabled: str
    plot_background: str
    plot_foreground: str
    axis: str
    canvas_background: str
    dark: bool

    # semantic inks for what panels draw themselves (cards, graphs, rings)
    @property
    def ink(self) -> str:
        return self.plot_foreground

    @property
    def muted(self) -> str:
        return {"light": "#6b7280", "dark": "#a3a8b2"}.get(self.key, "#d0d0d0")

    @property
    def alarm(self) -> str:
        """Gradients, errors: red that reads on this theme's background."""
        return "#d62728" if not self.dark else "#ff6b6b"

    @property
    def card(self) -> str:
        return {"light": "#f6f7f9", "dark": "#2a2c31"}.get(self.key, "#000000")

    @property
    def card_border(self) -> str:
        return {"light": "#d5d9e0", "dark": "#4a4e56"}.get(self.key, "#ffffff")

    def tint(self, colour: str) -> str:
        """A pale fill made for white, as it should look on this theme's background."""
        return colour if not self.dark else mix(colour, self.plot_background, 0.8)


THEMES = {
    "light": Theme(
        "light",
        "Light",
        "#efeff1",
        "#ffffff",
        "#f5f6f8",
        "#1d1d1f",
        "#f3f3f5",
        "#2f6fdf",
        "#ffffff",
        "#686c71",  # disabled text: 4.6:1 on the button grey (Fusion's #9aa0a8: 2.3:1)
        "#ffffff",
        "#30343b",
        "#9aa1ab",
        "#fbfbfc",
        False,
    ),
    "dark": Theme(
        "dark",
        "Dark",
        "#2b2d31",
        "#1e1f22",
        "#26282c",
        "#e6e7ea",
        "#34363b",
        "#3b6fd4",  # selection: white text on it at 4.8:1 (#4c8dff: 3.2:1)
        "#ffffff",
        "#9ca0a8",  # disabled text: 4.6:1 on the button grey (was #7d828c: 3.1:1)
        "#1e1f22",
        "#d7d9de",
        "#7d828c",
        "#202226",
        True,
    ),
    "high-contrast": Theme(
        "high-contrast",
        "High contrast",
        "#000000",
        "#000000",
        "#0b0b0b",
        "#ffffff",
        "#000000",
        "#ffd400",
        "#000000",
        "#bdbdbd",
        "#000000",
        "#ffffff",
        "#ffffff",
        "#000000",
        True,
    ),
}
THEME_KEYS = ("system", *THEMES)
HIGH_CONTRAST_SHEET = """
QLineEdit, QAbstractSpinBox, QComboBox, QPushButton, QToolButton:hover { border: 1px solid #ffffff; }
QCheckBox::indicator, QRadioButton::indicator { width: 12px; height: 12px; border: 2px solid #ffffff; }
QRadioButton::indicator { border-radius: 8px; }
QCheckBox::indicator:checked, QRadioButton::indicator:checked { background: #ffd400; }
QSlider::groove:horizontal { border: 1px solid #ffffff; height: 4px; }
QSlider::handle:horizontal { background: #ffd400; width: 12px; margin: -6px 0; }
"""
_current = {"key": "light", "zoom": 1.0}
# widgets.common.themed_widgets.refresh, registered there (it imports this module, not the reverse)
WIDGET_REFRESH: list = []


def mix(a: str, b: str, amount: float) -> str:
    """Hex colour ``a`` moved ``amount`` (0..1) of the way to ``b``."""
    ca, cb = _rgb(a), _rgb(b)
    c = np.round((ca + (cb - ca) * amount) * 255).astype(int)
    return "#" + "".join(f"{v:02x}" for v in c)


def current_theme() -> Theme:
    return THEMES[_current["key"]]


def resolve_theme(key: str, app=None) -> str:
    """ "system" -> "light" or "dark" from the desktop's colour scheme."""
    if key != "system":
        if key not in THEMES:
            raise ValueError(f"unknown theme {key!r}; allowed: {', '.join(THEME_KEYS)}")
        return key
    try:
        from PySide6.QtCore import Qt

        scheme = app.styleHints().colorScheme() if app is not None else None
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"
    except AttributeError:  # Qt before 6.5
        return "light"


def _palette(t: Theme):
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    R, G = QPalette.ColorRole, QPalette.ColorGroup
    for role, colour in (
        (R.Window, t.window),
        (R.WindowText, t.text),
        (R.Base, t.base),
        (R.AlternateBase, t.alt_base),
        (R.Text, t.text),
        (R.Button, t.button),
        (R.ButtonText, t.text),
        (R.BrightText, t.highlight),
        (R.Highlight, t.highlight),
        (R.HighlightedText, t.highlight_text),
        (R.ToolTipBase, t.base),
        (R.ToolTipText, t.text),
        (R.PlaceholderText, t.disabled),
        (R.Link, readable(t.highlight, t.window, t.text)),  # link text reads on the window
    ):
        p.setColor(role, QColor(colour))
    for role in (R.Text, R.WindowText, R.ButtonText):
        p.setColor(G.Disabled, role, QColor(t.disabled))
    if t.key == "high-contrast":
        p.setColor(R.Mid, QColor("#ffffff"))
        p.setColor(R.Dark, QColor("#ffffff"))
    return p


def apply_theme(app, key: str = "system", roots=()) -> Theme:
    """Palette + pyqtgraph defaults for new plots + restyle of ``roots``' existing ones."""
    import pyqtgraph as pg

    t = THEMES[resolve_theme(key, app)]
    _current["key"] = t.key
    from widgets.common import theme_style

    # Fusion, through a proxy that keeps icons legible on dark windows (theme_style)
    theme_style.style_app(app, t, make=t.key != "light" or app.style().name().lower() != "fusion")
    app.setPalette(_palette(t))
    # high contrast: Fusion draws frames and check marks from the window colour, invisible on black
    app.setStyleSheet(HIGH_CONTRAST_SHEET if t.key == "high-contrast" else "")
    pg.setConfigOptions(background=t.plot_background, foreground=t.plot_foreground)
    roots = list(roots)
    # and every window open beside them (a dialog opened without a parent)
    others = [
        w
        for w in app.topLevelWidgets()
        if w.isVisible() and not any(r is w or r.isAncestorOf(w) for r in roots)
    ]
    for root in [*roots, *others]:
        restyle(root, t)
    return t


def restyle(root, t: Theme | None = None) -> None:
    """Give every plot and canvas under ``root`` the theme's background and ink."""
    import pyqtgraph as pg
    from PySide6.QtGui import QBrush, QColor
    from PySide6.QtWidgets import QGraphicsView, QWidget

    t = t or current_theme()
    from widgets.common.theme_style import restyle_icons

    for refresh in WIDGET_REFRESH:  # style sheets and rich text written with colour roles
        refresh(root, t)
    restyle_icons(root, t)
    for view in root.findChildren(QGraphicsView):
        if isinstance(view, pg.GraphicsView):
            view.setBackground(t.plot_background)
            for item in view.scene().items():
                painted = item.__dict__.get("_mlp_paint")  # colours by role (widgets.common.themed)
                if painted is not None:
                    painted[0](item, painted[1], t)
                if isinstance(item, pg.AxisItem):
                    item.setPen(pg.mkPen(t.axis))
                    item.setTextPen(pg.mkPen(t.plot_foreground))
                elif isinstance(item, pg.LegendItem):
                    item.setLabelTextColor(t.plot_foreground)
                    item.setBrush(pg.mkBrush(QColor(t.plot_background)))
                elif isinstance(item, pg.LabelItem) and item.text:
                    item.setText(item.text, color=t.plot_foreground)
        elif view.scene() is not None:
            view.scene().setBackgroundBrush(QBrush(QColor(t.canvas_background)))
            if hasattr(view, "set_background"):  # the canvas blends its edge pens onto it
                view.set_background(t.canvas_background)
            view.viewport().update()
    # widgets that draw their own colours (cards, graphs, rings) redraw from the theme
    for w in [root, *root.findChildren(QWidget)]:
        if callable(getattr(w, "theme_changed", None)):
            w.theme_changed(t)


# --------------------------------------------------------------- colour vision
# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
_CVD = {
    "protan": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deutan": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritan": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}


def _rgb(colour) -> np.ndarray:
    if isinstance(colour, str):
        h = colour.lstrip("#")
        return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], float) / 255.0
    return np.asarray(colour, float)[:3] / 255.0


def _linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(lin: np.ndarray) -> np.ndarray:
    M = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = (M @ lin) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def cvd_simulate(colour, kind: str) -> np.ndarray:
    """CIELAB of ``colour`` (hex or 0–255 RGB) as seen with ``kind`` in protan|deutan|tritan|normal."""
    lin = _linear(_rgb(colour))
    if kind != "normal":
        lin = np.clip(_CVD[kind] @ lin, 0.0, 1.0)
    return _lab(lin)


def cvd_distance(a, b) -> float:
    """Smallest CIELAB ΔE between two colours over normal vision and the three deficiencies."""
    return min(float(np.linalg.norm(cvd_simulate(a, k) - cvd_simulate(b, k))) for k in ("normal", *_CVD))


# ------------------------------------------------------------ presentation zoom
def zoom_factor() -> float:
    return float(_current["zoom"])


def set_zoom(app, factor: float, roots=()) -> None:
    """One zoom for the whole window: the application font, then every plot's
    tick labels, axis labels, titles, legends and line widths under ``roots``."""
    from PySide6.QtGui import QFont

    factor = float(factor)
    pen_zoom.set_factor(factor)  # lines made or re-penned from now on get the zoom too
    base = _current.setdefault("base_pt", app.font().pointSizeF() if app.font().pointSizeF() > 0 else 9.0)
    f = QFont(app.font())
    f.setPointSizeF(base * factor)
    app.setFont(f)
    _current["zoom"] = factor
    for root in roots:
        zoom_plots(root, factor, base)


def adopt(root) -> None:
    """A widget built after a theme or zoom was applied (a lazily built panel):
    give it the current theme's plot colours and the current zoom."""
    if _current["key"] != "light":
        restyle(root)
    if _current["zoom"] != 1.0:
        zoom_plots(root, _current["zoom"], _current.get("base_pt", 9.0))


def zoom_plots(root, factor: float, base_pt: float = 9.0) -> None:
    import pyqtgraph as pg
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPointSizeF(base_pt * factor)
    for view in root.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setStyle(tickFont=font)
                item.label.setFont(font)
                item._updateWidth() if item.orientation in ("left", "right") else item._updateHeight()
            elif pen_zoom.widens(item):
                pen = item.pen if isinstance(item, pg.InfiniteLine) else item.opts.get("pen")
                if pen is None:
                    continue
                pen = pg.mkPen(pen)
                pen.setWidthF(item.__dict__.get("_mlp_base_width", pen.widthF() or 1.0))
                item.setPen(pen)  # widened by the zoom on its way in
            elif isinstance(item, pg.LegendItem):
                item.setLabelTextSize(f"{base_pt * factor:.1f}pt")
            elif isinstance(item, pg.TextItem):
                pen_zoom.zoom_text(item)
            elif isinstance(item, pg.LabelItem) and item.text:
                size = item.__dict__.setdefault(
                    "_mlp_base_size", item.opts.get("size") or f"{base_pt + 2:.0f}pt"
                )
                pt = float(str(size).rstrip("ptx") or base_pt + 2)
                item.setText(item.text, size=f"{pt * factor:.1f}pt")
