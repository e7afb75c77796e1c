"""Menus, toolbar and shortcuts of the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QToolBar

from . import resources_path


def _act(win, text, slot, shortcut=None, tip="", icon=None, checkable=False) -> QAction:
    a = QAction(text, win)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    a.setToolTip(f"{tip} ({a.shortcut().toString()})" if tip and shortcut is not None else tip or text)
    a.setStatusTip(tip or text)
    if icon is not None:
        a.setIcon(win.style().standardIcon(icon))
    a.setCheckable(checkable)
    if slot is not None:
        a.triggered.connect(slot)
    return a


def build_actions(win) -> dict[str, QAction]:
    """Create every action; ``win`` provides the slots."""
    S = QStyle.StandardPixmap
    K = QKeySequence.StandardKey
    acts = {
        "new": _act(
            win, "&New", win.file_new, K.New, "Start a new project (XOR, fresh weights)", S.SP_FileIcon
        ),
        "open": _act(win, "&Open…", win.file_open, K.Open, "Open a project file", S.SP_DialogOpenButton),
        "save": _act(win, "&Save", win.file_save, K.Save, "Save the project", S.SP_DialogSaveButton),
        "save_as": _act(win, "Save &As…", win.file_save_as, K.SaveAs, "Save the project under a new name"),
        "export_weights": _act(
            win,
            "Export &Weights…",
            win.export_weights,
            None,
            "Write the weights as .npz (W1…WL, b1…bL) or .json",
        ),
        "import_weights": _act(
            win,
            "&Import Weights…",
            win.import_weights,
            None,
            "Load weights from .npz or .json into this topology",
        ),
        "export_history": _act(
            win, "Export Training &History…", win.export_history, None, "Write the per-epoch history as CSV"
        ),
        "export_onnx": _act(
            win,
            "Export &ONNX Model…",
            win.export_onnx_file,
            None,
            "Write the trained network (with its input scaling) as an ONNX model",
        ),
        "export_diagram": _act(
            win,
            "Export Network &Diagram…",
            win.export_diagram_file,
            None,
            "Write the network diagram as SVG or PNG (publication quality)",
        ),
        "export_plots": _act(
            win,
            "Export &Plots of This Panel…",
            win.export_current_plots,
            None,
            "PNG, SVG and CSV of every plot in the panel in front",
        ),
        "export_all": _act(
            win,
            "Export &Everything…",
            win.export_all,
            "Ctrl+Shift+E",
            "Weights, history, every plot, the diagram and a README in one folder",
        ),
        "import_csv": _act(
            win,
            "Import &CSV Data…",
            win.import_csv,
            "Ctrl+I",
            "Use your own data: choose input and target columns of a CSV file",
        ),
        "quit": _act(win, "&Quit", win.close, K.Quit, "Close MLP Studio"),
        "fit": _act(win, "&Fit View", win.canvas_fit, "F", "Fit the network into the canvas"),
        "play": _act(
            win, "&Play", win.toggle_play, Qt.Key.Key_Space, "Train continuously / pause", S.SP_MediaPlay
        ),
        "step_epoch": _act(
            win, "Step &Epoch", win.step_epoch, "Ctrl+E", "Train exactly one epoch", S.SP_MediaSeekForward
        ),
        "step_update": _act(
            win,
            "Step &Update",
            win.step_update,
            "Ctrl+U",
            "Make exactly one weight update (one batch)",
            S.SP_MediaSkipForward,
        ),
        "reset": _act(
            win,
            "&Reset Weights",
            win.reset_weights,
            "Ctrl+R",
            "Re-initialise the weights from the seed and clear the history",
            S.SP_BrowserReload,
        ),
    }
    undo = win.doc.undo_stack.createUndoAction(win, "&Undo")
    undo.setShortcut(QKeySequence(K.Undo))
    undo.setToolTip("Undo the last edit (Ctrl+Z)")
    redo = win.doc.undo_stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(K.Redo)])
    redo.setToolTip("Redo (Ctrl+Shift+Z)")
    acts["undo"], acts["redo"] = undo, redo
    for a in acts.values():
        win.addAction(a)  # shortcuts work wherever focus is
    return acts


def build_menus(win, acts: dict[str, QAction]) -> None:
    mb = win.menuBar()
    f = mb.addMenu("&File")
    for k in ("new", "open"):
        f.addAction(acts[k])
    win.recent_menu = f.addMenu("Open &Recent")
    win.examples_menu = f.addMenu("E&xamples")
    for path in sorted((resources_path() / "examples").glob("*.json")):
        a = win.examples_menu.addAction(path.stem.replace("_", " "))
        a.setToolTip(f"Open the example {path.name}")
        a.triggered.connect(lambda _=False, n=path.stem: win.open_example(n))
    f.addSeparator()
    for k in ("save", "save_as"):
        f.addAction(acts[k])
    f.addSeparator()
    exp = f.addMenu("&Export")
    for k in ("export_weights", "export_onnx", "export_history", "export_diagram", "export_plots"):
        exp.addAction(acts[k])
    exp.addSeparator()
    exp.addAction(acts["export_all"])
    win.export_menu = exp
    f.addAction(acts["import_csv"])
    f.addAction(acts["import_weights"])
    f.addSeparator()
    f.addAction(acts["quit"])
    e = mb.addMenu("&Edit")
    e.addAction(acts["undo"])
    e.addAction(acts["redo"])
    v = mb.addMenu("&View")
    v.addAction(acts["fit"])
    win.view_menu = v
    t = mb.addMenu("&Train")
    for k in ("play", "step_epoch", "step_update", "reset"):
        t.addAction(acts[k])
    win.help_menu = mb.addMenu("&Help")
    about = win.help_menu.addAction("&About MLP Studio")
    about.triggered.connect(win.show_about)


def build_toolbar(win, acts: dict[str, QAction]) -> QToolBar:
    tb = QToolBar("Main", win)
    tb.setObjectName("main_toolbar")
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for k in ("new", "open", "save"):
        tb.addAction(acts[k])
    tb.addSeparator()
    for k in ("undo", "redo"):
        tb.addAction(acts[k])
    tb.addSeparator()
    for k in ("play", "step_epoch", "step_update", "reset"):
        tb.addAction(acts[k])
    tb.addSeparator()
    tb.addAction(acts["fit"])
    win.addToolBar(tb)
    return tb


def fill_recent(menu: QMenu, paths: list[str], open_fn) -> None:
    menu.clear()
    for p in paths:
        a = menu.addAction(p)
        a.triggered.connect(lambda _=False, p=p: open_fn(p))
    menu.setEnabled(bool(paths))
