"""High contrast: a disabled toolbar button's icon and text read on black at
WCAG's 4.5:1, measured in the rendered toolbar (Fusion's own disabled icons
fade to dark grey, about 1.5:1), and the palette's disabled inks say the same."""

import numpy as np
import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from tests.gui.qt_helpers import pixels
from widgets.common.contrast import contrast_ratio
from widgets.common.theme import THEMES

MIN = 4.5  # WCAG AA, normal text


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(int(v) for v in rgb)


def _icon_contrast(button) -> float:
    """Median contrast against the button's background of the icon's drawn pixels."""
    img = pixels(button.grab().toImage()).astype(int)
    size = button.iconSize()
    h, w = img.shape[:2]
    top, left = (h - size.height()) // 2, 3  # icon-only buttons: centred; text-beside: at the left
    if button.toolButtonStyle().name == "ToolButtonIconOnly":
        left = (w - size.width()) // 2
    icon = img[top : top + size.height(), left : left + size.width()].reshape(-1, 3)
    back = np.median(img[:, -2].reshape(-1, 3), axis=0)  # the button's right edge: background
    ratios = np.array([contrast_ratio(_hex(p), _hex(back)) for p in icon])
    drawn = ratios[ratios > 1.25]  # the icon's pixels, not the background between its strokes
    assert drawn.size > 20, "an icon is drawn"
    return float(np.median(drawn))


@pytest.fixture
def high_contrast(win, qtbot):
    win.classroom.set_theme("high-contrast", remember=False)
    qtbot.wait(30)
    yield win
    win.classroom.set_theme("light", remember=False)


def test_disabled_toolbar_icons_read_on_black(high_contrast, qtbot):
    win = high_contrast
    undo = win.acts["undo"]
    assert not undo.isEnabled(), "nothing to undo in a fresh window"
    button = win.classroom.toolbar.widgetForAction(undo)
    assert _icon_contrast(button) >= MIN  # Fusion's own: 1.5:1
    # an enabled icon stays as it is (only disabled ones are redrawn)
    save = win.classroom.toolbar.widgetForAction(win.acts["open"])
    assert win.acts["open"].isEnabled() and _icon_contrast(save) >= MIN


def test_high_contrast_palette_disabled_inks(high_contrast):
    pal = QApplication.instance().palette()
    D, A, R = QPalette.ColorGroup.Disabled, QPalette.ColorGroup.Active, QPalette.ColorRole
    for ink, back in ((R.ButtonText, R.Button), (R.WindowText, R.Window), (R.Text, R.Base)):
        ratio = contrast_ratio(pal.color(D, ink).name(), pal.color(A, back).name())
        assert ratio >= MIN, (ink, ratio)
    assert pal.color(D, R.ButtonText).name() == THEMES["high-contrast"].disabled


def test_light_theme_keeps_fusions_disabled_icons(win, qtbot):
    from widgets.common import theme

    win.classroom.set_theme("high-contrast", remember=False)
    win.classroom.set_theme("light", remember=False)
    style = theme._current.get("style")
    assert style is None or style.disabled_greys is None
