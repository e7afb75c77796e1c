"""The loss panel's penalty curve, smoothing and test figures; the training
panel's generalisation rows."""

from __future__ import annotations

import numpy as np
from qt_helpers import show, type_text

from model.analysis.smoothing import ema_smooth
from model.data import data_prep
from model.io.project import load_project
from model.train.test_report import report_test
from model.train.trainer import Trainer
from widgets.forms.training_panel import TrainingPanel
from widgets.panels.loss_panel import LossPanel

EX = "resources/examples/"


def _trained(name, epochs):
    p = load_project(EX + name)
    p.training.epochs = epochs
    d = data_prep.prepare(p)
    tr = Trainer(p.network(), d.X_train, d.train.T, p.training, d.X_val, d.val.T, task=d.task)
    tr.train()
    report_test(tr, d.X_test, d.test.T)
    return tr


def test_penalty_curve_smoothing_and_test_figures(qtbot):
    tr = _trained("overfitting_l2.json", 60)
    w = show(qtbot, LossPanel(), (900, 500))
    w.set_history(tr.history)
    x, y = w.curve_data("penalty")
    np.testing.assert_allclose(y, tr.history["penalty"])
    assert (y > 0).all()
    assert "Test split" in w.test_label.text() and "test loss" in w.test_label.text()
    assert not w.test_label.isHidden()
    w.per_update.setChecked(True)
    w.smoothing.setValue(90)
    _, sm = w.curve_data("smoothed")
    want, _ = ema_smooth(tr.history.update_loss.values, 0.9)
    np.testing.assert_allclose(sm, want)
    assert w.smooth_curve.isVisible()
    w.smoothing.setValue(0)
    assert not w.smooth_curve.isVisible()
    # no penalty: no curve, no legend entry
    w.set_history(_trained("overfitting.json", 5).history)
    assert len(w.curve_data("penalty")[0]) == 0


def test_training_panel_generalisation_rows_emit_settings(qtbot):
    from model.train.trainer import TrainSettings

    w = show(qtbot, TrainingPanel(), (420, 900))
    w.set_settings(TrainSettings(), 100)
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        type_text(qtbot, w.generalisation.l2_spin, "0.01")
    assert blocker.args[0].regularization.l2 == 0.01
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        w.generalisation.es_check.setChecked(True)
    es = blocker.args[0].early_stopping
    assert es is not None and es.patience == 20 and es.restore_best
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        type_text(qtbot, w.generalisation.wd_spin, "0.001")
    assert blocker.args[0].weight_decay == 0.001


def test_regularization_is_its_own_change_kind():
    from app import change_kinds as K
    from model.train.regularization import Regularization
    from model.train.trainer import TrainSettings

    a = TrainSettings()
    b = TrainSettings(regularization=Regularization(l1=0.1))
    assert K.settings_kinds(a, b) == (K.SETTINGS_REGULARIZATION,)


def test_a_gui_run_reports_the_test_split_once_at_the_end(qtbot):
    from app.document import Document
    from app.main_window import MainWindow

    p = load_project(EX + "overfitting.json")
    p.training.epochs = 15
    w = MainWindow(Document(p))
    qtbot.addWidget(w)
    w.show()
    assert w.doc.history.test is None
    w.controller.play()
    qtbot.waitUntil(lambda: len(w.doc.history) == 15 and w.doc.history.test is not None, timeout=60_000)
    t = w.doc.history.test
    assert t["epoch"] == 15 and t["n"] == 8
    assert t["loss"] == np.float64(t["loss"]) and t["loss"] > 0
    qtbot.waitUntil(lambda: "test loss" in w.plots.panels["loss"].test_label.text(), timeout=10_000)
    w.controller.shutdown()
