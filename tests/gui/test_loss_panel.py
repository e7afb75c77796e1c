"""LossPanel: curves equal the history, markers, per-update toggle, ghosts, long runs."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from model.data.datasets import make_dataset
from model.nn.network import Network, NetworkSpec
from model.train.history import History
from model.train.trainer import Trainer, TrainSettings
from widgets.panels.loss_panel import LossPanel, update_epochs


@pytest.fixture(scope="module")
def xor_trainer():
    ds = make_dataset("xor")
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], seed=0))
    tr = Trainer(net, ds.X, ds.T, TrainSettings(lr=0.5, batch_size=2, seed=0))
    tr.train(100)
    tr.set_base_lr(1.0)
    tr.stop_reason = None
    tr.train(50)
    return tr


@pytest.fixture
def panel(qtbot):
    p = LossPanel()
    qtbot.addWidget(p)
    p.resize(800, 450)
    p.show()
    return p


def test_curves_equal_history(panel, xor_trainer):
    h = xor_trainer.history
    panel.set_history(h)
    x, y = panel.curve_data("train")
    np.testing.assert_array_equal(x, h["epoch"])
    np.testing.assert_array_equal(y, h["train_loss"])
    assert len(panel.curve_data("val")[0]) == 0  # no validation data
    x, y = panel.curve_data("acc")
    np.testing.assert_array_equal(y, h["train_acc"])
    assert panel.acc_plot.isVisible()  # classification: accuracy shown
    assert panel.plot.getAxis("left").labelText == "loss"
    assert panel.acc_plot.getAxis("bottom").labelText == "epoch"


def test_regression_hides_accuracy(panel):
    h = History(1)
    for e in range(1, 6):
        h.add_epoch({"epoch": e, "train_loss": 1.0 / e, "val_loss": 2.0 / e}, [1.0], [1.0])
    panel.set_history(h)
    assert not panel.acc_plot.isVisible()
    np.testing.assert_array_equal(panel.curve_data("val")[1], 2.0 / np.arange(1, 6))
    assert panel.plot.getAxis("bottom").labelText == "epoch"


def test_events_become_markers(panel, xor_trainer):
    h = xor_trainer.history
    panel.set_history(h)
    marks = panel.markers()
    assert [m[1] for m in marks] == ["lr"]
    assert marks[0][0] == pytest.approx(100.0)  # η changed after epoch 100
    assert "1" in marks[0][2]


def test_update_index_maps_to_epochs():
    h = History(1)
    for e in range(1, 4):  # 4 updates per epoch
        for _ in range(4):
            h.add_update(1.0, 0.1)
        h.add_epoch({"epoch": e, "train_loss": 1.0, "updates": 4 * e}, [1.0], [1.0])
    np.testing.assert_allclose(update_epochs(h, [0, 2, 4, 8, 12, 14]), [0, 0.5, 1, 2, 3, 3.5])


def test_per_update_toggle(panel, xor_trainer, qtbot):
    h = xor_trainer.history
    panel.set_history(h)
    assert not panel.curve("updates").isVisible()
    qtbot.mouseClick(panel.per_update, Qt.MouseButton.LeftButton)
    assert panel.curve("updates").isVisible()
    x, y = panel.curve_data("updates")
    np.testing.assert_array_equal(y, h.update_loss.values)
    assert x[-1] == pytest.approx(h["epoch"][-1])  # last update ends the last epoch
    assert np.all(np.diff(x) > 0)


def test_log_toggle(panel, xor_trainer, qtbot):
    panel.set_history(xor_trainer.history)
    qtbot.mouseClick(panel.log_y, Qt.MouseButton.LeftButton)
    assert panel.plot.getPlotItem().ctrl.logYCheck.isChecked()


def test_ghosts_drawn_and_cleared(panel, xor_trainer, qtbot):
    h = xor_trainer.history
    ghosts = [np.linspace(1, 0.1, 80), np.linspace(0.5, 0.2, 40)]
    panel.set_history(h, ghosts)
    assert panel.ghost_count() == 2 and panel.clear_ghosts.isEnabled()
    with qtbot.waitSignal(panel.clearGhostsRequested, timeout=1000):
        qtbot.mouseClick(panel.clear_ghosts, Qt.MouseButton.LeftButton)
    panel.set_history(h, [])  # the app clears its list and redraws
    assert panel.ghost_count() == 0 and not panel.clear_ghosts.isEnabled()


def test_crosshair_readout(panel, xor_trainer):
    h = xor_trainer.history
    panel.set_history(h)
    panel.grab()
    scene_pos = panel.plot.getPlotItem().vb.mapViewToScene(QPointF(42.2, 0.1))
    panel._mouse_moved((scene_pos,))
    assert panel.readout.text().startswith(f"epoch 42 · loss {h['train_loss'][41]:.4g}")


def test_long_history_is_downsampled(panel):
    n = 100_000
    h = History(1)
    h.epoch_data["epoch"].extend(np.arange(1, n + 1, dtype=float))
    h.epoch_data["train_loss"].extend(1.0 / np.sqrt(np.arange(1, n + 1)))
    for k in ("val_loss", "train_acc", "val_acc"):
        h.epoch_data[k].extend(np.full(n, np.nan))
    y = np.random.default_rng(0).random(n)
    y[1234] = 7.0  # a spike among the updates the history keeps decimated
    h.update_loss.extend(y)
    panel.per_update.setChecked(True)
    panel.set_history(h)
    panel.grab()
    for name in ("train", "updates"):
        c = panel.curve(name)
        assert c.opts["autoDownsample"] and c.opts["downsampleMethod"] == "peak" and c.opts["clipToView"]
        shown_x, _ = c.getData()
        assert len(shown_x) < 10_000, name  # drawn points ≪ 100,000
        # the per-update history is decimated past its cap (model.train.update_series)
        assert len(panel.curve_data(name)[0]) == (n if name == "train" else len(h.update_loss.curve()[0]))
    assert len(panel.curve_data("updates")[0]) < n / 2 and panel.curve_data("updates")[1].max() == 7.0
    calls = []
    panel.train_curve.setData = lambda *a, **k: calls.append(1)
    panel.set_history(h)  # same length: no new data
    assert calls == []


def test_a_long_loss_curve_draws_two_vertices_per_pixel_column(panel, qtbot):
    """Long curves are drawn at most two vertices per pixel column (their min and
    max), whatever the run's length; the data they hold stays complete."""
    p = panel
    qtbot.waitExposed(p)
    h, rng = History(1), np.random.default_rng(0)
    n = 20_000
    for e in range(1, n + 1):
        loss = 0.7 / e**0.3 + 0.05 * rng.random()
        h.add_epoch({"epoch": e, "train_loss": loss, "updates": 4 * e, "train_acc": 0.9}, [1.0], [1.0])
    p.set_history(h)
    qtbot.wait(20)
    x, y = p.curve_data("train")
    assert len(x) == n and y[-1] == h["train_loss"][-1]  # the data: every epoch
    for name in ("train", "acc"):
        c = p.curve(name)
        shown_x, shown_y = c.getData()  # what is drawn, after downsampling
        width = c.getViewBox().width()
        assert 0 < width < 800
        assert len(shown_x) <= 2.2 * width, (name, len(shown_x), width)
    # the envelope survives: the drawn curve still reaches the data's extremes
    sx, sy = p.curve("train").getData()
    assert np.isclose(sy.max(), y.max()) and np.isclose(sy.min(), y[x <= sx[-1]].min())
