"""ChainRulePanel: the lecture's two chain-rule examples, stepping, errors."""

import pytest
from PySide6.QtCore import Qt

from model.teaching.chain_rule import build_graph
from widgets.panels.chain_rule_panel import ChainRulePanel, display_names, layout


@pytest.fixture
def panel(qtbot):
    p = ChainRulePanel()
    qtbot.addWidget(p)
    p.resize(820, 520)
    p.show()
    return p


def step_to_end(panel, qtbot):
    while panel.next_button.isEnabled():
        qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)


def test_lecture_fxyz_forward_values(panel):
    assert panel.expr.text() == "q = x + y; f = q * z"
    assert {k: s.value() for k, s in panel.spins.items()} == {"x": -2, "y": 5, "z": -4}
    t = panel.node_texts()
    assert t["q"] == "q = 3" and t["f"] == "f = −12" and t["x"] == "x = −2"
    assert panel.stage() == 0 and panel.gradient_texts() == {}
    assert panel.equation_text() == "f = −12"


def test_lecture_fxyz_backward_stages(panel, qtbot):
    step_to_end(panel, qtbot)
    assert panel.stage() == panel.stage_count() == 5  # f, q, z, y, x
    g = panel.gradient_texts()
    assert g["x"] == "∂f/∂x = −4" and g["y"] == "∂f/∂y = −4" and g["z"] == "∂f/∂z = 3"
    assert g["q"] == "∂f/∂q = −4"
    assert panel.equation_text() == "∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4"
    panel.set_stage(2)
    assert panel.equation_text() == "∂f/∂q = z = −4"
    assert set(panel.gradient_texts()) == {"f", "q"}


def test_second_example_dz_dv(panel, qtbot):
    qtbot.mouseClick(panel.example_buttons["lecture_chain"], Qt.MouseButton.LeftButton)
    assert list(panel.spins) == ["v"] and panel.spins["v"].value() == 1
    t = panel.node_texts()
    assert t["x"] == "x = 3" and t["y"] == "y = 7" and t["z"] == "z = 49"
    step_to_end(panel, qtbot)
    assert panel.gradient_texts()["v"] == "dz/dv = 210"
    assert panel.equation_text().endswith("= 42 · 5 = 210")


def test_arrow_keys_step(panel, qtbot):
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Right)
    qtbot.keyClick(panel.view, Qt.Key.Key_Right)
    assert panel.stage() == 2
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    assert panel.stage() == 1
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    qtbot.keyClick(panel, Qt.Key.Key_Left)  # stops at 0
    assert panel.stage() == 0 and not panel.prev_button.isEnabled()


def test_invalid_expression_keeps_old_graph(panel, qtbot):
    before = panel.node_texts()
    panel.expr.clear()
    qtbot.keyClicks(panel.expr, "__import__('os')")
    qtbot.keyClick(panel.expr, Qt.Key.Key_Return)
    assert "not allowed" in panel.error_text()
    assert panel.error.isVisible()
    assert panel.node_texts() == before
    assert list(panel.spins) == ["x", "y", "z"]
    qtbot.keyClick(panel.expr, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(panel.expr, "f = a * b")
    qtbot.keyClick(panel.expr, Qt.Key.Key_Return)
    assert panel.error_text() == "" and list(panel.spins) == ["a", "b"]


def test_value_change_reevaluates_and_keeps_stage(panel, qtbot):
    step_to_end(panel, qtbot)
    panel.set_value("z", 2.0)
    assert panel.node_texts()["f"] == "f = 6"
    assert panel.stage() == 5 and panel.gradient_texts()["x"] == "∂f/∂x = 2"


def test_constants_sit_next_to_their_consumer():
    g = build_graph("x = 5*v - 2; y = 3*x - 2; z = y**2", {"v": 1.0})
    pos = layout(g)
    names = display_names(g)
    for n in g.nodes:
        for i in n.inputs:
            if g.nodes[i].op == "const":
                assert pos[i][0] == pos[n.id][0] - 0.5 and pos[i][0] > 0
    assert names[[n.id for n in g.nodes if n.op == "*"][0]] == "5·v"


def test_renders_offscreen(panel, qtbot):
    step_to_end(panel, qtbot)
    img = panel.grab().toImage()
    assert img.width() >= 800
    red = sum(
        1
        for x in range(0, img.width(), 4)
        for y in range(0, img.height(), 4)
        if (c := img.pixelColor(x, y)).red() > 180 and c.green() < 90 and c.blue() < 90
    )
    assert red > 20  # gradients drawn in red


def test_rejected_expression_greys_the_old_graph_and_labels_use_the_parser_syntax(qtbot):
    from widgets.panels.chain_rule_layout import SYMBOL
    from widgets.panels.chain_rule_panel import ChainRulePanel

    assert SYMBOL["**"] == "**"  # what the graph shows, the parser accepts
    p = ChainRulePanel()
    qtbot.addWidget(p)
    assert p.set_expression("x = 5*v - 2; y = 3*x - 2; z = y**2", {"v": 1.0})
    assert p.view.graphicsEffect() is None
    assert not p.set_expression("x ^ 2")
    assert p.error.isVisibleTo(p) and "previous expression" in p.error.text()
    assert p.view.graphicsEffect() is not None and p.view.graphicsEffect().opacity() < 0.5
    assert p.set_expression("x + y", {"x": 1.0, "y": 2.0})
    assert p.view.graphicsEffect() is None
