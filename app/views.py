"""DocumentViews: what the window's widgets show, fed from the document and
from training snapshots.

Widgets never talk to each other: this object reads the document and
calls each widget's own ``set_*`` methods.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np

from . import change_kinds as K
from .change_kinds import DependencyTable

GRID_RES = 64
PLOT_INTERVAL = 0.25  # seconds between plot redraws while training (alternating map/curves)


def show_network(doc, canvas) -> None:
    from widgets.canvas.feature_strip import chip_text

    canvas.set_input_names([chip_text(n) for n in doc.data.input_names])
    canvas.set_network(doc.spec.layer_sizes, doc.spec.activations, doc.net.weights, doc.net.biases)
    canvas.set_editable_layers(set(range(1, len(doc.spec.layer_sizes) - 1)))


def show_settings(doc, training_panel) -> None:
    training_panel.set_settings(doc.settings, len(doc.data.train))


def show_data_source(doc, data_panel) -> None:
    d = doc.data
    data_panel.set_source(doc.project.data, doc.project.preprocessing)
    data_panel.show_shape(d.task, d.train.n_inputs, d.train.n_outputs, len(d.train) + len(d.val))


def show_frame(doc, canvas, data_panel, training_panel, inspector) -> None:
    """What the window's frame shows of the document before the rest is built
    (app/window_frame.py); :class:`DocumentViews` shows the same, and more, after."""
    show_network(doc, canvas)
    show_settings(doc, training_panel)
    show_data_source(doc, data_panel)
    inspector.show_network_summary(doc.spec)


class DocumentViews:
    """Collaborators: the document and training controller (read), the widgets
    it feeds (canvas, data panel, dataset view, training panel, inspector,
    plots dock), the teaching views and the status read-outs."""

    def __init__(self, doc, controller, widgets: dict, teaching, status, title):
        self.doc, self.controller = doc, controller
        self.canvas = widgets["canvas"]
        self.data_panel = widgets["data_panel"]
        self.dataset_view = widgets["dataset_view"]
        self.training_panel = widgets["training_panel"]
        self.inspector = widgets["inspector"]
        self.plots = widgets["plots"]
        self.teaching = teaching
        self.status = status
        self._update_title = title
        self.selection = None  # ("node", l, i) | ("edge", l, i, j) | ("layer", l)
        self._snap = None  # newest training snapshot
        self._picked: list[tuple[int, int, int]] = []
        self._last_plot = 0.0
        self._plot_phase = False
        self._grid_extent = None
        self._settings_seen = None
        self.table = self._build_table()
        self.plots.set_compare_source(self.compare_problem)

    # -------------------------------------------------------------- refresh
    def _build_table(self) -> DependencyTable:
        """Which view reads which change kind (DOCUMENT reaches them all); order matters:
        the canvas is rebuilt before anything draws on it, the inspector and status come last."""
        d, cv, plots, t = self.doc, self.canvas, self.plots, self.teaching
        NET_DATA = (K.NETWORK, K.DATA)
        PARAMS = (K.NETWORK, K.WEIGHTS, K.DATA)
        table = DependencyTable()
        for name, kinds, fn in (
            ("canvas.network", NET_DATA, lambda: self._show_network()),
            ("canvas.weights", (K.WEIGHTS,), lambda: cv.set_weights(d.net.weights, d.net.biases)),
            ("training_panel", (*K.SETTINGS, K.DATA), lambda: show_settings(d, self.training_panel)),
            ("data_panel", (K.DATA,), lambda: show_data_source(d, self.data_panel)),
            ("dataset_view.data", (K.DATA,), lambda: self.dataset_view.set_data(d.data.train, d.data.val)),
            ("plots.task", (K.DATA,), lambda: plots.set_task(d.data.task)),
            (
                "dataset_view.probe",
                (K.DATA, K.PROBE),
                lambda: self.dataset_view.set_probe(min(d.probe_index, len(d.data.train) - 1)),
            ),
            ("snapshot", (*PARAMS, K.HISTORY, K.PROBE), lambda: setattr(self, "_snap", None)),
            ("decision_map", PARAMS, lambda: self.update_grid()),
            (
                "dataset_view.lines",
                PARAMS,
                lambda: self.dataset_view.set_network_lines(
                    d.net.weights, d.net.biases, d.spec.activations, d.data.scaler
                ),
            ),
            ("probe_trace", (*PARAMS, K.PROBE), lambda: self._show_probe_values()),
            ("neuron_maps", PARAMS, lambda: (t.update_neuron_map(), t.update_thumbnails())),
            ("plots.loss", (*PARAMS, K.HISTORY), lambda: plots.set_history(d.history, d.ghosts)),
            ("plots.lr", (*PARAMS, *K.SETTINGS), lambda: plots.feed("lr", "problem", self._lr_problem)),
            # the loss surface: network and data, never the learning rate
            (
                "plots.optimizers",
                NET_DATA,
                lambda: plots.feed("optimizers", "network", self._surface_problem),
            ),
            (
                "plots.gradients",
                PARAMS,
                lambda: plots.feed("gradients", "network", lambda p: p.set_network(d.net, d.data.X_train)),
            ),
            ("plots.predict", PARAMS, lambda: plots.feed("predict", "model", self._predict_model)),
            ("plots.hidden", PARAMS, lambda: plots.feed("hidden", "problem", self._hidden_problem)),
            ("inspector", (*PARAMS, K.PROBE), lambda: self.show_selection()),
            ("status", (*PARAMS, K.HISTORY, K.SETTINGS_LIMITS), lambda: self.show_status()),
            ("title", (), lambda: self._update_title()),
        ):
            table.add(name, kinds, lambda _kind, fn=fn: fn())
        return table

    def refresh(self, kind: str = K.DOCUMENT) -> list[str]:
        """Update the views that read ``kind`` (old kind strings accepted); returns their names."""
        kinds = K.kinds_of(kind)
        if kinds == K.SETTINGS:  # an emitter that does not say which setting: find out
            kinds = K.settings_kinds(self._settings_seen, self.doc.settings)
        self._settings_seen = copy.deepcopy(self.doc.settings)
        return self.table.dispatch_kinds(kinds) if kinds else []

    def _show_network(self) -> None:
        d = self.doc
        self.teaching.leave_stepthrough()
        show_network(d, self.canvas)
        if self.selection and self.selection[0] != "layer":
            self.selection = None

    def _lr_problem(self, panel) -> None:
        d = self.doc
        panel.set_problem(d.net, d.data.X_train, d.data.train.T, d.settings, d.data.task)

    def _surface_problem(self, panel) -> None:
        d = self.doc
        panel.set_network(d.net, d.data.X_train, d.data.train.T)

    def compare_problem(self) -> tuple:
        """What the activation comparison trains on (private copies for its thread)."""
        d = self.doc
        return d.spec, d.data.X_train.copy(), d.data.train.T.copy(), copy.deepcopy(d.settings), d.data.task

    def _hidden_problem(self, panel) -> None:
        from model.teaching.hidden_space import plane_grid_inputs

        d = self.doc
        ds = d.data.train
        labels = ds.labels() if ds.task == "classification" else None
        lines = plane_grid_inputs(ds.X, d.data.inputs) if ds.n_inputs == 2 else None
        panel.set_problem(d.net, d.data.X_train, labels, lines)

    def _predict_model(self, panel) -> None:
        d = self.doc
        ds = d.data.train
        panel.set_model(
            d.net.copy(),
            d.data.scaler,
            d.data.input_names,
            ds.class_names,
            ds.task,
            target_names=ds.target_names,
        )

    def update_grid(self) -> None:
        """Ask the dataset view for its grid and fill it with network outputs."""
        d = self.doc
        grid = self.dataset_view.grid_inputs(GRID_RES)
        if grid is None:
            self.controller.set_grid(None)
            return
        Xg, extent = grid
        scaled = d.data.inputs(Xg)
        self.controller.set_grid(scaled)
        self._grid_extent = extent
        self._show_grid(d.net.predict(scaled), d.net.predict(d.data.X_train))

    def _show_grid(self, out: np.ndarray, train_pred: np.ndarray | None, at=None) -> None:
        r = int(round(math.sqrt(len(out))))
        vals = out.reshape(r, r, -1)
        self.dataset_view.set_grid_output(vals[..., 0] if vals.shape[2] == 1 else vals, self._grid_extent)
        if train_pred is not None:
            self.dataset_view.set_predictions(train_pred, at=at)

    def _show_probe_values(self) -> None:
        from model.nn.probe import probe

        snap = self._snap
        rec = (
            snap.probe
            if snap is not None and snap.probe is not None
            else probe(self.doc.net, *self.doc.probe())
        )
        self.teaching.show_probe(rec)
        self.teaching.update_neuron_map()
        self.teaching.update_thumbnails()

    # ------------------------------------------------------------ selection
    def select(self, sel) -> None:
        self.selection = sel
        if sel is not None and sel[0] == "edge":
            # the last two edges picked become the optimizer panel's loss-slice axes
            edge = sel[1:]
            self._picked = [e for e in self._picked if e != edge][-1:] + [edge]
            if len(self._picked) == 2:
                self.plots.choose_weights(*self._picked)
        self.show_selection()

    def show_selection(self) -> None:
        d, sel = self.doc, self.selection
        W = self._snap.weights if self._snap is not None else d.net.weights
        B = self._snap.biases if self._snap is not None else d.net.biases
        rec = self.teaching.probe_rec
        if sel is None:
            self.inspector.show_network_summary(d.spec)
        elif sel[0] == "node":
            _, l, i = sel
            if l >= len(d.spec.layer_sizes) or i >= d.spec.layer_sizes[l]:
                self.inspector.show_network_summary(d.spec)
                return
            act = d.spec.activations[l - 1] if l > 0 else "input"
            bias = float(B[l - 1][i]) if l > 0 else None
            b = float(rec.b[l - 1][i]) if rec is not None and l > 0 else None
            V = float(rec.V[l][i]) if rec is not None else None
            delta = float(rec.deltas[l - 1][i]) if rec is not None and l > 0 else None
            hidden = 0 < l < len(d.spec.layer_sizes) - 1
            rate = d.spec.dropout_rates[l - 1] if hidden else None
            self.inspector.show_node(l, i, act, bias, b, V, editable_bias=l > 0, delta=delta, dropout=rate)
        elif sel[0] == "edge":
            _, l, i, j = sel
            if l >= len(W) or i >= W[l].shape[0] or j >= W[l].shape[1]:
                self.inspector.show_network_summary(d.spec)
                return
            grad = float(rec.grad_W[l][i, j]) if rec is not None else None
            self.inspector.show_edge(l, i, j, float(W[l][i, j]), grad)

    def show_status(self, snap=None) -> None:
        self.status.show(self.doc.history, self.doc.settings.epochs, self.controller.running, snap)

    # ------------------------------------------------------------- training
    def show_snapshot(self, snap) -> None:
        """Show the newest snapshot. Qt paints every dirty widget of a window in
        one pass, so each frame dirties only one of: the canvas, the decision
        map, the curves — no frame pays for all three."""
        self._snap = snap
        t = self.teaching
        if snap.probe is not None:
            t.show_probe(snap.probe, node_values=False)
        # paced play (≤ 30 updates/s): canvas, decision map and curves advance together
        whole = bool(snap.finished or snap.paced)
        now = time.perf_counter()
        plot_due = whole or now - self._last_plot >= PLOT_INTERVAL
        if plot_due:
            self._last_plot = now
            self._plot_phase = not self._plot_phase
            if snap.grid is not None and (self._plot_phase or whole):
                self._show_grid(snap.grid, snap.train_pred, snap.grid_at)
                d = self.doc
                self.dataset_view.set_network_lines(
                    snap.weights, snap.biases, d.spec.activations, d.data.scaler
                )
            if not self._plot_phase or whole:
                self.plots.set_history(self.doc.history, self.doc.ghosts)
                t.update_neuron_map((snap.weights, snap.biases))
                t.update_thumbnails((snap.weights, snap.biases))
        if not plot_due or whole:
            self.plots.set_live_weights(snap.weights)
            self.plots.set_live_parameters(snap.weights, snap.biases)
            self.canvas.set_weights(snap.weights, snap.biases)
            if snap.probe is not None and not t.waves.enabled:  # the waves colour nodes themselves
                self.canvas.set_node_values(snap.probe.V)
        if snap.finished and (snap.grid is None or snap.probe is None):
            # trained in place (screenshots, scripts): no worker computed the map and
            # the probe, so the views that read the weights recompute them once
            self.refresh(K.WEIGHTS)
        self.show_status(snap)
        if self.selection is not None:
            self.show_selection()
