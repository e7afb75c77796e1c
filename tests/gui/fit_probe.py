"""Run in a subprocess by test_screen_fit.py: open the window on an offscreen
screen of W×H device pixels (optionally QT_SCALE_FACTOR) and report, per
panel in front, everything that does not fit, as one JSON line.

    python tests/gui/fit_probe.py W H [SCALE]
"""

import json
import sys

from tests.gui.probe_common import start_app

W, H = int(sys.argv[1]), int(sys.argv[2])
SCALE = sys.argv[3] if len(sys.argv) > 3 else "1"
app, _settle = start_app(W, H, SCALE)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget  # noqa: E402

from app.document import Document, example_path  # noqa: E402
from app.gui_main import PANELS  # noqa: E402
from app.main_window import MainWindow  # noqa: E402


def settle(n=6):
    _settle(n)


def inside(inner, outer, tol=1):
    return (
        inner.left() >= outer.left() - tol
        and inner.top() >= outer.top() - tol
        and inner.right() <= outer.right() + tol
        and inner.bottom() <= outer.bottom() + tol
    )


def scrolled(w: QWidget) -> bool:
    """Content of a scroll area's viewport may be larger than the viewport: it scrolls."""
    p = w.parentWidget()
    return (
        p is not None
        and isinstance(p.parentWidget(), QAbstractScrollArea)
        and p is p.parentWidget().viewport()
    )


def problems(win) -> list[str]:
    out = []
    avail = win.screen().availableGeometry()
    if not inside(win.frameGeometry(), avail, 0):
        out.append(f"window {win.frameGeometry().getRect()} outside screen {avail.getRect()}")
    for key, dock in win.docks.items():
        if dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty():
            if not inside(dock.geometry(), win.rect()):
                out.append(f"dock {key} {dock.geometry().getRect()} outside window {win.rect().getRect()}")
    for w in win.findChildren(QWidget):
        p = w.parentWidget()
        # Qt parks the docks behind a tab (and their tab bars) off-window: not shown, not checked
        if p is None or w.isWindow() or not w.isVisible() or w.visibleRegion().isEmpty() or scrolled(w):
            continue
        if not inside(w.geometry(), p.rect()):
            name = f"{type(w).__name__}:{w.objectName() or '?'} in {type(p).__name__}:{p.objectName() or '?'}"
            out.append(f"{name} {w.geometry().getRect()} outside {p.rect().getRect()}")
    return out


doc = Document()
doc.open(example_path("spiral"))
win = MainWindow(doc)
win.show()
settle()
report = {"screen": [W, H, SCALE], "window": list(win.frameGeometry().getRect()), "panels": {}}
for panel in PANELS:
    win.show_panel(panel)
    settle()
    report["panels"][panel] = problems(win)
win.classroom.set_presentation(True)
settle()
report["panels"]["presentation"] = problems(win)
report["presentation_window"] = list(win.frameGeometry().getRect())
win.classroom.set_presentation(False)
settle()
report["panels"]["after-presentation"] = problems(win)
# a geometry saved on a bigger monitor is clamped to this screen
win.setMinimumSize(0, 0)
win.resize(2 * W, 2 * H)
win.qsettings.setValue("geometry", win.saveGeometry())
win.qsettings.setValue("windowState", win.saveState())
for w in (win,):
    w.doc.undo_stack.setClean()
    w.doc._results_dirty = False
    w.shutdown()
again = MainWindow(Document())
again.show()
settle()
report["panels"]["restored-from-bigger-screen"] = problems(again)
report["restored_window"] = list(again.frameGeometry().getRect())
again.shutdown()
print(json.dumps(report))
