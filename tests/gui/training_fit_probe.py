"""Run by test_training_fit.py in a subprocess: the spiral window's first start on a
W×H offscreen screen; prints, for each of the Training form's most-used controls,
whether it lies wholly inside the visible part of the form's scroll area (no
scrolling needed), the visible height of that area, how far down the form the
last of them ends, and every visible child of the form that sticks out of its parent.

    python tests/gui/training_fit_probe.py 1280 720
"""

import json
import sys
import time

from tests.gui.probe_common import ROOT, open_window

W, H = int(sys.argv[1]), int(sys.argv[2])
app, win, _settle = open_window(W, H, str(ROOT / "resources" / "examples" / "spiral.json"))
from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QScrollArea, QWidget  # noqa: E402

panel = win.training_panel
area = panel.findChild(QScrollArea, "panel_scroll")
end = time.monotonic() + 120
while time.monotonic() < end and (panel.visibleRegion().isEmpty() or area.viewport().height() < 50):
    app.processEvents()  # the first layout arrives a few event rounds later (later under load)
    time.sleep(0.005)
for _ in range(10):
    app.processEvents()

CONTROLS = [
    "play_button",
    "pace_combo",
    "optimizer_combo",
    "lr_spin",
    "lr_slider",
    "batch_spin",
    "epochs_spin",
]
view = area.viewport()


def in_view(w) -> bool:
    r = QRect(w.mapTo(view, QPoint(0, 0)), w.size())
    return w.isVisible() and view.rect().contains(r) and not w.visibleRegion().isEmpty()


def clipped() -> list[str]:
    out = []
    for w in area.widget().findChildren(QWidget):
        p = w.parentWidget()
        if p is None or not w.isVisible() or w.isWindow():
            continue
        if not p.rect().adjusted(-1, -1, 1, 1).contains(w.geometry()):
            out.append(
                f"{type(w).__name__} {w.objectName()} {w.geometry().getRect()} in {p.rect().getRect()}"
            )
    return out


def deepest() -> int:
    ws = [getattr(panel, n, None) for n in CONTROLS]
    return max(w.mapTo(area.widget(), QPoint(0, w.height())).y() for w in ws if w is not None)


out = {
    "visible": {n: (getattr(panel, n, None) is not None and in_view(getattr(panel, n))) for n in CONTROLS},
    "viewport": [view.width(), view.height()],
    "deepest": deepest(),
    "clipped": clipped(),
    "scroll": area.verticalScrollBar().value(),
}
# choosing Adam (β rows appear) moves none of them
before = {
    n: getattr(panel, n).mapTo(area.widget(), QPoint(0, 0)).toTuple() for n in CONTROLS if hasattr(panel, n)
}
panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("sgd"))
for _ in range(10):
    app.processEvents()
after = {
    n: getattr(panel, n).mapTo(area.widget(), QPoint(0, 0)).toTuple() for n in CONTROLS if hasattr(panel, n)
}
out["moved_by_optimizer"] = sorted(n for n in before if before[n] != after[n])
print(json.dumps(out))
win.doc.undo_stack.setClean()
win.shutdown()
