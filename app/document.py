"""The one open project: network, data, settings, weights, history, undo stack.

Widgets listen to :attr:`Document.changed` and redraw; every edit a person
makes goes through a command on :attr:`undo_stack` (see ``app/commands.py``).
The ``_set_*`` methods are the only writers and are called by commands.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from model.data import data_prep
from model.io.project import DataSource, Project, load_project, save_project
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.history import History
from model.train.trainer import TrainSettings

from . import resources_path


def example_path(name: str) -> Path:
    return resources_path() / "examples" / f"{name}.json"


class Document(QObject):
    """``changed(kind)`` with kind in spec | weights | data | settings | history | all."""

    changed = Signal(str)
    dirtyChanged = Signal(bool)
    pathChanged = Signal()
    message = Signal(str)

    def __init__(self, project: Project | None = None, path: str | Path | None = None, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._results_dirty = False
        self.ghosts: list[np.ndarray] = []  # train-loss curves of earlier runs
        self.probe_index = 0
        if project is None:
            project = load_project(example_path("xor_train"))
            path = None
        self._install(project, Path(path) if path else None)

    # ------------------------------------------------------------------ state
    def _install(self, project: Project, path: Path | None) -> None:
        data = data_prep.prepare(project)  # raises before anything changes
        self.project = project
        self.data = data
        self.net = project.network()
        self.history = project.history if project.history is not None else History(self.net.n_layers)
        self.path = path
        self.probe_index = 0
        self.ghosts = []
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._results_dirty = False
        self.changed.emit("all")
        self.pathChanged.emit()
        self.dirtyChanged.emit(False)

    def _clean_changed(self, _clean: bool) -> None:
        self.dirtyChanged.emit(self.dirty)

    @property
    def spec(self) -> NetworkSpec:
        return self.project.spec

    @property
    def settings(self) -> TrainSettings:
        return self.project.training

    @property
    def dirty(self) -> bool:
        return self._results_dirty or not self.undo_stack.isClean()

    @property
    def name(self) -> str:
        return self.path.stem if self.path else (self.project.name or "Untitled")

    def mark_results_changed(self) -> None:
        """Training changed weights/history (not an undo step, but unsaved)."""
        if not self._results_dirty:
            self._results_dirty = True
            self.dirtyChanged.emit(True)

    def probe(self) -> tuple[np.ndarray, np.ndarray]:
        """The probe sample (scaled input (n_in,), target (n_out,))."""
        i = min(self.probe_index, len(self.data.train) - 1)
        return self.data.X_train[i], self.data.train.T[i]

    def set_probe(self, index: int) -> None:
        self.probe_index = int(index)
        self.changed.emit("probe")

    # ------------------------------------------------------- writers (commands)
    def network_state(self):
        return (self.project.spec, [w.copy() for w in self.net.weights], [b.copy() for b in self.net.biases])

    def _set_network(self, spec: NetworkSpec, W, b, history: History | None = None) -> None:
        topology = (
            spec.layer_sizes != self.spec.layer_sizes
            or spec.activations != self.spec.activations
            or spec.loss != self.spec.loss
        )
        self.project.spec = spec
        if (
            topology
            or len(self.net.weights) != len(W)
            or any(w.shape != x.shape for w, x in zip(self.net.weights, W))
        ):
            self.net = Network(spec, W, b)
        else:
            self.net.set_parameters(W, b)
        if history is not None:
            self.history = history
        elif len(self.history) and self.history.n_layers != spec.n_layers:
            self.history = History(spec.n_layers)
        self.changed.emit("spec" if topology else "weights")

    def _set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        self.net.weights[layer][i, j] = value
        self.changed.emit("weights")

    def _set_bias(self, layer: int, j: int, value: float) -> None:
        self.net.biases[layer][j] = value
        self.changed.emit("weights")

    def data_state(self):
        return (copy.deepcopy(self.project.data), self.project.preprocessing, self.project.scaler)

    def _set_data(
        self,
        source: DataSource,
        preprocessing: str,
        scaler,
        data=None,
        network=None,
        history: History | None = None,
    ) -> None:
        """New data, and with it the network it needs (``(spec, W, b)``): both
        change before anyone is told, so no listener sees a mismatched pair."""
        self.project.data = copy.deepcopy(source)
        self.project.preprocessing = preprocessing
        self.project.scaler = scaler
        self.data = data if data is not None else data_prep.prepare(self.project)
        self.project.scaler = self.data.scaler
        self.probe_index = min(self.probe_index, len(self.data.train) - 1)
        if network is not None:
            spec, W, b = network
            self.project.spec = spec
            self.net = Network(spec, W, b)
            if self.history.n_layers != spec.n_layers:
                self.history = History(spec.n_layers)
        if history is not None:
            self.history = history
        self.changed.emit("data")

    def _set_settings(self, settings: TrainSettings) -> None:
        self.project.training = copy.deepcopy(settings)
        self.changed.emit("settings")

    def _set_history(self, history: History) -> None:
        self.history = history
        self.changed.emit("history")

    # ------------------------------------------------------------------ files
    def to_project(self) -> Project:
        p = copy.copy(self.project)
        p.weights = ([w.copy() for w in self.net.weights], [b.copy() for b in self.net.biases])
        p.history = self.history if len(self.history) else None
        p.scaler = self.data.scaler
        if self.path:
            p.name = self.project.name or self.path.stem
        return p

    def save(self, path: str | Path) -> None:
        """Atomic save; on failure the previous file and the dirty mark stay."""
        path = Path(path)
        save_project(self.to_project(), path)
        self.path = path
        self._results_dirty = False
        self.undo_stack.setClean()
        self.pathChanged.emit()
        self.dirtyChanged.emit(False)

    def open(self, path: str | Path) -> None:
        """Load a project; a malformed file raises and leaves this document untouched."""
        project = load_project(path)
        self._install(project, Path(path))

    def open_example(self, name: str) -> None:
        project = load_project(example_path(name))
        self._install(project, None)

    def new(self) -> None:
        self.open_example("xor_train")
        self.project.name = "Untitled"
        self.project.weights = None
        self.pathChanged.emit()
