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

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow

from model.analysis.lr_suggestion import curvature_for
from widgets.common.jobs import JobManager

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
from .timeline import Timeline
from .training_controller import TrainingController
from .views import DocumentViews, show_frame
from .window_frame import WindowFrame
from .window_layout import WindowLayout


class MainWindow(QMainWindow):
    """``MainWindow(doc)`` builds everything at once. ``deferred=True`` (the app's
    start, app/gui_main.py) builds the frame only (canvas, forms, menus, toolbar,
    docks holding placeholders; no pyqtgraph): show it, then call
    :meth:`finish_building` once it is on screen."""

    def __init__(self, doc: Document | None = None, deferred: bool = False):
        super().__init__()
        self.setObjectName("MainWindow")
        self.doc = doc or Document()
        self.edits = Edits(self.doc)
        self.controller = TrainingController(self.doc, parent=self)
        self.jobs = JobManager(self)  # every background computation; shutdown() joins them all
        self.jobs.add_stopper("training", lambda _timeout: self.controller.shutdown())
        self.qsettings = app_settings()
        self._sized = False
        self.built = False
        self.before_building = None  # called once, before the rest is built
        self.autosaver = Autosaver(self.doc, parent=self)
        self.dialogs = Dialogs(self, lambda kind="": self.files.start_dir(kind), self._status)
        self.files = FileOps(self.doc, self.controller, self.dialogs, self.autosaver, self._remember)
        self.frame = WindowFrame(self)  # canvas, data_panel, training_panel, inspector, docks
        self.window_layout = WindowLayout(self, self.docks, self.canvas)
        self.status = TrainingStatus(self.statusBar())
        self.acts = build_actions(self, self._slots(), self.doc.undo_stack)
        self.menus = Menus(self, self.acts, self.files.open_example, self.dialogs.show_about)
        self.toolbar = build_toolbar(self, self.acts)
        self.classroom = Classroom(
            self, self.doc, self.controller, None, self.acts, self.menus, self.toolbar, self.docks
        )
        self.setAcceptDrops(True)
        self.training_panel.set_run_controls(self.acts["play"], self.classroom.make_pace_combo("form_pace"))
        self.training_panel.remember_sections(self.qsettings)  # folded sections, as left last time
        show_frame(self.doc, self.canvas, self.data_panel, self.training_panel, self.inspector)
        self.features = FeatureUi(self)  # input-feature chips on the canvas, Network menu
        self._restore_layout()
        if not deferred:
            self.finish_building()

    def finish_building(self) -> None:
        """Everything that needs pyqtgraph (the plots, the data plot, the teaching
        views) and everything that feeds them; at once, or right after the first expose."""
        if self.built:
            return
        self.built = True
        if self.before_building is not None:
            self.before_building()  # e.g. pyqtgraph's options (app/gui_main.py)
        from .teaching import Teaching  # pyqtgraph: after the first expose

        self.frame.fill(self.jobs)  # dataset_view, point_editor, plots
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
        self.teaching.waves.turn = self.controller.turn  # a wave frame keeps the worker out too
        self.plots.panels["loss"].turn = self.controller.turn  # and a range follower's re-layout
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
        self.teaching.add_to(self.acts, self.toolbar, self.menus.train, self.menus.view)
        self.classroom.attach_teaching(self.teaching)
        for dock in self.docks.values():
            self.menus.view.addAction(dock.toggleViewAction())
        fill_recent(self.menus.recent, recent_files(self.qsettings), self.files.open_path)
        self._connect()
        self._build_instruments()
        self.doc.dirtyChanged.connect(lambda dirty: None if dirty else self.autosaver.discard())
        self.classroom.apply_saved_theme()
        self.views.refresh(K.DOCUMENT)
        self.instruments.refresh(force=True)
        self.challenge.show()  # after the saved layout: a challenge's bar is always shown

    def _build_instruments(self) -> None:
        """Issue 15: health badges, stability strip, gradient check, timeline, challenges,
        worksheets (after ``_connect``: they redraw after the views do)."""
        self.instruments = Instruments(self.doc, self.canvas, self.plots, parent=self)
        self.instruments.training = lambda: self.controller.running
        self.instruments.turn = self.controller.turn
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
    def _slots(self) -> dict:
        """The actions' slots, looked up when triggered (after the window is complete)."""
        slots = {
            "new": lambda: self.files.file_new(),
            "open": lambda: self.files.file_open(),
            "save": lambda: self.files.file_save(),
            "save_as": lambda: self.files.file_save_as(),
            "export_weights": lambda: self.files.export_weights(),
            "import_weights": lambda: self.files.import_weights(),
            "export_history": lambda: self.files.export_history(),
            "export_onnx": lambda: self.io.export_onnx_file(),
            "export_diagram": lambda: self.io.export_diagram_file(),
            "export_plots": lambda: self.io.export_current_plots(),
            "export_all": lambda: self.io.export_all(),
            "import_csv": lambda: self.io.import_csv(),
            "export_pytorch": lambda: export_script(self.doc, self.dialogs, "pytorch"),
            "export_numpy": lambda: export_script(self.doc, self.dialogs, "numpy"),
            "record": lambda: self.recording.ask_and_record(),
            "quit": self.close,
            "fit": lambda: self.canvas.fit_view(),
            "play": self.toggle_play,
            "step_epoch": self.step_epoch,
            "step_update": self.step_update,
            "reset": lambda: self.apply_edit(self.edits.reset_weights),
        }
        return {key: self._complete_first(fn) for key, fn in slots.items()}

    def _complete_first(self, fn):
        def run():
            self.finish_building()  # a shortcut pressed in the first fraction of a second
            return fn()

        return run

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
        self.finish_building()
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
            self._size_docks()  # laid out by now: the first frame already has them
            QTimer.singleShot(250, self._size_docks)  # again once a real window manager has mapped it

    def _size_docks(self) -> None:
        self.window_layout.arrange_docks()  # first start: sized (and on a laptop, laid out) for the screen
        self.classroom.unelide_tabs()  # a tab bar the arrangement made shows whole titles too

    def _restore_layout(self) -> None:
        """The saved geometry and dock layout, before the window is first shown."""
        geo = self.qsettings.value("geometry")
        state = self.qsettings.value("windowState")
        if geo is not None:
            self.restoreGeometry(geo)
        if state is not None:
            self.restoreState(state)
        self.window_layout.place_window(restored=geo is not None)  # sized from / clamped to this screen

    def shutdown(self) -> None:
        """End training, background computations, animations and autosave; join every thread."""
        self.files.saver.wait()  # a save is never cancelled: its thread ends by finishing
        if self.built:  # else there are no plots, instruments or animations yet
            self.instruments.shutdown()
            self.plots.shutdown()
        self.jobs.shutdown()  # and training
        if self.built:
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
