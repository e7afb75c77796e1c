"""Run by test_controls_in_view.py in a subprocess: the XOR window on a W×H
offscreen screen; for each analysis panel in front, its primary buttons and
whether each lies wholly inside the visible part of the plots dock.

    python tests/gui/controls_probe.py 1366 768
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from probe_common import open_window  # noqa: E402

W, H = int(sys.argv[1]), int(sys.argv[2])
app, win, settle = open_window(W, H)

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QScrollArea  # noqa: E402


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
