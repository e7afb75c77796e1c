"""Themes and colour scales: every palette the app draws data with is told
apart under simulated protanopia, deuteranopia and tritanopia; sequential
maps run monotonically in lightness; the themes repaint plots and canvas."""

import itertools

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from widgets.common import theme

MIN_DELTA_E = 15.0  # CIELAB ΔE between any two colours of one palette, in the worst vision


def _palettes():
    from widgets.canvas.edge_layer import WEIGHT_NEGATIVE, WEIGHT_POSITIVE
    from widgets.panels.class_colours import BINARY_COLORS, CLASS_PALETTE
    from widgets.panels.gradient_panel import RUN_COLOURS
    from widgets.panels.loss_panel import TRAIN, VAL
    from widgets.panels.lr_common import VARIANT_COLOURS
    from widgets.panels.racer_controls import COLORS

    return {
        "canvas weights (blue +, orange −)": [WEIGHT_POSITIVE, WEIGHT_NEGATIVE],
        "decision map classes (2)": list(BINARY_COLORS),
        "decision map classes (first 6)": list(CLASS_PALETTE[:6]),
        "loss: training / validation": [TRAIN, VAL],
        "gradient-descent variants": list(VARIANT_COLOURS.values()),
        "optimizer race": list(COLORS.values()),
        "sigmoid vs ReLU runs": list(RUN_COLOURS),
    }


@pytest.mark.parametrize("name", list(_palettes()))
def test_palettes_are_colour_blind_safe(name):
    pal = _palettes()[name]
    worst = min((theme.cvd_distance(a, b), a, b) for a, b in itertools.combinations(pal, 2))
    assert worst[0] >= MIN_DELTA_E, f"{name}: {worst[1]} and {worst[2]} look alike (ΔE {worst[0]:.1f})"


def test_the_simulation_catches_a_red_green_pair():
    assert theme.cvd_distance("#e6194b", "#3cb44b") < MIN_DELTA_E < theme.cvd_distance("#0072b2", "#e69f00")


@pytest.mark.parametrize("cmap", ["viridis", "plasma"])
def test_sequential_maps_rise_in_lightness(cmap):
    rgb = pg.colormap.get(cmap).getLookupTable(nPts=32, alpha=False)
    for kind in ("normal", "protan", "deutan", "tritan"):
        L = [theme.cvd_simulate(c, kind)[0] for c in rgb]
        assert np.all(np.diff(L) > -1.0), (cmap, kind)  # monotone up to rounding


def test_optimizer_surface_map_is_monotone_in_lightness():
    from widgets.panels.optimizer_panel import CMAP

    rgb = CMAP.getLookupTable(nPts=32, alpha=False)
    for kind in ("normal", "protan", "deutan", "tritan"):
        L = [theme.cvd_simulate(c, kind)[0] for c in rgb]
        assert np.all(np.diff(L) < 1.0), kind  # light (low loss) to dark (high)


@pytest.mark.parametrize("key", ["dark", "high-contrast", "light"])
def test_theme_repaints_window_plots_and_canvas(win, qtbot, key):
    app = QApplication.instance()
    win.classroom.set_theme(key, remember=False)
    t = theme.THEMES[key]
    qtbot.wait(20)
    assert app.palette().window().color().name() == t.window
    plot = win.plots.panels["loss"].findChildren(pg.PlotWidget)[0]
    assert plot.backgroundBrush().color().name() == t.plot_background
    assert win.canvas.scene().backgroundBrush().color().name() == t.canvas_background
    img = win.grab().toImage()
    corner = img.pixelColor(img.width() // 2, img.height() - 5)  # the status bar
    assert abs(corner.lightness() - pg.mkColor(t.window).lightness()) < 40
    theme.apply_theme(app, "light", [win])


def test_system_theme_follows_the_colour_scheme():
    assert theme.resolve_theme("system", QApplication.instance()) in ("light", "dark")
    with pytest.raises(ValueError, match="unknown theme"):
        theme.resolve_theme("sepia")
