"""Network canvas: pure layout, edge batching, picking, requests, pixels."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from qt_helpers import scene_rgb

from widgets.canvas import canvas_layout as lay
from widgets.canvas.edge_layer import EdgeLayer
from widgets.canvas.network_canvas import NetworkCanvas

SIZES, ACTS = [2, 3, 1], ["tanh", "sigmoid"]
W_MIXED = [np.array([[0.9, -0.8, 0.5], [-0.7, 0.6, 1.0]]), np.array([[1.0], [-0.9], [0.4]])]
B = [np.array([0.1, -0.2, 0.3]), np.array([0.05])]


# ------------------------------------------------------------------ layout
def test_positions_are_columns_centred_vertically():
    pos = lay.node_positions([2, 3, 1], layer_gap=100.0, node_gap=40.0)
    assert [p.shape for p in pos] == [(2, 2), (3, 2), (1, 2)]
    np.testing.assert_allclose(pos[0], [[0, -20], [0, 20]])
    np.testing.assert_allclose(pos[1], [[100, -40], [100, 0], [100, 40]])
    np.testing.assert_allclose(pos[2], [[200, 0]])


def test_edges_count_and_order_match_weight_matrices():
    sizes = [3, 4, 2, 5]
    seg, l, i, j = lay.edge_segments(lay.node_positions(sizes))
    assert len(seg) == sum(a * b for a, b in zip(sizes, sizes[1:])) == len(l)
    expected = [(a, b, c) for a in range(3) for b in range(sizes[a]) for c in range(sizes[a + 1])]
    assert list(zip(l.tolist(), i.tolist(), j.tolist())) == expected
    pos = lay.node_positions(sizes)
    k = expected.index((1, 2, 1))
    np.testing.assert_allclose(seg[k], [*pos[1][2], *pos[2][1]])
    W = [np.arange(a * b).reshape(a, b) + 100 * n for n, (a, b) in enumerate(zip(sizes, sizes[1:]))]
    flat = lay.edge_order_values(W)
    assert flat[k] == W[1][2, 1]


def test_wide_layer_is_compressed_with_real_indices():
    vis = lay.visible_node_indices(100, max_visible=8)
    np.testing.assert_array_equal(vis, [0, 1, 2, 3, 97, 98, 99])
    pos = lay.node_positions([100, 2], max_visible=8, node_gap=10.0)
    assert pos[0].shape == (7, 2)
    marks = lay.ellipsis_positions([100, 2], max_visible=8, node_gap=10.0)
    x, y, hidden = marks[0]
    assert hidden == 93 and marks[1] is None
    assert pos[0][3, 1] < y < pos[0][4, 1]  # the marker sits in the gap
    _, l, i, j = lay.edge_segments(pos, [vis, np.arange(2)])
    assert len(i) == 14 and i.max() == 99


# -------------------------------------------------------------- edge layer
def _distance(s, p):
    a, d = s[:2], s[2:] - s[:2]
    t = np.clip(np.dot(p - a, d) / np.dot(d, d), 0, 1)
    return float(np.hypot(*(a + t * d - p)))


def test_edge_at_finds_edge_on_its_midpoint_and_nothing_far_away():
    seg, *_ = lay.edge_segments(lay.node_positions(SIZES))
    el = EdgeLayer()
    el.set_geometry(seg)
    v = np.linspace(-1, 1, len(seg)) + 0.01
    el.set_values(v)
    mids = (seg[:, :2] + seg[:, 2:]) / 2
    for k in range(len(seg)):
        # another edge may cross exactly here: then the stronger one wins
        through = [e for e in range(len(seg)) if _distance(seg[e], mids[k]) < 1e-9]
        expected = max(through, key=lambda e: abs(v[e]))
        assert el.edge_at(QPointF(*mids[k]), 2.0) == expected
    k = 8  # hidden node 2 → output: crossed by no other edge at its midpoint
    assert el.edge_at(QPointF(*mids[k]), 2.0) == k
    assert el.edge_at(QPointF(80, 500), 5.0) is None


def test_lod_draws_strongest_edges_only():
    el = EdgeLayer(lod_threshold=100)
    seg, *_ = lay.edge_segments(lay.node_positions([20, 20]))
    el.set_geometry(seg)
    v = np.arange(400, dtype=float) - 150
    el.set_values(v)
    assert el.lod_active and el.n_drawn == 100
    assert set(el.drawn_indices.tolist()) == set(np.argsort(-np.abs(v))[:100].tolist())
    assert el.lod_text == "showing 100 strongest of 400 edges"


# ------------------------------------------------------------------ canvas
@pytest.fixture
def canvas(qtbot):
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.set_network(SIZES, ACTS, W_MIXED, B)
    c.show()
    qtbot.waitExposed(c)
    return c


def _hue_counts(rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    blue = (b - r > 80) & (b - g > 40)
    orange = (r - b > 100) & (r - g > 50)
    return int(blue.sum()), int(orange.sum())


def test_weight_signs_show_as_blue_and_orange(canvas):
    blue, orange = _hue_counts(scene_rgb(canvas))
    assert blue > 100 and orange > 100
    canvas.set_weights([np.abs(w) for w in W_MIXED], B)
    blue, orange = _hue_counts(scene_rgb(canvas))
    assert blue > 100 and orange == 0


def test_set_weights_recolours_without_rebuilding(canvas):
    edges, node = canvas.edge_layer, canvas.node_item(1, 2)
    canvas.set_weights([-w for w in W_MIXED], B)
    assert canvas.edge_layer is edges and canvas.node_item(1, 2) is node
    np.testing.assert_allclose(edges.values, -lay.edge_order_values(W_MIXED))
    assert "bias: +0.3" in canvas.node_tooltip(1, 2)


def test_overlay_switches_palette_and_back(canvas):
    canvas.set_edge_overlay([np.ones((2, 3)), np.ones((3, 1))], "backward")
    assert canvas.edge_layer.mode == "backward"
    blue, orange = _hue_counts(scene_rgb(canvas))
    assert blue == 0 and orange == 0
    canvas.set_edge_overlay(None, "backward")
    assert canvas.edge_layer.mode == "weight"


def test_node_values_fill_nodes(canvas):
    canvas.set_node_values([np.array([1.0, -1.0]), np.array([0.5, 0.0, -0.5]), np.array([0.9])])
    assert canvas.node_item(0, 0).brush().color().blue() > 200
    assert canvas.node_item(0, 1).brush().color().red() > 200
    assert canvas.node_item(1, 0).text() == "0.50"
    canvas.set_node_values(None)
    assert canvas.node_item(1, 0).value is None


def test_lod_notice_for_big_networks(qtbot):
    c = NetworkCanvas()
    qtbot.addWidget(c)
    sizes = [64] * 10  # 9 × 4,096 = 36,864 edges
    rng = np.random.default_rng(0)
    W = [rng.standard_normal((64, 64)) for _ in range(9)]
    c.set_network(sizes, ["tanh"] * 9, W, [np.zeros(64)] * 9)
    assert c.edge_layer.lod_active and c.edge_layer.n_drawn == 3000
    assert c.lod_notice() == "showing 3,000 strongest of 36,864 edges"
    strongest = np.argmax(np.abs(lay.edge_order_values(W)))
    assert strongest in c.edge_layer.drawn_indices
    # a 4,096 × 4,096 pair: wide layers compressed, then the LOD on the rest
    big = rng.standard_normal((4096, 4096), dtype=np.float32)
    c.set_network([4096, 4096], ["linear"], [big], [np.zeros(4096)])
    assert c.edge_layer.lod_active
    assert "16,777,216" in c.lod_notice() and "3,000" in c.lod_notice()


def _click(qtbot, c, scene_pt, button=Qt.MouseButton.LeftButton):
    qtbot.mouseClick(c.viewport(), button, pos=c.mapFromScene(scene_pt))


def test_click_node_and_edge_emit_selection(qtbot, canvas):
    node = canvas.node_item(1, 2)
    with qtbot.waitSignal(canvas.nodeSelected) as sig:
        _click(qtbot, canvas, node.scenePos())
    assert sig.args == [1, 2] and canvas.selected_nodes() == [(1, 2)]
    seg = canvas.edge_layer.segments
    k = canvas.edge_index(0, 1, 2)
    mid = QPointF((seg[k, 0] + seg[k, 2]) / 2, (seg[k, 1] + seg[k, 3]) / 2)
    with qtbot.waitSignal(canvas.edgeSelected) as sig:
        _click(qtbot, canvas, mid)
    assert sig.args == [0, 1, 2]
    assert canvas.selected_edge() == (0, 1, 2) and canvas.selected_nodes() == []
    with qtbot.waitSignal(canvas.selectionCleared):
        _click(qtbot, canvas, QPointF(80, 300))
    assert canvas.selected_edge() is None


def test_rubber_band_selects_many_nodes_once(qtbot, canvas):
    got = []
    canvas.nodesSelected.connect(got.append)
    vp = canvas.viewport()
    a = canvas.mapFromScene(QPointF(120, -80))
    b = canvas.mapFromScene(QPointF(200, 80))

    def send(kind, p, buttons):
        ev = QMouseEvent(
            kind,
            QPointF(p),
            QPointF(vp.mapToGlobal(p)),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(vp, ev)  # qtbot's mouseMove carries no buttons

    send(QEvent.Type.MouseButtonPress, a, Qt.MouseButton.LeftButton)
    for t in np.linspace(0, 1, 6):
        send(QEvent.Type.MouseMove, a + (b - a) * float(t), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton)
    assert canvas.selected_nodes() == [(1, 0), (1, 1), (1, 2)]
    assert got == [[(1, 0), (1, 1), (1, 2)]]


def test_context_menu_actions_emit_requests(qtbot, canvas):
    menu = canvas.layer_context_menu(1)
    acts = {a.text(): a for a in menu.actions()}
    with qtbot.waitSignal(canvas.addLayerRequested) as sig:
        acts["Add hidden layer before"].trigger()
    assert sig.args == [1]
    with qtbot.waitSignal(canvas.addLayerRequested) as sig:
        acts["Add hidden layer after"].trigger()
    assert sig.args == [2]
    with qtbot.waitSignal(canvas.removeLayerRequested) as sig:
        acts["Remove layer"].trigger()
    assert sig.args == [1]
    sub = {a.text(): a for a in acts["Activation"].menu().actions()}
    assert sub["tanh"].isChecked() and not sub["softmax"].isEnabled()
    with qtbot.waitSignal(canvas.activationRequested) as sig:
        sub["relu"].trigger()
    assert sig.args == [1, "relu"]
    input_menu = {a.text(): a for a in canvas.layer_context_menu(0).actions()}
    assert not input_menu["Remove layer"].isEnabled()
    assert canvas.layer_at(canvas.node_item(2, 0).scenePos()) == 2


def test_width_handles_request_one_more_or_fewer(qtbot, canvas):
    minus, plus = canvas.width_handles(1)
    for item, width in ((plus, 4), (minus, 2)):
        pt = item.deviceTransform(canvas.viewportTransform()).map(QPointF(0, 0))
        with qtbot.waitSignal(canvas.layerWidthRequested) as sig:
            qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pt.toPoint())
        assert sig.args == [1, width]
    canvas.set_editable_layers({0, 1, 2})
    assert set(canvas._handles) == {0, 1, 2}
    with pytest.raises(KeyError):
        NetworkCanvas().width_handles(1)


def test_keys_zoom_and_fit(qtbot, canvas):
    s0 = canvas.transform().m11()
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.transform().m11() == pytest.approx(s0 * 1.25)
    qtbot.keyClick(canvas, Qt.Key.Key_F)
    assert canvas.transform().m11() == pytest.approx(s0)


def test_headers_name_layers(canvas):
    assert [canvas.header_text(l) for l in range(3)] == [
        "Input · 2",
        "Hidden 1 · tanh · 3",
        "Output · sigmoid · 1",
    ]


def test_two_clicks_at_one_spot_add_two_neurons(qtbot, canvas):
    """The −/+ buttons stay where they were on screen as the layer grows."""

    def grow(layer, width):
        sizes = canvas.layer_sizes
        sizes[layer] = width
        W = [np.zeros((a, b)) for a, b in zip(sizes, sizes[1:])]
        canvas.set_network(sizes, ACTS, W, [np.zeros(b) for b in sizes[1:]])

    canvas.layerWidthRequested.connect(grow)
    _minus, plus = canvas.width_handles(1)
    spot = plus.deviceTransform(canvas.viewportTransform()).map(QPointF(0, 0)).toPoint()
    for expected in range(4, 12):
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=spot)
        assert canvas.layer_sizes[1] == expected
        _minus, plus = canvas.width_handles(1)
        now = plus.deviceTransform(canvas.viewportTransform()).map(QPointF(0, 0)).toPoint()
        assert (now - spot).manhattanLength() <= 1


def test_input_nodes_carry_feature_names(canvas):
    assert canvas.input_names() == ["x₁", "x₂"]
    texts = {it.text for it in canvas.scene().items() if hasattr(it, "text") and isinstance(it.text, str)}
    assert {"x₁", "x₂"} <= texts
    canvas.set_input_names(["petal length", "petal width"])
    texts = {it.text for it in canvas.scene().items() if hasattr(it, "text") and isinstance(it.text, str)}
    assert {"petal length", "petal width"} <= texts and "x₁" not in texts
    label = next(it for it in canvas.scene().items() if getattr(it, "text", None) == "petal length")
    node = canvas.node_item(0, 0)
    # right of the label is left of the node, on the node's row
    right = canvas.mapFromScene(label.scenePos()).x() - 4
    assert right <= canvas.mapFromScene(node.scenePos()).x()
    assert abs(label.scenePos().y() - node.scenePos().y()) < 1e-6
    canvas.set_input_names(["only one"])  # wrong length: the lecture's symbols again
    assert canvas.input_names() == ["x₁", "x₂"]
