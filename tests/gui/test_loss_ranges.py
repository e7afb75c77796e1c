"""Loss panel ranges while training: stepped growth that keeps every point in
view, few axis regenerations, and the epoch-axis followers re-ranged one per frame."""

import numpy as np
import pyqtgraph as pg
import pytest

from model.train.history import History
from widgets.panels.loss_panel import LossPanel
from widgets.panels.loss_ranges import next_nice


def _shown_panel(qtbot, accuracy: bool) -> LossPanel:
    p = LossPanel()
    qtbot.addWidget(p)
    p.resize(900, 420)
    p.show()
    qtbot.waitExposed(p)
    p.set_accuracy_visible(accuracy)
    return p


@pytest.fixture
def panel(qtbot):
    return _shown_panel(qtbot, True)


def _epoch(h: History, e: int, acc: float = 0.6) -> None:
    loss = 0.9 * np.exp(-e / 300) + 0.02 * np.sin(e)
    rec = {
        "epoch": e,
        "train_loss": loss,
        "val_loss": loss + 0.01,
        "train_acc": acc,
        "val_acc": acc,
        "updates": 25 * e,
    }
    h.add_epoch(rec, [1.0], [1.0])


def _finish_following(p, qtbot):
    qtbot.waitUntil(lambda: not p.pending_followers(), timeout=5000)


def test_next_nice_is_the_1_2_5_sequence():
    assert [next_nice(v) for v in (1, 2, 5, 10, 20, 50, 0.2, 3, 999)] == [2, 5, 10, 20, 50, 100, 0.5, 5, 1000]


def test_ranges_grow_in_steps_and_contain_every_point(panel, qtbot):
    """Fed 2,000 epochs one at a time, the epoch axis changes only at 1-2-5 bounds
    (8 times, not 2,000) and after every epoch the last point lies inside the view."""
    p, h = panel, History(1)
    _epoch(h, 1)
    p.set_history(h)  # the first data: the view leaves its default (0, 1)
    changes = [tuple(p.plot.getPlotItem().vb.viewRange()[0])]
    p.plot.sigXRangeChanged.connect(lambda _v, r: changes.append(tuple(r)))
    for e in range(2, 2001):
        _epoch(h, e)
        p.set_history(h)
        (x0, x1), (y0, y1) = p.plot.getPlotItem().vb.viewRange()
        loss = h["train_loss"]
        assert x0 <= 0 and x1 >= e, e
        assert y0 <= loss.min() and y1 >= max(loss.max(), h["val_loss"].max()), e
    bounds = [round(r[1] / 1.02) for r in changes]  # padding 2 % each side
    assert bounds == [10, 20, 50, 100, 200, 500, 1000, 2000, 5000]  # 2,000 epochs + 2 %: 5,000


def test_the_epoch_axis_regenerates_only_when_the_range_steps(panel, qtbot, monkeypatch):
    """Painting after every 10 epochs up to 1,000: the loss plot's bottom axis
    regenerates its ticks at most once per range step, not per repaint."""
    p, h = panel, History(1)
    axis = p.plot.getAxis("bottom")
    made = []
    original = pg.AxisItem.generateDrawSpecs

    def counting(self, painter):
        if self is axis:
            made.append(len(h))
        return original(self, painter)

    monkeypatch.setattr(pg.AxisItem, "generateDrawSpecs", counting)
    _epoch(h, 1)
    p.set_history(h)
    p.grab()
    made.clear()
    steps = []
    p.plot.sigXRangeChanged.connect(lambda *_: steps.append(len(h)))
    for e in range(2, 1001):
        _epoch(h, e)
        if e % 10 == 0:
            p.set_history(h)
            p.grab()  # a real paint of the panel
    assert steps == [10, 20, 50, 100, 200, 500, 990]  # fed 10 at a time: the bounds 20 … 2000
    assert 1 <= len(made) <= len(steps) + 2, (made, steps)


def test_followers_take_the_new_range_one_per_frame(panel, qtbot):
    """When training steps the epoch range, the accuracy plot and the stability strip
    do not re-range in the same pass as the loss plot (each costs a full repaint): one
    at a time, a frame or two apart, and then all three show the same epochs."""
    p, h = panel, History(1)
    for e in range(1, 10):
        _epoch(h, e)
    p.set_history(h)
    _finish_following(p, qtbot)
    acc_vb, stab_vb = p.acc_plot.getPlotItem().vb, p.stability.plot.getPlotItem().vb
    before = acc_vb.viewRange()[0]
    for e in range(10, 41):
        _epoch(h, e)
    p.set_history(h)  # 40 epochs: the bound steps 10 -> 50
    loss_x = p.plot.getPlotItem().vb.viewRange()[0]
    assert loss_x[1] > 40 and acc_vb.viewRange()[0] == before  # not yet
    assert p.pending_followers() == [p.acc_plot, p.stability.plot]
    p._follow_next()  # the first timer shot: one follower
    assert np.allclose(acc_vb.viewRange()[0], loss_x) and not np.allclose(stab_vb.viewRange()[0], loss_x)
    _finish_following(p, qtbot)
    assert np.allclose(stab_vb.viewRange()[0], loss_x)


def test_a_follower_re_ranges_inside_a_marked_gui_frame(panel, qtbot):
    """The follower's timer re-lays out a plot's axes (1-4 ms): it is one of the GUI's
    frames on the panel's turn (begun before the new range, ended after, by a posted end)."""
    p, h = panel, History(1)
    for e in range(1, 10):
        _epoch(h, e)
    p.set_history(h)
    _finish_following(p, qtbot)
    acc_vb = p.acc_plot.getPlotItem().vb
    marks = []

    class Turn:  # duck-typed like app/gui_turn.py's GuiTurn
        def begin(self):
            marks.append(("begin", acc_vb.viewRange()[0][1]))

        def end(self):
            marks.append(("end", acc_vb.viewRange()[0][1]))

    p.turn = Turn()
    for e in range(10, 41):
        _epoch(h, e)
    p.set_history(h)
    before = acc_vb.viewRange()[0][1]
    p._follow_next()
    after = acc_vb.viewRange()[0][1]
    assert after > before and marks == [("begin", before)]  # the end is posted after the work
    qtbot.waitUntil(lambda: len(marks) >= 2, timeout=5000)
    assert marks[1] == ("end", after)
    _finish_following(p, qtbot)
    qtbot.waitUntil(lambda: len(marks) >= 4, timeout=5000)  # the last frame's posted end
    assert [m for m, _ in marks] == ["begin", "end"] * 2  # the stability strip's turn too


def test_a_pan_moves_every_plot_at_once(panel, qtbot):
    """The user's own pan or zoom is not staggered: the plots below follow at once."""
    p, h = panel, History(1)
    for e in range(1, 300):
        _epoch(h, e)
    p.set_history(h)
    _finish_following(p, qtbot)
    p.plot.setXRange(40, 90, padding=0)
    for f in (p.acc_plot, p.stability.plot):
        assert np.allclose(f.getPlotItem().vb.viewRange()[0], [40, 90])
    assert p.pending_followers() == []


def test_a_hidden_follower_is_not_queued(qtbot):
    """Regression hides the accuracy plot: it takes the range at once, only the strip waits."""
    p, h = _shown_panel(qtbot, False), History(1)
    for e in range(1, 40):
        _epoch(h, e, acc=np.nan)
    p.set_history(h)
    assert not p.acc_plot.isVisible() and p.pending_followers() == [p.stability.plot]
    assert np.allclose(p.acc_plot.getPlotItem().vb.viewRange()[0], p.plot.getPlotItem().vb.viewRange()[0])


def test_settle_applies_every_pending_range(panel):
    """Before an export (PlotsDock.refresh_all) the followers take the range at once."""
    p, h = panel, History(1)
    for e in range(1, 40):
        _epoch(h, e)
    p.set_history(h)
    assert p.pending_followers()
    p.settle()
    loss_x = p.plot.getPlotItem().vb.viewRange()[0]
    assert p.pending_followers() == []
    for f in p.followers():
        assert np.allclose(f.getPlotItem().vb.viewRange()[0], loss_x)


def test_shutting_the_plots_dock_leaves_no_follower_waiting(qtbot):
    """Closing the window (PlotsDock.shutdown) applies a pending range at once: nothing left waiting."""
    from widgets.panels.plots_dock import PlotsDock

    dock = PlotsDock()
    qtbot.addWidget(dock)
    dock.resize(900, 420)
    dock.show()
    qtbot.waitExposed(dock)
    dock.set_task("classification")
    h = History(1)
    for e in range(1, 40):
        _epoch(h, e)
    dock.set_history(h)
    p = dock.panels["loss"]
    assert p.pending_followers()
    dock.shutdown()
    assert not p.pending_followers()
    for f in p.followers():
        assert np.allclose(f.getPlotItem().vb.viewRange()[0], p.plot.getPlotItem().vb.viewRange()[0])


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_on_a_laptop_the_last_points_stay_in_view(tmp_path, size):
    """The circles window on a laptop screen trained 3 … 300 epochs (the epoch range
    steps 10 -> 20 -> 50 -> 200 -> 500): after each step the last training, validation
    and accuracy points lie inside their plots' view boxes, which keep a usable size."""
    from tests.gui.probe_common import run_probe

    m = run_probe("loss_view_probe.py", size, tmp_path)
    assert [s["epochs"] for s in m["steps"]] == [3, 15, 40, 120, 300]
    for step in m["steps"]:
        assert {k: v for k, v in step.items() if k != "epochs"} == dict.fromkeys(
            ("train", "val", "acc", "val_acc"), True
        ), step
    w, h = m["sizes"]["train"]
    assert w >= 800 and h >= 90, m["sizes"]
    assert m["sizes"]["acc"][1] >= 40, m["sizes"]
