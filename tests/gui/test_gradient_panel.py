"""GradientFlowPanel and the sigmoid-vs-ReLU comparison helper."""

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from model.analysis.gradient_flow import compare_activations, first_last_ratio, variant_spec
from model.data.datasets import make_dataset
from model.nn.network import Network, NetworkSpec
from model.train.trainer import Trainer, TrainSettings
from widgets.panels.gradient_panel import GradientFlowPanel

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture(scope="module")
def xor_run():
    ds = make_dataset("xor")
    net = Network(NetworkSpec([2, 4, 3, 1], ["tanh", "tanh", "sigmoid"], seed=0))
    tr = Trainer(net, ds.X, ds.T, TrainSettings(lr=0.5))
    tr.train(200)
    return net, ds, tr.history


@pytest.fixture(scope="module")
def deep_comparison():
    d = json.loads((EXAMPLES / "vanishing_gradients.json").read_text())
    spec = NetworkSpec.from_dict(d["network"])
    data = make_dataset("circles", n=300, noise=0.1, seed=0)
    settings = TrainSettings(lr=0.5, batch_size=32)
    return spec, compare_activations(spec, data.X, data.T, settings, epochs=8, seed=0)


@pytest.fixture
def panel(qtbot):
    p = GradientFlowPanel()
    qtbot.addWidget(p)
    p.resize(900, 520)
    p.show()
    return p


def test_norm_curves_equal_history(panel, xor_run):
    _, _, h = xor_run
    panel.set_history(h)
    for l in range(3):
        x, y = panel.grad_curve_data(l)
        np.testing.assert_array_equal(x, h["epoch"])
        np.testing.assert_array_equal(y, h["grad_norms"][:, l])
        np.testing.assert_array_equal(panel.weight_curve_data(l)[1], h["weight_norms"][:, l])
    assert panel.legend_labels() == ["layer 1", "layer 2", "layer 3"]
    assert panel.grad_plot.getPlotItem().ctrl.logYCheck.isChecked()
    assert panel.grad_plot.getAxis("left").labelText == "gradient norm"
    assert panel.weight_plot.getAxis("bottom").labelText == "epoch"
    panel.grab()


def test_histograms_count_every_activation(panel, xor_run):
    net, ds, _ = xor_run
    panel.set_network(net, ds.X)
    counts = panel.histogram_counts()
    assert len(counts) == 3  # two hidden layers + output
    for c, width in zip(counts, [4, 3, 1]):
        assert c.sum() == len(ds.X) * width
    edges = panel.histogram_edges()
    assert edges[0][0] == -1 and edges[0][-1] == 1  # tanh range
    assert edges[2][0] == 0 and edges[2][-1] == 1  # sigmoid range


def test_large_input_is_subsampled(panel):
    net = Network(NetworkSpec([2, 5, 1], ["relu", "sigmoid"], seed=1))
    X = np.random.default_rng(0).normal(size=(5000, 2))
    panel.set_network(net, X)
    assert [c.sum() for c in panel.histogram_counts()] == [1000 * 5, 1000]
    tr = net.forward(X[:10])
    panel.set_activations(tr.V)
    assert [c.sum() for c in panel.histogram_counts()] == [50, 10]


def test_compare_helper_shows_vanishing_gradients(deep_comparison):
    spec, runs = deep_comparison
    assert list(runs) == ["sigmoid", "relu"]
    assert variant_spec(spec, "relu").init == "he"
    assert variant_spec(spec, "relu").activations[-1] == spec.activations[-1]
    sig, relu = first_last_ratio(runs["sigmoid"]), first_last_ratio(runs["relu"])
    assert len(runs["sigmoid"]) == len(runs["relu"]) == 8
    # 8 sigmoid layers: first-layer gradient ~1e-5 of the last; ReLU keeps them comparable
    assert sig < 1e-2 and relu > 1e-2
    assert sig < relu / 100


def test_comparison_view(panel, deep_comparison, qtbot):
    _, runs = deep_comparison
    with qtbot.waitSignal(panel.compareRequested, timeout=1000):
        qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    panel.set_busy(True)
    assert not panel.compare_button.isEnabled()
    panel.set_comparison("sigmoid", runs["sigmoid"], "ReLU", runs["relu"])
    assert panel.comparison_shown() and panel.compare_button.isEnabled()
    for run, h in enumerate((runs["sigmoid"], runs["relu"])):
        np.testing.assert_array_equal(panel.comparison_curve_data(run, 0)[1], h["grad_norms"][:, 0])
    assert panel.cmp_plots[0].getPlotItem().titleLabel.text == "sigmoid"
    assert "sigmoid" in panel.status.text()
    panel.grab()
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert not panel.comparison_shown()


def test_a_nine_layer_network_fits_a_laptops_plots_dock(panel, qtbot):
    # the vanishing-gradients example's 9 layers at 1366×768: histograms five a row and the
    # caption wrapping, so the panel does not scroll sideways
    from PySide6.QtWidgets import QWidget

    spec = NetworkSpec([2] + [8] * 8 + [1], ["sigmoid"] * 9, seed=0)
    net = Network(spec)
    ds = make_dataset("circles", n=60, noise=0.1, seed=0)
    tr = Trainer(net, ds.X, ds.T, TrainSettings(lr=0.5))
    tr.train(3)
    panel.set_history(tr.history)
    panel.set_network(net, ds.X)
    body = panel.findChild(QWidget, "panel_body")
    assert body.minimumSizeHint().width() <= 560
    # the norm plots are never squashed below readable ticks (a short dock scrolls instead)
    assert panel.grad_plot.minimumHeight() >= 150 and panel.weight_plot.minimumHeight() >= 150
