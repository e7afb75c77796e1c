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
