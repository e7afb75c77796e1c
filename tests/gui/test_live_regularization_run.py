"""The L2 rate changed in the training form while a GUI run trains: the
trainer uses it from the next update on, the loss panel draws the penalty
curve and a marker — and the run equals a model-level run with the same
switch at the same update."""

from __future__ import annotations

import numpy as np
from qt_helpers import type_text

from app.document import Document
from app.training_controller import private_trainer
from model.io.project import load_project
from model.train.regularization import Regularization


class FakeClock:  # paced play on a clock the test moves: updates happen only when it says
    t = 10.0

    def __call__(self):
        return self.t


def _advance(qtbot, worker, clock, steps, until):
    for _ in range(steps):
        clock.t += 0.05  # 100 updates/s: five more updates due
        qtbot.waitUntil(lambda: worker.pacer.due() == 0, timeout=30_000)
    qtbot.waitUntil(lambda: worker.trainer.step == until, timeout=30_000)


def test_l2_changed_mid_run_matches_a_model_level_switch(qtbot, make_window):
    p = load_project("resources/examples/overfitting.json")
    p.training.epochs, p.training.target_loss = 10_000, None
    w = make_window(Document(p))
    doc, panel = w.doc, w.plots.panels["loss"]
    assert doc.settings.regularization.l2 == 0 and doc.settings.batch_size is None  # one update per epoch
    replay = private_trainer(doc)
    clock = FakeClock()
    w.controller.pace_clock = clock
    w.classroom.set_pace("100")
    w.controller.play()
    worker = w.controller.worker
    qtbot.waitUntil(lambda: worker.trainer.step == 1, timeout=30_000)  # the first update runs at once
    _advance(qtbot, worker, clock, 4, 21)
    assert w.controller.running
    type_text(qtbot, w.training_panel.generalisation.l2_spin, "0.05")  # while it runs
    assert doc.settings.regularization.l2 == 0.05
    qtbot.waitUntil(lambda: worker.trainer.regularization.l2 == 0.05, timeout=30_000)
    _advance(qtbot, worker, clock, 4, 41)
    w.controller.pause()
    qtbot.waitUntil(lambda: not w.controller.running and len(doc.history) == 41, timeout=30_000)

    # the same run at model level, switching at the same update
    for _ in range(21):
        replay.run_epoch()
    replay.set_regularization(Regularization(l1=0.0, l2=0.05))
    for _ in range(20):
        replay.run_epoch()
    for a, b in zip(doc.net.weights, replay.net.weights):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(doc.history["train_loss"], replay.history["train_loss"], rtol=1e-12)
    pen = doc.history["penalty"]
    np.testing.assert_allclose(pen, replay.history["penalty"], rtol=1e-12)
    assert (pen[:21] == 0).all() and (pen[21:] > 0).all()
    assert [e[:2] for e in doc.history.events if e[1] == "regularization"] == [(21, "regularization")]

    # the loss panel: a penalty curve from the switch on, and a marker at it
    qtbot.waitUntil(lambda: len(panel.curve_data("penalty")[1]) > 0, timeout=10_000)
    x, y = panel.curve_data("penalty")
    assert (np.asarray(y) > 0).any()
    marks = [m for m in panel.markers() if m[1] == "regularization"]
    assert len(marks) == 1 and "L2 = 0.05" in marks[0][2]
    assert 20 <= marks[0][0] <= 22
