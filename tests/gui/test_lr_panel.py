"""LearningRatePanel driven the way a person would: clicks, waits, reads plots."""

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from model.data.datasets import make_dataset
from model.nn.network import Network, NetworkSpec
from model.optim.schedules import Schedule
from model.train.trainer import TrainSettings
from widgets.common.background import BackgroundJob
from widgets.panels.lr_panel import LearningRatePanel


@pytest.fixture
def xor():
    ds = make_dataset("xor")
    net = Network(NetworkSpec(layer_sizes=[2, 2, 1], activations=["tanh", "sigmoid"], loss="mse", seed=1))
    settings = TrainSettings(
        optimizer="sgd", lr=0.5, epochs=300, schedule=Schedule("step", step_size=50, gamma=0.5)
    )
    return net, ds.X, ds.T, settings


@pytest.fixture
def panel(qtbot, xor):
    p = LearningRatePanel()
    qtbot.addWidget(p)
    p.resize(1000, 420)
    p.set_problem(*xor, "classification")
    p.show()
    yield p
    p.shutdown()


def _run(qtbot, view, timeout=20_000):
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.job is not None and not view.job.is_running(), timeout=timeout)


def _not_blank(widget) -> bool:
    img = widget.grab().toImage()
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    return len(colours) > 20


def test_sweep_runs_and_draws(qtbot, panel, xor):
    v = panel.sweep
    v.count.setValue(5)
    v.epochs.setValue(30)
    before = [w.copy() for w in xor[0].parameters()]
    _run(qtbot, v)
    assert len(v.curves) == 5 and len(v.result.lrs) == 5
    assert v.colorbar.scene() is v.loss_plot.scene()  # colour bar sits beside the curves
    assert v.loss_plot.getAxis("bottom").labelText == "epoch"
    assert v.loss_plot.getAxis("left").labelText == "training loss"
    assert v.final_plot.getAxis("bottom").labelText == "learning rate η"
    assert v.progress_bar.value() == 1000 and v.run_button.isEnabled()
    assert "5 runs of 30 epochs" in v.status.text()
    for a, b in zip(before, xor[0].parameters()):  # the caller's network was copied, not trained
        np.testing.assert_array_equal(a, b)


def test_sweep_marks_diverged_runs(qtbot):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2)) * [2.0, 0.5]
    T = X @ [[1.0], [-1.0]]
    net = Network(NetworkSpec(layer_sizes=[2, 1], activations=["linear"], loss="mse", seed=0))
    p = LearningRatePanel()
    qtbot.addWidget(p)
    p.set_problem(net, X, T, TrainSettings(optimizer="sgd", lr=0.05), "regression")
    p.sweep.count.setValue(4)
    p.sweep.epochs.setValue(40)
    _run(qtbot, p.sweep)
    r = p.sweep.result
    assert r.diverged.any() and not r.diverged.all()
    dashed = [c.opts["pen"].style() == Qt.PenStyle.DashLine for c in p.sweep.curves]
    assert dashed == r.diverged.tolist()


def test_cancel_stops_a_sweep_that_would_run_for_hours(qtbot, panel):
    v = panel.sweep
    v.count.setValue(40)
    v.epochs.setValue(100_000)
    qtbot.mouseClick(v.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: v.progress_bar.value() > 0 or v.job.is_running(), timeout=20_000)
    qtbot.wait(150)
    # 40 rates x 100,000 epochs take hours: only a working Cancel ends it within the
    # generous timeout (no wall-clock limit is asserted; speed is for tests/bench)
    with qtbot.waitSignal(v.job.cancelled, timeout=30_000):
        qtbot.mouseClick(v.cancel_button, Qt.MouseButton.LeftButton)
    assert v.run_button.isEnabled() and not v.cancel_button.isEnabled()
    assert "Cancelled" in v.status.text()


def test_range_test_use_this_lr_emits_the_suggestion(qtbot, panel):
    v = panel.range_test
    assert not v.use_button.isEnabled()
    v.updates.setValue(400)
    _run(qtbot, v)
    lr, (lo, hi) = v.job.result.suggestion()
    assert v.lr_min.value() <= lo <= lr <= hi <= v.lr_max.value()
    assert v.region.isVisible() and v.region.getRegion() == pytest.approx((np.log10(lo), np.log10(hi)))
    assert f"{lr:.3g}" in v.suggest_label.text()
    assert v.plot.getAxis("bottom").labelText == "learning rate η"
    with qtbot.waitSignal(panel.learningRateChosen, timeout=1000) as blocker:
        qtbot.mouseClick(v.use_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [pytest.approx(lr)]


def test_schedule_preview_matches_schedule(qtbot, panel, xor):
    settings = xor[3]
    x, y = panel.schedule.curve.getData()
    assert len(x) == settings.epochs
    np.testing.assert_allclose(y, settings.schedule.lr(settings.lr, x))
    assert settings.schedule.describe() in panel.schedule.plot.getPlotItem().titleLabel.text
    cos = TrainSettings(lr=0.2, epochs=500, schedule=Schedule("cosine", period=400, min_lr=0.01))
    panel.set_problem(xor[0], xor[1], xor[2], cos, "classification")
    x, y = panel.schedule.curve.getData()
    np.testing.assert_allclose(y, cos.schedule.lr(0.2, x))
    assert "cos" in panel.schedule.plot.getPlotItem().titleLabel.text


def test_gd_variants_table(qtbot, panel):
    v = panel.variants
    v.epochs.setValue(10)
    _run(qtbot, v)
    t = v.table
    assert t.rowCount() == 3
    assert [t.item(i, 0).text() for i in range(3)] == ["batch", "stochastic", "mini-batch"]
    assert [t.item(i, 2).text() for i in range(3)] == ["1", "4", "2"]  # XOR: n = 4, b = 2
    assert [p.getAxis("bottom").labelText for p in v.plots] == ["epoch", "updates", "seconds"]
    assert len(v.plots[0].getPlotItem().listDataItems()) == 3


def test_every_sub_view_renders_offscreen(qtbot, panel):
    panel.sweep.count.setValue(4)
    panel.sweep.epochs.setValue(20)
    panel.variants.epochs.setValue(5)
    for v in (panel.sweep, panel.range_test, panel.variants):
        _run(qtbot, v)
    for i in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(i)
        qtbot.wait(20)
        assert _not_blank(panel), panel.tabs.tabText(i)


def test_run_without_a_problem_says_so(qtbot):
    p = LearningRatePanel()
    qtbot.addWidget(p)
    qtbot.mouseClick(p.sweep.run_button, Qt.MouseButton.LeftButton)
    assert p.sweep.job is None and "No network" in p.sweep.status.text()


def test_set_problem_marks_results_stale(qtbot, panel, xor):
    panel.sweep.count.setValue(3)
    panel.sweep.epochs.setValue(5)
    _run(qtbot, panel.sweep)
    panel.set_problem(*xor, "classification")
    assert "Run again" in panel.sweep.status.text()


# ----------------------------------------------------------- BackgroundJob
def test_background_job_delivers_progress_and_result(qtbot):
    def work(stop, progress):
        for i in range(5):
            progress((i + 1) / 5)
            time.sleep(0.01)
        return 42

    job = BackgroundJob(work)
    seen = []
    job.progress.connect(seen.append)
    with qtbot.waitSignal(job.finished, timeout=20_000) as blocker:
        job.start()
    assert blocker.args == [42] and seen[-1] == 1.0 and not job.is_running()


def test_background_job_failure_and_cancel(qtbot):
    def boom(stop, progress):
        raise ValueError("no good")

    job = BackgroundJob(boom)
    with qtbot.waitSignal(job.failed, timeout=20_000) as blocker:
        job.start()
    assert blocker.args == ["no good"]

    def forever(stop, progress):
        while not stop():
            time.sleep(0.005)
        return "partial"

    job = BackgroundJob(forever)
    job.start()
    assert job.is_running()
    job.cancel()
    assert job.wait(30.0)
    assert not job.is_running() and job.result == "partial"


def test_shutdown_cancels_and_waits(qtbot, panel):
    v = panel.variants
    v.epochs.setValue(100_000)
    qtbot.mouseClick(v.run_button, Qt.MouseButton.LeftButton)
    assert v.job.is_running()
    thread = v.job._thread
    panel.shutdown()
    assert not v.job.is_running() and not thread.is_alive()


def test_sweep_after_training_equals_the_sweep_before_it(qtbot, panel, xor):
    from model.train.trainer import Trainer

    net, X, T, settings = xor
    v = panel.sweep
    v.count.setValue(4)
    v.epochs.setValue(15)
    assert v.start.currentData() == "initial"
    _run(qtbot, v)
    before = v.result
    assert "from the initial weights" in v.status.text()
    trained = net.copy()
    Trainer(trained, X, T, settings).train(200)
    panel.set_problem(trained, X, T, settings, "classification")
    _run(qtbot, v)
    np.testing.assert_array_equal(v.result.losses, before.losses)
    assert v.result.best_lr == before.best_lr
    # on request it starts from the current (trained) weights instead, and says so
    v.start.setCurrentIndex(v.start.findData("current"))
    _run(qtbot, v)
    assert v.result.initial_loss < before.initial_loss
    assert "from the current weights" in v.status.text()


def test_linear_neuron_sweep_marks_two_over_lambda_max(qtbot):
    from model.analysis.curvature import lambda_max
    from model.data import data_prep
    from model.io.project import load_project
    from resources import __file__ as res

    pr = load_project(str(__import__("pathlib").Path(res).parent / "examples" / "linear_neuron.json"))
    d = data_prep.prepare(pr)
    p = LearningRatePanel()
    qtbot.addWidget(p)
    p.set_problem(pr.network(), d.X_train, d.train.T, pr.training, d.task)
    v = p.sweep
    v.count.setValue(6)
    v.epochs.setValue(30)
    _run(qtbot, v)
    limit = lambda_max(pr.network(), d.X_train, d.train.T).lr_limit
    lines = [
        i for i in v.final_plot.getPlotItem().items if isinstance(i, __import__("pyqtgraph").InfiniteLine)
    ]
    assert any(abs(ln.value() - np.log10(limit)) < 1e-9 and "2/λ_max" in ln.label.format for ln in lines)
    assert f"2/λ_max = {limit:.3g}" in v.status.text()
    p.shutdown()


def test_analyze_cli_equals_the_panels_numbers(qtbot, tmp_path):
    """What the Sweep / Range test / GD variants tabs show is what `mlp-studio analyze` writes."""
    import json
    from pathlib import Path

    from app.analyze_cli import main
    from model.data import data_prep
    from model.io.project import load_project

    path = Path(__file__).resolve().parents[2] / "resources" / "examples" / "linear_neuron.json"
    pr = load_project(path)
    d = data_prep.prepare(pr)
    p = LearningRatePanel()
    qtbot.addWidget(p)
    p.set_problem(pr.network(), d.X_train, d.train.T, pr.training, d.task)
    p.sweep.count.setValue(5)
    p.sweep.epochs.setValue(30)
    p.range_test.updates.setValue(300)
    p.variants.epochs.setValue(3)
    for v in (p.sweep, p.range_test, p.variants):
        _run(qtbot, v)
    out = tmp_path / "o.json"
    lo, hi = p.sweep.lr_min.value(), p.sweep.lr_max.value()
    assert (
        main(
            [
                "sweep",
                str(path),
                "--runs",
                "5",
                "--epochs",
                "30",
                "--lr-from",
                repr(lo),
                "--lr-to",
                repr(hi),
                "--json",
                str(out),
            ]
        )
        == 0
    )
    s = json.loads(out.read_text())
    assert s["best_lr"] == pytest.approx(p.sweep.result.best_lr)
    assert f"best η = {s['best_lr']:.3g}" in p.sweep.status.text()
    assert [r["diverged"] for r in s["runs"]] == p.sweep.result.diverged.tolist()
    assert main(["range-test", str(path), "--updates", "300", "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["suggested_lr"] == pytest.approx(p.range_test.suggested)
    assert f"{r['suggested_lr']:.3g}" in p.range_test.suggest_label.text()
    assert main(["gd-variants", str(path), "--epochs", "3", "--json", str(out)]) == 0
    g = json.loads(out.read_text())
    t = p.variants.table
    shown = [[t.item(i, j).text() for j in range(t.columnCount())] for i in range(t.rowCount())]
    # every column but the two timing ones is identical (time is measured, not computed)
    keep = [j for j, h in enumerate(g["table_header"]) if not h.startswith("ms/")]
    assert [[row[j] for j in keep] for row in shown] == [[row[j] for j in keep] for row in g["table"]]
    p.shutdown()


def test_every_sub_tab_fits_a_laptops_plots_dock_without_sideways_scrolling(qtbot, panel):
    # 1280×720 leaves the plots dock about 560 px wide: inputs on their own row, the
    # GD-variants plots allowed narrower (three 220 px plots plus the inputs overflowed)
    for name, view in panel.views.items():
        assert view.minimumSizeHint().width() <= 560, name
