"""Changing the optimizer suggests that optimizer's learning rate; Apply sets it
as one undo step (the issue's "switching to Adam keeps SGD's η = 2.0")."""

import pytest
from PySide6.QtCore import Qt

from model.analysis.curvature import lambda_max
from model.analysis.lr_suggestion import suggest_lr


def choose(panel, name):
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData(name))


def test_switching_to_adam_suggests_its_rate_and_apply_is_one_undo_step(win, qtbot):
    tp, d = win.training_panel, win.doc
    assert d.settings.optimizer == "sgd" and d.settings.lr == 2.0
    assert not tp.suggest_row.isVisibleTo(tp)
    choose(tp, "adam")
    assert d.settings.optimizer == "adam" and d.settings.lr == 2.0  # nothing applied by itself
    assert tp.suggest_row.isVisibleTo(tp)
    assert tp.suggest_label.text().startswith("Suggested η = 0.001 for Adam")
    qtbot.mouseClick(tp.suggest_button, Qt.MouseButton.LeftButton)
    assert d.settings.optimizer == "adam" and d.settings.lr == 0.001
    assert tp.lr_spin.value() == pytest.approx(0.001) and not tp.suggest_row.isVisibleTo(tp)
    win.acts["undo"].trigger()  # Apply alone
    assert d.settings.optimizer == "adam" and d.settings.lr == 2.0
    win.acts["undo"].trigger()  # the optimizer change
    assert d.settings.optimizer == "sgd" and not tp.suggest_row.isVisibleTo(tp)


def test_sgd_on_the_linear_neuron_suggests_half_of_two_over_lambda_max(win, qtbot):
    d, tp = win.doc, win.training_panel
    d.open_example("linear_neuron")
    choose(tp, "adam")
    choose(tp, "sgd")
    c = lambda_max(d.net, d.data.X_train, d.data.train.T)
    assert c.exact
    want = suggest_lr("sgd", c).lr
    assert want == pytest.approx(float(f"{c.lr_limit / 2:.3g}"))
    assert tp.suggestion.lr == want and f"Suggested η = {want:g} for SGD" in tp.suggest_label.text()
    tp.lr_spin.setValue(0.05)  # choosing an η by hand dismisses the suggestion
    assert not tp.suggest_row.isVisibleTo(tp) and d.settings.lr == 0.05
