"""Run by test_toolbar_fit.py in a subprocess: the spiral window on a W×H offscreen
screen, normal and presenting; prints, per mode, the toolbar actions whose
button is hidden in the » overflow or reaches past the toolbar's right edge.

    python tests/gui/toolbar_probe.py 1366 768
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from probe_common import open_window  # noqa: E402

W, H = int(sys.argv[1]), int(sys.argv[2])
SPIRAL = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "examples", "spiral.json")
app, win, settle = open_window(W, H, SPIRAL)


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
