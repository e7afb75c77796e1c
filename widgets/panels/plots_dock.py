"""The tabbed analysis panels in the bottom dock: loss, learning-rate effects,
optimizer trajectories, gradient flow and the chain rule.

The app feeds each panel through :meth:`PlotsDock.feed` (which view reads
which document change is the app's dependency table, not decided here);
input for a panel that is not in front waits until it comes to the front,
so training pays only for the visible one. Every background computation
of the panels runs through one :class:`~widgets.common.jobs.JobManager`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from model.analysis.gradient_flow import compare_activations
from widgets.common import theme as themes
from widgets.common.jobs import JobManager
from widgets.common.stamp import analysis_stamp
from widgets.panels.loss_panel import LossPanel

TABS = (
    ("loss", "Loss", "Training and validation loss, accuracy, earlier runs"),
    ("lr", "Learning rate", "Learning-rate sweep, range test, schedule, gradient-descent variants"),
    ("optimizers", "Optimizers", "Error surfaces and an optimizer race; the real network's loss slice"),
    ("gradients", "Gradient flow", "Per-layer gradient and weight norms, activation histograms"),
    ("chain-rule", "Chain rule", "A computational graph: forward values, then gradients stage by stage"),
    ("predict", "Predict", "Type raw input values and see the network's output and class probabilities"),
    ("hidden", "Hidden space", "The data and the input plane's grid as a hidden layer sees them, live"),
    (
        "gradcheck",
        "Gradient check",
        "Backprop's ∂E/∂w beside central differences: the selection, or every layer",
    ),
)


# key -> factory(jobs): panels that compute in the background get the dock's job manager
def _panel(module: str, name: str):
    """The class ``name`` of widgets.panels.``module``, imported on first use: the
    tabs not in front at start cost nothing at start-up."""
    return getattr(importlib.import_module(f"widgets.panels.{module}"), name)


FACTORIES = {
    "loss": lambda jobs: LossPanel(),
    "lr": lambda jobs: _panel("lr_panel", "LearningRatePanel")(jobs=jobs),
    "optimizers": lambda jobs: _panel("optimizer_panel", "OptimizerPanel")(jobs=jobs),
    "gradients": lambda jobs: _panel("gradient_panel", "GradientFlowPanel")(),
    "chain-rule": lambda jobs: _panel("chain_rule_panel", "ChainRulePanel")(),
    "predict": lambda jobs: _panel("predict_panel", "PredictPanel")(),
    "hidden": lambda jobs: _panel("hidden_space_panel", "HiddenSpacePanel")(),
    "gradcheck": lambda jobs: _panel("gradcheck_panel", "GradCheckPanel")(jobs=jobs),
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

    def __init__(self, parent=None, jobs: JobManager | None = None):
        super().__init__(parent)
        self.jobs = jobs if jobs is not None else JobManager(self)
        self._pending: dict[str, dict[str, Callable]] = {}
        self._chosen = None
        self._compare_source: Callable | None = None
        self._compare_job = None
        self._keys = [key for key, _t, _tip in TABS]
        for i, (_key, title, tip) in enumerate(TABS):
            self.addTab(QWidget(), title)  # placeholder until first shown
            self.setTabToolTip(i, tip)
        self.panels = _Panels(self)
        self.panels["loss"]  # always needed
        self.currentChanged.connect(self._tab_changed)

    def built(self) -> list[str]:
        return [k for k in self._keys if k in self.panels]

    def current_key(self) -> str:
        return self._keys[self.currentIndex()]

    def _create(self, key: str) -> QWidget:
        panel = FACTORIES[key](self.jobs)
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
        themes.adopt(panel)  # built after presentation or a theme began: follow them
        if key == "lr":
            panel.learningRateChosen.connect(self.learningRateChosen)
        elif key == "loss":
            panel.clearGhostsRequested.connect(self.clearGhostsRequested)
        elif key == "gradients":
            panel.compareRequested.connect(self._compare)
        elif key == "optimizers" and self._chosen is not None:
            self._apply_chosen(panel)
        return panel

    def _tab_changed(self, index: int) -> None:
        key = self._keys[index]
        if key not in self.panels:
            self.panels[key]  # build it now that it is shown
        self._apply_pending(key)

    # ------------------------------------------------------------------ feed
    def feed(self, key: str, slot: str, update: Callable[[QWidget], None]) -> None:
        """New input for panel ``key``: ``update(panel)`` runs now if the panel is
        in front, else when it next comes to the front (the newest per ``slot``)."""
        if key not in FACTORIES:
            raise ValueError(f"unknown panel {key!r}; available: {', '.join(FACTORIES)}")
        self._pending.setdefault(key, {})[slot] = update
        if key == self.current_key():
            self._apply_pending(key)

    def refresh_all(self) -> None:
        """Give every built panel its waiting inputs now (before an export, so an
        analysis of an earlier network or data is marked stale, not exported)."""
        self.panels["loss"].settle()  # the plots under the loss curves share its epochs now
        for key in self.built():
            self._apply_pending(key)

    def pending(self, key: str) -> list[str]:
        """Slots of panel ``key`` waiting for it to come to the front."""
        return list(self._pending.get(key, {}))

    def _apply_pending(self, key: str) -> None:
        updates = self._pending.pop(key, {})
        if updates:
            panel = self.panels[key]
            for update in updates.values():
                update(panel)

    def set_history(self, history, ghosts=()) -> None:
        """The loss curves follow at once (exports read them); gradient norms when shown."""
        self.panels["loss"].set_history(history, ghosts)
        self.feed("gradients", "history", lambda p: p.set_history(history))

    def set_task(self, task: str) -> None:
        self.panels["loss"].set_accuracy_visible(task == "classification")

    def set_compare_source(self, source: Callable[[], tuple]) -> None:
        """``source()`` gives ``(spec, X, T, settings, task)`` for the activation comparison."""
        self._compare_source = source

    def set_live_weights(self, weights) -> None:
        if self.current_key() == "optimizers" and not self.pending("optimizers"):
            self.panels["optimizers"].set_live_weights(weights)

    def set_live_parameters(self, weights, biases) -> None:
        """A training snapshot's parameters, for the hidden-space view when it is in front."""
        if self.current_key() == "hidden" and not self.pending("hidden"):
            self.panels["hidden"].set_live_parameters(weights, biases)

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
        """End every background computation and animation (window closing)."""
        self.panels["loss"].settle()  # no follower waits on a timer
        if "optimizers" in self.panels:
            self.panels["optimizers"].pause()
        self.jobs.shutdown()

    # -------------------------------------------------------------- internal
    def _compare(self) -> None:
        """Deep sigmoid vs the same depth with ReLU, trained in the background."""
        if self._compare_source is None or (self._compare_job is not None and self._compare_job.is_running()):
            return
        spec, X, T, settings, task = self._compare_source()

        def work(should_stop, progress):
            return compare_activations(spec, X, T, settings, epochs=30, task=task, should_stop=should_stop)

        panel = self.panels["gradients"]
        panel.set_busy(True)
        job = self._compare_job = self.jobs.create(work, self, "activation comparison", replace="compare")

        def done(result):
            panel.set_busy(False)
            (a, ha), (b, hb) = list(result.items())[:2]
            panel.set_comparison(a, ha, b, hb, stamp=analysis_stamp(spec, X))

        job.finished.connect(done)
        job.failed.connect(lambda _msg: panel.set_busy(False))
        job.cancelled.connect(lambda: panel.set_busy(False))
        job.start()
