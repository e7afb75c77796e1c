"""The classroom: the window fits the screen, trains at a pace people can
watch, can be presented (full screen, one zoom, themes) and explains itself.

:class:`Classroom` is one of the main window's composed objects. It owns the
pace control (toolbar combo + Train ▸ Pace), View ▸ Presentation (F11) and
View ▸ Theme, the Help menu's lesson and shortcut list, the Examples menu's
descriptions and thumbnails, and the window's screen geometry (first size
from the screen's available geometry, restored geometry clamped to it).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QStyle, QTabBar, QToolButton, QWidget
from shiboken6 import isValid

from model.train.pace import PACES, pace_by_key
from widgets.common import theme as themes
from widgets.dialogs.example_menu import example_entries, network_thumbnail
from widgets.dialogs.getting_started import GettingStarted
from widgets.dialogs.shortcuts_dialog import ShortcutsDialog

from . import resources_path

PRESENTATION_HIDDEN = ("data", "inspector", "training", "stepthrough", "neuron_map", "plots")
THEME_TITLES = {
    "system": "Follow the &System",
    "light": "&Light",
    "dark": "&Dark",
    "high-contrast": "&High Contrast",
}


def presentation_zoom(screen) -> float:
    """One zoom for fonts, node values, line widths and plot text: 2 on a 1080-px screen."""
    h = screen.availableGeometry().height() if screen is not None else 1080
    return max(1.25, min(3.0, h / 540.0))


class Classroom(QObject):
    """Collaborators: the window (menus, toolbar, docks, settings), the document
    (its project's pace), the training controller (paced play), the teaching
    object (waves; None until :meth:`attach_teaching`) and the canvas and plots
    (presentation zoom)."""

    def __init__(self, win, doc, controller, teaching, acts: dict, menus, toolbar, docks: dict):
        super().__init__(win)
        self.win, self.doc, self.controller, self.teaching = win, doc, controller, teaching
        self.acts, self.menus, self.toolbar, self.docks = acts, menus, toolbar, docks
        self.presenting = False
        self._saved_state = None
        self._lesson: GettingStarted | None = None
        self._shortcuts: ShortcutsDialog | None = None
        self._build_pace()
        self._build_view()
        self._build_help()
        self._steady_toolbar()
        self._readable_docks()
        self._describe_examples()
        doc.changed.connect(self._doc_changed)
        controller.snapshot.connect(self._on_snapshot)
        win.installEventFilter(self)
        self.set_pace(doc.project.pace, user=False)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.win and event.type() == QEvent.Type.Show:
            QTimer.singleShot(0, self.win.window_layout.clamp_to_screen)  # the real frame is known once shown
            QTimer.singleShot(0, self.unelide_tabs)  # dock tab bars exist once laid out
        return False

    # ---------------------------------------------------------------- pace
    def make_pace_combo(self, name: str = "pace_combo") -> QComboBox:
        """A pace chooser kept in step with the others (the toolbar's, the Training form's)."""
        combo = QComboBox()
        combo.setObjectName(name)
        for i, p in enumerate(PACES):
            combo.addItem(p.label, p.key)
            combo.setItemData(i, p.tip, Qt.ItemDataRole.ToolTipRole)
        combo.setToolTip(
            "Training pace: slow motion shows every update as a forward and a backward wave; "
            "full speed trains as fast as the computer can ([ slower, ] faster)"
        )
        combo.setCurrentIndex([p.key for p in PACES].index(pace_by_key(self.doc.project.pace).key))
        combo.currentIndexChanged.connect(lambda i: self.set_pace(PACES[i].key))
        self.__dict__.setdefault("pace_combos", []).append(combo)
        return combo

    def _build_pace(self) -> None:
        self.pace_combo = self.make_pace_combo()
        self.toolbar.insertWidget(self.acts["step_epoch"], self.pace_combo)
        menu = self.menus.train.addMenu("Pa&ce")
        menu.setToolTipsVisible(True)
        self.pace_menu = menu
        group = QActionGroup(self.win)
        for p in PACES:
            a = QAction(p.label, self.win, checkable=True)
            a.setToolTip(p.tip)
            a.setStatusTip(p.tip)
            a.triggered.connect(lambda _=False, k=p.key: self.set_pace(k))
            group.addAction(a)
            menu.addAction(a)
            self.acts[f"pace_{p.key}"] = a
        menu.addSeparator()
        for key, text, keys, step in (
            ("pace_slower", "&Slower", "[", -1),
            ("pace_faster", "&Faster", "]", 1),
        ):
            a = QAction(text, self.win)
            a.setShortcut(QKeySequence(keys))
            tip = f"{'Slower' if step < 0 else 'Faster'} training pace ({keys})"
            a.setToolTip(tip)
            a.setStatusTip(tip.split(" (")[0])
            a.triggered.connect(lambda _=False, s=step: self.step_pace(s))
            self.win.addAction(a)
            menu.addAction(a)
            self.acts[key] = a

    def step_pace(self, step: int) -> None:
        keys = [p.key for p in PACES]
        i = keys.index(self.doc.project.pace)
        self.set_pace(keys[max(0, min(len(keys) - 1, i + step))])

    def set_pace(self, key: str, user: bool = True) -> None:
        """Pace for playing; saved with the project (an unsaved change when the user picks it)."""
        pace = pace_by_key(key)
        changed = pace.key != self.doc.project.pace
        self.doc.project.pace = pace.key
        self.controller.set_pace(pace.key)
        i = [p.key for p in PACES].index(pace.key)
        for combo in self.pace_combos:
            if combo.currentIndex() != i:
                combo.blockSignals(True)
                combo.setCurrentIndex(i)
                combo.blockSignals(False)
        self.acts[f"pace_{pace.key}"].setChecked(True)
        if self.teaching is not None:  # else attach_teaching() applies it
            self.teaching.waves.hold = pace.slow_motion
            if pace.slow_motion:  # every update as its own forward + backward wave
                self.teaching.waves.set_speed(2.0 * pace.rate)
                if not self.acts["waves"].isChecked():
                    self.acts["waves"].setChecked(True)
        if user and changed:
            self.doc.mark_results_changed()
            self.win.statusBar().showMessage(f"Training pace: {pace.label}", 4000)

    def _doc_changed(self, kind: str) -> None:
        if kind == "document":  # another project (app.change_kinds.DOCUMENT): its own pace
            self.set_pace(self.doc.project.pace, user=False)

    def _on_snapshot(self, snap) -> None:
        rec = snap.update_probe
        if rec is not None and self.teaching.waves.enabled:
            # this update's own forward and backward pass, with the units its dropout removed
            self.teaching.waves.start_cycle(rec, dropped=snap.dropped)

    # ---------------------------------------------------------------- view
    def _build_view(self) -> None:
        v = self.menus.view
        v.addSeparator()
        a = QAction("&Presentation", self.win, checkable=True)
        a.setShortcut(QKeySequence("F11"))
        a.setToolTip("Full screen with larger text, values and lines for a projector (F11)")
        a.setStatusTip("Full screen with larger text, values and lines for a projector")
        a.toggled.connect(self.set_presentation)
        self.win.addAction(a)
        v.addAction(a)
        self.acts["presentation"] = a
        tm = v.addMenu("&Theme")
        tm.setToolTipsVisible(True)
        group = QActionGroup(self.win)
        for key in themes.THEME_KEYS:
            t = QAction(THEME_TITLES[key], self.win, checkable=True)
            tip = (
                "Light or dark, as the desktop is"
                if key == "system"
                else f"The {key.replace('-', ' ')} theme"
            )
            t.setToolTip(tip)
            t.setStatusTip(tip)
            t.triggered.connect(lambda _=False, k=key: self.set_theme(k))
            group.addAction(t)
            tm.addAction(t)
            self.acts[f"theme_{key}"] = t
        self.theme_menu = tm
        saved = str(self.win.qsettings.value("view/theme", "system") or "system")
        self.theme_key = saved if saved in themes.THEME_KEYS else "system"
        self.acts[f"theme_{self.theme_key}"].setChecked(True)

    def attach_teaching(self, teaching) -> None:
        """The waves exist now (the window was shown before they were built): the pace reaches them."""
        self.teaching = teaching
        self.set_pace(self.doc.project.pace, user=False)

    def set_theme(self, key: str, remember: bool = True) -> None:
        self.win.finish_building()  # every widget takes the theme
        self.theme_key = key
        self.acts[f"theme_{key}"].setChecked(True)
        themes.apply_theme(QApplication.instance(), key, [self.win])
        if remember:
            self.win.qsettings.setValue("view/theme", key)

    def apply_saved_theme(self) -> None:
        if self.theme_key != "system" or themes.resolve_theme("system", QApplication.instance()) != "light":
            self.set_theme(self.theme_key, remember=False)

    def set_presentation(self, on: bool) -> None:
        """Full screen, chosen docks hidden, one zoom for text, values and lines."""
        on = bool(on)
        if on == self.presenting:
            return
        self.win.finish_building()  # the presentation zoom reaches every widget
        win = self.win
        if on:
            self._saved_state = (win.saveState(), win.geometry(), win.isMaximized())
            hidden = self.win.qsettings.value("presentation/hidden", list(PRESENTATION_HIDDEN))
            for key, dock in self.docks.items():
                if key in (hidden or ()):
                    dock.hide()
            self.presenting = True
            win.showFullScreen()
            self.zoom(presentation_zoom(win.screen()))
        else:
            self.win.qsettings.setValue(
                "presentation/hidden", [k for k, d in self.docks.items() if not d.isVisible()]
            )
            self.presenting = False
            self.zoom(1.0)
            state, geometry, maximized = self._saved_state
            win.showMaximized() if maximized else win.showNormal()
            win.restoreState(state)
            if not maximized:
                win.setGeometry(geometry)
            self.win.window_layout.clamp_to_screen()
            QTimer.singleShot(
                0, self.win.window_layout.clamp_to_screen
            )  # once the full-screen state has left
        if self.acts["presentation"].isChecked() != on:
            self.acts["presentation"].setChecked(on)

    def zoom(self, factor: float) -> None:
        app = QApplication.instance()
        themes.set_zoom(app, factor, [self.win])
        self.win.canvas.set_zoom(factor)
        self.win.features.strip.set_zoom(factor)  # the input chips in the canvas corner too
        base_icon = self.__dict__.setdefault("_base_icon", self.toolbar.iconSize())
        self.toolbar.setIconSize(base_icon * factor)
        self._compact_toolbar(factor != 1.0)
        # status-bar fields have fixed widths (no re-layout per frame): scale them too
        for w in self.win.statusBar().findChildren(QWidget):
            if w.minimumWidth() == w.maximumWidth() or w.maximumWidth() < 1000:
                base = w.__dict__.setdefault("_base_widths", (w.minimumWidth(), w.maximumWidth()))
                w.setMinimumWidth(int(base[0] * factor))
                w.setMaximumWidth(min(16777215, int(base[1] * factor)))

    def _compact_toolbar(self, on: bool) -> None:
        """Presenting (larger text on a laptop screen): buttons with an icon show only
        it, their text moves to the tooltip, so every button fits in one row."""
        for a in self.toolbar.actions():
            button = self.toolbar.widgetForAction(a)
            if not isinstance(button, QToolButton) or a.icon().isNull():
                continue
            base = button.__dict__.setdefault("_base_style", button.toolButtonStyle())
            style = Qt.ToolButtonStyle.ToolButtonIconOnly if on else base
            button.setToolButtonStyle(style)
        self.pace_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents
            if on
            else QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow
        )

    # ---------------------------------------------------------------- help
    def _build_help(self) -> None:
        h = self.menus.help
        first = h.actions()[0] if h.actions() else None
        for key, text, keys, tip, slot in (
            (
                "getting_started",
                "&Getting Started",
                "F1",
                "A five-step first lesson: XOR, a slow wave, one update, the loss",
                self.show_lesson,
            ),
            (
                "shortcuts",
                "&Keyboard Shortcuts",
                "Ctrl+/",
                "Every keyboard shortcut of the window",
                self.show_shortcuts,
            ),
        ):
            a = QAction(text, self.win)
            a.setShortcut(QKeySequence(keys))
            a.setToolTip(f"{tip} ({keys})")
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            self.win.addAction(a)
            h.insertAction(first, a)
            self.acts[key] = a
        if first is not None:
            h.insertSeparator(first)

    def show_shortcuts(self) -> ShortcutsDialog:
        self._shortcuts = ShortcutsDialog(self.win.actions(), self.win)
        self._shortcuts.show()
        return self._shortcuts

    def show_lesson(self) -> GettingStarted:
        if self._lesson is None:
            self._lesson = GettingStarted(self.win)
            self._lesson.stepRequested.connect(self._lesson_step)
        self._lesson.show()
        self._lesson.raise_()
        return self._lesson

    def _lesson_step(self, key: str) -> None:
        w, c = self.win, self.controller
        if key == "open_xor":
            w.files.open_example("xor_train")
        elif key == "slow_play":
            self.set_pace("slow")
            if not c.running:
                w.toggle_play()
        elif key == "watch_wave":
            self.acts["waves"].setChecked(True)
        elif key == "step_update":
            if c.running:
                c.pause()
            self.acts["stepthrough"].trigger()
        elif key == "read_loss":
            w.show_panel("loss")

    # ------------------------------------------------------- steady controls
    def _steady_toolbar(self) -> None:
        """The undo text goes in the tooltip: the toolbar never re-flows as it changes."""
        stack, st = self.doc.undo_stack, self.win.style()
        self.acts["undo"].setIcon(st.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.acts["redo"].setIcon(st.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        # bound methods of this QObject: disconnected when the window goes, the stack may live on
        stack.undoTextChanged.connect(self._undo_text)
        stack.redoTextChanged.connect(self._redo_text)
        self._undo_text(stack.undoText())
        self._redo_text(stack.redoText())
        for key in ("new", "open", "save", "undo", "redo"):
            button = self.toolbar.widgetForAction(self.acts[key])
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def _undo_text(self, text: str) -> None:
        self._steady("undo", "Undo", "Ctrl+Z", text)

    def _redo_text(self, text: str) -> None:
        self._steady("redo", "Redo", "Ctrl+Shift+Z", text)

    def _steady(self, key: str, verb: str, keys: str, text: str) -> None:
        a = self.acts[key]
        if not isValid(a):  # the window's actions went first; the undo stack lives on
            return
        a.setText(f"&{verb}")
        a.setToolTip(f"{verb} {text} ({keys})" if text else f"Nothing to {verb.lower()} ({keys})")

    def _readable_docks(self) -> None:
        """Training in front on first start, beside the Inspector; dock tabs never elided."""
        w, d = self.win, self.docks
        d["training"].raise_()
        self.unelide_tabs()
        w.tabifiedDockWidgetActivated.connect(lambda _d: self.unelide_tabs())

    def unelide_tabs(self) -> None:
        for bar in self.win.findChildren(QTabBar):
            if bar.parent() is self.win:  # the dock-area tab bars
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)
                bar.setExpanding(False)

    def _describe_examples(self) -> None:
        menu = self.menus.examples
        menu.setToolTipsVisible(True)
        entries = {e.stem: e for e in example_entries(resources_path() / "examples")}
        for a in menu.actions():
            stem = a.data() if isinstance(a.data(), str) else a.text().replace(" ", "_")
            e = entries.get(stem)
            if e is None:
                continue
            a.setText(f"{e.title} — {e.description}" if e.description else e.title)
            a.setIcon(network_thumbnail(e.layer_sizes, self.win.devicePixelRatioF()))
            a.setToolTip(f"Open {e.path.name}: {'-'.join(map(str, e.layer_sizes))} network")
