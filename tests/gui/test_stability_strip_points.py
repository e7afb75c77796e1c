"""The stability strip keeps its points in NumPy arrays: the same points and y-range as lists.

The reference below is the strip's earlier list-based bookkeeping, written out:
a later epoch appends, an earlier or equal one replaces the last point, past
2000 points the oldest 1000 become every other one, and the y-range is
0 … max(2.4, 1.1·max of the kept points), 0 … 2.4 with no points.
"""

from __future__ import annotations

import numpy as np

from model.analysis.stability import StabilityResult
from widgets.panels.stability_strip import StabilityStrip


def _reference(calls):
    xs, ys = [], []
    for epoch, v in calls:
        if xs and epoch <= xs[-1]:
            xs[-1], ys[-1] = float(epoch), v
        else:
            xs.append(float(epoch))
            ys.append(v)
        if len(xs) > 2000:
            xs[:1000] = xs[:1000:2]
            ys[:1000] = ys[:1000:2]
    return xs, ys, max(2.4, 1.1 * max(ys))


def _calls(n, seed=0):
    """Epochs mostly rising with repeats and a step back now and then; η·λ_max with spikes early on
    (so thinning drops the maximum) and a replaced maximum."""
    rng = np.random.default_rng(seed)
    epoch, out = 0, []
    for i in range(n):
        r = rng.random()
        epoch = epoch - 1 if r < 0.05 else epoch if r < 0.15 else epoch + 1
        v = float(rng.uniform(0.1, 3.0))
        if i in (7, 301, 1203):
            v = 40.0 + i  # spikes among the first 1000 points: some are thinned away
        out.append((epoch, v))
    return out


def _feed(strip, calls, eta=0.5):
    for epoch, v in calls:
        strip.add_point(epoch, StabilityResult(v / eta, "power iteration", 0.0, 8, 100), eta)


def _y_range(strip):
    return strip.plot.getPlotItem().getViewBox().viewRange()[1]


def test_points_and_y_range_equal_the_list_reference_through_thinning(qtbot):
    strip = StabilityStrip()
    qtbot.addWidget(strip)
    calls = _calls(6000)
    checks = (1, 2, 64, 65, 500, 1999, 2000, 2001, 2002, 2600, 4100, 6000)
    done = 0
    for n in checks:
        _feed(strip, calls[done:n])
        done = n
        xs, ys, top = _reference(calls[:n])
        x, y = strip.points()
        assert x.tolist() == xs and y.tolist() == ys, n
        cx, cy = strip.curve.getData()
        assert cx.tolist() == xs and cy.tolist() == ys, n  # what is drawn
        assert np.allclose(_y_range(strip), [0.0, top], rtol=1e-12, atol=0), n
    assert len(strip.points()[0]) <= 2000
    assert max(strip.points()[1]) < 40.0  # every spike was thinned away, and the range followed
    assert _y_range(strip)[1] < 40.0


def test_replacing_the_highest_point_lowers_the_range_and_clear_starts_afresh(qtbot):
    strip = StabilityStrip()
    qtbot.addWidget(strip)
    calls = [(1, 1.0), (2, 5.0), (2, 3.0), (3, 2.0), (3, 1.5)]
    for k in range(1, len(calls) + 1):
        strip.clear()
        _feed(strip, calls[:k])
        xs, ys, top = _reference(calls[:k])
        assert strip.points()[0].tolist() == xs and strip.points()[1].tolist() == ys
        assert np.isclose(_y_range(strip)[1], top, rtol=1e-12)
    strip.clear()
    cx = strip.curve.getData()[0]
    assert len(strip.points()[0]) == 0 and (cx is None or len(cx) == 0)
    _feed(strip, [(4, 1.0)])
    assert strip.points()[0].tolist() == [4.0] and np.isclose(_y_range(strip)[1], 2.4)


def test_without_points_the_range_runs_from_zero_to_past_the_edge(qtbot):
    strip = StabilityStrip()
    qtbot.addWidget(strip)
    strip.resize(400, 160)
    strip.show()
    qtbot.waitExposed(strip)
    assert np.allclose(_y_range(strip), [0.0, 2.4])  # not 1.6 … 2.4 around the edge line
    _feed(strip, [(1, 30.0)])
    assert np.isclose(_y_range(strip)[1], 33.0)
    strip.clear()
    assert np.allclose(_y_range(strip), [0.0, 2.4])
