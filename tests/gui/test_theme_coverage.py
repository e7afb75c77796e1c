"""Colours panels draw themselves follow the theme, measured in rendered pixels:
the probe ring, the chain-rule graph, the step-through card and the
optimizer's error surface read against their own background in dark and
high contrast (no black ring on black, no white card in a dark window)."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from tests.gui.qt_helpers import history_with_marks, pixels
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


# ------------------------------------------------ items' own pens and brushes
def _populate(win, qtbot):
    """Every plot panel built and drawn with its items (markers, ghosts, bars, points)."""
    win.plots.panels["loss"].set_history(
        history_with_marks(30, 4, {8: "lr", 15: "optimizer", 22: "batch"}), ghosts=[np.linspace(1, 0.1, 20)]
    )
    for key in ("lr", "optimizers", "gradients", "predict", "hidden", "loss"):
        win.show_panel(key)
        qtbot.wait(30)
    win.teaching.neuron_map.set_points(np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0]))


def _sweep(win):
    from model.analysis import sweeps

    lr = win.plots.panels["lr"]
    p = lr.problem
    r = sweeps.lr_sweep(p.net, p.X, p.T, p.settings, sweeps.log_spaced(0.01, 50.0, 4), 10)
    lr.sweep.show_result(r)
    return r


@pytest.fixture(params=["dark", "high-contrast"])
def populated(request, win, qtbot):
    """Panels drawn in the light theme, then the theme switched, then a sweep drawn."""
    _populate(win, qtbot)
    win.classroom.set_theme(request.param, remember=False)
    qtbot.wait(20)
    r = _sweep(win)  # drawn after the switch: made from the current theme
    yield win, theme.THEMES[request.param], r
    win.classroom.set_theme("light", remember=False)


def _rgb(c) -> tuple:
    return (c.red(), c.green(), c.blue())


def _hex_rgb(h) -> tuple:
    return tuple(int(h[i : i + 2], 16) for i in (1, 3, 5))


def _pen_rgb(pen):
    import pyqtgraph as pg

    pen = pg.mkPen(pen)
    return _rgb(pen.color())


def test_listed_items_take_the_theme_colours(populated):
    """Loss-panel event markers, learning-rate greys, hidden-space points, predict
    bar text, neuron-map points and every axis: the theme's colours, read back."""
    import pyqtgraph as pg

    from widgets.common.contrast import contrast_ratio
    from widgets.common.plot_style import light_grid
    from widgets.common.themed import readable
    from widgets.panels.loss_panel import EVENT_COLOURS

    win, t, r = populated
    bg, ink, muted = _hex_rgb(t.plot_background), _hex_rgb(t.ink), _hex_rgb(t.muted)
    loss = win.plots.panels["loss"]
    kinds = [m.kind for m in loss._markers]
    assert kinds == ["lr", "optimizer", "batch"]
    for m in loss._markers:
        want = readable(EVENT_COLOURS[m.kind], t)
        assert _pen_rgb(m.pen) == _hex_rgb(want)
        assert _rgb(m.label.color) == _hex_rgb(want)
        assert _rgb(m.label.fill.color()) == bg, "the label sits on the plot's own background"
        assert contrast_ratio(want, t.plot_background) >= 4.5
    if t.key == "dark":  # the dark-blue batch marker is lightened to read on dark grey
        assert _pen_rgb(loss._markers[2].pen) != _hex_rgb(EVENT_COLOURS["batch"])
    assert _pen_rgb(loss._ghosts[0].opts["pen"]) == muted
    assert _pen_rgb(loss.cursor_line.pen) == ink

    lr = win.plots.panels["lr"]
    assert _pen_rgb(lr.range_test.raw.opts["pen"]) == muted
    finals = [i for i in lr.sweep.final_plot.getPlotItem().items if isinstance(i, pg.PlotDataItem)]
    line = next(i for i in finals if i.opts["pen"] is not None)  # the stable runs' grey line
    assert _pen_rgb(line.opts["pen"]) == muted and _pen_rgb(line.opts["symbolPen"]) == bg
    start = next(i for i in lr.sweep.final_plot.getPlotItem().items if isinstance(i, pg.InfiniteLine))
    assert _pen_rgb(start.pen) == muted and len(r.lrs) == 4

    hidden = win.plots.panels["hidden"]
    assert _pen_rgb(hidden.scatter.opts["pen"]) == bg and _pen_rgb(hidden.grid_curve.opts["pen"]) == muted

    predict = win.plots.panels["predict"]
    assert predict._bar_labels, "the XOR network's output bars are labelled"
    assert {_rgb(b.color) for b in predict._bar_labels} == {ink}

    nm = win.teaching.neuron_map
    pens = {_rgb(p.color()) for p in nm.points.data["pen"]}
    brushes = {_rgb(b.color()) for b in nm.points.data["brush"]}
    assert len(nm.points.data) == 4 and pens <= {ink, bg} and brushes <= {ink, bg}
    assert _pen_rgb(nm.contour.pen) == ink and _pen_rgb(nm.line.opts["pen"]) == ink

    fresh = pg.PlotWidget()  # a plot a panel makes later
    light_grid(fresh)
    assert _pen_rgb(fresh.getAxis("left").pen()) == _hex_rgb(t.axis)
    assert _rgb(fresh.getAxis("left").textPen().color()) == _hex_rgb(t.plot_foreground)
    fresh.deleteLater()


def _item_colours(item):
    """(what, QColor) of an item's own pens, brushes and text (per-point ones too)."""
    import pyqtgraph as pg

    def drawn(v, make, none):
        """The pens or brushes ``v`` gives (per-point lists too), without empty ones."""
        if v is None:
            return []
        if isinstance(v, (list, tuple, np.ndarray)) and len(v) and not isinstance(v[0], (int, float)):
            return [p for x in v[:50] for p in drawn(x, make, none)]
        p = make(v)
        return [] if p.style() == none else [p]

    def pens(v):
        return drawn(v, pg.mkPen, pg.QtCore.Qt.PenStyle.NoPen)

    def brushes(v):
        return drawn(v, pg.mkBrush, pg.QtCore.Qt.BrushStyle.NoBrush)

    out = []
    if isinstance(item, pg.PlotDataItem):
        out += [("pen", p.color()) for p in pens(item.opts["pen"])]
        if item.opts.get("symbol") is not None:
            out += [("symbolPen", p.color()) for p in pens(item.opts["symbolPen"])]
            out += [("symbolBrush", b.color()) for b in brushes(item.opts["symbolBrush"])]
    elif isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
        out += [("pen", p.color()) for p in pens(item.opts["pen"])]
    elif isinstance(item, pg.ScatterPlotItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
        if len(item.data):
            out += [("pen", p.color()) for p in pens(item.opts["pen"])]
            out += [("point pen", p.color()) for p in pens(list(item.data["pen"]))]
    elif isinstance(item, (pg.InfiniteLine, pg.IsocurveItem)):
        out += [("pen", p.color()) for p in pens(item.pen)]
    elif isinstance(item, pg.TextItem):
        out.append(("text", item.color))
        if item.fill is not None and item.fill.style() != pg.QtCore.Qt.BrushStyle.NoBrush:
            out.append(("fill", item.fill.color()))
    return [(what, c) for what, c in out if c.alpha() > 0]


def test_no_plot_item_keeps_a_light_theme_grey(populated):
    """Greys, black and white are chrome, never data: in dark and high contrast each
    one an item draws with must be one of the theme's own (a hard-coded "k", "w",
    "#999999" or (150, 150, 150) fails here), and every text reads at 4.5:1."""
    import pyqtgraph as pg

    from widgets.common.contrast import contrast_ratio

    win, t, _r = populated
    own = {
        _hex_rgb(getattr(t, k))
        for k in ("ink", "muted", "axis", "plot_background", "plot_foreground", "text", "disabled", "window")
    }
    wrong, checked = [], 0
    for view in win.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            for what, c in _item_colours(item):
                checked += 1
                grey = max(_rgb(c)) - min(_rgb(c)) < 12
                if grey and _rgb(c) not in own:
                    wrong.append((type(view.parent()).__name__, type(item).__name__, what, c.name()))
                if what == "text" and item.isVisible():
                    back = (
                        "#%02x%02x%02x" % _rgb(item.fill.color()) if item.fill.style() else t.plot_background
                    )
                    if contrast_ratio(c.name(), back) < 4.5:
                        wrong.append((type(item).__name__, "text contrast", c.name(), back))
    assert checked > 50
    assert not wrong, "\n".join(map(str, sorted(set(wrong))))


def test_canvas_labels_buttons_and_legend_are_dark_in_a_dark_theme(themed, qtbot):
    """The layer headers' pills, the −/+ buttons and the weight legend sit on the
    theme's canvas (no light patches on a dark canvas), their text in its ink."""
    from widgets.canvas.node_item import HandleButton, Label

    win, t = themed
    cv = win.canvas
    cv.viewport().update()
    qtbot.wait(30)
    img = pixels(cv.viewport().grab().toImage()).astype(int)
    lum = _lum(img)
    back = float(_lum(np.array(_hex_rgb(t.canvas_background))))

    def region(item):
        r = item.boundingRect()
        c = cv.mapFromScene(item.scenePos())  # items drawn at screen size around their position
        x0, y0 = c.x() + int(r.left()) + 2, c.y() + int(r.top()) + 2
        return lum[y0 : y0 + int(r.height()) - 4, x0 : x0 + int(r.width()) - 4]

    items = cv.scene().items()
    for kind in (Label, HandleButton):
        shown = [i for i in items if isinstance(i, kind) and i.isVisible()]
        assert shown, kind
        for item in shown[:4]:
            patch = region(item)
            assert abs(float(np.median(patch)) - back) < 40, (kind.__name__, np.median(patch), back)
            assert np.mean(np.abs(patch - back) > 60) > 0.02, "its text or symbol reads"
    h = lum.shape[0]
    legend = lum[h - 40 : h - 14, 14:120]  # the weight legend in the bottom-left corner
    assert abs(float(np.median(legend)) - back) < 40, (np.median(legend), back)
