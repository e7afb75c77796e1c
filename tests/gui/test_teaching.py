"""Waves, step-through and neuron maps driven from the main window."""

import numpy as np
from PySide6.QtCore import Qt

from model.train.trainer import Trainer, TrainSettings


def test_step_through_to_the_end_equals_one_sgd_update_and_undoes(win, qtbot):
    win.doc.open_example("eleven_points")
    win.doc.set_probe(3)
    ref = win.doc.net.copy()
    win.acts["stepthrough"].trigger()
    assert win.teaching.stepper.active and win.docks["stepthrough"].isVisible()
    n = win.teaching.stepper.stage_count
    first = win.teaching.stepper.equation_text()
    qtbot.keyClick(win.canvas, Qt.Key.Key_Right)
    assert win.teaching.stepper.stage_index == 1 and win.teaching.stepper.equation_text() != first
    qtbot.keyClick(win.canvas, Qt.Key.Key_Left)
    assert win.teaching.stepper.stage_index == 0
    while win.teaching.stepper.next():
        pass
    assert win.teaching.stepper.stage_index == n - 1
    win.teaching.stepper.apply_update()
    d = win.doc  # batch mode: stage 5 uses the gradient averaged over all 11 patterns
    X, T = d.data.X_train, d.data.train.T
    Trainer(ref, X, T, TrainSettings(optimizer="sgd", lr=d.settings.lr, epochs=1)).run_epoch()
    for a, b in zip(d.net.weights, ref.weights):
        assert np.allclose(a, b)
    win.acts["undo"].trigger()
    assert not np.allclose(d.net.weights[0], ref.weights[0])


def test_step_through_in_stochastic_mode_uses_the_probe_sample(win, qtbot):
    win.doc.open_example("backprop_table")  # batch size 1
    win.doc.set_probe(2)
    ref = win.doc.net.copy()
    win.teaching.start_stepthrough()
    while win.teaching.stepper.next():
        pass
    win.teaching.stepper.apply_update()
    d = win.doc
    Trainer(
        ref,
        d.data.X_train[2:3],
        d.data.train.T[2:3],
        TrainSettings(optimizer="sgd", lr=d.settings.lr, batch_size=1, epochs=1),
    ).run_epoch()
    assert all(np.allclose(a, b) for a, b in zip(d.net.weights, ref.weights))


def test_waves_toggle_with_w_and_show_forward_then_backward(win, qtbot):
    qtbot.keyClick(win, Qt.Key.Key_W)
    assert win.acts["waves"].isChecked() and win.teaching.waves.enabled
    modes = set()
    for _ in range(200):
        win.teaching.waves.tick(0.02)
        modes.add(win.canvas.edge_layer.mode)
    assert {"forward", "backward"} <= modes
    qtbot.keyClick(win, Qt.Key.Key_W)
    assert not win.teaching.waves.enabled and win.canvas.edge_layer.mode == "weight"


def test_neuron_map_of_a_selected_hidden_unit(win):
    win.doc.open_example("xor_hand_wired")
    win.docks["neuron_map"].show()
    win.docks["neuron_map"].raise_()
    win.canvas.nodeSelected.emit(1, 0)  # the OR unit: σ(20·x1 + 20·x2 − 10)
    v = win.teaching.neuron_map.values
    assert v is not None and v.shape == (48, 48)
    x0, x1, y0, y1 = win.teaching.neuron_map.extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, 48), np.linspace(y0, y1, 48))
    line = 20 * gx + 20 * gy - 10
    far = np.abs(line) > 2
    assert np.array_equal((v > 0.5)[far], (line > 0)[far])


def test_neuron_map_thumbnails_inside_nodes(win, qtbot):
    win.doc.open_example("xor_hand_wired")
    qtbot.keyClick(win, Qt.Key.Key_M)
    assert win.acts["thumbnails"].isChecked()
    node = win.canvas.node_item(1, 0)
    img = node._thumb
    assert img is not None and img.width() == 32
    # the OR unit's map holds both sides of its decision line: orange and blue pixels
    colours = {img.pixelColor(x, y).name() for x in range(8, 24) for y in range(8, 24)}
    assert len(colours) > 3
    # y points up: top right (x1, x2 large: 20·x1 + 20·x2 − 10 > 0) is active (blue),
    # bottom left inactive (orange)
    hi, lo = img.pixelColor(24, 8), img.pixelColor(8, 24)
    assert hi.blue() > hi.red() and lo.red() > lo.blue()
    assert win.canvas.node_item(0, 0)._thumb is None  # inputs have no map
    qtbot.keyClick(win, Qt.Key.Key_M)
    assert node._thumb is None


def test_apply_update_advances_the_counters_and_the_loss_plot(win, qtbot):
    """Before: the status bar stayed at 'epoch 0 (0 updates)' and the loss plot got nothing."""
    d = win.doc
    d.open_example("xor_train")  # batch mode: the step-through batch is the whole training set
    win.teaching.start_stepthrough()
    loss_before = win.teaching.stepper.walk.loss
    while win.teaching.stepper.next():
        pass
    win.teaching.stepper.apply_update()
    assert len(d.history) == 1 and len(d.history.update_loss) == 1
    assert d.history["train_loss"][0] == loss_before
    win.views.show_status()
    assert win.status.labels["epoch"].text() == "epoch 1 (1 updates)"
    x, y = win.plots.panels["loss"].train_curve.getData()
    assert len(x) == 1 and y[0] == loss_before
    win.acts["undo"].trigger()  # one undo step takes the row back too
    assert len(d.history) == 0
    # stochastic mode: one update, no completed epoch
    d.open_example("backprop_table")
    win.teaching.start_stepthrough()
    while win.teaching.stepper.next():
        pass
    win.teaching.stepper.apply_update()
    assert len(d.history) == 0 and len(d.history.update_loss) == 1


def test_stepthrough_forgets_the_old_batch_when_the_data_changes(win, qtbot):
    win.teaching.start_stepthrough()  # XOR: whole batch (4)
    assert win.teaching.stepper.batch_check.text() == "whole batch (4)"
    win.doc.open_example("iris")
    assert not win.teaching.stepper.active
    assert "(4)" not in win.teaching.stepper.batch_check.text()


def test_output_error_never_shows_a_double_minus(win):
    from model.nn.network import Network
    from model.teaching.stepthrough import StepThrough

    d = win.doc
    net = d.net
    lin = Network(net.spec.replace(activations=[net.spec.activations[0], "linear"]), net.weights, net.biases)
    lin.biases[-1][:] = -5.0  # a negative output V
    walk = StepThrough(lin, d.data.X_train, d.data.train.T, [0], 0.1)
    text = "\n".join(eq for st in walk.stages for eq in st.equations.values())
    assert "− −" not in text
    assert "− (−" in text  # the negative V in parentheses: (t − (−4.9…))


def test_inspector_and_stepthrough_show_the_same_theta_for_the_hand_wired_xor(win):
    """Before: 'Bias −10' in the Inspector, 'θ 10.000' in step-through."""
    d = win.doc
    d.open_example("xor_hand_wired")
    win.teaching.start_stepthrough()
    win.teaching.stepper.next()  # the first forward stage: hidden layer 1, table node | θ | b | V
    st = win.teaching.stepper.stage
    col = st.table_headers.index("θ")
    for i in range(d.spec.layer_sizes[1]):
        win.views.selection = ("node", 1, i)
        win.views.show_selection()
        ins = win.inspector
        assert ins._node_form.labelForField(ins.bias_edit).text() == "Threshold θ"
        theta_inspector = float(ins.bias_edit.text())
        theta_step = float(st.table_rows[i][col].replace("−", "-"))
        assert theta_inspector == theta_step == -float(d.net.biases[0][i])
        assert ins.node_delta.text() != "—"  # the δ (probe) row shows a real value


def test_notation_switch_changes_every_label_together(win, tmp_path):
    from model.teaching.notation import CODE

    d = win.doc
    d.open_example("xor_hand_wired")
    win.views.selection = ("node", 1, 0)
    win.views.show_selection()
    assert win.inspector.title.text() == "Neuron 1 of layer 1"
    win.acts["notation"].setChecked(True)
    assert d.notation is CODE
    ins = win.inspector
    assert ins.title.text() == "Unit 0 of layer 1"
    assert ins._node_form.labelForField(ins.bias_edit).text() == "Bias b"
    assert float(ins.bias_edit.text()) == float(d.net.biases[0][0])
    assert "Code notation" in win.teaching.stepper.legend.text()
    paths = win.io.export_all(str(tmp_path / "out"))
    readme = [p for p in paths if p.name == "README.md"][0].read_text()
    assert "`z = a @ Wℓ + bℓ`" in readme
    win.acts["notation"].setChecked(False)
    assert ins.title.text() == "Neuron 1 of layer 1"
    assert "Lecture notation" in win.teaching.stepper.legend.text()
    readme = [p for p in win.io.export_all(str(tmp_path / "o2")) if p.name == "README.md"][0].read_text()
    assert "θ_i = −`bℓ[i]`" in readme


def _marked(win):
    m = win.dataset_view.step_marker
    cx, cy = m.current.getData()
    bx, by = m.batch.getData()
    return list(zip(cx, cy)), list(zip(bx, by)), m.label.textItem.toPlainText() if m.label.isVisible() else ""


def test_the_stepped_pattern_is_marked_on_the_data_plot_and_moves_with_mu(win, qtbot):
    win.doc.open_example("eleven_points")  # batch mode: the walk shows 4 of the 11 patterns
    win.doc.set_probe(3)
    X = win.doc.data.train.X
    assert _marked(win) == ([], [], "")
    win.teaching.start_stepthrough()
    st = win.teaching.stepper
    current, batch, text = _marked(win)
    first = st.walk.indices[0]
    assert st.stage.pattern == first and current == [tuple(X[first])] and text == f"μ = {first + 1}"
    assert len(batch) == 10 and tuple(X[first]) not in batch  # the rest of the batch, lightly
    seen = [st.stage.pattern]
    while st.next():
        current, batch, text = _marked(win)
        mu = st.stage.pattern
        if mu is not None:
            assert current == [tuple(X[mu])] and text == f"μ = {mu + 1}"
            seen.append(mu)
        else:  # the update averages the whole batch: every pattern framed, none singled out
            assert current == [] and len(batch) == 11
    assert len(set(seen)) == 4  # the marker moved from pattern to pattern
    st.previous()
    st.previous()
    assert _marked(win)[0] == [tuple(X[st.stage.pattern])]
    win.acts["notation"].setChecked(True)  # code notation: the 0-based row
    assert _marked(win)[2] == f"x[{st.stage.pattern}]"
    win.acts["notation"].setChecked(False)
    st.stop()
    assert _marked(win) == ([], [], "")


def test_one_pattern_walk_marks_it_through_the_update(win, qtbot):
    win.doc.open_example("backprop_table")  # batch size 1
    win.doc.set_probe(2)
    win.teaching.start_stepthrough()
    st = win.teaching.stepper
    X = win.doc.data.train.X
    while True:
        current, batch, text = _marked(win)
        assert current == [tuple(X[2])] and batch == [] and text == "μ = 3", st.stage.kind
        if not st.next():
            break
    st.apply_update()
    assert _marked(win) == ([], [], "")


def test_code_notation_switch_rewrites_the_step_through_equations(win, qtbot):
    win.doc.open_example("eleven_points")
    win.doc.set_probe(3)
    win.teaching.start_stepthrough()
    st = win.teaching.stepper
    st.next()
    assert st.equation_text().startswith("b₁⁽¹⁾ = Σₖ w·V − θ")
    mu = st.walk.indices[0]
    assert st.pattern_spin.prefix() == "μ = " and st.pattern_spin.value() == mu + 1
    win.acts["notation"].setChecked(True)  # View ▸ Code Notation
    assert st.pattern_spin.prefix() == "row " and st.pattern_spin.value() == mu  # 0-based
    assert st.stage_index == 1 and st.equation_text().startswith("z1[0] = Σᵢ a0[i]·W1[i, 0] + b1[0]")
    assert "Code notation: z = a·W + b" in st.legend.text()
    headers = [st.table.horizontalHeaderItem(c).text() for c in range(st.table.columnCount())]
    assert headers == ["unit", "b", "z", "a"] and st.table.item(0, 0).text() == "0"
    st.next()
    st.next()  # the output layer's error: ∂L/∂z = −δ
    assert st.equation_text().startswith("∂L/∂z2[0] = g′(z)·(a − t)")
    win.acts["notation"].setChecked(False)
    assert st.stage_index == 3 and st.equation_text().startswith("δ₁⁽²⁾ = g′(b)·(t − V)")
    assert st.pattern_spin.prefix() == "μ = " and st.pattern_spin.value() == mu + 1
    assert "Lecture notation" in st.legend.text()
