"""The main window: canvas in the middle, docks around it.

The window is composed of small objects with named collaborators, each in
its own module: :class:`~app.dialogs.Dialogs` (every question asked),
:class:`~app.file_ops.FileOps` (open, save, weights, recovery),
:class:`~app.data_io.DataIO` (CSV import, exports),
:class:`~app.teaching.Teaching` (waves, step-through, neuron maps),
:class:`~app.views.DocumentViews` (what every widget shows) and
:class:`~app.status_bar.TrainingStatus`. The window itself only builds the
widgets, wires their signals to edits, and runs training commands.
Widgets never talk to each other.
"""

from __future__ import annotations

import warnings

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QVBoxLayout, QWidget

from model.analysis.lr_suggestion import curvature_for
from widgets.canvas.network_canvas import NetworkCanvas
from widgets.common.jobs import JobManager
from widgets.forms.data_panel import DataPanel
from widgets.forms.inspector import Inspector
from widgets.forms.training_panel import TrainingPanel
from widgets.panels.dataset_view import DatasetView
from widgets.panels.plots_dock import PlotsDock
from widgets.panels.point_editor import PointEditor

from . import change_kinds as K
from .actions import Menus, build_actions, build_toolbar, fill_recent
from .app_settings import add_recent, app_settings, recent_files
from .autosave import Autosaver
from .challenge_ops import ChallengeOps
from .classroom import Classroom
from .code_export_ui import export_script
from .data_io import DataIO
from .dialogs import Dialogs
from .document import Document
from .edits import Edits
from .feature_ui import FeatureUi
from .file_ops import FileOps
from .instrument_menu import build_instrument_menu
from .instruments import Instruments
from .point_edit_actions import PointEditActions
from .record_ui import RecordUi
from .status_bar import TrainingStatus
from .teaching import Teaching
from .timeline import Timeline
from .training_controller import TrainingController
from .views import DocumentViews


class MainWindow(QMainWindow):
    def __init__(self, doc: Document | None = None):
        super().__init__()
        self.setObjectName("MainWindow")
        self.doc = doc or Document()
        self.edits = Edits(self.doc)
        self.controller = TrainingController(self.doc, parent=self)
        self.jobs = JobManager(self)  # every background computation; shutdown() joins them all
        self.jobs.add_stopper("training", lambda _timeout: self.controller.shutdown())
        self.qsettings = app_settings()
        self._sized = False
        self.autosaver = Autosaver(self.doc, parent=self)
        self.dialogs = Dialogs(self, lambda kind="": self.files.start_dir(kind), self._status)
        self.files = FileOps(self.doc, self.controller, self.dialogs, self.autosaver, self._remember)
        self._build_widgets()
        self.io = DataIO(
            self.doc,
            self.controller,
            self.dialogs,
            self.canvas,
            self.plots,
            self.edits,
            self.apply_edit,
            self,
        )
        self.teaching = Teaching(self, self.doc, self.canvas, self.controller, self.docks)
        self.status = TrainingStatus(self.statusBar())
        self.recording = RecordUi(self)
        self.views = DocumentViews(
            self.doc,
            self.controller,
            {
                "canvas": self.canvas,
                "data_panel": self.data_panel,
                "dataset_view": self.dataset_view,
                "training_panel": self.training_panel,
                "inspector": self.inspector,
                "plots": self.plots,
            },
            self.teaching,
            self.status,
            self._update_title,
        )
        self.acts = build_actions(self, self._slots(), self.doc.undo_stack)
        self.menus = Menus(self, self.acts, self.files.open_example, self.dialogs.show_about)
        self.toolbar = build_toolbar(self, self.acts)
        self.teaching.add_to(self.acts, self.toolbar, self.menus.train, self.menus.view)
        self.classroom = Classroom(
            self, self.doc, self.controller, self.teaching, self.acts, self.menus, self.toolbar, self.docks
        )
        for dock in self.docks.values():
            self.menus.view.addAction(dock.toggleViewAction())
        fill_recent(self.menus.recent, recent_files(self.qsettings), self.files.open_path)
        self._connect()
        self._build_instruments()
        self.features = FeatureUi(self)  # input-feature chips on the canvas, Network menu
        self.doc.dirtyChanged.connect(lambda dirty: None if dirty else self.autosaver.discard())
        self.setAcceptDrops(True)
        self._restore_layout()
        self.classroom.apply_saved_theme()
        self.views.refresh(K.DOCUMENT)
        self.instruments.refresh(force=True)
        self.challenge.show()  # after the saved layout: a challenge's bar is always shown

    def _build_instruments(self) -> None:
        """Issue 15: health badges, stability strip, gradient check, timeline, challenges,
        worksheets (after ``_connect``: they redraw after the views do)."""
        self.instruments = Instruments(self.doc, self.canvas, self.plots, parent=self)
        self.instruments.training = lambda: self.controller.running
        self.timeline = Timeline(
            self.doc,
            self.controller,
            self.canvas,
            self.dataset_view,
            self.plots,
            self.teaching,
            self.apply_edit,
            self.views.refresh,
            parent=self,
        )
        self.challenge = ChallengeOps(self, self.doc, self.dialogs, self.data_panel)
        self.instrument_actions = build_instrument_menu(self)
        cv, sel = self.canvas, self.instruments.select
        cv.nodeSelected.connect(lambda l, i: sel(("node", l, i)))
        cv.edgeSelected.connect(lambda l, i, j: sel(("edge", l, i, j)))
        cv.selectionCleared.connect(lambda: sel(None))

    # ------------------------------------------------------------- layout
    def _build_widgets(self) -> None:
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
        self.point_editor = PointEditor(self.dataset_view.plot)  # your own points, on the data plot
        self.dataset_view.layout().insertWidget(2, self.point_editor)
        lay.addWidget(split)
        self.training_panel = TrainingPanel()
        self.inspector = Inspector()
        self.plots = PlotsDock(jobs=self.jobs)
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
        # Inspector above Training: the training form is in view on first start, not behind a tab
        self.splitDockWidget(self.docks["inspector"], self.docks["training"], Qt.Orientation.Vertical)
        self.docks["inspector"].raise_()

    def _slots(self) -> dict:
        f, io = self.files, self.io
        return {
            "new": f.file_new,
            "open": f.file_open,
            "save": f.file_save,
            "save_as": f.file_save_as,
            "export_weights": f.export_weights,
            "import_weights": f.import_weights,
            "export_history": f.export_history,
            "export_onnx": io.export_onnx_file,
            "export_diagram": io.export_diagram_file,
            "export_plots": io.export_current_plots,
            "export_all": io.export_all,
            "import_csv": io.import_csv,
            "export_pytorch": lambda: export_script(self.doc, self.dialogs, "pytorch"),
            "export_numpy": lambda: export_script(self.doc, self.dialogs, "numpy"),
            "record": self.recording.ask_and_record,
            "quit": self.close,
            "fit": self.canvas.fit_view,
            "play": self.toggle_play,
            "step_epoch": self.step_epoch,
            "step_update": self.step_update,
            "reset": lambda: self.apply_edit(self.edits.reset_weights),
        }

    def _connect(self) -> None:
        d, c, cv, e, v = self.doc, self.controller, self.canvas, self.edits, self.views
        edit = self.apply_edit
        d.changed.connect(v.refresh)
        self.point_actions = PointEditActions(d, e, self.point_editor, self.apply_edit)
        d.changed.connect(lambda kind: self.point_actions.refresh() if kind in (K.DOCUMENT, K.DATA) else None)
        self.point_actions.refresh()
        d.dirtyChanged.connect(lambda _: self._update_title())
        d.pathChanged.connect(self._update_title)
        d.message.connect(lambda m: self._status(m, 6000))
        d.adopted.connect(v.show_snapshot)  # every adopted result, live or trained in place
        c.runningChanged.connect(self._on_running)
        c.finished.connect(self._on_finished)
        cv.layerWidthRequested.connect(lambda l, w: edit(e.resize_layer, l, w))
        cv.addLayerRequested.connect(lambda i: edit(e.insert_layer, i))
        cv.removeLayerRequested.connect(lambda l: edit(e.remove_layer, l))
        cv.activationRequested.connect(lambda l, a: edit(e.set_activation, l, a))
        cv.nodeSelected.connect(lambda l, i: v.select(("node", l, i)))
        cv.nodeSelected.connect(self.teaching.show_neuron_map)
        cv.edgeSelected.connect(lambda l, i, j: v.select(("edge", l, i, j)))
        cv.selectionCleared.connect(lambda: v.select(None))
        ins = self.inspector
        ins.weightEdited.connect(lambda l, i, j, val: edit(e.set_weight, l, i, j, val))
        ins.biasEdited.connect(lambda l, j, val: edit(e.set_bias, l, j, val))
        ins.layerWidthEdited.connect(lambda l, w: edit(e.resize_layer, l, w))
        ins.activationEdited.connect(lambda l, a: edit(e.set_activation, l, a))
        ins.dropoutEdited.connect(lambda l, p: edit(e.set_dropout, l, p))
        self.training_panel.settingsEdited.connect(lambda s: edit(e.set_settings, s, pause=False))
        self.training_panel.curvature_provider = lambda: curvature_for(d.net, d.data.X_train, d.data.train.T)
        self.training_panel.set_run_controls(self.acts["play"], self.classroom.make_pace_combo("form_pace"))
        self.training_panel.remember_sections(self.qsettings)  # folded sections, as left last time
        self.data_panel.sourceEdited.connect(lambda s, p: edit(e.set_data, s, p))
        self.dataset_view.pointClicked.connect(d.set_probe)
        self.plots.learningRateChosen.connect(self._use_lr)
        self.plots.clearGhostsRequested.connect(self._clear_ghosts)
        self.dataset_view.featuresChanged.connect(lambda *_: v.update_grid())

    # ---------------------------------------------------------------- edits
    def apply_edit(self, fn, *args, pause: bool = True):
        """Apply an edit; training pauses first (so weights are stable) and a
        refused edit shows why."""
        held = self.controller.pause_for_edit() if pause else None
        if held is False:
            self._status("Training is finishing a long update; try the change again", 6000)
            return None
        try:
            msg = self.challenge.guarded(fn, *args)  # a challenge's locks hold here
        except ValueError as e:
            self.dialogs.show_error("That change is not possible", str(e))
            self.views.refresh(K.DOCUMENT)
            return None
        if held:
            msg = f"training paused; {msg}" if msg else "training paused"
        if msg:
            self._status(msg, 6000)
        return msg

    def _use_lr(self, lr: float) -> None:
        import copy

        s = copy.deepcopy(self.doc.settings)
        s.lr = float(lr)
        self.apply_edit(self.edits.set_settings, s, pause=False)

    def _clear_ghosts(self) -> None:
        self.doc.ghosts.clear()
        self.plots.set_history(self.doc.history, self.doc.ghosts)

    # ------------------------------------------------------------- training
    def toggle_play(self) -> None:
        self.teaching.leave_stepthrough()  # training would overwrite the stage picture
        if self.controller.running:
            self.controller.pause()
        else:
            self.controller.play()

    def step_epoch(self) -> None:
        self.teaching.leave_stepthrough()
        self.controller.step_epoch()

    def step_update(self) -> None:
        self.teaching.leave_stepthrough()
        self.controller.step_update()

    def _on_running(self, running: bool) -> None:
        a = self.acts["play"]
        a.setText("&Pause" if running else "&Play")
        pix = self.style().StandardPixmap
        a.setIcon(self.style().standardIcon(pix.SP_MediaPause if running else pix.SP_MediaPlay))
        if not running:
            self.canvas.set_weights(self.doc.net.weights, self.doc.net.biases)
            self.plots.set_history(self.doc.history, self.doc.ghosts)  # the epochs since the last frame

    def _on_finished(self, reason: str) -> None:
        if reason == "diverged":
            self.dialogs.show_error("Training diverged", self.controller.finish_message)
        elif reason.startswith("training failed"):
            self.dialogs.show_error("Training stopped", reason)
        else:
            self._status(f"Training finished: {reason}", 8000)
        self.views.refresh(K.WEIGHTS)

    # --------------------------------------------------------------- misc
    @property
    def last_error(self) -> str | None:
        """The last error message shown (tests read it)."""
        return self.dialogs.last_error

    def _status(self, text: str, ms: int) -> None:
        self.statusBar().showMessage(text, ms)

    def _remember(self, path: str) -> None:
        fill_recent(self.menus.recent, add_recent(self.qsettings, path), self.files.open_path)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.doc.name}{' •' if self.doc.dirty else ''} — MLP Studio")

    def show_panel(self, name: str) -> None:
        self.docks["plots"].show()
        self.docks["plots"].raise_()
        self.plots.show_panel(name)

    def keyPressEvent(self, event) -> None:
        if not self.teaching.handle_key(event.key()):
            super().keyPressEvent(event)

    def dragEnterEvent(self, event) -> None:
        if self.files.accepts_drop(event):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.files.drop(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized and self.qsettings.value("windowState") is None:
            self.docks["training"].raise_()
            self._sized = True  # first run: give the docks sensible sizes once laid out
            QTimer.singleShot(0, self._size_docks)
            QTimer.singleShot(250, self._size_docks)  # again once a real window manager has mapped it

    def _size_docks(self) -> None:
        self.classroom.arrange_docks()  # first start: sized (and on a laptop, laid out) for the screen

    def _restore_layout(self) -> None:
        geo = self.qsettings.value("geometry")
        state = self.qsettings.value("windowState")
        if geo is not None:
            self.restoreGeometry(geo)
        if state is not None:
            self.restoreState(state)
        self.classroom.place_window(restored=geo is not None)  # sized from / clamped to this screen

    def shutdown(self) -> None:
        """End training, background computations, animations and autosave; join every thread."""
        self.files.saver.wait()  # a save is never cancelled: its thread ends by finishing
        self.instruments.shutdown()
        self.plots.shutdown()
        self.jobs.shutdown()
        self.teaching.shutdown()
        self.autosaver.stop()
        self._detach_document()

    def _detach_document(self) -> None:
        """A document can outlive its window (a test, a project reopened elsewhere):
        after shutdown nothing of this window may react to it any more."""
        d, stack = self.doc, self.doc.undo_stack
        for signal in (
            d.changed,
            d.adopted,
            d.dirtyChanged,
            d.pathChanged,
            d.message,
            stack.undoTextChanged,
            stack.redoTextChanged,
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # nothing was connected
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass

    def closeEvent(self, event) -> None:
        if not self.files.confirm_discard():
            event.ignore()
            return
        self.shutdown()
        self.autosaver.discard()  # closed cleanly: nothing to recover next time
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("windowState", self.saveState())
        event.accept()
