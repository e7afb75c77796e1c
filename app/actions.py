"""Menus, toolbar and shortcuts of the main window.

:data:`ACTIONS` is the one table of the window's commands (text, shortcut,
tip, icon); the window hands :func:`build_actions` a slot for each key.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QToolBar

from . import resources_path

S = QStyle.StandardPixmap
K = QKeySequence.StandardKey

# key: (text, shortcut, tip, icon)
ACTIONS = {
    "new": ("&New", K.New, "Start a new project (XOR, fresh weights)", S.SP_FileIcon),
    "open": ("&Open…", K.Open, "Open a project file", S.SP_DialogOpenButton),
    "save": ("&Save", K.Save, "Save the project", S.SP_DialogSaveButton),
    "save_as": ("Save &As…", K.SaveAs, "Save the project under a new name", None),
    "export_weights": (
        "Export &Weights…",
        None,
        "Write the weights as .npz (W1…WL, b1…bL) or .json",
        None,
    ),
    "import_weights": (
        "&Import Weights…",
        None,
        "Load weights from .npz or .json into this topology",
        None,
    ),
    "export_history": ("Export Training &History…", None, "Write the per-epoch history as CSV", None),
    "export_onnx": (
        "Export &ONNX Model…",
        None,
        "Write the trained network (with its input scaling) as an ONNX model",
        None,
    ),
    "export_diagram": (
        "Export Network &Diagram…",
        None,
        "Write the network diagram as SVG or PNG (publication quality)",
        None,
    ),
    "export_plots": (
        "Export &Plots of This Panel…",
        None,
        "PNG, SVG and CSV of every plot in the panel in front",
        None,
    ),
    "export_all": (
        "Export &Everything…",
        "Ctrl+Shift+E",
        "Weights, history, every plot, the diagram and a README in one folder",
        None,
    ),
    "export_pytorch": (
        "&PyTorch Script…",
        None,
        "The training run as a PyTorch script (torch.nn.Sequential), with its weights and data",
        None,
    ),
    "export_numpy": (
        "&NumPy Script…",
        None,
        "The training run as a NumPy-only script (the lecture's Algorithm 4), with its weights and data",
        None,
    ),
    "record": (
        "&Record…",
        "Ctrl+Shift+R",
        "Record the canvas, decision map and loss curve while training, as GIF or MP4 for slides",
        None,
    ),
    "import_csv": (
        "Import &CSV Data…",
        "Ctrl+I",
        "Use your own data: choose input and target columns of a CSV file",
        None,
    ),
    "quit": ("&Quit", K.Quit, "Close MLP Studio", None),
    "fit": ("&Fit View", "F", "Fit the network into the canvas", None),
    "play": ("&Play", Qt.Key.Key_Space, "Train continuously / pause", S.SP_MediaPlay),
    "step_epoch": ("Step &Epoch", "Ctrl+E", "Train exactly one epoch", S.SP_MediaSeekForward),
    "step_update": (
        "Step &Update",
        "Ctrl+U",
        "Make exactly one weight update (one batch)",
        S.SP_MediaSkipForward,
    ),
    "reset": (
        "&Reset Weights",
        "Ctrl+R",
        "Re-initialise the weights from the seed and clear the history",
        S.SP_BrowserReload,
    ),
}


def _act(win, text, slot, shortcut=None, tip="", icon=None) -> QAction:
    a = QAction(text, win)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    a.setToolTip(f"{tip} ({a.shortcut().toString()})" if tip and shortcut is not None else tip or text)
    a.setStatusTip(tip or text)
    if icon is not None:
        a.setIcon(win.style().standardIcon(icon))
    a.triggered.connect(slot)
    return a


def build_actions(win, slots: dict[str, Callable], undo_stack) -> dict[str, QAction]:
    """One QAction per :data:`ACTIONS` key, triggering ``slots[key]``; plus undo / redo."""
    acts = {
        key: _act(win, text, lambda _=False, f=slots[key]: f(), shortcut, tip, icon)
        for key, (text, shortcut, tip, icon) in ACTIONS.items()
    }
    undo = undo_stack.createUndoAction(win, "&Undo")
    undo.setShortcut(QKeySequence(K.Undo))
    undo.setToolTip("Undo the last edit (Ctrl+Z)")
    redo = undo_stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(K.Redo)])
    redo.setToolTip("Redo (Ctrl+Shift+Z)")
    acts["undo"], acts["redo"] = undo, redo
    for a in acts.values():
        win.addAction(a)  # shortcuts work wherever focus is
    return acts


class Menus:
    """The window's menus that others add to or fill later."""

    def __init__(self, win, acts: dict[str, QAction], open_example: Callable[[str], None], about: Callable):
        mb = win.menuBar()
        f = mb.addMenu("&File")
        for k in ("new", "open"):
            f.addAction(acts[k])
        self.recent = f.addMenu("Open &Recent")
        self.examples = f.addMenu("E&xamples")
        for path in sorted((resources_path() / "examples").glob("*.json")):
            a = self.examples.addAction(path.stem.replace("_", " "))
            a.setData(path.stem)
            a.setToolTip(f"Open the example {path.name}")
            a.triggered.connect(lambda _=False, n=path.stem: open_example(n))
        f.addSeparator()
        for k in ("save", "save_as"):
            f.addAction(acts[k])
        f.addSeparator()
        self.export = f.addMenu("&Export")
        for k in ("export_weights", "export_onnx", "export_history", "export_diagram", "export_plots"):
            self.export.addAction(acts[k])
        self.export.addSeparator()
        self.export.addAction(acts["export_pytorch"])
        self.export.addAction(acts["export_numpy"])
        self.export.addSeparator()
        self.export.addAction(acts["export_all"])
        f.addAction(acts["record"])
        f.addAction(acts["import_csv"])
        f.addAction(acts["import_weights"])
        f.addSeparator()
        f.addAction(acts["quit"])
        self.file = f
        e = mb.addMenu("&Edit")
        e.addAction(acts["undo"])
        e.addAction(acts["redo"])
        self.view = mb.addMenu("&View")
        self.view.addAction(acts["fit"])
        # filled by app/feature_ui.py and app/instrument_menu.py once the window is complete;
        # here already so the menu bar never re-flows under the pointer
        self.network = mb.addMenu("&Network")
        self.train = mb.addMenu("&Train")
        for k in ("play", "step_epoch", "step_update", "reset"):
            self.train.addAction(acts[k])
        self.teach = mb.addMenu("T&each")
        self.help = mb.addMenu("&Help")
        self.help.addAction("&About MLP Studio").triggered.connect(about)


def build_toolbar(win, acts: dict[str, QAction]) -> QToolBar:
    tb = QToolBar("Main", win)
    tb.setObjectName("main_toolbar")
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for group in (("new", "open", "save"), ("undo", "redo"), ("play", "step_epoch", "step_update", "reset")):
        for k in group:
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
