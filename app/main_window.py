"""The main window: canvas in the middle, docks around it, wiring between the
document, the training controller and the widgets (widgets never talk to
each other)."""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from widgets.canvas.network_canvas import NetworkCanvas
from widgets.forms.data_panel import DataPanel
from widgets.forms.inspector import Inspector
from widgets.forms.training_panel import TrainingPanel
from widgets.panels.dataset_view import DatasetView
from widgets.panels.plots_dock import PlotsDock

from .actions import build_actions, build_menus, build_toolbar, fill_recent
from .app_settings import app_settings, recent_files
from .autosave import Autosaver
from .data_io import DataIOMixin
from .document import Document
from .edits import Edits
from .file_ops import FileOpsMixin
from .teaching import TeachingMixin
from .training_controller import TrainingController

GRID_RES = 64
PLOT_INTERVAL = 0.25  # seconds between plot redraws while training (alternating map/curves)


class MainWindow(TeachingMixin, DataIOMixin, FileOpsMixin, QMainWindow):
    def __init__(self, doc: Document | None = None):
        super().__init__()
        self.setObjectName("MainWindow")
        self.doc = doc or Document()
        self.edits = Edits(self.doc)
        self.controller = TrainingController(self.doc, parent=self)
        self.qsettings = app_settings()
        self.last_error: str | None = None
        self._selection = None  # ("node", l, i) | ("edge", l, i, j) | ("layer", l)
        self._snap = None  # newest training snapshot
        self._last_plot = 0.0
        self._plot_phase = False
        self._picked: list[tuple[int, int, int]] = []
        self._sized = False
        self._build()
        self._build_teaching()
        self.acts = build_actions(self)
        build_menus(self, self.acts)
        self.toolbar = build_toolbar(self, self.acts)
        self._build_teaching_actions()
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        fill_recent(self.recent_menu, recent_files(self.qsettings), lambda p: self.open_path(p))
        self._connect()
        self.autosaver = Autosaver(self.doc, parent=self)
        self.doc.dirtyChanged.connect(lambda dirty: None if dirty else self.autosaver.discard())
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self._restore_layout()
        self.refresh("all")

    # ------------------------------------------------------------- layout
    def _build(self) -> None:
        self.canvas = NetworkCanvas()
        self.setCentralWidget(self.canvas)
        self.data_panel = DataPanel()
        self.dataset_view = DatasetView()
        data_box = QWidget()
        lay = QVBoxLayout(data_box)
        lay.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.data_panel)
        split.addWidget(self.dataset_view)
        split.setStretchFactor(1, 3)
        split.setCollapsible(0, False)
        # the form's wrapped description under-reports its height: never squeeze the form
        self.data_panel.setMinimumHeight(self.data_panel.sizeHint().height() + 24)
        self.dataset_view.setMinimumHeight(260)
        lay.addWidget(split)
        self.training_panel = TrainingPanel()
        self.inspector = Inspector()
        self.plots = PlotsDock()
        self.docks = {}
        for key, title, widget, area in (
            ("data", "Data", data_box, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("inspector", "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea),
            ("training", "Training", self.training_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            ("plots", "Plots", self.plots, Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        # side docks run the full height; the plots sit under the canvas only
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.docks["inspector"], self.docks["training"])
        self.docks["inspector"].raise_()
        sb = self.statusBar()
        self.status_labels = {k: QLabel() for k in ("epoch", "loss", "acc", "rate")}
        tips = {
            "epoch": "Epochs completed (updates made)",
            "loss": "Training loss of the last update",
            "acc": "Training accuracy of the last epoch",
            "rate": "Weight updates per second",
        }
        widest = {
            "epoch": "epoch 1,000,000 (10,000,000 updates)",
            "loss": "loss 0.000000",
            "acc": "accuracy 100.0 %",
            "rate": "100,000 updates/s",
        }
        for k, lab in self.status_labels.items():
            lab.setToolTip(tips[k])
            # fixed widths: changing text must not re-layout the window every frame
            lab.setFixedWidth(lab.fontMetrics().horizontalAdvance(widest[k]) + 8)
            sb.addPermanentWidget(lab)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setToolTip("Progress towards the epoch limit")
        sb.addPermanentWidget(self.progress)

    def _connect(self) -> None:
        d, c, cv = self.doc, self.controller, self.canvas
        d.changed.connect(self.refresh)
        d.dirtyChanged.connect(lambda _: self._update_title())
        d.pathChanged.connect(self._update_title)
        d.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        c.snapshot.connect(self._on_snapshot)
        c.runningChanged.connect(self._on_running)
        c.finished.connect(self._on_finished)
        cv.layerWidthRequested.connect(lambda l, w: self._edit(self.edits.resize_layer, l, w))
        cv.addLayerRequested.connect(lambda i: self._edit(self.edits.insert_layer, i))
        cv.removeLayerRequested.connect(lambda l: self._edit(self.edits.remove_layer, l))
        cv.activationRequested.connect(lambda l, a: self._edit(self.edits.set_activation, l, a))
        cv.nodeSelected.connect(lambda l, i: self._select(("node", l, i)))
        cv.nodeSelected.connect(self.show_neuron_map)
        cv.edgeSelected.connect(lambda l, i, j: self._select(("edge", l, i, j)))
        cv.selectionCleared.connect(lambda: self._select(None))
        ins = self.inspector
        ins.weightEdited.connect(lambda l, i, j, v: self._edit(self.edits.set_weight, l, i, j, v))
        ins.biasEdited.connect(lambda l, j, v: self._edit(self.edits.set_bias, l, j, v))
        ins.layerWidthEdited.connect(lambda l, w: self._edit(self.edits.resize_layer, l, w))
        ins.activationEdited.connect(lambda l, a: self._edit(self.edits.set_activation, l, a))
        self.training_panel.settingsEdited.connect(
            lambda s: self._edit(self.edits.set_settings, s, pause=False)
        )
        self.data_panel.sourceEdited.connect(lambda s, p: self._edit(self.edits.set_data, s, p))
        self.dataset_view.pointClicked.connect(self.doc.set_probe)
        self.plots.learningRateChosen.connect(self._use_lr)
        self.plots.clearGhostsRequested.connect(self._clear_ghosts)
        self.dataset_view.featuresChanged.connect(lambda *_: self._update_grid())

    # ---------------------------------------------------------------- edits
    def _edit(self, fn, *args, pause: bool = True):
        """Apply an edit; training pauses first (so weights are stable) and a
        refused edit shows why."""
        if pause and self.controller.running:
            self.controller.pause()
        try:
            msg = fn(*args)
        except ValueError as e:
            self.show_error("That change is not possible", str(e))
            self.refresh("all")
            return None
        if msg:
            self.statusBar().showMessage(msg, 6000)
        return msg

    def _select(self, sel) -> None:
        self._selection = sel
        if sel is not None and sel[0] == "edge":
            # the last two edges picked become the optimizer panel's loss-slice axes
            edge = sel[1:]
            self._picked = [e for e in self._picked if e != edge][-1:] + [edge]
            if len(self._picked) == 2:
                self.plots.choose_weights(*self._picked)
        self._show_selection()

    def _use_lr(self, lr: float) -> None:
        import copy

        s = copy.deepcopy(self.doc.settings)
        s.lr = float(lr)
        self._edit(self.edits.set_settings, s, pause=False)

    def _clear_ghosts(self) -> None:
        self.doc.ghosts.clear()
        self.plots.set_history(self.doc.history, self.doc.ghosts)

    # -------------------------------------------------------------- refresh
    def refresh(self, kind: str = "all") -> None:
        d = self.doc
        if kind in ("all", "spec", "data"):
            if self.stepper.active:
                self.stepper.stop()
            self.canvas.set_network(d.spec.layer_sizes, d.spec.activations, d.net.weights, d.net.biases)
            self.canvas.set_editable_layers(set(range(1, len(d.spec.layer_sizes) - 1)))
            if self._selection and self._selection[0] != "layer":
                self._selection = None
        elif kind == "weights":
            self.canvas.set_weights(d.net.weights, d.net.biases)
        if kind in ("all", "settings", "data"):
            self.training_panel.set_settings(d.settings, len(d.data.train))
        if kind in ("all", "data"):
            self.data_panel.set_source(d.project.data, d.project.preprocessing)
            self.dataset_view.set_data(d.data.train, d.data.val)
            self.plots.set_task(d.data.task)
        if kind in ("all", "data", "probe"):
            self.dataset_view.set_probe(min(d.probe_index, len(d.data.train) - 1))
        if kind != "settings":
            self._snap = None
            self._update_grid()
            self._show_probe_values()
            self.plots.set_history(d.history, d.ghosts)
        if kind != "probe":
            self.plots.set_problem(d.net, d.data.X_train, d.data.train.T, d.settings, d.data.task)
            self.refresh_predict()
        self._show_selection()
        self._update_status()
        self._update_title()

    def _update_grid(self) -> None:
        """Ask the dataset view for its grid and fill it with network outputs."""
        d = self.doc
        grid = self.dataset_view.grid_inputs(GRID_RES)
        if grid is None:
            self.controller.set_grid(None)
            return
        Xg, extent = grid
        scaled = d.data.scaler.transform(Xg)
        self.controller.set_grid(scaled)
        self._grid_extent = extent
        self._show_grid(d.net.predict(scaled), d.net.predict(d.data.X_train))

    def _show_grid(self, out: np.ndarray, train_pred: np.ndarray | None) -> None:
        r = int(round(math.sqrt(len(out))))
        vals = out.reshape(r, r, -1)
        self.dataset_view.set_grid_output(vals[..., 0] if vals.shape[2] == 1 else vals, self._grid_extent)
        if train_pred is not None:
            self.dataset_view.set_predictions(train_pred)

    def _show_probe_values(self) -> None:
        from model.nn.probe import probe

        rec = (
            self._snap.probe
            if self._snap is not None and self._snap.probe is not None
            else probe(self.doc.net, *self.doc.probe())
        )
        self._probe_rec = rec
        self.waves.set_probe(rec)
        if not self.stepper.active and not self.waves.enabled:
            self.canvas.set_node_values(rec.V)
        self.update_neuron_map()
        self.update_thumbnails()

    def _show_selection(self) -> None:
        d, sel = self.doc, self._selection
        W = self._snap.weights if self._snap is not None else d.net.weights
        B = self._snap.biases if self._snap is not None else d.net.biases
        rec = getattr(self, "_probe_rec", None)
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
            self.inspector.show_node(l, i, act, bias, b, V, editable_bias=l > 0)
        elif sel[0] == "edge":
            _, l, i, j = sel
            if l >= len(W) or i >= W[l].shape[0] or j >= W[l].shape[1]:
                self.inspector.show_network_summary(d.spec)
                return
            grad = float(rec.grad_W[l][i, j]) if rec is not None else None
            self.inspector.show_edge(l, i, j, float(W[l][i, j]), grad)

    # ------------------------------------------------------------- training
    def _leave_stepthrough(self) -> None:
        if self.stepper.active:  # training would overwrite the stage picture
            self.stepper.stop()

    def toggle_play(self) -> None:
        self._leave_stepthrough()
        if self.controller.running:
            self.controller.pause()
        else:
            self.controller.play()

    def step_epoch(self) -> None:
        self._leave_stepthrough()
        self.controller.step_epoch()

    def step_update(self) -> None:
        self._leave_stepthrough()
        self.controller.step_update()

    def reset_weights(self) -> None:
        self._edit(self.edits.reset_weights)

    def _on_snapshot(self, snap) -> None:
        """Show the newest snapshot. Qt paints every dirty widget of a window in
        one pass, so each frame dirties only one of: the canvas, the decision
        map, the curves — no frame pays for all three."""
        self._snap = snap
        if snap.probe is not None:
            self._probe_rec = snap.probe
            self.waves.set_probe(snap.probe)
        now = time.perf_counter()
        plot_due = snap.finished or now - self._last_plot >= PLOT_INTERVAL
        if plot_due:
            self._last_plot = now
            self._plot_phase = not self._plot_phase
            if snap.grid is not None and (self._plot_phase or snap.finished):
                self._show_grid(snap.grid, snap.train_pred)
            if not self._plot_phase or snap.finished:
                self.plots.set_history(self.doc.history, self.doc.ghosts)
                self.update_neuron_map((snap.weights, snap.biases))
                self.update_thumbnails((snap.weights, snap.biases))
        if not plot_due or snap.finished:
            self.plots.set_live_weights(snap.weights)
            self.canvas.set_weights(snap.weights, snap.biases)
            if snap.probe is not None and not self.waves.enabled:  # the waves colour nodes themselves
                self.canvas.set_node_values(snap.probe.V)
        self._update_status(snap)
        if self._selection is not None:
            self._show_selection()

    def _on_running(self, running: bool) -> None:
        a = self.acts["play"]
        a.setText("&Pause" if running else "&Play")
        a.setIcon(
            self.style().standardIcon(
                self.style().StandardPixmap.SP_MediaPause
                if running
                else self.style().StandardPixmap.SP_MediaPlay
            )
        )
        if not running:
            self.canvas.set_weights(self.doc.net.weights, self.doc.net.biases)

    def _on_finished(self, reason: str) -> None:
        worker = self.controller.worker
        if reason == "diverged" and worker is not None:
            self.show_error("Training diverged", worker.trainer.divergence_message)
        elif reason.startswith("training failed"):
            self.show_error("Training stopped", reason)
        else:
            self.statusBar().showMessage(f"Training finished: {reason}", 8000)
        self.refresh("weights")

    def _update_status(self, snap=None) -> None:
        h = self.doc.history
        epoch = snap.epoch if snap else len(h)
        steps = snap.step if snap else len(h.update_loss)
        loss = snap.loss if snap else (float(h.update_loss.values[-1]) if len(h.update_loss) else math.nan)
        acc = snap.accuracy if snap else (float(h["train_acc"][-1]) if len(h) else math.nan)
        lab = self.status_labels
        lab["epoch"].setText(f"epoch {epoch:,} ({steps:,} updates)")
        lab["loss"].setText(f"loss {loss:.4g}" if math.isfinite(loss) else "loss –")
        lab["acc"].setText(f"accuracy {acc * 100:.1f} %" if math.isfinite(acc) else "accuracy –")
        lab["rate"].setText(f"{snap.updates_per_s:,.0f} updates/s" if snap and snap.updates_per_s else "")
        limit = self.doc.settings.epochs
        # QProgressBar repaints synchronously on every change: touch it only when needed
        if self.progress.format() != f"%v / {limit:,} epochs":
            self.progress.setRange(0, limit)
            self.progress.setFormat(f"%v / {limit:,} epochs")
        value = min(epoch, limit)
        if value != self.progress.value() and (
            value == limit or abs(value - self.progress.value()) * 200 >= limit or not self.controller.running
        ):
            self.progress.setValue(value)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.doc.name}{' •' if self.doc.dirty else ''} — MLP Studio")

    # --------------------------------------------------------------- misc
    def canvas_fit(self) -> None:
        self.canvas.fit_view()

    def show_error(self, title: str, text: str) -> None:
        """Non-blocking message box plus status-bar text (tests read last_error)."""
        self.last_error = text
        self.statusBar().showMessage(text, 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._error_box = box

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About MLP Studio",
            "MLP Studio — design, train and watch multilayer perceptrons.\nPySide6 · pyqtgraph · NumPy",
        )

    def show_panel(self, name: str) -> None:
        self.docks["plots"].show()
        self.docks["plots"].raise_()
        self.plots.show_panel(name)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized and self.qsettings.value("windowState") is None:
            self.docks["inspector"].raise_()
            self._sized = True  # first run: give the docks sensible sizes once laid out
            QTimer.singleShot(0, self._size_docks)
            QTimer.singleShot(250, self._size_docks)  # again once a real window manager has mapped it

    def _size_docks(self) -> None:
        self.docks["inspector"].raise_()
        self.resizeDocks([self.docks["data"], self.docks["inspector"]], [380, 320], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["plots"]], [max(300, self.height() * 2 // 5)], Qt.Orientation.Vertical)

    def _restore_layout(self) -> None:
        geo = self.qsettings.value("geometry")
        state = self.qsettings.value("windowState")
        if geo is not None:
            self.restoreGeometry(geo)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        self.controller.shutdown()
        self.plots.shutdown()
        self.waves.stop()
        self.autosaver.stop()
        self.autosaver.discard()  # closed cleanly: nothing to recover next time
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("windowState", self.saveState())
        event.accept()
