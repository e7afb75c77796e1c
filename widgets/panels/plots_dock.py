"""The tabbed analysis panels in the bottom dock: loss, learning-rate effects,
optimizer trajectories, gradient flow and the chain rule.

The app feeds it the history and the current problem (network, data,
settings); panels that are not in front are refreshed when they come to the
front, so training pays only for the visible one.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from model.analysis.gradient_flow import compare_activations
from widgets.common.background import BackgroundJob
from widgets.panels.chain_rule_panel import ChainRulePanel
from widgets.panels.gradient_panel import GradientFlowPanel
from widgets.panels.loss_panel import LossPanel
from widgets.panels.lr_panel import LearningRatePanel
from widgets.panels.optimizer_panel import OptimizerPanel
from widgets.panels.predict_panel import PredictPanel

TABS = (
    ("loss", "Loss", "Training and validation loss, accuracy, earlier runs"),
    ("lr", "Learning rate", "Learning-rate sweep, range test, schedule, gradient-descent variants"),
    ("optimizers", "Optimizers", "Error surfaces and an optimizer race; the real network's loss slice"),
    ("gradients", "Gradient flow", "Per-layer gradient and weight norms, activation histograms"),
    ("chain-rule", "Chain rule", "A computational graph: forward values, then gradients stage by stage"),
    ("predict", "Predict", "Type raw input values and see the network's output and class probabilities"),
)


FACTORIES = {
    "loss": LossPanel,
    "lr": LearningRatePanel,
    "optimizers": OptimizerPanel,
    "gradients": GradientFlowPanel,
    "chain-rule": ChainRulePanel,
    "predict": PredictPanel,
}


class _Panels(dict):
    """Panels are built on first use (their tab shown, or looked up): building
    all six up front took ~0.7 s of the app's start-up."""

    def __init__(self, dock):
        super().__init__()
        self.dock = dock

    def __missing__(self, key):
        if key not in FACTORIES:
            raise KeyError(key)
        return self.dock._create(key)


class PlotsDock(QTabWidget):
    """Signals: ``learningRateChosen(float)`` (from the range test) and
    ``clearGhostsRequested()`` (from the loss panel). ``panels[name]`` builds
    a panel if it does not exist yet; ``built()`` lists the ones that do."""

    learningRateChosen = Signal(float)
    clearGhostsRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._history = None
        self._ghosts = ()
        self._problem = None
        self._stale = set()
        self._chosen = None
        self._compare_job: BackgroundJob | None = None
        self._keys = [key for key, _t, _tip in TABS]
        for i, (key, title, tip) in enumerate(TABS):
            self.addTab(QWidget(), title)  # placeholder until first shown
            self.setTabToolTip(i, tip)
        self.panels = _Panels(self)
        self.panels["loss"]  # always needed
        self.currentChanged.connect(self._tab_changed)

    def built(self) -> list[str]:
        return [k for k in self._keys if k in self.panels]

    def _create(self, key: str) -> QWidget:
        panel = FACTORIES[key]()
        dict.__setitem__(self.panels, key, panel)
        i = self._keys.index(key)
        current = self.currentIndex()
        self.blockSignals(True)
        old = self.widget(i)
        self.removeTab(i)
        self.insertTab(i, panel, TABS[i][1])
        self.setTabToolTip(i, TABS[i][2])
        self.setCurrentIndex(current)
        self.blockSignals(False)
        old.deleteLater()
        if key == "lr":
            panel.learningRateChosen.connect(self.learningRateChosen)
        elif key == "loss":
            panel.clearGhostsRequested.connect(self.clearGhostsRequested)
        elif key == "gradients":
            panel.compareRequested.connect(self._compare)
        elif key == "optimizers" and self._chosen is not None:
            self._apply_chosen(panel)
        self._stale.update(
            {"lr": ("lr",), "optimizers": ("optimizers",), "gradients": ("gradients", "gradients-net")}.get(
                key, ()
            )
        )
        return panel

    def _tab_changed(self, index: int) -> None:
        key = self._keys[index]
        if key not in self.panels:
            self.panels[key]  # build it now that it is shown
        self._refresh_current()

    def current_key(self) -> str:
        return self._keys[self.currentIndex()]

    # ------------------------------------------------------------------ feed
    def set_history(self, history, ghosts=()) -> None:
        self._history, self._ghosts = history, ghosts
        self.panels["loss"].set_history(history, ghosts)
        self._stale.add("gradients")
        self._refresh_current()

    def set_problem(self, net, X, T, settings, task: str) -> None:
        """The current network (copied by the panels), training data and settings."""
        self._problem = (net, X, T, settings, task)
        self._stale.update(("lr", "optimizers", "gradients-net"))
        self._refresh_current()

    def set_task(self, task: str) -> None:
        self.panels["loss"].set_accuracy_visible(task == "classification")

    def set_predict_model(self, net, scaler, feature_names, class_names, task, **kw) -> None:
        """The prediction panel follows the network (refreshed when it is in front)."""
        self._predict_args = (net, scaler, feature_names, class_names, task, kw)
        self._stale.add("predict")
        self._refresh_current()

    def set_live_weights(self, weights) -> None:
        if self.current_key() == "optimizers" and "optimizers" not in self._stale:
            self.panels["optimizers"].set_live_weights(weights)

    def choose_weights(self, w1, w2) -> None:
        """Two (layer, i, j) weights for the optimizer panel's network slice."""
        self._chosen = (w1, w2)
        if "optimizers" in self.panels:
            self._apply_chosen(self.panels["optimizers"])

    def _apply_chosen(self, panel) -> None:
        try:
            panel.set_chosen_weights(*self._chosen)
        except ValueError:
            pass  # a weight that the current topology no longer has

    def show_panel(self, name: str) -> None:
        if name not in FACTORIES:
            raise ValueError(f"unknown panel {name!r}; available: {', '.join(FACTORIES)}")
        self.setCurrentWidget(self.panels[name])

    def shutdown(self) -> None:
        """End every background computation (window closing)."""
        if "lr" in self.panels:
            self.panels["lr"].shutdown()
        if "optimizers" in self.panels:
            self.panels["optimizers"].pause()
        if self._compare_job is not None:
            self._compare_job.cancel()
            self._compare_job.wait(5)

    # -------------------------------------------------------------- internal
    def _refresh_current(self) -> None:
        key = self.current_key()
        if key not in self.panels:
            return
        w = self.panels[key]
        if key == "predict" and "predict" in self._stale and hasattr(self, "_predict_args"):
            self._stale.discard("predict")
            net, scaler, names, classes, task, kw = self._predict_args
            w.set_model(net.copy(), scaler, names, classes, task, **kw)
        if key == "gradients":
            if "gradients" in self._stale and self._history is not None:
                self._stale.discard("gradients")
                w.set_history(self._history)
            if "gradients-net" in self._stale and self._problem is not None:
                self._stale.discard("gradients-net")
                net, X = self._problem[0], self._problem[1]
                w.set_network(net, X)
        elif key == "lr" and "lr" in self._stale and self._problem is not None:
            self._stale.discard("lr")
            w.set_problem(*self._problem)
        elif key == "optimizers" and "optimizers" in self._stale and self._problem is not None:
            self._stale.discard("optimizers")
            net, X, T = self._problem[:3]
            w.set_network(net, X, T)

    def _compare(self) -> None:
        """Deep sigmoid vs the same depth with ReLU, trained in the background."""
        if self._problem is None or (self._compare_job is not None and self._compare_job.is_running()):
            return
        net, X, T, settings, task = self._problem
        spec = net.spec

        def work(should_stop, progress):
            return compare_activations(spec, X, T, settings, epochs=30, task=task, should_stop=should_stop)

        panel = self.panels["gradients"]
        panel.set_busy(True)
        job = self._compare_job = BackgroundJob(work, self, name="activation comparison")

        def done(result):
            panel.set_busy(False)
            (a, ha), (b, hb) = list(result.items())[:2]
            panel.set_comparison(a, ha, b, hb)

        job.finished.connect(done)
        job.failed.connect(lambda _msg: panel.set_busy(False))
        job.cancelled.connect(lambda: panel.set_busy(False))
        job.start()
