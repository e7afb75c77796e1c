"""The one open project: network, data, settings, weights, history, undo stack.

Only the GUI thread writes it: edits through commands on :attr:`undo_stack`
(``app/commands.py``, which call the ``_set_*`` writers), training results
through :meth:`Document.adopt`, whole documents through :meth:`open` /
:meth:`open_example` / :meth:`new`, which build and validate the complete new
state before swapping it in. :attr:`changed` emits the kinds in
``app/change_kinds.py``; :attr:`adopted` fires for each adopted snapshot.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from model.data import data_prep
from model.io.project import DataSource, Project, load_project, save_project
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.teaching.notation import LECTURE
from model.train.history import History
from model.train.trainer import TrainSettings

from . import change_kinds as K
from . import resources_path
from .change_kinds import settings_kinds


def example_path(name: str) -> Path:
    return resources_path() / "examples" / f"{name}.json"


class DocumentError(ValueError):
    """A project that cannot become the document; the message is one line for the user."""


@dataclass(frozen=True)
class Snapshot:
    """What a save writes, taken on the GUI thread: a Project holding private copies
    of the weights and history (settings and data objects are replaced on edit,
    never changed in place), and the document's :attr:`Document.revision` then."""

    project: Project
    revision: tuple[int, int, int]


@dataclass(frozen=True)
class _State:
    """Everything ``_install`` swaps in at once."""

    project: Project
    data: object
    net: Network
    history: History
    path: Path | None


def build_state(project: Project, path: Path | None) -> _State:
    """Validate a project completely and build the document state from it.

    Any failure (a ValueError from the loader or the data, an OverflowError
    from an absurd initialiser range, anything else) becomes one DocumentError
    line; nothing has been changed yet when it is raised.
    """
    try:
        data = data_prep.prepare(project)
        net = project.network()
        if not all(np.isfinite(w).all() for w in net.weights + net.biases):
            raise ValueError("the initial weights are not finite numbers (is network.init_range too large?)")
        history = project.history if project.history is not None else History(net.n_layers)
        if history.n_layers != net.n_layers:
            raise ValueError(f"the history is for {history.n_layers} layers, the network has {net.n_layers}")
    except DocumentError:
        raise
    except ValueError as e:
        raise DocumentError(str(e)) from e
    except Exception as e:  # e.g. OverflowError: the old document must survive anything
        raise DocumentError(f"{type(e).__name__}: {e}") from e
    return _State(project, data, net, history, Path(path) if path else None)


class Document(QObject):
    """``changed(kind)`` with a kind from ``app/change_kinds.py``; ``adopted(snapshot)``
    after training results were taken in; ``message(text)`` for the status bar."""

    changed = Signal(str)
    adopted = Signal(object)
    dirtyChanged = Signal(bool)
    pathChanged = Signal()
    message = Signal(str)

    def __init__(self, project: Project | None = None, path: str | Path | None = None, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.notation = LECTURE  # what every label uses (View ▸ Code Notation switches it)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._results_dirty = False
        # revision counters: documents installed, undo-stack moves, training results
        self._generation = self._edits = self._results = 0
        self.undo_stack.indexChanged.connect(self._count_edit)
        self.ghosts: list[np.ndarray] = []  # train-loss curves of earlier runs
        self.probe_index = 0
        self._note = ""
        self.live = None  # the newest adopted snapshot (loss, lr, step, epoch, probe trace)
        if project is None:
            project = load_project(example_path("xor_train"))
            path = None
        self._install(build_state(project, Path(path) if path else None))

    # ------------------------------------------------------------------ state
    def _install(self, state: _State) -> None:
        """Swap in a complete, validated state (see :func:`build_state`)."""
        self.project = state.project
        self.data = state.data
        self.net = state.net
        self.history = state.history
        self.path = state.path
        self.probe_index = 0
        self.live = None
        self.ghosts = []
        self._generation += 1
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._results_dirty = False
        self.changed.emit(K.DOCUMENT)
        self.pathChanged.emit()
        self.dirtyChanged.emit(False)

    def _clean_changed(self, _clean: bool) -> None:
        self.dirtyChanged.emit(self.dirty)

    def _count_edit(self, _index: int) -> None:
        self._edits += 1  # any push, undo, redo or merge: what a save wrote may be out of date

    @property
    def revision(self) -> tuple[int, int, int]:
        """Changes whenever the saved state would: another document, an undo-stack move, new results."""
        return (self._generation, self._edits, self._results)

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

    def say(self, text: str) -> None:
        """One line for the status bar (after a pending :meth:`say_first` note)."""
        note, self._note = self._note, ""
        self.message.emit(f"{note}; {text}" if note and text else note or text)

    def say_first(self, note: str) -> None:
        """A note that leads the next status message of this change (e.g. an
        undo's own message), or stands alone once the change is over."""
        self._note = note
        QTimer.singleShot(0, self, lambda: self.say("") if self._note else None)

    def mark_results_changed(self) -> None:
        """Training changed weights/history (not an undo step, but unsaved)."""
        self._results += 1
        if not self._results_dirty:
            self._results_dirty = True
            self.dirtyChanged.emit(True)

    def probe(self) -> tuple[np.ndarray, np.ndarray]:
        """The probe sample (scaled input (n_in,), target (n_out,))."""
        i = min(self.probe_index, len(self.data.train) - 1)
        return self.data.X_train[i], self.data.train.T[i]

    def set_probe(self, index: int) -> None:
        self.probe_index = int(index)
        self.changed.emit(K.PROBE)

    # -------------------------------------------------------- training results
    def adopt(self, snap) -> None:
        """Take a training snapshot in: its weights and history rows (GUI thread only).

        The one way training results enter the document. Everything is checked
        before anything is written: a snapshot of another topology, or rows
        that do not continue this history, raise ValueError and change nothing.
        """
        if len(snap.weights) != len(self.net.weights) or any(
            w.shape != x.shape for w, x in zip(self.net.weights, snap.weights)
        ):
            raise ValueError("a training snapshot of another network cannot be adopted")
        cursor = self.history.cursor
        for rows in snap.rows:
            if tuple(rows.start) != cursor:
                raise ValueError(f"training rows start at {rows.start}, the history ends at {cursor}")
            cursor = rows.end
        self.net.set_parameters(snap.weights, snap.biases)
        for rows in snap.rows:
            self.history.append_rows(rows)
        self.live = snap
        if snap.finished and self.data.test is not None and len(self.data.test):
            from model.train.test_report import record_test  # once, when the run ends

            record_test(
                self.history, self.net, self.data.task, self.data.X_test, self.data.test.T, len(self.history)
            )
        if snap.rows:
            self.mark_results_changed()
        self.adopted.emit(snap)

    # ------------------------------------------------------- writers (commands)
    def network_state(self):
        return (self.project.spec, [w.copy() for w in self.net.weights], [b.copy() for b in self.net.biases])

    def _changed(self, kind: str) -> None:
        if kind not in (K.PROBE, *K.SETTINGS):
            self.live = None  # the last snapshot describes a state that is gone
        self.changed.emit(K.check_kind(kind))

    def _set_network(self, spec: NetworkSpec, W, b, history: History | None = None) -> None:
        topology = (
            spec.layer_sizes != self.spec.layer_sizes
            or spec.activations != self.spec.activations
            or spec.loss != self.spec.loss
        )
        self.project.spec = spec
        if (
            topology
            or spec.dropout_rates != self.net.spec.dropout_rates  # the trainer reads the net's spec
            or len(self.net.weights) != len(W)
            or any(w.shape != x.shape for w, x in zip(self.net.weights, W))
        ):
            self.net = Network(spec, W, b)
        else:
            self.net.set_parameters(W, b)
        if history is not None and history.n_layers == spec.n_layers:
            self.history = history
        elif self.history.n_layers != spec.n_layers:
            # another layer count is another run: a history of the right width
            self.history = History(spec.n_layers)
        self._changed(K.NETWORK if topology else K.WEIGHTS)

    def _set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        self.net.weights[layer][i, j] = value
        self._changed(K.WEIGHTS)

    def _set_bias(self, layer: int, j: int, value: float) -> None:
        self.net.biases[layer][j] = value
        self._changed(K.WEIGHTS)

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
        if history is not None and history.n_layers == self.spec.n_layers:
            self.history = history
        elif self.history.n_layers != self.spec.n_layers:
            self.history = History(self.spec.n_layers)
        self._changed(K.DATA)

    def _set_settings(self, settings: TrainSettings) -> None:
        """New training settings; emits only the ``settings.*`` kinds that differ."""
        kinds = settings_kinds(self.project.training, settings)
        self.project.training = copy.deepcopy(settings)
        for kind in kinds:
            self._changed(kind)

    def _set_history(self, history: History) -> None:
        self.history = history
        self._changed(K.HISTORY)

    # ------------------------------------------------------------------ files
    def to_project(self) -> Project:
        """A Project of the current state (what Save and autosave write)."""
        if self.history.n_layers != self.net.n_layers or self.spec.layer_sizes != self.net.layer_sizes:
            raise ValueError("internal error: the history or weights do not match the network")
        p = copy.copy(self.project)
        p.weights = ([w.copy() for w in self.net.weights], [b.copy() for b in self.net.biases])
        p.history = self.history if len(self.history) else None
        p.scaler = self.data.scaler
        if self.path:
            p.name = self.project.name or self.path.stem
        return p

    def snapshot(self) -> Snapshot:
        """An immutable copy of what Save writes (GUI thread; a few memcpys, no JSON):
        a worker may encode it while the document goes on changing."""
        p = self.to_project()
        if p.history is not None:
            p.history = p.history.copy()  # the document's keeps growing meanwhile
        return Snapshot(p, self.revision)

    def mark_saved(self, path: str | Path, revision: tuple[int, int, int]) -> None:
        """A snapshot taken at ``revision`` is now in ``path``: the document lives there,
        and is clean only if nothing changed since (a save of another document, one
        replaced meanwhile by Open or New, changes nothing here)."""
        if revision[0] != self._generation:
            return
        self.path = Path(path)
        if revision == self.revision:
            self._results_dirty = False
            self.undo_stack.setClean()
        self.pathChanged.emit()
        self.dirtyChanged.emit(self.dirty)

    def save(self, path: str | Path) -> None:
        """Atomic save on this thread (scripts, tests; the window saves in the
        background: app/project_saver.py); on failure the previous file and the dirty mark stay."""
        snap = self.snapshot()
        save_project(snap.project, Path(path))
        self.mark_saved(path, snap.revision)

    def mark_recovered(self, original: str | None) -> None:
        """The document came from a recovery copy: unsaved, named after its original file."""
        self.path = None
        if original:
            self.project.name = Path(original).stem
        self.mark_results_changed()
        self.pathChanged.emit()

    def open(self, path: str | Path) -> None:
        """Load a project (or an MLP stored as .onnx); any failure raises
        (ValueError/OSError, one line) and leaves this document exactly as it was."""
        if Path(path).suffix.lower() == ".onnx":
            from .onnx_project import project_from_onnx

            self._install(build_state(project_from_onnx(path), None))  # Save asks for a .json
            self.mark_results_changed()
            return
        self._install(build_state(_load(path), Path(path)))

    def open_example(self, name: str) -> None:
        self._install(build_state(_load(example_path(name)), None))

    def new(self) -> None:
        project = _load(example_path("xor_train"))
        project.name = "Untitled"
        state = build_state(project, None)
        project.weights = None
        self._install(state)


def _load(path) -> Project:
    try:
        return load_project(path)
    except (ValueError, OSError):
        raise
    except Exception as e:  # anything else still leaves the document alone
        raise DocumentError(f"cannot open {Path(path).name}: {type(e).__name__}: {e}") from e
