"""StepThroughPanel driving a real NetworkCanvas: buttons, keys, overlays,
pixels, pattern chooser, hover text and the applied update."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from model.data.datasets import make_dataset
from model.nn.network import Network, NetworkSpec
from model.train.trainer import Trainer, TrainSettings
from widgets.canvas.network_canvas import NetworkCanvas
from widgets.canvas.node_item import NEUTRAL_FILL
from widgets.panels.stepthrough_panel import StepThroughPanel

DS = make_dataset("eleven_points")
SIZES, ACTS = [2, 3, 1], ["tanh", "sigmoid"]


@pytest.fixture
def net():
    n = Network(NetworkSpec(SIZES, ACTS, seed=3))
    n.set_parameters(n.weights, [np.array([0.1, -0.2, 0.3]), np.array([0.05])])
    return n


@pytest.fixture
def rig(qtbot, net):
    box = QWidget()
    lay = QHBoxLayout(box)
    canvas, panel = NetworkCanvas(), StepThroughPanel()
    lay.addWidget(canvas, 3)
    lay.addWidget(panel, 2)
    qtbot.addWidget(box)
    canvas.set_network(SIZES, ACTS, net.weights, net.biases)
    panel.attach(canvas)
    box.resize(1100, 600)
    box.show()
    qtbot.waitExposed(box)
    panel.start(net, DS.X, DS.T, [3], lr=0.5)
    yield canvas, panel
    panel.stop()


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def kinds(panel):
    return [panel.walk[i].kind for i in range(panel.stage_count)]


def test_next_previous_buttons_change_stage_and_equation(rig, qtbot):
    canvas, panel = rig
    assert panel.stage_index == 0 and panel.stage_count == 7
    assert not panel.prev_button.isEnabled() and not panel.apply_button.isEnabled()
    first = panel.equation_text()
    assert first.startswith("pattern μ = 4:\nV⁽⁰⁾ ← x⁽μ⁾ = (0.300, 0.750)")
    click(qtbot, panel.next_button)
    assert panel.stage_index == 1 and panel.stage.kind == "forward"
    assert panel.counter.text() == "Stage 2 of 7 — Forward: layer 1 (hidden) — μ = 4"
    assert panel.equation_text().startswith("b₁⁽¹⁾ = Σₖ w·V − θ") and "tanh(" in panel.equation_text()
    assert panel.table.rowCount() == 3 and panel.table.item(0, 3).text() == panel.stage.table_rows[0][3]
    click(qtbot, panel.prev_button)
    assert panel.stage_index == 0 and panel.equation_text() == first
    for _ in range(10):
        click(qtbot, panel.next_button)
    assert panel.stage_index == 6 and not panel.next_button.isEnabled()
    assert panel.apply_button.isEnabled() and panel.counter.text().endswith("New weights")


def test_arrow_keys_on_panel_and_canvas(rig, qtbot):
    canvas, panel = rig
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.stage_index == 1
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert panel.stage_index == 3 and panel.stage.kind == "output_error"
    assert panel.equation_text().startswith("δ₁⁽²⁾ = g′(b)·(t − V)")
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    assert panel.stage_index == 2
    assert panel.handle_key(Qt.Key.Key_Right) and panel.stage_index == 3
    assert not panel.handle_key(Qt.Key.Key_A)


def test_canvas_overlay_follows_the_stage(rig, qtbot):
    canvas, panel = rig
    el = canvas.edge_layer
    assert el.mode == "weight"  # input stage: the weights
    panel.next()
    assert el.mode == "forward" and panel.stage.kind == "forward"
    contrib = np.concatenate([m.ravel() for m in panel.stage.edge_values])
    np.testing.assert_allclose(el.values, contrib)
    panel.go_to(4)
    assert panel.stage.kind == "backward" and el.mode == "backward"
    panel.go_to(6)  # new weights drawn as weights
    assert el.mode == "weight"
    np.testing.assert_allclose(canvas._weights[0], panel.stage.weights_after[0])
    panel.go_to(5)  # back again: old weights
    np.testing.assert_allclose(canvas._weights[0], panel.walk.W[0])
    panel.stop()
    assert el.mode == "weight" and not panel.active


def test_unreached_layers_are_blank(rig):
    canvas, panel = rig
    hidden, out = canvas.node_item(1, 0), canvas.node_item(2, 0)
    assert hidden.text() == "" and hidden._fill == NEUTRAL_FILL and out.text() == ""
    assert canvas.node_item(0, 0).text() == "0.30"
    panel.next()
    assert hidden.text() != "" and hidden._fill != NEUTRAL_FILL and out._fill == NEUTRAL_FILL
    panel.next()
    assert out.text() == f"{panel.stage.node_values[2][0]:.2f}"


def _colour_counts(canvas):
    img = canvas.grab().toImage()
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    px = a[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., :3].astype(int)
    b, g, r = px[..., 0], px[..., 1], px[..., 2]  # Format_(A)RGB32 is BGRA in memory
    green_yellow = (g > b + 50) & (g > 130) & (r < g + 60)
    purple = (r > g + 25) & (b > g + 25)
    return int(green_yellow.sum()), int(purple.sum())


def test_rendered_forward_and_backward_stages_differ_in_colour(rig, qtbot):
    canvas, panel = rig
    panel.go_to(2)  # forward, output layer: every edge carries activity
    qtbot.wait(10)
    fwd_green, fwd_purple = _colour_counts(canvas)
    panel.go_to(4)  # backward, layer 1: every edge carries ∂E/∂w
    qtbot.wait(10)
    bwd_green, bwd_purple = _colour_counts(canvas)
    assert fwd_green > 300 and bwd_purple > 300, (fwd_green, fwd_purple, bwd_green, bwd_purple)
    assert fwd_green > 5 * bwd_green and bwd_purple > 5 * fwd_purple


def test_apply_emits_the_one_step_update(rig, qtbot, net):
    canvas, panel = rig
    while panel.next():
        pass
    got, done = [], []
    panel.updateApplied.connect(lambda w, b: got.append((w, b)))
    panel.finished.connect(lambda: done.append(True))
    click(qtbot, panel.apply_button)
    assert len(got) == 1 and done == [True]
    W, B = got[0]
    twin = net.copy()
    Trainer(twin, DS.X[[3]], DS.T[[3]], TrainSettings(optimizer="sgd", lr=0.5, batch_size=1)).run_epoch()
    for a, b in zip(W + B, twin.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert not panel.active and canvas.edge_layer.mode == "weight"
    np.testing.assert_allclose(canvas._weights[1], W[1])
    assert panel.counter.text() == "Step-through finished"


def test_pattern_chooser_and_batch(rig, qtbot, net):
    canvas, panel = rig
    panel.next()
    panel.pattern_spin.setValue(6)
    assert panel.stage_index == 0 and "μ = 6" in panel.counter.text()
    np.testing.assert_allclose(panel.stage.node_values[0], DS.X[5])
    panel.start(net, DS.X, DS.T, [0, 4, 6, 9], lr=0.5)
    assert panel.batch_check.isChecked() and panel.batch_check.text() == "whole batch (4)"
    assert not panel.pattern_spin.isEnabled() and panel.stage_count == 22
    assert kinds(panel)[-2:] == ["update", "new_weights"]
    panel.go_to(20)
    assert "averaged over the batch of 4" in panel.equation_text()
    click(qtbot, panel.batch_check)
    assert not panel.batch_check.isChecked() and panel.stage_count == 7
    assert panel.pattern_spin.isEnabled() and panel.stage.pattern == 0


def test_choosing_a_node_shows_its_equation(rig):
    canvas, panel = rig
    panel.next()
    canvas.nodeSelected.emit(1, 2)
    assert panel.equation_text().startswith("b₃⁽¹⁾")
    assert canvas.selected_nodes() == [(1, 2)]
    panel.table.cellClicked.emit(1, 0)
    assert panel.equation_text().startswith("b₂⁽¹⁾")
    panel.next()  # a new stage starts at its first node
    assert panel.equation_text().startswith("b₁⁽²⁾")


def test_hover_text_is_stage_aware(rig):
    canvas, panel = rig
    item = canvas.node_item(1, 0)
    pos = canvas.mapFromScene(item.scenePos())
    assert "V =" not in panel.hover_text(pos) and "θ = −bias" in panel.hover_text(pos)
    panel.go_to(4)
    assert "δ =" in panel.hover_text(pos)
    a, b = canvas.node_item(1, 1).scenePos(), canvas.node_item(2, 0).scenePos()
    mid = canvas.mapFromScene((a + b) / 2)
    text = panel.hover_text(mid)
    assert text.startswith("w₁₂⁽²⁾") and "∂E/∂w" in text
    assert panel.hover_text(QPoint(3, 3)) == ""


def test_panel_drives_the_canvas_through_show_stage_only(rig, qtbot):
    """Widgets never reach into another widget: one canvas call per stage, no item access."""
    import ast
    import inspect

    import widgets.panels.stepthrough_panel as mod

    used = {
        node.attr
        for node in ast.walk(ast.parse(inspect.getsource(mod)))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "canvas"
    }
    assert used <= {"show_stage", "hit_at", "nodeSelected", "removeEventFilter"}, used
    canvas, panel = rig
    calls = []
    orig = canvas.show_stage
    canvas.show_stage = lambda *a, **k: (calls.append(a), orig(*a, **k))[1]
    while panel.next():
        pass
    assert len(calls) == panel.stage_count - 1
    values, weights, edges, selected = calls[-1]
    assert edges is None and np.allclose(weights[0][0], panel.walk[-1].weights_after[0])
    # a layer not reached yet is neutral and unlabelled, through the same call
    panel.go_to(0)
    assert calls[-1][0][1] is None and canvas.node_item(1, 0).text() == ""
    assert canvas.node_item(0, 0).text() != ""


def test_code_notation_counts_the_pattern_chooser_from_zero(rig):
    from model.teaching.notation import CODE, LECTURE

    _canvas, panel = rig
    assert panel.pattern_spin.value() == 4 and panel.walk.indices == [3]  # μ = 4 is row 3
    panel.set_notation(CODE)
    assert panel.pattern_spin.prefix() == "row " and panel.pattern_spin.value() == 3
    assert panel.pattern_spin.minimum() == 0 and panel.pattern_spin.maximum() == len(DS.X) - 1
    panel.pattern_spin.setValue(5)
    assert panel.walk.indices == [5] and panel.equation_text().startswith("sample x[5] (row 5, 0-based)")
    panel.set_notation(LECTURE)
    assert panel.pattern_spin.value() == 6 and panel.walk.indices == [5]
    assert panel.equation_text().startswith("pattern μ = 6:")
