"""GUI tests for the side panels: TrainingPanel, DataPanel, Inspector.

Each widget is driven the way a person would (combo choices, typing + Enter,
radio clicks, mouse clicks on the plot) and the emitted requests are checked.
"""

import math

import pytest
from PySide6.QtCore import Qt
from qt_helpers import click, show, type_text

from model.io.project import DataSource
from model.nn.spec import NetworkSpec
from model.optim.schedules import Schedule
from model.train.trainer import TrainSettings
from widgets.forms.data_panel import DataPanel
from widgets.forms.inspector import Inspector
from widgets.forms.training_panel import TrainingPanel
from widgets.panels.dataset_view import DatasetView

# --------------------------------------------------------------------------- TrainingPanel

SETTINGS = [
    TrainSettings(),
    TrainSettings(
        optimizer="adam",
        lr=0.00123456789,
        hyper={"beta1": 0.85},
        schedule=Schedule("cosine", period=500, min_lr=1e-5),
        batch_size=32,
        epochs=500,
        target_loss=1e-4,
        seed=3,
    ),
    TrainSettings(
        optimizer="momentum",
        lr=0.05,
        hyper={"momentum": 0.95},
        schedule=Schedule("step", step_size=50, gamma=0.3),
        batch_size=1,
        epochs=20,
        seed=7,
    ),
    TrainSettings(
        optimizer="rmsprop",
        lr=0.01,
        hyper={"rho": 0.8, "eps": 1e-6},
        schedule=Schedule("inverse_time", decay=0.02),
    ),
    TrainSettings(optimizer="adagrad", lr=0.3, schedule=Schedule("exponential", decay=0.001)),
]


@pytest.mark.parametrize("s", SETTINGS)
def test_training_round_trip(qtbot, s):
    w = show(qtbot, TrainingPanel())
    with qtbot.assertNotEmitted(w.settingsEdited):
        w.set_settings(s, 200)
    assert w.settings() == s


def test_training_optimizer_shows_its_hyper_parameters(qtbot):
    w = show(qtbot, TrainingPanel())
    w.set_settings(TrainSettings(), 100)
    assert w.hyper_spins["momentum"].isHidden() and w.hyper_spins["beta1"].isHidden()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        w.optimizer_combo.setCurrentIndex(w.optimizer_combo.findText("Adam"))
    s = blocker.args[0]
    assert s.optimizer == "adam" and s.lr == 0.1
    assert not w.hyper_spins["beta1"].isHidden() and not w.hyper_spins["beta2"].isHidden()
    assert w.hyper_spins["momentum"].isHidden() and w.hyper_spins["eps"].isHidden()
    click(qtbot, w.advanced_check)
    assert not w.hyper_spins["eps"].isHidden()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        type_text(qtbot, w.hyper_spins["beta1"], "0.8")
    assert blocker.args[0].hyper["beta1"] == pytest.approx(0.8)
    assert [w.optimizer_combo.itemText(i) for i in range(w.optimizer_combo.count())] == [
        "SGD",
        "Momentum",
        "Nesterov",
        "AdaGrad",
        "RMSProp",
        "Adam",
        "AdamW",
    ]


def test_training_typed_learning_rate_emits_both_signals(qtbot):
    w = show(qtbot, TrainingPanel())
    w.set_settings(TrainSettings(), 100)
    seen = []
    w.learningRateEdited.connect(lambda lr: seen.append(("lr", lr)))
    w.settingsEdited.connect(lambda s: seen.append(("settings", s.lr)))
    type_text(qtbot, w.lr_spin, "0.001")
    assert seen == [("lr", pytest.approx(0.001)), ("settings", pytest.approx(0.001))]
    assert w.lr_slider.value() == -300  # log10(0.001) * 100


def test_training_slider_is_log_scale(qtbot):
    w = show(qtbot, TrainingPanel())
    w.set_settings(TrainSettings(), 100)
    seen = []
    w.learningRateEdited.connect(seen.append)
    w.lr_slider.setValue(-200)
    w.lr_slider.setValue(0)
    assert seen == [pytest.approx(0.01), pytest.approx(1.0)]
    assert w.lr_spin.value() == pytest.approx(1.0)
    assert w.lr_slider.minimum() == -500 and w.lr_slider.maximum() == 100


def test_training_batch_mode_radios(qtbot):
    w = show(qtbot, TrainingPanel())
    w.set_settings(TrainSettings(), 100)
    assert not w.batch_spin.isEnabled()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        click(qtbot, w.mode_buttons["mini-batch"])
    assert w.batch_spin.isEnabled()
    assert blocker.args[0].batch_size == w.batch_spin.value()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        type_text(qtbot, w.batch_spin, "10")
    assert blocker.args[0].batch_size == 10
    assert "10 updates/epoch" in w.batch_info.text()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        click(qtbot, w.mode_buttons["stochastic"])
    assert blocker.args[0].batch_size == 1 and not w.batch_spin.isEnabled()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        click(qtbot, w.mode_buttons["batch"])
    assert blocker.args[0].batch_size is None


def test_training_schedule_fields_and_formula(qtbot):
    w = show(qtbot, TrainingPanel())
    w.set_settings(TrainSettings(), 100)
    assert w.field_spins["gamma"].isHidden()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        w.schedule_combo.setCurrentIndex(w.schedule_combo.findData("step"))
    assert blocker.args[0].schedule.kind == "step"
    assert not w.field_spins["gamma"].isHidden() and w.field_spins["decay"].isHidden()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        type_text(qtbot, w.field_spins["gamma"], "0.25")
    assert blocker.args[0].schedule == Schedule("step", gamma=0.25)
    assert w.schedule_label.text() == Schedule("step", gamma=0.25).describe()


def test_training_target_loss_and_epochs(qtbot):
    w = show(qtbot, TrainingPanel())
    w.set_settings(TrainSettings(), 100)
    assert not w.target_spin.isEnabled()
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        click(qtbot, w.target_check)
    assert blocker.args[0].target_loss == pytest.approx(1e-3)
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        type_text(qtbot, w.epochs_spin, "250")
    assert blocker.args[0].epochs == 250
    with qtbot.waitSignal(w.settingsEdited) as blocker:
        type_text(qtbot, w.seed_spin, "42")
    assert blocker.args[0].seed == 42


def test_training_invalid_combination_turns_red_and_emits_nothing(qtbot):
    w = show(qtbot, TrainingPanel())
    w.set_settings(TrainSettings(lr=0.01, schedule=Schedule("cosine", min_lr=0.001)), 100)
    with qtbot.assertNotEmitted(w.settingsEdited), qtbot.assertNotEmitted(w.learningRateEdited):
        type_text(qtbot, w.field_spins["min_lr"], "0.05")
    assert "below" in w.message.text() and w.message.isVisible()
    assert "d62728" in w.field_spins["min_lr"].styleSheet()
    with pytest.raises(ValueError):
        w.settings()
    with qtbot.waitSignal(w.settingsEdited):  # fixing it clears the error
        type_text(qtbot, w.field_spins["min_lr"], "0.0001")
    assert not w.message.isVisible() and w.field_spins["min_lr"].styleSheet() == ""


def test_training_every_control_has_a_tooltip(qtbot):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider

    for w in (TrainingPanel(), DataPanel(), Inspector(), DatasetView()):
        qtbot.addWidget(w)
        for cls in (QAbstractButton, QAbstractSpinBox, QComboBox, QSlider):
            for c in w.findChildren(cls):
                if c.objectName().startswith("qt_"):  # Qt's own parts, e.g. a table's corner button
                    continue
                assert c.toolTip(), f"{type(w).__name__}: {type(c).__name__} has no tooltip"
        for c in w.findChildren(QLineEdit):  # line edits inside spin boxes/combos inherit theirs
            if c.parent() is not None and not isinstance(c.parent(), (QAbstractSpinBox, QComboBox)):
                assert c.toolTip()


# --------------------------------------------------------------------------- DataPanel


def test_data_panel_choose_dataset(qtbot):
    w = show(qtbot, DataPanel())
    with qtbot.assertNotEmitted(w.sourceEdited):
        w.set_source(DataSource(name="xor", val_fraction=0.0, split_seed=3), "none")
    assert not w.n_spin.isEnabled() and not w.noise_spin.isEnabled()
    assert w.info.text() == "Task: classification, 2 inputs → 1 output"
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        w.dataset_combo.setCurrentIndex(w.dataset_combo.findText("Moons"))
    src, prep = blocker.args
    assert (src.kind, src.name, src.params) == ("builtin", "moons", {"n": 200, "noise": 0.1, "seed": 0})
    assert src.split_seed == 3 and prep == "none"
    w.set_source(src, prep)
    assert w.n_spin.isEnabled() and w.n_spin.value() == 200
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        w.dataset_combo.setCurrentIndex(w.dataset_combo.findText("Iris"))
    assert blocker.args[0].params == {}
    w.set_source(blocker.args[0], "standardize")
    assert w.info.text() == "Task: classification, 4 inputs → 3 outputs"
    assert not w.n_spin.isEnabled()


def test_data_panel_combo_is_grouped(qtbot):
    w = DataPanel()
    qtbot.addWidget(w)
    texts = [w.dataset_combo.itemText(i) for i in range(w.dataset_combo.count())]
    for group in ("Lecture tables", "2-D classification", "Regression", "Real data"):
        row = texts.index(group)
        assert not (w.dataset_combo.model().item(row).flags() & Qt.ItemFlag.ItemIsSelectable)
    assert texts.index("Lecture tables") < texts.index("XOR") < texts.index("2-D classification")
    assert texts.index("Real data") < texts.index("Iris")


def test_data_panel_typed_values_keep_other_params(qtbot):
    w = show(qtbot, DataPanel())
    w.set_source(
        DataSource(
            name="spiral", params={"n": 400, "noise": 0.05, "seed": 1, "turns": 2.0}, val_fraction=0.2
        ),
        "standardize",
    )
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        type_text(qtbot, w.n_spin, "150")
    src, prep = blocker.args
    assert src.params == {"n": 150, "noise": 0.05, "seed": 1, "turns": 2.0} and prep == "standardize"
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        type_text(qtbot, w.noise_spin, "0.2")
    assert blocker.args[0].params["noise"] == pytest.approx(0.2)
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        type_text(qtbot, w.seed_spin, "9")
    assert blocker.args[0].params["seed"] == 9
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        type_text(qtbot, w.val_spin, "0.25")
    assert blocker.args[0].val_fraction == pytest.approx(0.25)
    assert w.val_spin.maximum() == pytest.approx(0.9)
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        w.prep_combo.setCurrentIndex(w.prep_combo.findData("normalize"))
    assert blocker.args[1] == "normalize"


def test_data_panel_csv_source(qtbot):
    w = show(qtbot, DataPanel())
    src = DataSource(kind="csv", path="data/my.csv", inputs=["a", "b", "c"], targets=["y"], task="regression")
    w.set_source(src, "none")
    assert w.dataset_combo.currentText() == "File: my.csv"
    assert not w.n_spin.isEnabled() and not w.noise_spin.isEnabled()
    assert w.info.text() == "Task: regression, 3 inputs → 1 output"
    with qtbot.waitSignal(w.sourceEdited) as blocker:
        type_text(qtbot, w.val_spin, "0.3")
    out = blocker.args[0]
    assert out.kind == "csv" and out.path == "data/my.csv" and out.val_fraction == pytest.approx(0.3)
    assert src.val_fraction == 0.0  # the shown source is never mutated
    w.set_source(DataSource(name="xor"), "none")
    assert w.dataset_combo.findText("File: my.csv") == -1


# --------------------------------------------------------------------------- Inspector

SPEC = NetworkSpec([2, 3, 1], ["tanh", "sigmoid"], loss="mse")


def test_inspector_typed_weight(qtbot):
    w = show(qtbot, Inspector(), (320, 300))
    w.show_edge(0, 1, 2, -0.75, 0.031)
    # the lecture's notation: 1-based, receiving unit first (w₃₂⁽¹⁾ = weights[0][1, 2])
    assert w.title.text() == "Weight w₃₂⁽¹⁾"
    assert "from neuron 2 of layer 0 to neuron 3 of layer 1" in w.edge_where.text()
    assert "W1[1, 2]" in w.edge_where.text()
    assert w.edge_grad.text() == "0.031"
    with qtbot.waitSignal(w.weightEdited) as blocker:
        type_text(qtbot, w.weight_edit, "0.5")
    assert blocker.args == [0, 1, 2, 0.5]


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1e999", ""])
def test_inspector_garbage_weight_emits_nothing(qtbot, text):
    w = show(qtbot, Inspector(), (320, 300))
    w.show_edge(1, 0, 0, 0.25, None)
    with qtbot.assertNotEmitted(w.weightEdited):
        w.weight_edit.selectAll()
        qtbot.keyClick(w.weight_edit, Qt.Key.Key_Delete)
        qtbot.keyClicks(w.weight_edit, text)
        qtbot.keyClick(w.weight_edit, Qt.Key.Key_Return)
    assert "d62728" in w.weight_edit.styleSheet()
    assert w.edge_message.isVisible() and "not a finite number" in w.edge_message.text()
    with qtbot.waitSignal(w.weightEdited) as blocker:  # a good number clears the error
        type_text(qtbot, w.weight_edit, "-2e-3")
    assert blocker.args == [1, 0, 0, -0.002]
    assert w.weight_edit.styleSheet() == "" and not w.edge_message.isVisible()


def test_inspector_node_bias(qtbot):
    w = show(qtbot, Inspector(), (320, 300))
    w.show_node(1, 2, "tanh", 0.25, 0.7, math.tanh(0.7), True, delta=-0.125)
    assert w.title.text() == "Neuron 3 of layer 1"
    assert w.node_b.text() == "0.7" and w.node_V.text() == f"{math.tanh(0.7):.6g}"
    # θ = −bias beside the stored bias; the δ row shows the lecture's δ with a true minus
    assert w.bias_edit.text() == "-0.25" and w._node_form.labelForField(w.bias_edit).text() == "Threshold θ"
    assert w.node_bias.text().startswith("0.25")
    assert w.node_delta.text() == "−0.125" and "lecture's sign" in w.node_delta.toolTip()
    with qtbot.waitSignal(w.biasEdited) as blocker:
        type_text(qtbot, w.bias_edit, "-1.5")  # θ = −1.5  →  bias 1.5
    assert blocker.args == [1, 2, 1.5]
    w.show_node(0, 1, None, None, None, 0.3, False)  # input neuron: no bias row
    assert w.bias_edit.isHidden() and w.node_V.text() == "0.3"


def test_inspector_notation_switch_relabels_everything(qtbot):
    from model.teaching.notation import CODE, LECTURE

    w = show(qtbot, Inspector(), (320, 300))
    w.show_node(1, 0, "sigmoid", 0.5, 0.2, 0.55, True, delta=0.03)
    w.set_notation(CODE)
    assert w.title.text() == "Unit 0 of layer 1"
    assert w._node_form.labelForField(w.bias_edit).text() == "Bias b" and w.bias_edit.text() == "0.5"
    assert w._node_form.labelForField(w.node_delta).text() == "∂L/∂z (probe)"
    assert w.node_delta.text() == "−0.03"  # ∂L/∂z = −δ
    assert w.node_bias.isHidden()
    with qtbot.waitSignal(w.biasEdited) as blocker:
        type_text(qtbot, w.bias_edit, "2")
    assert blocker.args == [1, 0, 2.0]
    w.show_edge(0, 1, 2, 0.5, None)
    assert w.title.text() == "Weight W1[1, 2]" and "from unit 1 of layer 0 to unit 2" in w.edge_where.text()
    w.set_notation(LECTURE)  # redraws the current selection
    assert w.title.text() == "Weight w₃₂⁽¹⁾"


def test_inspector_layer_edits(qtbot):
    w = show(qtbot, Inspector(), (320, 300))
    with qtbot.assertNotEmitted(w.layerWidthEdited), qtbot.assertNotEmitted(w.activationEdited):
        w.show_layer(1, SPEC, True)
    assert w.width_spin.value() == 3 and w.act_combo.currentText() == "tanh"
    with qtbot.waitSignal(w.layerWidthEdited) as blocker:
        type_text(qtbot, w.width_spin, "5")
    assert blocker.args == [1, 5]
    with qtbot.waitSignal(w.activationEdited) as blocker:
        w.act_combo.setCurrentIndex(w.act_combo.findText("relu"))
    assert blocker.args == [1, "relu"]
    assert "max(0, b)" in w.act_desc.text()
    w.show_layer(0, SPEC, True)
    assert not w.width_spin.isEnabled() and not w.act_combo.isEnabled()
    w.show_layer(1, SPEC, False)
    assert not w.width_spin.isEnabled() and "Stop training" in w.layer_note.text()


def test_inspector_summary(qtbot):
    w = show(qtbot, Inspector(), (320, 300))
    w.show_network_summary(SPEC, 0.0123)
    assert w.sum_layers.text().startswith("2 → 3 → 1")
    assert w.sum_params.text() == "13"
    assert w.sum_loss.text() == "mse = 0.0123"
    assert w.stack.currentIndex() == 0


def test_choosing_adam_does_not_move_the_learning_rate(qtbot):
    """β rows appear below η₀: the next click still lands on the learning rate."""
    from widgets.forms.training_panel import TrainingPanel

    panel = TrainingPanel()
    show(qtbot, panel, (380, 700))
    before = panel.lr_spin.mapTo(panel, panel.lr_spin.rect().topLeft())
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("adam"))
    qtbot.wait(10)
    assert panel.hyper_spins["beta1"].isVisible()
    assert panel.lr_spin.mapTo(panel, panel.lr_spin.rect().topLeft()) == before
    assert (
        panel.hyper_spins["beta1"].mapTo(panel, panel.hyper_spins["beta1"].rect().topLeft()).y() > before.y()
    )


def test_mode_and_optimizer_titles_come_from_the_model_table(qtbot):
    from model.optim.names import GD_MODES, OPTIMIZER_TITLES
    from widgets.panels.racer_controls import LABELS

    w = show(qtbot, TrainingPanel())
    assert {k: b.text() for k, b in w.mode_buttons.items()} == {k: t for k, (t, _tip) in GD_MODES.items()}
    combo = w.optimizer_combo
    assert {combo.itemData(i): combo.itemText(i) for i in range(combo.count())} == OPTIMIZER_TITLES
    assert all(LABELS[k] == OPTIMIZER_TITLES[k] for k in LABELS)
