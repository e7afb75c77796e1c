"""A deep network on a laptop's canvas (spiral 2-16x4-1 in the 562×301 canvas of a
1280×720 window): the −/+ buttons keep their clickable size and never overlap a
neighbouring layer's, the input names never overlap a node or each other (stacked
with a leader line, elided with the full name in the tooltip), and two clicks at
one spot still add two neurons. Before: the pairs stood 37 px apart, 44 px wide."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt

from widgets.canvas.network_canvas import NetworkCanvas
from widgets.canvas.node_item import Label


def _canvas(qtbot, sizes, w=562, h=301, names=None):
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(w, h)
    c.show()
    qtbot.waitUntil(lambda: c.viewport().width() > 0.9 * w, timeout=30_000)
    if names is not None:
        c.set_input_names(names)
    _set(c, sizes)
    return c


def _set(c, sizes):
    acts = ["tanh"] * (len(sizes) - 2) + ["sigmoid"]
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    c.set_network(sizes, acts, weights, [np.zeros(b) for b in sizes[1:]])


def _on_screen(c, item, rect=None) -> QRectF:
    return item.deviceTransform(c.viewportTransform()).mapRect(item.boundingRect() if rect is None else rect)


def _node_rects(c):
    """The circles on screen (not their selection ring's room)."""
    return [c.mapFromScene(n.mapToScene(n.rect())).boundingRect() for col in c._nodes for n in col]


def _input_labels(c):
    """The names beside the input nodes (right-aligned labels), top to bottom."""
    labs = [it for it in c.scene().items() if isinstance(it, Label) and it._halign == "right"]
    return sorted(labs, key=lambda it: it.pos().y())


def _text_rect(c, lab):
    return _on_screen(c, lab, lab.text_rect() if hasattr(lab, "text_rect") else lab.boundingRect())


def _assert_apart(rects):
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b), (a, b)


@pytest.mark.parametrize("sizes", [[2, 16, 16, 16, 16, 1], [2] + [8] * 9 + [1]])
def test_width_buttons_of_neighbouring_layers_do_not_overlap(qtbot, sizes):
    c = _canvas(qtbot, sizes)
    rects = [_on_screen(c, b) for pair in c._handles.values() for b in pair]
    assert len(rects) == 2 * (len(sizes) - 2)
    assert all(r.width() == 20 and r.height() == 20 for r in rects), rects  # clickable, fixed size
    _assert_apart(rects)
    _assert_apart(rects + _node_rects(c))  # nor over a node


def test_roomy_canvas_keeps_the_buttons_side_by_side(qtbot):
    c = _canvas(qtbot, [2, 4, 1], 900, 600)
    minus, plus = (_on_screen(c, b) for b in c.width_handles(1))
    assert minus.center().y() == plus.center().y() and minus.right() < plus.left()


@pytest.mark.parametrize("sizes", [[2, 16, 16, 16, 16, 1], [6, 16, 16, 1]])
def test_input_names_overlap_neither_nodes_nor_each_other(qtbot, sizes):
    names = ["petal length (cm) of the flower", "x2", "sepal width", "a", "b", "c"][: sizes[0]]
    c = _canvas(qtbot, sizes, names=names)
    labels = [lab for lab in _input_labels(c) if lab.isVisible()]
    assert len(labels) == sizes[0]  # stacked: every name still shown
    texts = [_text_rect(c, lab) for lab in labels]
    _assert_apart(texts)
    nodes = _node_rects(c)
    assert not any(t.intersects(n) for t in texts for n in nodes), (texts, nodes)
    assert all(t.left() >= 0 for t in texts), "inside the view: elided to the room there"
    first = labels[0]
    assert first.text.endswith("…") and first.toolTip() == names[0]


def test_input_names_sit_beside_their_nodes_when_there_is_room(qtbot):
    c = _canvas(qtbot, [2, 3, 1], 900, 600)
    for lab, node in zip(_input_labels(c), c._nodes[0]):
        text, dot = _text_rect(c, lab), c.mapFromScene(node.mapToScene(node.rect())).boundingRect()
        assert abs(text.center().y() - dot.center().y()) <= 1 and text.right() < dot.left()


def test_two_clicks_at_one_spot_add_two_neurons_on_a_deep_net(qtbot):
    c = _canvas(qtbot, [2, 16, 16, 16, 16, 1])

    def grow(layer, width):
        sizes = c.layer_sizes
        sizes[layer] = width
        _set(c, sizes)

    c.layerWidthRequested.connect(grow)
    for layer in (2, 4):
        plus = c.width_handles(layer)[1]
        spot = plus.deviceTransform(c.viewportTransform()).map(QPointF(0, 0)).toPoint()
        for expected in (17, 18, 19):
            qtbot.mouseClick(c.viewport(), Qt.MouseButton.LeftButton, pos=spot)
            assert c.layer_sizes[layer] == expected
        rects = [_on_screen(c, b) for pair in c._handles.values() for b in pair]
        _assert_apart(rects)
