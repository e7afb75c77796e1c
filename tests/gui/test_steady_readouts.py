"""Read-outs that change text while training never re-lay out their window.

QLabel.setText invalidates the parent's layout unless the label is fixed in
width and height; the stability strip's read-out changed width with its text
and re-split its row with the accuracy plot (the plots re-laid out their axes:
a GUI-thread stall while training). These tests count the LayoutRequest events
a text change causes and compare geometries; no timing.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from app.status_bar import TrainingStatus
from model.analysis.stability import StabilityResult
from model.train.history import History
from widgets.common.steady_label import one_line_height, pin_one_line
from widgets.panels.stability_strip import StabilityStrip
from widgets.panels.timeline_bar import TimelineBar


class LayoutRequests(QObject):
    """Counts LayoutRequest events delivered to the watched widgets."""

    def __init__(self, *widgets):
        super().__init__()
        self.count = 0
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _settle(qtbot, top) -> None:
    """Deliver every pending layout request and paint (no wall-clock assumption)."""
    qtbot.waitExposed(top)
    for _ in range(5):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def _results():
    """Results whose read-outs differ in length: stable, unstable, not converged, no curvature."""
    return [
        (StabilityResult(2.0, "power iteration", 0.0, 12, 400), 0.01),
        (StabilityResult(987.654, "power iteration", 1e-6, 30, 400), 0.5),
        (StabilityResult(3.21, "power iteration", 0.5, 8, 400), 0.1),
        (StabilityResult(-0.25, "power iteration", 0.0, 8, 400), 0.1),
    ]


def _ideal_width(label: QLabel) -> float:
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(label.font())
    doc.setHtml(label.text())
    return doc.idealWidth()


@pytest.fixture
def row(qtbot):
    """The loss panel's row: a plot and the strip side by side, shown."""
    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    body = QWidget()
    r = QHBoxLayout(body)
    acc, strip = pg.PlotWidget(), StabilityStrip()
    r.addWidget(acc, 1)
    r.addWidget(strip, 1)
    lay.addWidget(body)
    top.resize(900, 300)
    top.show()
    _settle(qtbot, top)
    qtbot.waitUntil(lambda: strip.label.width() == strip.width() > 0, timeout=10000)
    _settle(qtbot, top)
    return top, body, acc, strip


def test_stability_text_changes_move_nothing_and_lay_nothing_out(qtbot, row):
    top, body, acc, strip = row
    requests = LayoutRequests(top, body, strip)
    geometry = (acc.geometry(), strip.geometry(), strip.label.geometry(), strip.plot.geometry())
    seen = set()
    for epoch, (res, eta) in enumerate(_results() * 2, start=1):
        strip.add_point(epoch, res, eta)
        _settle(qtbot, top)
        seen.add(strip.label.text())
        assert (acc.geometry(), strip.geometry(), strip.label.geometry(), strip.plot.geometry()) == geometry
        assert f"{res.eta_lambda(eta):.3g}" in strip.shown_text()
        assert _ideal_width(strip.label) <= strip.label.width()  # the whole read-out is on screen
    strip.set_message("η·λ_max: network × data too large to follow live")
    strip.clear()
    _settle(qtbot, top)
    assert len(seen) == 4  # four different texts were shown
    assert requests.count == 0
    assert strip.label.minimumSize() == strip.label.maximumSize()  # fixed both ways
    assert strip.label.height() == one_line_height(strip.label) and strip.label.y() == 0
    assert strip.plot.y() >= strip.label.height()  # the plot sits under the line, not under the text


def test_a_narrow_strip_shows_the_short_form_or_elides_but_never_clips(qtbot, row):
    top, body, acc, strip = row
    res, eta = _results()[0]
    strip.add_point(1, res, eta)
    full = strip.shown_text()
    assert "η limit" in full  # room for the long form at 450 px
    top.resize(420, 300)  # the strip ~200 px wide
    qtbot.waitUntil(lambda: strip.width() < 260, timeout=5000)
    qtbot.waitUntil(lambda: strip.label.width() == strip.width(), timeout=5000)
    assert "η limit" not in strip.shown_text() and f"{res.eta_lambda(eta):.3g}" in strip.shown_text()
    assert _ideal_width(strip.label) <= strip.label.width()
    strip.set_message(
        "η·λ_max: network × data too large to follow live (mlp-studio analyze stability computes it)"
    )
    assert strip.shown_text().endswith("…") and _ideal_width(strip.label) <= strip.label.width()
    top.resize(900, 300)  # wide again: the long form comes back
    qtbot.waitUntil(lambda: strip.width() > 400, timeout=5000)
    strip.add_point(2, res, eta)
    qtbot.waitUntil(lambda: "η limit" in strip.shown_text(), timeout=5000)


def test_status_bar_figures_change_without_laying_out_the_window(qtbot):
    win = QMainWindow()
    qtbot.addWidget(win)
    win.setCentralWidget(QWidget())
    status = TrainingStatus(win.statusBar())
    win.resize(1100, 400)
    win.show()
    h = History(1)
    status.show(h, 100, running=True)
    _settle(qtbot, win)
    requests = LayoutRequests(win, win.statusBar())
    for e in (1, 10, 1000, 123456):
        rec = {"epoch": e, "train_loss": 1.0 / e, "updates": 25 * e, "train_acc": e % 100 / 100}
        h.add_epoch(rec, np.ones(1), np.ones(1))
        status.show(h, 200_000, running=True)
        _settle(qtbot, win)
    assert status.labels["epoch"].text().startswith("epoch ")
    assert requests.count == 0
    for lab in status.labels.values():
        assert lab.minimumSize() == lab.maximumSize()
        assert lab.fontMetrics().horizontalAdvance(lab.text()) <= lab.width()


def test_timeline_label_keeps_its_size_as_keyframes_come(qtbot):
    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    bar = TimelineBar()
    lay.addWidget(bar)
    top.resize(800, 60)
    top.show()
    _settle(qtbot, top)
    size = bar.label.size()
    requests = LayoutRequests(top, bar)
    epochs = []
    for e in (1, 2, 30, 400, 5000, 123456):
        epochs.append(e)
        bar.set_epochs(epochs)
        _settle(qtbot, top)
        assert bar.label.size() == size
        assert bar.label.fontMetrics().horizontalAdvance(bar.label.text()) <= bar.label.width()
    assert bar.label.text() == "epoch 123456 (live)" and requests.count == 0


def test_a_pinned_label_is_measured_again_when_its_font_grows(qtbot):
    label = pin_one_line(QLabel("x"), "epoch 10000000 (live)")
    qtbot.addWidget(label)
    w, h = label.width(), label.height()
    f = label.font()
    f.setPointSizeF(f.pointSizeF() * 2)
    label.setFont(f)  # presentation zoom
    assert label.width() > 1.6 * w and label.height() > 1.5 * h
    assert label.minimumSize() == label.maximumSize()
    assert label.fontMetrics().horizontalAdvance("epoch 10000000 (live)") <= label.width()
