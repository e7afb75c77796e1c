"""The hidden-space panel draws the layer's activations, follows the layer
chooser and training snapshots, and shows up in the main window."""

from __future__ import annotations

import numpy as np
from qt_helpers import show

from model.network import Network, NetworkSpec
from model.teaching.hidden_space import plane_lines
from widgets.panels.hidden_space_panel import HiddenSpacePanel

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def test_points_are_the_hidden_layers_activations_and_follow_snapshots(qtbot):
    net = Network(NetworkSpec([2, 2, 3, 1], ["tanh", "tanh", "sigmoid"], seed=1))
    w = show(qtbot, HiddenSpacePanel(), (700, 450))
    w.set_problem(net, X, np.array([0, 1, 1, 0]), plane_lines((0, 1, 0, 1), 5, 9)[:, :, :])
    xs, ys = w.scatter.getData()
    V1 = np.tanh(X @ net.weights[0] + net.biases[0])
    np.testing.assert_allclose(np.c_[xs, ys], V1)
    assert "2 units" in w.info.text() and w.layer_combo.count() == 2
    # the grid: 10 lines of 9 points, NaN-separated in one curve
    gx, _ = w.grid_curve.getData()
    assert len(gx) == 10 * 10 and np.isnan(gx).sum() == 10
    # a training snapshot moves the points (the panel keeps its own copy of the network)
    new_w = [a * 2.0 for a in net.weights]
    w.set_live_parameters(new_w, net.biases)
    xs, ys = w.scatter.getData()
    np.testing.assert_allclose(np.c_[xs, ys], np.tanh(X @ new_w[0] + net.biases[0]))
    np.testing.assert_array_equal(net.weights[0], new_w[0] / 2.0)  # the caller's net is untouched
    # the second hidden layer (3 units) is drawn by principal components
    w.layer_combo.setCurrentIndex(1)
    assert w.result.method == "pca" and "principal components" in w.info.text()


def test_no_hidden_layer_says_so(qtbot):
    w = show(qtbot, HiddenSpacePanel(), (500, 300))
    w.set_problem(Network(NetworkSpec([2, 1], ["sigmoid"])), X, None)
    assert "no hidden layer" in w.info.text() and w.result is None


def test_main_window_tab_shows_the_trained_xor_layer(qtbot):
    from app.document import Document
    from app.main_window import MainWindow

    win = MainWindow(Document())
    qtbot.addWidget(win)
    win.show_panel("hidden")
    panel = win.plots.panels["hidden"]
    np.testing.assert_allclose(panel.result.points.shape, (4, 2))
    V = win.doc.net.forward(win.doc.data.X_train).V[1]
    if V.shape[1] == 2:
        np.testing.assert_allclose(panel.result.points, V)


def test_axes_show_the_values_themselves_without_an_si_prefix(qtbot):
    p = show(qtbot, HiddenSpacePanel())
    for side in ("bottom", "left"):
        ax = p.plot.getAxis(side)
        p.plot.setLabel(side, "PC 1 of layer 1")
        ax.setRange(-0.1, 0.05)  # an untrained layer's tiny principal components
        assert "x0.001" not in ax.labelString()
