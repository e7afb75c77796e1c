"""WaveAnimator: forward and backward waves along the canvas edges, driven by
tick() directly (no real-time waits)."""

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from qt_helpers import scene_rgb

from model.nn.network import Network, NetworkSpec
from model.nn.probe import probe
from widgets.canvas.network_canvas import NetworkCanvas
from widgets.canvas.node_item import NEUTRAL_FILL, NODE_RADIUS
from widgets.canvas.wave_animator import (
    DELTA_COLOURS,
    DELTA_SHADES,
    TRAIL,
    WaveAnimator,
    delta_colour,
    delta_shades,
)

SIZES, ACTS = [2, 3, 1], ["tanh", "sigmoid"]
W = [np.array([[0.9, -0.8, 0.5], [-0.7, 0.6, 1.0]]), np.array([[1.0], [-0.9], [0.4]])]
B = [np.array([0.1, -0.2, 0.3]), np.array([0.05])]
N0 = 6  # edges of layer pair 0; pair 1 follows in edge order


@pytest.fixture
def net():
    return Network(NetworkSpec(SIZES, ACTS, seed=0), W, B)


@pytest.fixture
def rec(net):
    return probe(net, [0.8, -0.6], [1.0])


@pytest.fixture
def canvas(qtbot, net):
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.set_network(SIZES, ACTS, net.weights, net.biases)
    c.show()
    qtbot.waitExposed(c)
    return c


@pytest.fixture
def anim(canvas, rec):
    a = WaveAnimator(speed=1.0)
    a.attach(canvas)
    a.set_probe(rec)
    yield a
    a.stop()


def _green_purple(rgb) -> tuple[int, int]:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    green_yellow = (g - b > 30) & (g > r - 40)  # #2ca25f … #e0b800
    purple = (b - g > 30) & (r - g > 30)  # … #8e24aa
    return int(green_yellow.sum()), int(purple.sum())


def test_forward_wave_walks_input_to_output_with_contributions(anim, canvas, rec):
    anim.tick(0.0)
    assert (anim.phase, anim.front_layer) == ("forward", 0)
    el = canvas.edge_layer
    assert el.mode == "forward"
    np.testing.assert_allclose(el.values[:N0], np.abs(rec.contrib[0]).ravel())
    np.testing.assert_array_equal(el.values[N0:], 0.0)  # not reached yet
    # the output node is blank until the wave gets there
    assert canvas.node_item(2, 0).brush().color() == NEUTRAL_FILL
    anim.tick(anim.layer_seconds)
    assert (anim.phase, anim.front_layer) == ("forward", 1)
    np.testing.assert_allclose(el.values[N0:], np.abs(rec.contrib[1]).ravel())
    assert 0 < el.values[:N0].max() < np.abs(rec.contrib[0]).max()  # dimmed trail
    assert canvas.node_item(2, 0).value == pytest.approx(rec.V[2][0])


def test_backward_wave_walks_output_to_input_with_gradients(anim, canvas, rec):
    anim.tick(0.0)
    anim.tick(2 * anim.layer_seconds)  # the forward wave of 2 pairs is over
    assert (anim.phase, anim.front_layer) == ("backward", 1)
    el = canvas.edge_layer
    assert el.mode == "backward"
    np.testing.assert_allclose(el.values[N0:], np.abs(rec.grad_W[1]).ravel())
    np.testing.assert_array_equal(el.values[:N0], 0.0)
    anim.tick(anim.layer_seconds)
    assert (anim.phase, anim.front_layer) == ("backward", 0)
    np.testing.assert_allclose(el.values[:N0], np.abs(rec.grad_W[0]).ravel())
    assert canvas.node_item(1, 0).text() != ""  # δ written on the hidden nodes
    anim.tick(anim.layer_seconds)
    assert (anim.phase, anim.front_layer) == ("forward", 0)  # and it repeats


def test_overlay_is_pushed_only_when_the_front_moves(anim):
    anim.tick(0.0)
    calls = anim.overlay_calls
    for _ in range(5):
        anim.tick(anim.layer_seconds / 10)
    assert anim.frame_count == 6 and anim.overlay_calls == calls == 1
    anim.tick(anim.layer_seconds / 2)
    assert anim.front_layer == 1 and anim.overlay_calls == 2


def test_frame_steps_take_a_whole_cycle_at_the_set_speed(canvas, rec):
    a = WaveAnimator(speed=2.0)  # 2 waves/s: one cycle (forward + backward) per second
    a.attach(canvas)
    a.set_probe(rec)
    seen = []
    for _ in range(30):  # 30 frames at the default 1/30 s
        a.tick()
        if not seen or seen[-1] != (a.phase, a.front_layer):
            seen.append((a.phase, a.front_layer))
    assert seen == [("forward", 0), ("forward", 1), ("backward", 1), ("backward", 0)]
    a.tick()
    assert (a.phase, a.front_layer) == ("forward", 0)


def test_newest_record_is_taken_at_the_next_forward_wave(anim, canvas, net, rec):
    anim.tick(0.0)
    newer = probe(net, [-0.5, 0.9], [0.0])
    anim.set_probe(newer)
    anim.tick(anim.layer_seconds)
    assert anim.record is rec  # the running cycle keeps its record
    anim.tick(3 * anim.layer_seconds)  # back to forward, pair 0
    assert anim.record is newer
    np.testing.assert_allclose(canvas.edge_layer.values[:N0], np.abs(newer.contrib[0]).ravel())


def test_waves_show_different_hues(anim, canvas):
    anim.tick(0.0)
    anim.tick(anim.layer_seconds)  # forward front at the output: both pairs coloured
    green_f, purple_f = _green_purple(scene_rgb(canvas))
    anim.tick(anim.layer_seconds)  # backward front at pair 1
    anim.tick(anim.layer_seconds)  # ... and at pair 0
    green_b, purple_b = _green_purple(scene_rgb(canvas))
    assert green_f > 200 and green_f > 5 * purple_f
    assert purple_b > 200 and purple_b > 5 * green_b


def test_disable_clears_the_overlay_and_restores_activations(anim, canvas, rec):
    anim.set_enabled(True)
    assert anim.running
    anim.tick(0.0)
    anim.tick(2 * anim.layer_seconds)
    assert canvas.edge_layer.mode == "backward"
    anim.set_enabled(False)
    assert not anim.running and not anim.enabled
    assert canvas.edge_layer.mode == "weight"
    assert canvas.node_item(2, 0).value == pytest.approx(rec.V[2][0])
    assert canvas.node_item(1, 0).text() == f"{rec.V[1][0]:.2f}"


def test_timer_drives_ticks(qtbot, anim):
    anim.set_enabled(True)
    qtbot.waitUntil(lambda: anim.frame_count >= 2, timeout=20_000)
    assert anim.front_layer >= 0


def test_no_record_or_other_topology_does_nothing(qtbot, canvas, net):
    a = WaveAnimator()
    a.attach(canvas)
    a.tick()
    assert a.front_layer == -1 and a.overlay_calls == 0
    other = Network(NetworkSpec([2, 4, 1], ACTS, seed=0))
    a.set_probe(probe(other, [0.1, 0.2], [1.0]))
    a.tick()
    assert a.front_layer == -1 and canvas.edge_layer.mode == "weight"
    with pytest.raises(ValueError):
        a.set_speed(0)


def test_dense_network_front_fills_the_level_of_detail(qtbot):
    sizes, acts = [2, 64, 64, 1], ["tanh", "tanh", "sigmoid"]
    net = Network(NetworkSpec(sizes, acts, seed=1))
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.set_network(sizes, acts, net.weights, net.biases)
    a = WaveAnimator()
    a.attach(c)
    a.set_probe(probe(net, [0.3, -0.2], [1.0]))
    a.tick(0.0)
    a.tick(a.layer_seconds)  # front at the 64×64 pair
    el = c.edge_layer
    assert el.lod_active and el.n_drawn == 3000
    first = 2 * 64
    drawn = el.drawn_indices
    assert ((drawn >= first) & (drawn < first + 64 * 64)).all()  # all drawn edges are the front's


def _canvas_rgb(c: NetworkCanvas, scene_point) -> tuple[int, int, int]:
    """Colour of the canvas pixel showing ``scene_point`` (view rendered to a QImage)."""
    w, h = c.viewport().width(), c.viewport().height()
    img = QImage(w, h, QImage.Format.Format_RGB32)
    p = QPainter(img)
    c.render(p, QRectF(0, 0, w, h), c.viewport().rect())
    p.end()
    q = c.mapFromScene(scene_point)
    col = img.pixelColor(q.x(), q.y())
    return col.red(), col.green(), col.blue()


def test_dense_network_wave_travels_as_layer_bands(qtbot):
    from PySide6.QtCore import QPointF

    from widgets.canvas.node_item import NODE_RADIUS

    sizes, acts = [64, 64, 64, 64, 1], ["tanh"] * 3 + ["sigmoid"]
    net = Network(NetworkSpec(sizes, acts, seed=2))
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.set_network(sizes, acts, net.weights, net.biases)
    c.show()
    qtbot.waitExposed(c)
    a = WaveAnimator()
    a.attach(c)
    a.set_probe(probe(net, np.linspace(-1, 1, 64), [1.0]))
    a.tick(0.0)
    a.tick(a.layer_seconds)
    assert (a.phase, a.front_layer) == ("forward", 1)
    el = c.edge_layer
    assert el.lod_active and el.band_mode == "forward"
    assert el.band_strengths == [TRAIL, 1.0, 0.0, 0.0]
    # at zoom 1, half a node radius above the top edge of pair 1 (no edge there)
    c.resetTransform()
    top = c.node_item(1, 0).y() - NODE_RADIUS / 2
    x = [c.node_item(l, 0).x() for l in range(4)]
    front = QPointF((x[1] + x[2]) / 2, top)
    c.centerOn(front)
    r, g, b = _canvas_rgb(c, front)
    assert g - b > 30 and g > r - 40  # forward palette (green … yellow)
    ahead = QPointF((x[2] + x[3]) / 2, top)
    c.centerOn(ahead)
    assert _canvas_rgb(c, ahead) == (0xFB, 0xFB, 0xFC)  # pairs ahead: background
    a.tick(3 * a.layer_seconds)  # backward wave, front at pair 3
    assert el.band_mode == "backward" and el.band_strengths == [0.0, 0.0, 0.0, 1.0]
    a.stop()
    assert el.band_strengths is None


def test_small_network_sets_no_bands(anim, canvas):
    anim.tick(0.0)
    anim.tick(anim.layer_seconds)
    assert not canvas.edge_layer.lod_active and canvas.edge_layer.band_strengths is None


def test_no_wave_work_while_the_canvas_cannot_be_seen(qtbot, canvas, rec):
    """Timer frames while the canvas is hidden show no front and prepare none
    (counted calls, the timer's signal emitted by hand: nothing timed)."""
    c = canvas
    a = WaveAnimator()
    a.attach(c)
    a.set_probe(rec)
    steps = []
    real_step = c.edge_layer.prepare_step
    c.edge_layer.prepare_step = lambda *x: (steps.append(1), real_step(*x))[1]
    for _ in range(30):  # shown: a second of frames shows fronts and prepares the next ones
        a._timer.timeout.emit()
    assert a.frame_count == 30 and a.overlay_calls >= 2 and steps
    shown = (a.frame_count, a.overlay_calls, len(steps), c.edge_layer.prepared, a.front_layer, a.phase)
    c.hide()
    for _ in range(90):
        a._timer.timeout.emit()
    assert a.hidden_frames == 90
    assert (
        a.frame_count,
        a.overlay_calls,
        len(steps),
        c.edge_layer.prepared,
        a.front_layer,
        a.phase,
    ) == shown
    c.show()
    qtbot.waitExposed(c)
    a._timer.timeout.emit()
    assert a.frame_count == shown[0] + 1  # the wave goes on from where it was
    a.tick(0.05)  # a caller's own tick (a recording, a screenshot) always runs
    assert a.frame_count == shown[0] + 2


def test_backward_front_shades_each_reached_node_by_its_delta(anim, canvas, rec):
    anim.tick(0.0)
    anim.tick(2 * anim.layer_seconds)  # backward, front at pair 1: layers 1 and 2 reached
    legible = 2 * NODE_RADIUS * canvas.transform().m11() >= 18
    for l in (1, 2):
        for i, x in enumerate(rec.deltas[l - 1]):
            node = canvas.node_item(l, i)
            assert node.brush().color() == delta_colour(abs(x) / anim._dmax)
            assert node.text() == (f"{x:.2f}" if abs(x) >= 0.01 or x == 0 else f"{x:.0e}") if legible else ""
    assert canvas.node_item(0, 0).brush().color() == NEUTRAL_FILL and canvas.node_item(0, 0).text() == ""


def test_delta_shades_match_delta_colour_elementwise():
    t = np.array([0.0, 1e-9, 0.5 / DELTA_SHADES, 1.5 / DELTA_SHADES, 0.31, 0.5, 0.999, 1.0, 3.0, -0.4])
    got = [DELTA_COLOURS[k] for k in delta_shades(t)]
    assert got == [delta_colour(abs(v)) for v in t]
    assert DELTA_COLOURS[int(delta_shades(np.array([np.nan]))[0])] == DELTA_COLOURS[0]  # NaN: white
