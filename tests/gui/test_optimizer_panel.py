"""Optimizer trajectories panel, driven the way a person would."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from model.analysis.race import DEFAULT_LR
from model.analysis.surfaces import get_surface
from model.nn.network import Network, NetworkSpec
from widgets.panels.optimizer_panel import NET_DIRS, NET_SLICE, OptimizerPanel, contour_segments


@pytest.fixture
def panel(qtbot):
    p = OptimizerPanel()
    qtbot.addWidget(p)
    p.resize(1200, 600)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.pause()


def xor_net():
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], loss="mse", seed=1))
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    T = np.array([[0], [1], [1], [0]], float)
    return net, X, T


def test_renders_with_axis_labels_and_is_not_blank(panel):
    assert panel.surface.name == "bowl"
    assert panel.plot.getAxis("bottom").labelText == "w₁"
    assert panel.plot.getAxis("left").labelText == "w₂"
    panel.set_surface("rosenbrock")
    assert panel.plot.getAxis("bottom").labelText == "x"
    assert panel.grid_ready
    img = panel.plot.grab().toImage()
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 50  # a filled contour plot, not a blank canvas


def view_pixel(panel, x, y):
    vb = panel.plot.getViewBox()
    return panel.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))


def test_click_on_the_surface_sets_the_start(panel, qtbot):
    panel.step(5)
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton, pos=view_pixel(panel, 0.5, -1.5))
    sx, sy = panel.race.start
    x0, x1 = panel.surface.extent[:2]
    tol = 2 * (x1 - x0) / panel.plot.getViewBox().width()  # two pixels
    assert sx == pytest.approx(0.5, abs=tol) and sy == pytest.approx(-1.5, abs=tol)
    assert panel.race.steps == 0
    assert all(np.allclose(p, [[sx, sy]]) for p in panel.race.paths.values())


def test_play_advances_paths_and_pause_stops(panel, qtbot):
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.playing
    qtbot.waitUntil(lambda: panel.race.steps >= 12, timeout=20_000)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert not panel.playing
    n = panel.race.steps
    assert all(len(p) == n + 1 for p in panel.race.paths.values())
    x, y = panel.rows["adam"].path.getData()
    np.testing.assert_array_equal(x, panel.race.paths["adam"][:, 0])
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    assert panel.race.steps == n + 1
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert panel.race.steps == 0 and panel.race.start == get_surface("bowl").start


def test_state_table_shows_race_state(panel, qtbot):
    panel.step(7)
    assert not panel.table.isVisible()
    qtbot.mouseClick(panel.state_toggle, Qt.MouseButton.LeftButton)
    assert panel.table.isVisible()
    seen = set()
    for r in range(panel.table.rowCount()):
        name, key = panel.table.item(r, 1).data(Qt.ItemDataRole.UserRole)
        shown = [float(panel.table.item(r, c).text()) for c in (2, 3)]
        want = {"position": panel.race.position(name), "gradient": panel.race.gradient(name)}.get(key)
        if want is None:
            want = panel.race.state(name)[key]
        np.testing.assert_allclose(shown, want, rtol=1e-5, atol=1e-12)
        seen.add((name, key))
    assert {
        ("momentum", "velocity"),
        ("adagrad", "sum_sq"),
        ("rmsprop", "square_avg"),
        ("adam", "m"),
        ("adam", "v"),
        ("adam", "effective_step"),
    } <= seen


def test_racer_controls_rebuild_the_race(panel):
    assert panel.race.optimizer("sgd").lr == DEFAULT_LR["bowl"]["sgd"]
    panel.step(3)
    panel.rows["sgd"].lr.setValue(0.5)
    assert panel.race.optimizer("sgd").lr == 0.5 and panel.race.steps == 0
    panel.rows["momentum"].hyper.setValue(0.5)
    assert panel.race.optimizer("momentum").hyper["momentum"] == 0.5
    panel.rows["adagrad"].check.setChecked(False)
    assert "adagrad" not in panel.race.names
    assert not panel.rows["adagrad"].path.isVisible()
    panel.rows["sgd"].lr.setValue(3 * get_surface("bowl").lr_critical)
    panel.step(200)
    assert panel.race.diverged("sgd") and "✗" in panel.rows["sgd"].status.text()


def test_network_surfaces_in_background_and_live_path(panel, qtbot):
    net, X, T = xor_net()
    before = [W.copy() for W in net.weights]
    with pytest.raises(ValueError):
        panel.set_surface(NET_SLICE)  # disabled until a network is set
    panel.set_network(net, X, T)
    panel.set_chosen_weights((0, 1, 2), (1, 3, 0))
    panel.set_surface(NET_SLICE)
    qtbot.waitUntil(lambda: panel.grid_ready, timeout=10000)
    assert panel.plot.getAxis("bottom").labelText == "W1[1,2]"
    assert panel.plot.getAxis("left").labelText == "W2[3,0]"
    assert panel.image.image is not None and panel.progress.text() == ""
    panel.step(20)
    for W, W0 in zip(net.weights, before):
        np.testing.assert_array_equal(W, W0)  # the caller's network is never touched
    for k in range(3):  # "training" moves the network
        net.weights[0][1, 2] += 0.1
        net.weights[1][3, 0] -= 0.05
        panel.set_live_weights(net.weights)
    pts = panel.live_points
    assert pts.shape == (3, 2)
    np.testing.assert_allclose(pts[-1], [net.weights[0][1, 2], net.weights[1][3, 0]])
    assert panel.live_path.isVisible()
    panel.set_surface(NET_DIRS)
    qtbot.waitUntil(lambda: panel.grid_ready, timeout=10000)
    assert panel.plot.getAxis("bottom").labelText.startswith("α")
    panel.set_live_weights(net.weights)
    assert panel.live_points.shape == (1, 2)
    panel.set_surface("saddle")
    assert not panel.live_path.isVisible()


def test_contour_segments_lie_on_the_level():
    xs, ys = np.linspace(-2, 2, 41), np.linspace(-2, 2, 41)
    X, Y = np.meshgrid(xs, ys)
    px, py = contour_segments(xs, ys, X**2 + Y**2, [1.0])
    assert len(px) % 2 == 0 and len(px) > 40
    np.testing.assert_allclose(np.hypot(px, py), 1.0, atol=0.01)
    qx, qy = contour_segments(xs, ys, X * Y, [0.0001])  # saddle cells near the origin
    assert np.all(np.abs(qx * qy - 0.0001) < 0.01)


def test_bowl_batch_size_makes_sgd_zig_zag_around_the_batch_path(qtbot):
    from widgets.panels.optimizer_panel import OptimizerPanel

    p = OptimizerPanel()
    qtbot.addWidget(p)
    p.set_surface("bowl")
    assert p.batch.isVisibleTo(p) and p.race.batch_path is None
    p.batch.setValue(1)
    p.step(20)
    bp = p.race.batch_path
    assert bp is not None and len(bp) == 21
    xs, ys = p.batch_path.getData()
    assert len(xs) == 21
    sgd = p.race.paths["sgd"]
    assert np.abs(sgd - bp).max() > 1e-3  # online learning leaves the steepest-descent path
    p.play_button.setChecked(True)
    assert p.play_button.text() == "Pause" and not p.play_button.icon().isNull()
    p.play_button.setChecked(False)
    p.set_surface("rosenbrock")
    assert not p.batch.isVisibleTo(p) and p.race.batch_path is None
    p.pause()


def test_batch_one_racer_converges_with_the_panels_defaults(qtbot):
    p = OptimizerPanel()
    qtbot.addWidget(p)
    p.set_surface("bowl")
    assert p.rows["sgd"].lr.value() == pytest.approx(1.3)
    p.batch.setValue(1)
    assert p.rows["sgd"].lr.value() == pytest.approx(1 / 3.4, abs=1e-5)
    p.step(400)
    assert not p.race.diverged("sgd")
    assert p.race.losses["sgd"][-1] < 1e-4 * p.race.losses["sgd"][0]
    assert p.rows["sgd"].status.text().startswith("E = ")
    p.batch.setValue(0)  # exact gradients again: the table's η
    assert p.rows["sgd"].lr.value() == pytest.approx(1.3)


def test_chord_mode_two_clicks_draw_the_chord_above_the_bowl(panel, qtbot):
    panel.set_surface("bowl")
    start = panel.race.start
    cv = panel.convexity
    assert not cv.profile.isVisibleTo(panel)
    qtbot.mouseClick(cv.button, Qt.MouseButton.LeftButton)
    assert cv.active and cv.profile.isVisibleTo(panel)
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton, pos=view_pixel(panel, 3.0, 1.0))
    assert cv.result is None and "end point b" in cv.summary.text()
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton, pos=view_pixel(panel, -1.0, -2.5))
    assert panel.race.start == start  # chord clicks do not restart the race
    c = cv.result
    tol = 2 * 6.0 / panel.plot.getViewBox().width()
    assert c.a == pytest.approx((3.0, 1.0), abs=tol) and c.b == pytest.approx((-1.0, -2.5), abs=tol)
    xs, ys = cv.segment.getData()
    np.testing.assert_allclose(np.c_[xs, ys], [c.a, c.b])
    lam, E = cv.surface_curve.getData()
    _, line = cv.chord_curve.getData()
    np.testing.assert_allclose(E, c.surface)
    assert np.all(line - E >= -1e-12) and (line - E)[50] > 0.1  # the chord lies above
    assert "lies above" in cv.summary.text()
    # a new surface clears it; leaving chord mode, clicks restart the race again
    panel.set_surface("rosenbrock")
    assert cv.result is None and len(cv.segment.getData()[0] or []) == 0
    qtbot.mouseClick(cv.button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton, pos=view_pixel(panel, 0.5, 1.0))
    assert panel.race.start != get_surface("rosenbrock").start


def test_the_race_panel_fits_a_laptops_plots_dock_without_sideways_scrolling(panel):
    from PySide6.QtWidgets import QWidget

    body = panel.findChild(QWidget, "panel_body")
    assert body.minimumSizeHint().width() <= 560  # was 944: one row of every control
    assert panel.play_button.y() < panel.speed.y()  # Play first, on the top row
