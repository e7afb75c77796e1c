"""Health badges on the canvas: a new report of the same findings keeps its
badges (no scene churn while training), the rest are added or removed, and a
badge is painted from its cache, not on every canvas repaint."""

import numpy as np
import pytest

from model.analysis.health import HealthReport, LayerBadge, NodeBadge
from widgets.canvas.health_badges import BadgeItem, HealthBadges
from widgets.canvas.network_canvas import NetworkCanvas

SIZES, ACTS = [2, 16, 16, 1], ["tanh", "tanh", "sigmoid"]


@pytest.fixture
def canvas(qtbot):
    rng = np.random.default_rng(0)
    W = [rng.normal(size=(a, b)) for a, b in zip(SIZES[:-1], SIZES[1:])]
    B = [np.zeros(b) for b in SIZES[1:]]
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.set_network(SIZES, ACTS, W, B)
    c.show()
    qtbot.waitExposed(c)
    return c


def _report(units, tip="saturated", layers=()):
    nodes = [NodeBadge(layer, i, "saturated", 0.9, f"unit {i} {tip}") for layer, i in units]
    return HealthReport(nodes=nodes, layers=[LayerBadge(k, "vanishing", 0.01, "vanishing") for k in layers])


def test_the_same_findings_keep_their_badges(canvas):
    badges = HealthBadges(canvas)
    units = [(1, i) for i in range(0, 16, 2)] + [(2, 3)]
    badges.show(_report(units, layers=[2]))
    first = list(badges.items)
    assert len(first) == 10 and all(it.scene() is canvas.scene() for it in first)
    badges.show(_report(units, tip="still saturated", layers=[2]))  # the next report while training
    assert badges.items == first  # the very same items
    assert first[0].toolTip() == "unit 0 still saturated"
    # one unit recovers, another saturates: one badge goes, one comes, the rest stay
    units2 = units[1:] + [(2, 7)]
    badges.show(_report(units2, layers=[2]))
    assert first[0].scene() is None and first[1] in badges.items
    assert sorted(badges.kinds_at()) == sorted(
        [("saturated", lay, i) for lay, i in units2] + [("vanishing", 2, None)]
    )
    on_scene = [it for it in canvas.scene().items() if isinstance(it, BadgeItem)]
    assert len(on_scene) == len(badges.items) == 10
    badges.show(None)
    assert not [it for it in canvas.scene().items() if isinstance(it, BadgeItem)]


def test_a_badge_changing_kind_is_redrawn_in_its_new_colour(canvas):
    badges = HealthBadges(canvas)
    badges.show(_report([(1, 4)]))
    item = badges.items[0]
    badges.show(HealthReport(nodes=[NodeBadge(1, 4, "dead", 0.0, "dead ReLU")]))
    assert badges.items == [item] and item.kind == "dead" and item.glyph == "✕"
    assert item.toolTip() == "dead ReLU"


def test_badges_are_painted_from_a_cache(canvas, qtbot, monkeypatch):
    """~90 badges of a saturated net repainted with the canvas every animation frame
    cost 6-8 ms of Python; cached, a canvas repaint does not call their paint."""
    calls = []
    original = BadgeItem.paint
    monkeypatch.setattr(BadgeItem, "paint", lambda self, *a: (calls.append(self), original(self, *a)))
    badges = HealthBadges(canvas)
    badges.show(_report([(1, i) for i in range(16)] + [(2, i) for i in range(16)]))
    badges.finish()
    canvas.viewport().repaint()
    assert len(calls) >= len(badges.items) == 32  # drawn (into the cache) once
    calls.clear()
    for _ in range(3):
        canvas.viewport().repaint()
    assert calls == []
    # a theme switch updates every canvas item (NetworkCanvas.set_background): repainted once
    canvas.set_background("#202020")
    canvas.viewport().repaint()
    assert 0 < len(calls) <= len(badges.items)


def test_many_new_badges_arrive_a_batch_per_frame(canvas, qtbot):
    """A saturated layer's ~40 badges at once: at most BATCH go on the scene in the
    report's frame, the rest over the next frames; a report meanwhile neither
    duplicates nor loses any, and the scene ends with exactly one badge per finding."""
    from widgets.canvas.health_badges import BATCH

    badges = HealthBadges(canvas)
    units = [(1, i) for i in range(16)] + [(2, i) for i in range(16)] + [(3, 0)]
    badges.show(_report(units, layers=[2]))
    assert len(badges.items) == BATCH and badges.pending() == len(units) + 1 - BATCH
    badges.show(_report(units, tip="still", layers=[2]))  # the next report before the rest came
    assert len(badges.items) <= 2 * BATCH
    qtbot.waitUntil(lambda: badges.pending() == 0, timeout=5000)
    on_scene = [it for it in canvas.scene().items() if isinstance(it, BadgeItem)]
    assert len(on_scene) == len(badges.items) == len(units) + 1
    assert sorted(badges.kinds_at()) == sorted(
        [("saturated", lay, i) for lay, i in units] + [("vanishing", 2, None)]
    )
    positions = {(round(it.x(), 3), round(it.y(), 3)) for it in on_scene}
    assert len(positions) == len(on_scene)  # one badge per place
    badges.show(None)
    assert (
        badges.pending() == 0
        and not badges._timer.isActive()
        and not [it for it in canvas.scene().items() if isinstance(it, BadgeItem)]
    )
