"""Presenting widens every line, including the ones made after it started: a
learning-rate sweep run while presenting, ghost curves and event markers added
then, a pen a panel changes later, a panel opened then and an optimizer race
played then; leaving presentation gives each its own width back."""

import numpy as np
import pyqtgraph as pg

from model.analysis import sweeps
from tests.gui.qt_helpers import history_with_marks

ZOOM = 2.0


def _drawn_width(item) -> float:
    """The width a line is painted with (a PlotDataItem paints through its own curve)."""
    if isinstance(item, pg.PlotDataItem):
        return pg.mkPen(item.curve.opts["pen"]).widthF()
    if isinstance(item, pg.InfiniteLine):
        return item.pen.widthF()
    return pg.mkPen(item.opts["pen"]).widthF()


def test_lines_made_while_presenting_are_widened(win, qtbot):
    loss = win.plots.panels["loss"]
    win.classroom.zoom(ZOOM)
    try:
        win.show_panel("lr")
        lr = win.plots.panels["lr"]
        p = lr.problem
        lr.sweep.show_result(sweeps.lr_sweep(p.net, p.X, p.T, p.settings, sweeps.log_spaced(0.05, 5.0, 3), 5))
        sweep_curves = list(lr.sweep.curves)
        assert len(sweep_curves) == 3
        assert [_drawn_width(c) for c in sweep_curves] == [2 * ZOOM] * 3

        loss.set_history(history_with_marks(20, 3, {10: "lr"}), ghosts=[np.linspace(1.0, 0.2, 15)])
        marker, ghost = loss._markers[0], loss._ghosts[0]
        assert _drawn_width(marker) == 1.5 * ZOOM and _drawn_width(ghost) == 1 * ZOOM

        loss.per_update.setChecked(True)  # sets the per-update curve's pen anew
        assert _drawn_width(loss.curve("updates")) == 1 * ZOOM
        assert _drawn_width(loss.curve("smoothed")) == 2 * ZOOM

        win.show_panel("hidden")  # built while presenting
        grid = win.plots.panels["hidden"].grid_curve
        assert _drawn_width(grid) == 1 * ZOOM

        win.show_panel("optimizers")
        race = win.plots.panels["optimizers"]
        race.step(3)
        qtbot.wait(20)
        row = next(iter(race.rows.values()))
        assert _drawn_width(row.path) == 2.5 * ZOOM and _drawn_width(row.arrow) == 2 * ZOOM
        # every line of every plot in the window, whenever made, is at the zoom
        for view in win.findChildren(pg.GraphicsView):
            for item in view.scene().items():
                base = item.__dict__.get("_mlp_base_width")
                empty = isinstance(item, pg.PlotDataItem) and (item.xData is None or not len(item.xData))
                if base is not None and isinstance(item, (pg.PlotDataItem, pg.InfiniteLine)) and not empty:
                    pen = item.opts["pen"] if isinstance(item, pg.PlotDataItem) else item.pen
                    if pen is not None:
                        assert _drawn_width(item) == base * ZOOM, item
    finally:
        win.classroom.zoom(1.0)
    assert [_drawn_width(c) for c in sweep_curves] == [2.0] * 3
    assert _drawn_width(marker) == 1.5 and _drawn_width(ghost) == 1.0
    assert _drawn_width(loss.curve("updates")) == 1.0 and _drawn_width(grid) == 1.0
    assert _drawn_width(row.path) == 2.5
    race.pause()


def _text_pts(win):
    return [
        it.textItem.font().pointSizeF()
        for view in win.findChildren(pg.GraphicsView)
        for it in view.scene().items()
        if isinstance(it, pg.TextItem) and it.isVisible()
    ]


def test_plot_texts_grow_with_the_zoom_whenever_made(win, qtbot):
    """The predict panel's bar values (remade per pattern) and any plot text made
    before or while presenting are drawn at their own size times the zoom."""
    before = pg.TextItem("before")
    base = before.textItem.font().pointSizeF()
    win.show_panel("predict")
    qtbot.waitUntil(lambda: len(win.plots.panels["predict"]._bar_labels) > 0, timeout=10_000)
    plain = _text_pts(win)
    assert plain and all(p > 0 for p in plain)
    win.classroom.zoom(ZOOM)
    try:
        pred = win.plots.panels["predict"]
        zoomed = [t.textItem.font().pointSizeF() for t in pred._bar_labels]
        assert zoomed == [plain[0] * ZOOM] * len(zoomed)
        old = list(pred._bar_labels)
        pred.set_text(next(iter(pred.fields)), "1")  # the bars and their labels are made anew
        pred.predict()
        assert pred._bar_labels and pred._bar_labels[0] is not old[0]
        assert all(t.textItem.font().pointSizeF() == plain[0] * ZOOM for t in pred._bar_labels)
        after = pg.TextItem("after")
        assert after.textItem.font().pointSizeF() == base * ZOOM
    finally:
        win.classroom.zoom(1.0)
    assert all(t.textItem.font().pointSizeF() == plain[0] for t in win.plots.panels["predict"]._bar_labels)
