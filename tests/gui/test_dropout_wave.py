"""Slow motion with dropout: the wave of an update draws the units that update
dropped for the probe sample grey and crossed out — the trainer's own mask,
carried on the snapshot — and only those."""

from __future__ import annotations

import numpy as np
from qt_helpers import pixels

from app.document import Document
from app.training_controller import private_trainer
from model.io.project import load_project
from model.nn.dropout import dropped_units, mask_rows, sample_row, thinned_probe
from widgets.canvas.dropout_marks import LEGEND, dropped_set, mark_dropped


class FakeClock:  # the pacer's clock stands still: exactly one update is due
    t = 50.0

    def __call__(self):
        return self.t


def _project():
    p = load_project("resources/examples/xor_train.json")
    p.spec = p.spec.replace(layer_sizes=[2, 8, 1], dropout=[0.5])
    p.weights = None
    return p


def test_the_wave_marks_the_units_the_trainer_dropped(qtbot, make_window):
    w = make_window(Document(_project()))
    for dock in w.docks.values():  # the whole (offscreen, 800×600) window for the canvas
        dock.hide()
    try:
        _check_wave(qtbot, w)
    finally:  # the window's saved layout is shared by the tests that follow
        for dock in w.docks.values():
            dock.show()


def _check_wave(qtbot, w):
    doc, canvas = w.doc, w.canvas
    qtbot.waitUntil(lambda: canvas.viewport().width() > 300, timeout=10_000)
    canvas.fit_view()
    replay = private_trainer(doc)  # the same network, data, settings and seed as the run's
    net0 = replay.net.copy()  # the weights the first update is made from
    snaps = []
    w.controller.snapshot.connect(snaps.append)
    w.controller.pace_clock = FakeClock()
    w.classroom.set_pace("slow")
    w.controller.play()
    qtbot.waitUntil(lambda: any(s.update_probe is not None for s in snaps), timeout=30_000)
    qtbot.waitUntil(lambda: bool(dropped_set(canvas)), timeout=30_000)
    w.controller.pause()
    qtbot.waitUntil(lambda: not w.controller.running, timeout=30_000)
    snap = next(s for s in snaps if s.update_probe is not None)
    assert snap.step == 1

    # the same first update at model level: its mask for the probe sample
    next(replay.updates())
    row = sample_row(replay.X, replay.T, *doc.probe())
    want = dropped_units(replay.last_masks, replay.last_batch, row)
    np.testing.assert_array_equal(snap.dropped[0], want[0])
    # the wave's numbers are the thinned network's: dropped units output 0 and pass no error back
    rec = thinned_probe(net0, *doc.probe(), mask_rows(replay.last_masks, replay.last_batch, row))
    for a, b in zip(snap.update_probe.V + snap.update_probe.deltas, rec.V + rec.deltas):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert (snap.update_probe.V[1][want[0]] == 0).all() and (snap.update_probe.deltas[0][want[0]] == 0).all()
    expected = {(1, int(i)) for i in np.flatnonzero(want[0])}
    assert expected and len(expected) < 8  # this seed drops some units, not all
    assert dropped_set(canvas) == expected
    assert "Dropped in this update" in canvas.node_tooltip(*sorted(expected)[0])

    # pixels: the dropped nodes (and only they) look different from the unmarked picture
    w.teaching.waves.drive_manually()  # the animation holds still between the two grabs
    canvas.viewport().grab()  # settles pending layout (a first grab may still move the view)
    qtbot.wait(50)
    marked = pixels(canvas.viewport().grab().toImage()).astype(int)
    mark_dropped(canvas, None)
    plain = pixels(canvas.viewport().grab().toImage()).astype(int)
    scale = canvas.transform().m11()
    for i in range(8):
        node = canvas.node_item(1, i)
        c = canvas.mapFromScene(node.scenePos())
        r = max(2, int(node.rect().width() / 2 * scale * 0.6))
        box = np.s_[c.y() - r : c.y() + r, c.x() - r : c.x() + r]
        differs = np.abs(marked[box] - plain[box]).sum(axis=2).max() > 60
        assert differs == ((1, i) in expected), (i, expected)
    # the legend line says what grey means, only while units are marked
    mark_dropped(canvas, snap.dropped)
    assert LEGEND.startswith("✕") and dropped_set(canvas) == expected
