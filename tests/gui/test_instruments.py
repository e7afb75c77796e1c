"""Issue 15 in the window: quiz, gradient check, health badges, stability strip, timeline, challenge, worksheet."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.document import Document
from app.main_window import MainWindow
from app.training_controller import train_in_place
from model.analysis.stability import lambda_max
from model.io.project import load_project
from model.nn.network import Network
from model.teaching.challenge import Challenge, lock_values, lock_violations
from tests.gui.qt_helpers import click, type_text


def _window(qtbot, project=None):
    w = MainWindow(Document(project) if project is not None else Document())
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    return w


@pytest.fixture
def win(qtbot):
    w = _window(qtbot)
    yield w
    w.controller.shutdown()
    w.teaching.waves.stop()


def test_quiz_holds_the_stage_until_predicted_and_grades_it(qtbot, win):
    win.teaching.start_stepthrough()
    panel = win.teaching.stepper
    box = panel.quiz_box
    box.enabled_box.setChecked(True)
    assert panel.stage_index == 0
    panel.next()  # stage 2 reveals V of layer 1: held until answered
    assert panel.stage_index == 0 and box.prompt.isVisible()
    q = box.question
    net = win.doc.net
    x, _t = win.doc.probe()
    assert q.truth == net.forward(x[None]).V[1][0, 0]
    type_text(qtbot, box.entry, f"{-q.truth - 0.5:.4f}")
    click(qtbot, box.check)
    assert panel.stage_index == 1  # revealed after the answer
    assert "Not quite" in box.result.text() and "V₁⁽¹⁾" in box.result.text()
    panel.previous()
    panel.next()  # answered already: no second question
    assert panel.stage_index == 1
    panel.next()
    q2 = box.question
    type_text(qtbot, box.entry, f"{q2.truth:.6g}")
    qtbot.keyClick(box.entry, Qt.Key.Key_Return)
    assert panel.stage_index == 2 and "Right" in box.result.text()
    assert box.score.text() == "score: 1 of 2 right (50 %)"
    box.teacher_box.setChecked(True)  # the teacher shows everything
    start = panel.stage_index
    while panel.next():
        pass
    assert panel.stage_index == panel.stage_count - 1 > start


def test_gradient_check_tab_for_the_selected_edge_and_the_network(qtbot, win):
    win.plots.show_panel("gradcheck")
    panel = win.plots.panels["gradcheck"]
    win.canvas.select_edge(0, 1, 2)
    win.canvas.edgeSelected.emit(0, 1, 2)  # what a click on the edge reports
    qtbot.waitUntil(lambda: panel.last_check is not None, timeout=5000)
    d = win.doc
    _, gW, _ = d.net.loss_and_gradients(d.data.X_train, d.data.train.T)
    c = panel.last_check
    assert c.analytic == gW[0][1, 2] and c.rel_error < 1e-6 and c.label == "w₃₂⁽¹⁾"
    assert "agree" in panel.selection_label.text()
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: panel.table.rowCount() == d.net.n_layers, timeout=20000)
    assert [panel.table.item(r, 4).text() for r in range(panel.table.rowCount())] == ["ok", "ok"]
    assert "agrees" in panel.status.text()


def test_health_badges_on_a_dead_relu(qtbot):
    p = load_project("resources/examples/xor_train.json")
    p.spec = p.spec.replace(activations=["relu", "sigmoid"])
    net = Network(p.spec)
    net.biases[0][2] = -50.0
    p.weights = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
    w = _window(qtbot, p)
    try:
        badges = w.instruments.badges.kinds_at()
        assert list(badges) == [("dead", 1, 2)]
        items = w.instruments.badges.items
        assert len(items) == 1 and "dead ReLU" in items[0].toolTip() and "lower η" in items[0].toolTip()
        node = w.canvas.node_item(1, 2)
        assert abs(items[0].x() - node.x()) < node.rect().width()
        w.apply_edit(w.edits.set_bias, 0, 2, 0.5)  # revive it: the badge goes
        assert w.instruments.badges.kinds_at() == {}
    finally:
        w.controller.shutdown()


def test_stability_strip_shows_eta_lambda_max(qtbot, win):
    d = win.doc
    strip = win.plots.panels["loss"].stability
    qtbot.waitUntil(lambda: strip.last is not None, timeout=10000)
    want = lambda_max(d.net, d.data.X_train, d.data.train.T).lambda_max
    res, eta = strip.last
    assert abs(res.lambda_max - want) < 1e-6 * max(1, want) and eta == d.settings.lr
    assert f"{eta * want:.3g}" in strip.label.text()
    train_in_place(d, 30)
    qtbot.waitUntil(lambda: strip.points()[0][-1] == 30, timeout=10000)
    x, y = strip.points()
    assert len(x) >= 2 and x[-1] == 30


def test_timeline_scrubs_restores_bit_identical_weights_and_undoes(qtbot, win):
    d = win.doc
    train_in_place(d, 40)
    kf = d.history.keyframes
    assert list(kf.epochs) == list(range(41))
    bar = win.plots.panels["loss"].timeline
    assert bar.slider.maximum() == 40
    bar.choose(10)
    frame = kf[10]
    assert win.timeline.shown == 10
    assert win.plots.panels["loss"].timeline_line.isVisible()
    assert win.plots.panels["loss"].timeline_line.value() == 10
    assert np.array_equal(win.canvas._weights[0], frame.weights[0])
    live = [w.copy() for w in d.net.weights]
    assert not np.array_equal(live[0], frame.weights[0])
    click(qtbot, bar.restore)
    for a, b in zip(d.net.weights + d.net.biases, frame.weights + frame.biases):
        assert a.tobytes() == b.tobytes()
    d.undo_stack.undo()
    assert np.array_equal(d.net.weights[0], live[0])
    bar.choose(5)
    click(qtbot, bar.waves)
    assert win.teaching.waves.enabled
    rec = win.teaching.probe_rec
    assert np.allclose(
        rec.V[1], Network(d.spec, *kf[5].copy_parameters()).forward(d.probe()[0][None]).V[1][0]
    )


def test_challenge_locks_hold_and_the_checker_writes_a_result(qtbot, tmp_path):
    p = load_project("resources/examples/xor_train.json")
    p.challenge = Challenge(
        goal="train_acc >= 100% and hidden_neurons <= 4",
        title="XOR with four",
        hint="tanh is enough",
        locks=lock_values(p, ["data", "optimizer", "lr"]),
        limits={"max_hidden_neurons": 4},
    )
    w = _window(qtbot, p)
    try:
        ops = w.challenge
        assert ops.toolbar.isVisible() and "XOR with four" in ops.bar.title.text()
        assert not w.data_panel.isEnabled()
        errors = []
        w.dialogs.show_error = lambda title, text: errors.append(text)
        before = w.doc.settings.to_dict()
        s = type(w.doc.settings).from_dict({**before, "lr": 0.5})
        w.apply_edit(w.edits.set_settings, s)
        assert w.doc.settings.to_dict() == before and "locked by the challenge" in errors[-1]
        assert not w.doc.undo_stack.canRedo()
        w.apply_edit(w.edits.resize_layer, 1, 5)  # over the limit
        assert w.doc.spec.layer_sizes == [2, 4, 1] and "At most 4 hidden neurons" in errors[-1]
        w.apply_edit(w.edits.resize_layer, 1, 3)  # within the limit: allowed
        assert w.doc.spec.layer_sizes == [2, 3, 1]
        w.doc.undo_stack.undo()
        # the checker: not reached before training, reached after
        click(qtbot, ops.bar.check_button)
        passed_before = ops.last_check[0]
        train_in_place(w.doc, 3000)
        click(qtbot, ops.bar.check_button)
        assert ops.last_check[0] is True and not passed_before
        assert "Goal reached" in ops.bar.verdict.text()
        rec = ops.write_result(str(tmp_path / "r.json"))
        back = json.loads((tmp_path / "r.json").read_text())
        assert back["passed"] is True and back["figures"]["train_acc"] == 1.0
        assert back == rec and len(back["project_sha256"]) == 64
    finally:
        w.controller.shutdown()


def test_worksheet_export_from_the_window(qtbot, win, tmp_path):
    out = tmp_path / "sheet.md"
    win.dialogs.ask_save_path = lambda *a: str(out)
    win.instrument_actions["worksheet_blank"].trigger()
    text = out.read_text()
    assert "fill in the blanks" in text and r"\underline" in text
    out2 = tmp_path / "sheet.json"
    win.dialogs.ask_save_path = lambda *a: str(out2)
    win.instrument_actions["worksheet"].trigger()
    data = json.loads(out2.read_text())
    assert data["pattern"] == win.doc.probe_index + 1 and data["eta"] == win.doc.settings.lr


def test_locked_controls_refuse_widget_edits_under_qtbot(qtbot):
    p = load_project("resources/examples/xor_train.json")
    p.challenge = Challenge(goal="train_acc >= 100%", locks=lock_values(p, ["optimizer", "lr"]))
    w = _window(qtbot, p)
    try:
        errors = []
        w.dialogs.show_error = lambda title, text: errors.append(text)
        tp = w.training_panel
        lr0, opt0 = w.doc.settings.lr, w.doc.settings.optimizer
        type_text(qtbot, tp.lr_spin, "0.05")  # a student types another η
        assert w.doc.settings.lr == lr0 and "Learning rate: locked by the challenge." == errors[-1]
        assert tp.lr_spin.value() == pytest.approx(lr0)  # the widget shows the locked value again
        tp.optimizer_combo.setCurrentIndex(tp.optimizer_combo.findText("Adam"))
        assert w.doc.settings.optimizer == opt0 and errors[-1].startswith("Optimizer")
        assert not w.doc.undo_stack.canRedo()
        # an unlocked control still works: the epoch limit
        s = type(w.doc.settings).from_dict({**w.doc.settings.to_dict(), "epochs": 77})
        w.apply_edit(w.edits.set_settings, s)
        assert w.doc.settings.epochs == 77
    finally:
        w.controller.shutdown()


def test_teacher_authors_a_challenge_from_the_dialog(qtbot, win, tmp_path):
    from widgets.dialogs.challenge_dialog import ChallengeDialog

    dlg = ChallengeDialog(win.doc.to_project())
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(dlg.buttons.StandardButton.Ok)
    dlg.goal.setText("val_acc >= 95% or")
    assert not ok.isEnabled() and "expected 'and'" in dlg.goal_state.text()
    dlg.goal.setText("train_acc >= 100% and hidden_neurons <= 4")
    assert ok.isEnabled()
    dlg.lock_boxes["optimizer"].setChecked(True)
    dlg.max_neurons.setValue(4)
    ch = dlg.challenge()
    assert set(ch.locks) == {"data", "preprocessing", "loss", "optimizer"} and ch.limits == {
        "max_hidden_neurons": 4
    }
    win.challenge.set_challenge(ch)
    assert win.challenge.toolbar.isVisible() and win.doc.dirty
    path = tmp_path / "challenge.json"
    win.doc.save(path)
    again = load_project(path)
    assert again.challenge.to_dict() == ch.to_dict()
    assert lock_violations(again.challenge, again) == []  # the saved values still match
