"""Run by test_toolbar_fit.py in a subprocess: the spiral window on a W×H offscreen
screen, normal and presenting; prints, per mode, the toolbar actions whose
button is hidden in the » overflow or reaches past the toolbar's right edge.

    python tests/gui/toolbar_probe.py 1366 768
"""

import json
import os
import sys
import tempfile

from app.screen_setup import offscreen_screen, quiet_offscreen_warnings

W, H = int(sys.argv[1]), int(sys.argv[2])
offscreen_screen(W, H)
os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
os.environ["MLP_STUDIO_RECOVERY_DIR"] = tempfile.mkdtemp(prefix="toolbar-rec-")
quiet_offscreen_warnings()

from PySide6.QtWidgets import QApplication  # noqa: E402

app = QApplication([])
from app.document import Document  # noqa: E402
from app.main_window import MainWindow  # noqa: E402


def settle(n=8):
    for _ in range(n):
        app.processEvents()


def hidden(win) -> list[str]:
    bar = win.toolbar
    out = []
    for a in bar.actions():
        if a.isSeparator() or not a.isVisible():
            continue
        w = bar.widgetForAction(a)
        name = a.text() or a.objectName() or type(w).__name__
        if w is None or not w.isVisible() or w.geometry().right() > bar.contentsRect().right():
            out.append(name.replace("&", ""))
    return out


doc = Document()
doc.open(os.path.join(os.path.dirname(__file__), "..", "..", "resources", "examples", "spiral.json"))
win = MainWindow(doc)
win.classroom.place_window(restored=False)
win.show()
settle()
out = {"normal": hidden(win), "normal_width": win.toolbar.width()}
win.classroom.set_presentation(True)
settle()
out["presentation"] = hidden(win)
out["presentation_width"] = win.toolbar.width()
win.classroom.set_presentation(False)
settle()
out["after"] = hidden(win)
win.doc.undo_stack.setClean()
win.shutdown()
print(json.dumps(out))
