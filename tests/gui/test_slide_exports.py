"""Slide-ready plot exports: 1600 px wide by default, title, axis labels and
legend in the file, names that say what the plot shows, and analyses of an
earlier network or data left out of Export Everything."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from model.data.datasets import make_dataset
from model.nn.network import Network, NetworkSpec
from model.train.history import History
from model.train.trainer import Trainer, TrainSettings
from widgets.common.plot_export import DEFAULT_PNG_WIDTH, export_panel_plots, plot_names
from widgets.panels.loss_panel import LossPanel
from widgets.panels.lr_panel import LearningRatePanel


@pytest.fixture
def xor():
    ds = make_dataset("xor")
    net = Network(NetworkSpec(layer_sizes=[2, 2, 1], activations=["tanh", "sigmoid"], loss="mse", seed=1))
    return net, ds.X, ds.T, TrainSettings(optimizer="sgd", lr=0.5, epochs=50)


def test_loss_plots_are_named_sized_titled_and_labelled(qtbot, tmp_path, xor):
    net, X, T, settings = xor
    h = History(net.n_layers)
    Trainer(net, X, T, settings, X, T, history=h).train(epochs=20)
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 300)
    panel.show()
    panel.set_history(h)
    files = export_panel_plots(panel, tmp_path, "loss")
    names = [f.name for f in files]
    assert "loss-per-epoch.png" in names and "loss-per-epoch.svg" in names, names
    assert all("loss-loss" not in n and not n[:-4].rstrip("0123456789").endswith("-") for n in names)
    png = QImage(str(tmp_path / "loss-per-epoch.png"))
    assert png.width() >= DEFAULT_PNG_WIDTH  # at widget size this plot is ~480 px
    svg = (tmp_path / "loss-per-epoch.svg").read_text()
    for text in ("Loss per epoch", "epoch", "loss", "training", "validation"):
        assert text in svg, text
    assert panel.plot.getPlotItem().titleLabel.text == ""  # the title was added for the file only


def test_lr_sweep_is_exported_only_while_it_belongs_to_the_current_network(qtbot, xor):
    net, X, T, settings = xor
    panel = LearningRatePanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 420)
    panel.set_problem(net, X, T, settings, "classification")
    panel.show()
    v = panel.sweep
    v.count.setValue(3)
    v.epochs.setValue(10)
    qtbot.mouseClick(v.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: v.job is not None and not v.job.is_running() and v.result is not None, timeout=30000
    )
    names = [n for _item, n in plot_names(panel, "lr", skip_stale=True)]
    assert "lr-sweep-final-loss" in names and "lr-sweep-training-loss" in names, names
    assert not any(n.startswith("lr-range-test") for n in names)  # never run: nothing to export
    other = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=2))
    panel.set_problem(other, X, T, settings, "classification")  # another network: the sweep is stale
    assert not [n for _i, n in plot_names(panel, "lr", skip_stale=True) if n.startswith("lr-sweep")]
    all_names = [n for _i, n in plot_names(panel, "lr")]
    assert len(all_names) == len(set(all_names))  # the variants' three loss plots get distinct names
    assert {"lr-gd-variants-loss-per-epoch", "lr-gd-variants-loss-per-updates"} <= set(all_names), all_names
    panel.shutdown()


def _items(panel, stem):
    return [item for item, _n in plot_names(panel, stem, skip_stale=True)]


def test_gradient_comparison_is_exported_only_for_the_network_and_data_it_ran_on(qtbot, xor):
    from widgets.common.stamp import analysis_stamp
    from widgets.panels.gradient_panel import GradientFlowPanel

    net, X, T, _settings = xor
    panel = GradientFlowPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 420)
    panel.show()
    panel.set_network(net, X)
    h = {"epoch": [1, 2, 3], "grad_norms": [[0.3, 0.2], [0.2, 0.1], [0.1, 0.05]]}
    panel.set_comparison("sigmoid", h, "ReLU", h, stamp=analysis_stamp(net.spec, X))
    compared = {p.getPlotItem() for p in panel.cmp_plots + [panel.profile_plot]}
    assert compared <= set(_items(panel, "gradients"))
    trained = net.copy()
    trained.weights[0] += 0.1  # training changes weights, not what the comparison ran on
    panel.set_network(trained, X)
    assert compared <= set(_items(panel, "gradients"))
    wider = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=2))
    panel.set_network(wider, X)  # another network: the comparison is stale
    assert not compared & set(_items(panel, "gradients"))
    assert "Compare again" in panel.status.text()
    panel.set_network(net, X[::-1].copy())  # same network, other data: still stale
    assert not compared & set(_items(panel, "gradients"))
    panel.set_network(net, X)  # back to what it ran on
    assert compared <= set(_items(panel, "gradients"))


def test_optimizer_race_on_the_network_surface_is_stale_once_the_network_changes(qtbot, xor):
    from widgets.panels.optimizer_panel import NET_SLICE, OptimizerPanel

    net, X, T, _settings = xor
    panel = OptimizerPanel()
    qtbot.addWidget(panel)
    panel.resize(1200, 600)
    panel.show()
    panel.set_network(net, X, T)
    panel.set_surface(NET_SLICE)
    qtbot.waitUntil(lambda: panel.grid_ready, timeout=30000)
    panel.step(20)
    race = panel.plot.getPlotItem()
    assert race in _items(panel, "optimizers")
    other = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=2))
    panel.jobs.shutdown()  # hold the new grid back: the race shown is still the old network's
    panel.set_network(other, X, T)
    assert race not in _items(panel, "optimizers")
    panel.set_surface("saddle")  # an analytic surface depends on no network
    assert race in _items(panel, "optimizers")
    panel.pause()
