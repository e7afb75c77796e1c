"""A training snapshot's analyses (health badges, η·λ_max) are shown half a display frame
after the snapshot, the newest of a burst only: the window ends up showing the last one."""

from types import SimpleNamespace

import numpy as np
import pytest

from app import change_kinds as K
from app.document import Document
from app.instruments import ANALYSES_DELAY_MS
from app.main_window import MainWindow
from model.analysis.health import network_health
from model.analysis.stability import StabilityResult


@pytest.fixture
def win(qtbot):
    w = MainWindow(Document())
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    strip = w.plots.panels["loss"].stability
    qtbot.waitUntil(lambda: strip.last is not None, timeout=10000)  # the opening measurement
    qtbot.waitUntil(lambda: not w.instruments._timer.isActive(), timeout=10000)
    yield w
    w.controller.shutdown()
    w.teaching.waves.stop()


def _snap(doc, epoch, lam, finished=None):
    health = network_health(doc.net, doc.data.X_train, doc.data.train.T)
    stab = StabilityResult(lam, "power iteration", 0.0, 8, len(doc.data.train), np.zeros(3))
    return SimpleNamespace(
        analyses={"health": health, "stability": stab},
        epoch=epoch,
        finished=finished,
        weights=doc.net.weights,
        biases=doc.net.biases,
    )


def test_a_burst_of_snapshots_shows_the_last_ones_analyses_once(qtbot, win):
    ins, strip = win.instruments, win.plots.panels["loss"].stability
    n0 = len(strip.points()[0])
    snaps = [_snap(win.doc, 100 + k, 1.0 + k) for k in range(5)]
    for s in snaps:  # one after another, no event loop between: a busy GUI
        ins.on_snapshot(s)
    assert strip.last[0] is not snaps[-1].analyses["stability"]  # not yet: half a frame later
    qtbot.waitUntil(lambda: strip.last[0] is snaps[-1].analyses["stability"], timeout=5000)
    x, y = strip.points()
    assert len(x) == n0 + 1 and x[-1] == 104 and y[-1] == pytest.approx(5.0 * win.doc.settings.lr)
    assert ins.health is snaps[-1].analyses["health"] and ins.stability is snaps[-1].analyses["stability"]
    assert f"{5.0 * win.doc.settings.lr:.3g}" in strip.shown_text()
    qtbot.wait(3 * ANALYSES_DELAY_MS)
    assert len(strip.points()[0]) == n0 + 1  # shown once


def test_a_finished_run_shows_its_analyses_at_once_and_a_reset_drops_pending_ones(qtbot, win):
    ins, strip = win.instruments, win.plots.panels["loss"].stability
    last = _snap(win.doc, 200, 3.0, finished="epoch limit reached")
    ins.on_snapshot(_snap(win.doc, 199, 2.0))
    ins.on_snapshot(last)
    assert ins.stability is last.analyses["stability"]  # the run's end: no delay
    stale = _snap(win.doc, 300, 7.0)
    ins.on_snapshot(stale)
    ins.on_changed(K.HISTORY)  # a new history: the strip starts afresh
    qtbot.wait(3 * ANALYSES_DELAY_MS)
    assert ins.stability is not stale.analyses["stability"]
    assert 300 not in strip.points()[0]
