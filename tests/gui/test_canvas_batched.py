"""The canvas's batched renderer: one node layer, edges in a device-pixel cache.

Pixels: the batched picture equals the per-item one (each node painting
itself, the edges drawn straight onto the device) at sampled node centres, on
edges and along a wave's front. Work: what a repaint redraws is counted
(node-layer paints, edge rasterisations), never timed."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter

from model.nn.network import Network, NetworkSpec
from model.nn.probe import probe
from widgets.canvas.dropout_marks import mark_dropped
from widgets.canvas.edge_raster import DeviceCache
from widgets.canvas.network_canvas import NetworkCanvas
from widgets.canvas.wave_animator import WaveAnimator

SIZES, ACTS = [2, 4, 3, 1], ["tanh", "tanh", "sigmoid"]
BIG = [2, 64, 64, 64, 1]


def _net(sizes, seed=0):
    acts = ["tanh"] * (len(sizes) - 2) + ["sigmoid"]
    return Network(NetworkSpec(sizes, acts, seed=seed)), acts


def _shown(qtbot, sizes, w, h) -> NetworkCanvas:
    net, acts = _net(sizes)
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(w, h)
    c.set_network(sizes, acts, net.weights, net.biases)
    c.show()
    qtbot.waitExposed(c)
    c.viewport().repaint()
    c.test_net = net
    return c


@pytest.fixture
def small(qtbot):
    return _shown(qtbot, SIZES, 900, 600)


def _rgb(c: NetworkCanvas) -> np.ndarray:
    """The whole view rendered to a QImage, (h, w, 3) int."""
    w, h = c.viewport().width(), c.viewport().height()
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(0xFFFFFFFF)
    p = QPainter(img)
    c.render(p, QRectF(0, 0, w, h), c.viewport().rect())
    p.end()
    a = np.frombuffer(img.constBits(), np.uint8).reshape(h, img.bytesPerLine())[:, : 4 * w]
    return a.reshape(h, w, 4)[:, :, 2::-1].astype(int)


def _per_item_rgb(c: NetworkCanvas, monkeypatch) -> np.ndarray:
    """The previous renderer's picture: nodes paint themselves, edges drawn directly."""
    nodes = c.node_layer.nodes
    with monkeypatch.context() as m:
        m.setattr(DeviceCache, "MAX_PIXELS", 0)  # every device too big to cache: direct drawing
        c.node_layer.release_nodes()
        old = _rgb(c)
    c.node_layer.set_nodes(nodes)
    return old


def _px(c: NetworkCanvas, scene_point: QPointF) -> tuple[int, int]:
    q = c.mapFromScene(scene_point)
    return q.y(), q.x()


def _edge_points(c: NetworkCanvas, edges) -> list[tuple[int, int]]:
    """Viewport pixels a third of the way along each edge (away from nodes and crossings)."""
    seg = c.edge_layer.segments
    return [_px(c, QPointF(*(seg[e, :2] + (seg[e, 2:] - seg[e, :2]) / 3))) for e in edges]


def test_batched_picture_equals_the_per_item_one(small, monkeypatch):
    rng = np.random.default_rng(1)
    small.set_node_values([rng.standard_normal(n) for n in SIZES])
    mark_dropped(small, [np.array([False, True, False, False]), np.array([False, False, False])])
    small.select_node(2, 0)
    new, old = _rgb(small), _per_item_rgb(small, monkeypatch)
    # antialiased edges composited through the cache may round differently by a level
    assert np.abs(new - old).max() <= 3
    assert (np.abs(new - old).max(axis=-1) > 0).mean() < 0.002
    for (l, i), node in ((k, small.node_item(*k)) for k in [(0, 0), (1, 1), (1, 2), (2, 0), (3, 0)]):
        y, x = _px(small, node.scenePos() + QPointF(0, 6))  # inside, below the value's text
        assert tuple(new[y, x]) == tuple(old[y, x]), (l, i)
        assert tuple(new[y, x]) != (251, 251, 252)  # a node is there, not the background
    for y, x in _edge_points(small, range(small.edge_layer.n_edges)):
        assert np.abs(new[y, x] - old[y, x]).max() <= 3


def test_wave_front_looks_as_before(small, monkeypatch):
    """The forward front's edges carry the activity colours, the pairs ahead are
    pale, exactly as the per-item renderer drew them."""
    net = small.test_net
    anim = WaveAnimator(speed=1.0)
    anim.attach(small)
    anim.set_probe(probe(net, [0.8, -0.6], [1.0]))
    anim.tick(0.0)
    anim.tick(anim.layer_seconds)  # front on pair 1 (hidden 1 → hidden 2)
    assert (anim.phase, anim.front_layer) == ("forward", 1)
    new, old = _rgb(small), _per_item_rgb(small, monkeypatch)
    front = range(2 * 4, 2 * 4 + 4 * 3)
    ahead = range(2 * 4 + 4 * 3, small.edge_layer.n_edges)
    for y, x in _edge_points(small, front):
        assert np.abs(new[y, x] - old[y, x]).max() <= 3
    r, g, b = np.array([new[y, x] for y, x in _edge_points(small, front)]).T
    assert ((g - b > 30) & (g > r - 40)).sum() >= 6  # green → yellow activity, on most front edges
    for y, x in _edge_points(small, ahead):
        assert np.abs(new[y, x] - old[y, x]).max() <= 3
    anim.stop()


def test_nodes_paint_in_one_call_and_stay_clickable(small, qtbot):
    layer = small.node_layer
    assert len(layer.nodes) == sum(SIZES)
    assert all(n.flags() & n.GraphicsItemFlag.ItemHasNoContents for n in layer.nodes)
    before = layer.paints
    small.viewport().repaint()
    assert layer.paints == before + 1
    node = small.node_item(1, 2)
    assert small.hit_at(small.mapFromScene(node.scenePos())) == ("node", 1, 2)


@pytest.fixture
def big(qtbot):
    return _shown(qtbot, BIG, 1400, 900)


def _waving(c: NetworkCanvas) -> WaveAnimator:
    """An animator on ``c`` at its first front (painted), driven by tick() only."""
    anim = WaveAnimator(speed=1.0)
    anim.attach(c)
    anim.set_probe(probe(c.test_net, [0.3, -0.2], [1.0]))
    anim.tick(0.0)
    c.viewport().repaint()
    return anim


def test_node_and_selection_changes_rasterise_no_edges(big):
    el, layer = big.edge_layer, big.node_layer
    r0, p0 = el.rasters, layer.paints
    big.viewport().repaint()  # nothing changed: a blit
    rng = np.random.default_rng(0)
    big.set_node_values([rng.standard_normal(n) for n in BIG])
    big.viewport().repaint()
    big.select_node(2, 5)
    big.viewport().repaint()
    big.select_edge(1, 3, 4)  # the highlight is drawn over the cache
    big.viewport().repaint()
    assert el.rasters == r0
    assert layer.paints == p0 + 4


def test_training_step_inside_the_bins_redraws_nothing(big, qtbot):
    """Weights moving by a training step leave every edge in its bin: no repaint
    is even scheduled; a change that moves bins rasterises the edges once."""
    el, layer = big.edge_layer, big.node_layer
    W = [w.copy() for w in big.test_net.weights]
    B = big.test_net.biases
    r0, p0 = el.rasters, layer.paints
    assert el.set_values(el.values, "weight") is False
    big.set_weights([w * (1 + 1e-9) for w in W], B)
    qtbot.wait(20)  # any repaint scheduled would run here
    assert (el.rasters, layer.paints) == (r0, p0)
    big.set_weights([-w for w in W], B)
    big.viewport().repaint()
    big.viewport().repaint()
    assert el.rasters == r0 + 1


def test_a_wave_front_change_draws_the_prepared_picture_once(big):
    """Between fronts the waves repaint nothing; the frame after a front bins
    the next front, and when the front moves its picture is that one (finished
    on demand when no frame in between rasterised it), drawn once however often
    the view repaints."""
    el, anim = big.edge_layer, _waving(big)
    r0, p0, calls = el.rasters, el.prepared, anim.overlay_calls
    anim.tick(anim.layer_seconds / 4)  # same front: no overlay, nothing redrawn; the next one is binned
    big.viewport().repaint()
    assert (el.rasters, el.prepared, anim.overlay_calls) == (r0, p0, calls)
    anim.tick(anim.layer_seconds)  # next front
    big.viewport().repaint()
    big.viewport().repaint()
    assert anim.overlay_calls == calls + 1
    assert (el.rasters, el.prepared) == (r0, p0 + 1)


def test_next_front_is_rasterised_ahead_and_swapped_in(big, monkeypatch):
    """Between fronts the animator rasterises the next front's picture in slices;
    through a whole cycle (and the next cycle's first front, with a newer
    record) no front is rasterised while painting, and each swapped-in picture
    is the one the per-item renderer draws."""
    el, anim = big.edge_layer, _waving(big)
    r0, p0 = el.rasters, el.prepared
    fronts = []
    for k in range(2 * 4 * 8 + 1):  # 8 ticks per front, two waves of 4 pairs, then the next cycle
        if k == 20:
            anim.set_probe(probe(big.test_net, [-0.4, 0.5], [0.0]))
        shown = anim._shown
        anim.tick(anim.layer_seconds / 8)
        big.viewport().repaint()
        if anim._shown != shown:
            fronts.append(anim._shown)
            if len(fronts) in (3, 8):  # a forward front, and the new cycle's first front
                new, old = _rgb(big), _per_item_rgb(big, monkeypatch)
                assert np.abs(new - old).max() <= 2
    assert fronts[:4] == [("forward", 1), ("forward", 2), ("forward", 3), ("backward", 3)]
    assert fronts[-1] == ("forward", 0) and len(fronts) == 8
    assert el.rasters == r0 + 2  # only the two per-item comparisons drew directly
    assert el.prepared - p0 >= 8
