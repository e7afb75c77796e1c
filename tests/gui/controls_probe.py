"""Run by test_controls_in_view.py in a subprocess: the XOR window on a W×H
offscreen screen; for each analysis panel in front, its primary buttons and
whether each lies wholly inside the visible part of the plots dock.

    python tests/gui/controls_probe.py 1366 768
"""

import json
import os
import sys
import tempfile

from app.screen_setup import offscreen_screen, quiet_offscreen_warnings

W, H = int(sys.argv[1]), int(sys.argv[2])
offscreen_screen(W, H)
os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
os.environ["MLP_STUDIO_RECOVERY_DIR"] = tempfile.mkdtemp(prefix="controls-rec-")
quiet_offscreen_warnings()

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

app = QApplication([])
from app.main_window import MainWindow  # noqa: E402


def settle(n=8):
    for _ in range(n):
        app.processEvents()


def visible(win, w) -> bool:
    """``w`` wholly inside every scroll viewport above it and inside the window."""
    if not w.isVisible():
        return False
    r = QRect(w.mapTo(win, w.rect().topLeft()), w.size())
    p = w.parentWidget()
    while p is not None and p is not win:
        if isinstance(p, QScrollArea):
            vp = p.viewport()
            if not QRect(vp.mapTo(win, vp.rect().topLeft()), vp.size()).contains(r):
                return False
        p = p.parentWidget()
    return win.rect().contains(r)


PRIMARY = {
    "lr": lambda p: {"sweep Run": p.sweep.run_button},
    "optimizers": lambda p: {"Play": p.play_button} if hasattr(p, "play_button") else {},
    "gradients": lambda p: {"Compare": p.compare_button},
    "chain-rule": lambda p: {"Previous": p.prev_button, "Next": p.next_button},
}

win = MainWindow()
win.classroom.place_window(restored=False)
win.show()
settle()
out = {}
for key, buttons in PRIMARY.items():
    win.show_panel(key)
    settle()
    panel = win.plots.panels[key]
    for name, b in buttons(panel).items():
        out[f"{key}: {name}"] = visible(win, b)
win.doc.undo_stack.setClean()
win.shutdown()
print(json.dumps(out))
