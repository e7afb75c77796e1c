"""The main window's teaching views: forward/backward waves on the canvas,
step-through backpropagation (Algorithm 4) and neuron maps."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QMainWindow

from model.teaching.neuron_maps import grid_points, neuron_maps
from model.teaching.notation import CODE, LECTURE
from model.teaching.stepthrough import history_after_update
from widgets.canvas.wave_animator import WaveAnimator
from widgets.panels.neuron_map_view import NeuronMapView, thumbnail_images
from widgets.panels.stepthrough_panel import StepThroughPanel

from .commands import NetworkCommand

WAVE_SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
MAP_RES = 48
THUMB_RES = 24
THUMBNAIL_LIMIT = 64  # neurons; bigger networks keep plain node colours


class Teaching:
    """Owns the wave animator, the step-through panel and the neuron-map view.

    Collaborators: ``window`` (hosts the docks and actions), the document
    (read; a step-through update is pushed as one undo command), the canvas
    (drawn on) and the training controller (paused when step-through starts).
    """

    def __init__(self, window: QMainWindow, doc, canvas, controller, docks: dict):
        self.window, self.doc, self.canvas, self.controller = window, doc, canvas, controller
        self.docks = docks
        self.probe_rec = None  # the probe trace shown last (waves, inspector)
        self.waves = WaveAnimator(window)
        self.waves.attach(canvas)
        self.stepper = StepThroughPanel()
        self.stepper.attach(canvas)
        self.neuron_map = NeuronMapView()
        # their docks are the window frame's (app/window_frame.py), placeholders until now
        for key, widget in (("stepthrough", self.stepper), ("neuron_map", self.neuron_map)):
            placeholder = docks[key].widget()
            docks[key].setWidget(widget)
            if placeholder is not None:
                placeholder.setParent(None)  # out of the window now, not at the next deferred delete
                placeholder.deleteLater()
        self.stepper.updateApplied.connect(self._apply_step_update)
        self.stepper.stageChanged.connect(lambda _i: self._mark_pattern())
        self.stepper.finished.connect(self._mark_pattern)
        self._map_node: tuple[int, int] | None = None
        self._thumbs_shown = False
        self.waves_action = self._action(
            "Animate &Waves",
            "W",
            "Forward activity (green–yellow) and backward error (purple) travelling along "
            "the edges for the probe sample (W)",
            self.set_waves,
            checkable=True,
        )
        self.thumbs_action = self._action(
            "Neuron &Maps in Nodes",
            "M",
            "Draw each neuron's activation over the input plane inside its node "
            "(2-D data, up to 64 neurons) (M)",
            lambda _on: self.update_thumbnails(),
            checkable=True,
        )
        self.step_action = self._action(
            "Step-through &Backprop",
            "Ctrl+T",
            "Follow Algorithm 4 for the probe sample one stage at a time (← →) (Ctrl+T)",
            self.start_stepthrough,
        )
        self.notation_action = self._action(
            "&Code Notation (a = xW + b, ∂L/∂z)",
            "",
            "Label everything in the code's notation (0-based, W[i, j] from i to j, bias b, "
            "∂L/∂z = −δ) instead of the lecture's (1-based, w_ij from j to i, θ = −b, δ)",
            lambda on: self.set_notation(CODE if on else LECTURE),
            checkable=True,
        )
        self.speed_combo = QComboBox()
        for v in WAVE_SPEEDS:
            self.speed_combo.addItem(f"{v:g} waves/s", v)
        self.speed_combo.setCurrentIndex(2)
        self.speed_combo.setToolTip("How fast the forward and backward waves travel")
        self.speed_combo.currentIndexChanged.connect(
            lambda _i: self.waves.set_speed(self.speed_combo.currentData())
        )

    def _action(self, text, key, tip, slot, checkable=False) -> QAction:
        a = QAction(text, self.window)
        a.setCheckable(checkable)
        a.setShortcut(QKeySequence(key))
        a.setToolTip(tip)
        (a.toggled if checkable else a.triggered).connect(slot)
        self.window.addAction(a)
        return a

    def add_to(self, acts: dict, toolbar, train_menu, view_menu) -> None:
        """Put the teaching actions into the window's action table, toolbar and menus."""
        acts.update(
            waves=self.waves_action,
            thumbnails=self.thumbs_action,
            stepthrough=self.step_action,
            notation=self.notation_action,
        )
        toolbar.addSeparator()
        toolbar.addAction(self.waves_action)
        toolbar.addWidget(self.speed_combo)
        toolbar.addAction(self.step_action)
        train_menu.addSeparator()
        train_menu.addAction(self.waves_action)
        train_menu.addAction(self.step_action)
        view_menu.addAction(self.thumbs_action)
        view_menu.addAction(self.notation_action)

    def set_notation(self, notation) -> None:
        """One switch for every label: Inspector, step-through, tooltips and exports."""
        self.doc.notation = notation
        self.window.inspector.set_notation(notation)
        self.stepper.set_notation(notation)
        self._mark_pattern()

    # -------------------------------------------------------------- probe
    def show_probe(self, rec, node_values: bool = True) -> None:
        """The probe sample's trace: waves replay it; the canvas shows its V unless
        step-through or the waves colour the nodes themselves."""
        self.probe_rec = rec
        self.waves.set_probe(rec)
        if node_values and not self.stepper.active and not self.waves.enabled:
            self.canvas.set_node_values(rec.V)

    # -------------------------------------------------------------- waves
    def set_waves(self, on: bool) -> None:
        if on and self.stepper.active:
            self.stepper.stop()
        self.waves.set_enabled(on)
        if on:
            self.waves.set_probe(self.probe_rec)

    # -------------------------------------------------------- step-through
    def leave_stepthrough(self) -> None:
        if self.stepper.active:
            self.stepper.stop()

    def start_stepthrough(self) -> None:
        """Algorithm 4 for the probe sample (or the batch, in batch modes)."""
        if self.controller.running:
            self.controller.pause()
        if self.waves_action.isChecked():
            self.waves_action.setChecked(False)
        d = self.doc
        n = len(d.data.train)
        bs = d.settings.batch_size
        i = min(d.probe_index, n - 1)
        indices = [i] if bs == 1 else list(range(min(n, bs or n)))
        if bs not in (None, 1) and i not in indices:
            indices = [i] + indices[:-1]
        self.stepper.start(d.net, d.data.X_train, d.data.train.T, indices, d.settings.lr, d.spec.loss)
        self.docks["stepthrough"].show()
        self.docks["stepthrough"].raise_()
        self.canvas.setFocus()

    def _mark_pattern(self) -> None:
        """The data plot marks the pattern μ being stepped (the batch at its update stages)."""
        view = getattr(self.window, "dataset_view", None)
        if view is None:
            return
        st, walk = self.stepper.stage, self.stepper.walk
        if st is None or walk is None:
            view.set_step_pattern(None)
            return
        batch = walk.indices if len(walk.indices) > 1 else []
        mu = st.pattern
        if mu is None:  # the update: every pattern of the batch counts
            view.set_step_pattern(
                None if batch else walk.indices[0], batch or (), self._pattern_text(walk.indices[0])
            )
        else:
            view.set_step_pattern(mu, batch, self._pattern_text(mu))

    def _pattern_text(self, mu: int) -> str:
        return f"μ = {mu + 1}" if self.doc.notation.use_theta else f"x[{mu}]"

    def _apply_step_update(self, W, B) -> None:
        d = self.doc
        walk = self.stepper.applied_walk
        history = (
            history_after_update(d.history, walk, len(d.data.train), W, d.data.task)
            if walk is not None
            else None
        )
        d.undo_stack.push(
            NetworkCommand(
                d,
                "Step-through update",
                (d.spec, W, B),
                "one update applied (Algorithm 4)",
                history_after=history,
            )
        )

    def handle_key(self, key) -> bool:
        """← → step while step-through is active, wherever the focus is."""
        return self.stepper.active and self.stepper.handle_key(key)

    def shutdown(self) -> None:
        self.waves.stop()

    # --------------------------------------------------------- neuron map
    def show_neuron_map(self, layer: int, index: int) -> None:
        """The selected neuron's activation over the 2-D input plane."""
        d = self.doc
        if (layer < 1 and d.data.features is None) or d.data.train.n_inputs != 2:
            self._map_node = None
            return
        self._map_node = (layer, index)
        self.update_neuron_map()

    def update_thumbnails(self, weights=None) -> None:
        """Neuron maps inside the nodes, for 2-D data and small networks only."""
        d = self.doc
        on = (
            self.thumbs_action.isChecked()
            and d.data.train.n_inputs == 2
            and sum(d.spec.layer_sizes[1:]) <= THUMBNAIL_LIMIT
        )
        if not on:
            if self._thumbs_shown:
                self.canvas.set_node_thumbnails(None)
                self._thumbs_shown = False
            return
        _extent, grid = self._map_grid()
        maps = neuron_maps(self._net(weights), grid, THUMB_RES)
        # engineered features: each input node shows its own feature over the input plane
        inputs = grid.reshape(THUMB_RES, THUMB_RES, -1)
        first = thumbnail_images([inputs], size=32) if d.data.features is not None else None
        self.canvas.set_node_thumbnails([first] + [thumbnail_images([m], size=32) for m in maps])
        self._thumbs_shown = True

    def _net(self, weights):
        """The document's network, or a copy carrying a snapshot's ``(weights, biases)``."""
        if weights is None:
            return self.doc.net
        net = self.doc.net.copy()
        net.set_parameters(*weights)
        return net

    def _map_grid(self, res: int = THUMB_RES):
        d = self.doc
        X = d.data.train.X
        pad = 0.1 * (X.max(axis=0) - X.min(axis=0) + 1e-9)
        extent = (
            X[:, 0].min() - pad[0],
            X[:, 0].max() + pad[0],
            X[:, 1].min() - pad[1],
            X[:, 1].max() + pad[1],
        )
        return extent, d.data.inputs(grid_points(extent, res))

    def update_neuron_map(self, weights=None) -> None:
        if self._map_node is None or not self.docks["neuron_map"].isVisible():
            return
        d = self.doc
        layer, index = self._map_node
        if layer >= len(d.spec.layer_sizes) or index >= d.spec.layer_sizes[layer]:
            return
        extent, grid = self._map_grid(MAP_RES)
        if layer == 0:  # an engineered input feature over the input plane
            name = d.data.input_names[index]
            self.neuron_map.set_map(grid.reshape(MAP_RES, MAP_RES, -1)[:, :, index], extent, f"Input {name}")
            return
        maps = neuron_maps(self._net(weights), grid, MAP_RES)
        kind = "Output" if layer == len(d.spec.layer_sizes) - 1 else f"Hidden {layer}"
        self.neuron_map.set_map(maps[layer - 1][:, :, index], extent, f"{kind}, neuron {index + 1}")
