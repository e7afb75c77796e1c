"""Layer headers are drawn at a fixed screen size: when the layers stand closer
than the headers are wide (a deep network on a laptop), the headers switch to
their short form ("H1 / tanh", or just "H1") so no two overlap; with room they read in full."""

import numpy as np
import pytest

from widgets.canvas.network_canvas import NetworkCanvas

SIZES, ACTS = [2, 16, 16, 16, 16, 1], ["tanh"] * 4 + ["sigmoid"]


def _canvas(qtbot, w, h):
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(w, h)
    c.show()
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(a, b)) for a, b in zip(SIZES, SIZES[1:])]
    c.set_network(SIZES, ACTS, weights, [np.zeros(b) for b in SIZES[1:]])
    c.fit_view()
    return c


def _screen_rects(c):
    vt = c.viewportTransform()
    return [h.deviceTransform(vt).mapRect(h.boundingRect()) for h in c._headers]


@pytest.mark.parametrize("size", [(562, 301), (700, 300), (900, 330)])
def test_close_layers_get_short_headers_that_do_not_overlap(qtbot, size):
    c = _canvas(qtbot, *size)
    texts = c.header_texts()
    assert texts[1] in ("H1\ntanh", "H1") and texts[-1].startswith("Out") and texts[0].startswith("In")
    rects = _screen_rects(c)
    for a, b in zip(rects, rects[1:]):
        assert not a.intersects(b), (a, b)


def test_with_room_headers_read_in_full_and_zooming_out_shortens_them(qtbot):
    c = _canvas(qtbot, 1600, 900)
    assert c.header_texts()[1] == "Hidden 1\ntanh · 16"
    rects = _screen_rects(c)
    assert not any(a.intersects(b) for a, b in zip(rects, rects[1:]))
    c.zoom_by(0.25, anchor_under_mouse=False)
    assert c.header_texts()[1] in ("H1\ntanh", "H1")
    rects = _screen_rects(c)
    assert not any(a.intersects(b) for a, b in zip(rects, rects[1:]))


def test_the_more_markers_of_neighbouring_wide_layers_do_not_overlap(qtbot):
    # 64-512-128-10 in the canvas of a 1366 × 768 window: "⋮  449 more" on one line ran
    # under the next column's marker
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(640, 310)
    c.show()
    sizes, rng = [64, 512, 128, 10], np.random.default_rng(0)
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    c.set_network(sizes, ["relu", "relu", "softmax"], weights, [np.zeros(b) for b in sizes[1:]])
    c.fit_view()
    marks = [d for d in c._decor if "more" in getattr(d, "text", "")]
    assert len(marks) == 2 and all(m.text.endswith("\nmore") for m in marks)
    vt = c.viewportTransform()
    a, b = (m.deviceTransform(vt).mapRect(m.boundingRect()) for m in marks)
    assert not a.intersects(b), (a, b)
