"""Colours panels draw themselves follow the theme, measured in rendered pixels:
the probe ring, the chain-rule graph, the step-through card and the
optimizer's error surface read against their own background in dark and
high contrast (no black ring on black, no white card in a dark window)."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from tests.gui.qt_helpers import pixels
from widgets.common import theme

MIN_CONTRAST = 100  # luminance (0..255) between an element and what it sits on


def _lum(rgb) -> np.ndarray:
    rgb = np.asarray(rgb, float)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _bg(t) -> float:
    return float(_lum(np.array([int(t.plot_background[i : i + 2], 16) for i in (1, 3, 5)])))


@pytest.fixture(params=["dark", "high-contrast"])
def themed(request, win, qtbot):
    win.classroom.set_theme(request.param, remember=False)
    qtbot.wait(20)
    yield win, theme.THEMES[request.param]
    win.classroom.set_theme("light", remember=False)


def test_probe_ring_stands_out_from_the_plot(themed, qtbot):
    win, t = themed
    dv = win.dataset_view
    dv.set_probe(0)
    qtbot.wait(20)
    x, y = dv.probe_ring.getData()
    centre = dv.plot.mapFromScene(dv.vb.mapViewToScene(QPointF(x[0], y[0])))
    img = pixels(dv.plot.grab().toImage()).astype(int)
    yy, xx = np.mgrid[: img.shape[0], : img.shape[1]]
    r = np.hypot(xx - centre.x(), yy - centre.y())
    ring = _lum(img[(r >= 9.5) & (r <= 11.5)])
    assert ring.size > 20
    # most of the ring's pixels are far from the plot background (black ring on black: none)
    assert np.mean(np.abs(ring - _bg(t)) > MIN_CONTRAST) > 0.5, (t.key, np.percentile(ring, [10, 50, 90]))


def test_chain_rule_graph_reads_on_the_theme_background(themed, qtbot):
    win, t = themed
    win.show_panel("chain-rule")
    panel = win.plots.panels["chain-rule"]
    panel.set_stage(panel.stage_count())  # every gradient shown, in the gradient ink
    qtbot.wait(20)
    img = pixels(panel.view.viewport().grab().toImage()).astype(int)
    lum = _lum(img)
    assert abs(lum[3, 3] - _bg(t)) < 12, "the graph's background is the theme's"
    assert np.mean(np.abs(lum - _bg(t)) > MIN_CONTRAST) > 0.003, "text and boxes stand out"
    red = (img[..., 0] - img[..., 1] > 80) & (np.abs(lum - _bg(t)) > 60)
    assert red.sum() > 30, "gradients in a red that reads on this background"


def test_step_through_card_is_a_dark_card_with_light_text(themed, qtbot):
    win, t = themed
    win.acts["stepthrough"].trigger()
    qtbot.wait(20)
    panel = win.teaching.stepper
    assert panel.active
    panel.next()
    qtbot.wait(20)
    card = pixels(panel.equation.grab().toImage()).astype(int)
    lum = _lum(card)
    inside = lum[4 : lum.shape[0] - 4, 4 : lum.shape[1] - 4]
    back = float(np.median(inside))
    assert back < 80, f"card background luminance {back:.0f} in a dark theme"
    assert np.mean(np.abs(inside - back) > MIN_CONTRAST) > 0.01, "its text contrasts"


def test_optimizer_contours_contrast_with_the_surface(themed, qtbot):
    from widgets.panels.optimizer_panel import surface_colours

    win, t = themed
    win.show_panel("optimizers")
    qtbot.wait(50)
    panel = win.plots.panels["optimizers"]
    img = pixels(panel.plot.grab().toImage()).astype(int)
    h, w = img.shape[:2]
    centre = _lum(img[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4])
    surface = float(np.median(centre))
    assert surface < 110, f"a dark surface in a dark theme (median luminance {surface:.0f})"
    _cmap, ink = surface_colours(t)
    assert abs(_lum([ink.red(), ink.green(), ink.blue()]) - surface) > MIN_CONTRAST
    assert np.mean(np.abs(centre - surface) > 60) > 0.003, "contour lines visible on it"
