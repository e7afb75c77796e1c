"""The main window's teaching views: forward/backward waves on the canvas,
step-through backpropagation (Algorithm 4) and neuron maps."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel

from model.teaching.neuron_maps import grid_points, neuron_maps
from widgets.canvas.wave_animator import WaveAnimator
from widgets.panels.neuron_map_view import NeuronMapView, thumbnail_images
from widgets.panels.stepthrough_panel import StepThroughPanel

from .commands import NetworkCommand

WAVE_SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
MAP_RES = 48
THUMB_RES = 24
THUMBNAIL_LIMIT = 64  # neurons; bigger networks keep plain node colours


class TeachingMixin:
    def _build_teaching(self) -> None:
        self.waves = WaveAnimator(self)
        self.waves.attach(self.canvas)
        self.stepper = StepThroughPanel()
        self.stepper.attach(self.canvas)
        self.neuron_map = NeuronMapView()
        for key, title, widget in (
            ("stepthrough", "Step-through", self.stepper),
            ("neuron_map", "Neuron map", self.neuron_map),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.docks[key] = dock
        self.tabifyDockWidget(self.docks["training"], self.docks["stepthrough"])
        self.tabifyDockWidget(self.docks["stepthrough"], self.docks["neuron_map"])
        self.docks["inspector"].raise_()
        self.stepper.updateApplied.connect(self._apply_step_update)
        self._map_node: tuple[int, int] | None = None
        self._thumbs_shown = False

    def _build_teaching_actions(self) -> None:
        a = QAction("Animate &Waves", self)
        a.setCheckable(True)
        a.setShortcut(QKeySequence("W"))
        a.setToolTip(
            "Forward activity (green–yellow) and backward error (purple) travelling along "
            "the edges for the probe sample (W)"
        )
        a.toggled.connect(self.set_waves)
        self.addAction(a)
        self.acts["waves"] = a
        t = QAction("Neuron &Maps in Nodes", self)
        t.setCheckable(True)
        t.setShortcut(QKeySequence("M"))
        t.setToolTip(
            "Draw each neuron's activation over the input plane inside its node "
            "(2-D data, up to 64 neurons) (M)"
        )
        t.toggled.connect(lambda _on: self.update_thumbnails())
        self.addAction(t)
        self.acts["thumbnails"] = t
        s = QAction("Step-through &Backprop", self)
        s.setShortcut(QKeySequence("Ctrl+T"))
        s.setToolTip("Follow Algorithm 4 for the probe sample one stage at a time (← →) (Ctrl+T)")
        s.triggered.connect(self.start_stepthrough)
        self.addAction(s)
        self.acts["stepthrough"] = s
        self.speed_combo = QComboBox()
        for v in WAVE_SPEEDS:
            self.speed_combo.addItem(f"{v:g} waves/s", v)
        self.speed_combo.setCurrentIndex(2)
        self.speed_combo.setToolTip("How fast the forward and backward waves travel")
        self.speed_combo.currentIndexChanged.connect(
            lambda _i: self.waves.set_speed(self.speed_combo.currentData())
        )
        self.toolbar.addSeparator()
        self.toolbar.addAction(a)
        self.toolbar.addWidget(self.speed_combo)
        self.toolbar.addAction(s)
        menu = self.menuBar().findChildren(type(self.view_menu))
        train_menu = next((m for m in menu if m.title().replace("&", "") == "Train"), None)
        if train_menu is not None:
            train_menu.addSeparator()
            train_menu.addAction(a)
            train_menu.addAction(s)
        self.view_menu.addAction(t)

    # -------------------------------------------------------------- waves
    def set_waves(self, on: bool) -> None:
        if on and self.stepper.active:
            self.stepper.stop()
        self.waves.set_enabled(on)
        if on:
            self.waves.set_probe(getattr(self, "_probe_rec", None))

    # -------------------------------------------------------- step-through
    def start_stepthrough(self) -> None:
        """Algorithm 4 for the probe sample (or the batch, in batch modes)."""
        if self.controller.running:
            self.controller.pause()
        if self.acts["waves"].isChecked():
            self.acts["waves"].setChecked(False)
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

    def _apply_step_update(self, W, B) -> None:
        self.doc.undo_stack.push(
            NetworkCommand(
                self.doc, "Step-through update", (self.doc.spec, W, B), "one update applied (Algorithm 4)"
            )
        )

    def keyPressEvent(self, event) -> None:
        if self.stepper.active and self.stepper.handle_key(event.key()):
            return
        super().keyPressEvent(event)

    # --------------------------------------------------------- neuron map
    def show_neuron_map(self, layer: int, index: int) -> None:
        """The selected neuron's activation over the 2-D input plane."""
        d = self.doc
        if layer < 1 or d.data.train.n_inputs != 2:
            self._map_node = None
            return
        self._map_node = (layer, index)
        self.update_neuron_map()

    def update_thumbnails(self, weights=None) -> None:
        """Neuron maps inside the nodes, for 2-D data and small networks only."""
        d = self.doc
        on = (
            self.acts["thumbnails"].isChecked()
            and d.data.train.n_inputs == 2
            and sum(d.spec.layer_sizes[1:]) <= THUMBNAIL_LIMIT
        )
        if not on:
            if self._thumbs_shown:
                self.canvas.set_node_thumbnails(None)
                self._thumbs_shown = False
            return
        extent, grid = self._map_grid()
        net = d.net
        if weights is not None:
            net = d.net.copy()
            net.set_parameters(*weights)
        maps = neuron_maps(net, grid, THUMB_RES)
        self.canvas.set_node_thumbnails([None] + [thumbnail_images([m], size=32) for m in maps])
        self._thumbs_shown = True

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
        return extent, d.data.scaler.transform(grid_points(extent, res))

    def update_neuron_map(self, weights=None) -> None:
        if self._map_node is None or not self.docks["neuron_map"].isVisible():
            return
        d = self.doc
        layer, index = self._map_node
        if layer >= len(d.spec.layer_sizes) or index >= d.spec.layer_sizes[layer]:
            return
        extent, grid = self._map_grid(MAP_RES)
        net = d.net
        if weights is not None:
            net = d.net.copy()
            net.set_parameters(*weights)
        maps = neuron_maps(net, grid, MAP_RES)
        title = (
            f"{'Output' if layer == len(d.spec.layer_sizes) - 1 else f'Hidden {layer}'}, neuron {index + 1}"
        )
        self.neuron_map.set_map(maps[layer - 1][:, :, index], extent, title)


__all__ = ["TeachingMixin", "QLabel"]
