"""PredictPanel: raw inputs → scaler → network, probabilities as bars,
one-hot groups as combos, bad text flagged."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from model.data.datasets import make_dataset, train_val_split
from model.data.preprocessing import fit_scaler
from model.nn.network import Network, NetworkSpec
from model.train.trainer import Trainer, TrainSettings
from widgets.panels.predict_panel import PredictPanel, class_probabilities, feature_groups


@pytest.fixture(scope="module")
def iris_model():
    ds = make_dataset("iris")
    train, _ = train_val_split(ds, 0.2, 0)
    sc = fit_scaler(train.X, "standardize")
    net = Network(NetworkSpec([4, 6, 3], ["tanh", "softmax"], loss="cross_entropy", seed=0))
    Trainer(net, sc.transform(train.X), train.T, TrainSettings(optimizer="adam", lr=0.05)).train(60)
    return ds, sc, net


@pytest.fixture
def panel(qtbot, iris_model):
    ds, sc, net = iris_model
    p = PredictPanel()
    qtbot.addWidget(p)
    p.resize(700, 320)
    p.show()
    p.set_model(net, sc, ds.feature_names, ds.class_names, ds.task)
    return p


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def test_typed_iris_values_give_the_network_probabilities(qtbot, panel, iris_model):
    ds, sc, net = iris_model
    panel.auto.setChecked(False)  # predict on Enter only
    raw = [6.3, 2.9, 5.6, 1.8]
    for name, v in zip(ds.feature_names, raw):
        type_into(qtbot, panel.fields[name], str(v))
    qtbot.keyClick(panel.fields["petal_width"], Qt.Key.Key_Return)
    expected = net.predict(sc.transform(np.array([raw])))[0]
    np.testing.assert_allclose(panel.probabilities(), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(panel.outputs(), expected, atol=1e-12)
    # the bar chart shows the same numbers, the winner is named
    np.testing.assert_allclose(panel.bars.opts["height"], expected)
    assert panel.predicted_class() == ds.class_names[int(np.argmax(expected))]
    assert panel.predicted_class() in panel.result.text()


def test_auto_predict_on_every_change(qtbot, panel, iris_model):
    ds, sc, net = iris_model
    seen = []
    panel.predicted.connect(lambda y: seen.append(y.copy()))
    type_into(qtbot, panel.fields["petal_length"], "1.4")
    assert seen
    x = panel.raw_inputs()
    assert x[2] == 1.4
    np.testing.assert_allclose(seen[-1], net.predict(sc.transform(x[None]))[0], atol=1e-12)


def test_bad_text_turns_red_with_a_message(qtbot, panel):
    type_into(qtbot, panel.fields["sepal_width"], "3,1x")
    assert "sepal_width" in panel.error_text() and "not a finite number" in panel.error_text()
    assert "fde7e4" in panel.fields["sepal_width"].styleSheet()
    assert panel.outputs() is None and panel.probabilities() is None
    type_into(qtbot, panel.fields["sepal_width"], "")
    assert "empty" in panel.error_text()
    type_into(qtbot, panel.fields["sepal_width"], "inf")
    assert "not a finite number" in panel.error_text()
    type_into(qtbot, panel.fields["sepal_width"], "3.1")
    assert panel.error_text() == "" and panel.fields["sepal_width"].styleSheet() == ""
    assert panel.probabilities() is not None


def test_one_hot_groups_become_combos(qtbot):
    names = ["island=Biscoe", "island=Dream", "island=Torgersen", "bill_length_mm", "sex=female", "sex=male"]
    assert [(n, c) for n, c, _ in feature_groups(names)] == [
        ("island", ["Biscoe", "Dream", "Torgersen"]),
        ("bill_length_mm", None),
        ("sex", ["female", "male"]),
    ]
    X = np.array([[1, 0, 0, 40.0, 0, 1], [0, 1, 0, 50.0, 1, 0]])
    sc = fit_scaler(X, "standardize")
    net = Network(NetworkSpec([6, 3, 1], ["tanh", "sigmoid"], loss="bce", seed=2))
    p = PredictPanel()
    qtbot.addWidget(p)
    p.set_model(net, sc, names, ["no", "yes"], "classification")
    assert isinstance(p.fields["island"], QComboBox) and isinstance(p.fields["bill_length_mm"], QLineEdit)
    p.set_text("island", "Dream")
    p.set_text("sex", "male")
    p.set_text("bill_length_mm", "42")
    x = p.raw_inputs()
    np.testing.assert_array_equal(x, [0, 1, 0, 42, 0, 1])
    prob = net.predict(sc.transform(x[None]))[0, 0]
    np.testing.assert_allclose(p.probabilities(), [1 - prob, prob], atol=1e-12)


def test_regression_shows_values_without_bars(qtbot):
    net = Network(NetworkSpec([2, 3, 2], ["tanh", "linear"], seed=0))
    p = PredictPanel()
    qtbot.addWidget(p)
    p.show()
    p.set_model(net, None, ["a", "b"], [], "regression", target_names=["u", "v"])
    p.set_text("a", "0.5")
    y = net.predict(np.array([[0.5, 0.0]]))[0]
    np.testing.assert_allclose(p.outputs(), y)
    assert not p.plot.isVisible() and "u = " in p.result.text()
    assert p.probabilities() is None


def test_class_probabilities_of_non_probability_outputs():
    probs, ok = class_probabilities(np.array([0.2, 1.5, -0.3]), "linear")
    assert not ok and np.argmax(probs) == 1
    probs, ok = class_probabilities(np.array([0.7]), "sigmoid")
    assert ok and np.allclose(probs, [0.3, 0.7])


def test_mismatched_feature_names_are_refused(qtbot, iris_model):
    ds, sc, net = iris_model
    p = PredictPanel()
    qtbot.addWidget(p)
    with pytest.raises(ValueError, match="feature names"):
        p.set_model(net, sc, ds.feature_names[:3], ds.class_names, ds.task)


def test_panel_fills_a_short_dock_instead_of_scrolling_its_plot(qtbot):
    """A laptop's plots dock is ~300 px tall. The panel's word-wrapped labels
    made the scroll area size its body by the *preferred* height (the plot's
    480-px size hint), so the bars' 0 line and class names sat below the fold."""
    from PySide6.QtWidgets import QScrollArea, QWidget

    p = PredictPanel()
    qtbot.addWidget(p)
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], seed=0))
    p.set_model(net, None, ["x1", "x2"], ["0", "1"], "classification")
    p.resize(1000, 300)
    p.show()
    qtbot.waitExposed(p)
    body = p.findChild(QWidget, "panel_body")
    area = p.findChild(QScrollArea, "panel_scroll")
    qtbot.waitUntil(lambda: body.height() == area.viewport().height(), timeout=5000)
    assert area.verticalScrollBar().maximum() == 0
    plot_bottom = p.plot.mapTo(body, p.plot.rect().bottomLeft()).y()
    assert plot_bottom < area.viewport().height()
    # too small for the content's minimum: then it scrolls, nothing is squashed
    p.resize(320, 120)
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0, timeout=5000)
