"""Start the app as ``mlp-studio`` does (app.gui_main.main) and report what was
there at the window's first expose, and once the window is complete: whether
pyqtgraph was imported, whether the window was complete, where the canvas and
the docks on screen were. ``startup_probe.py WxH``: on an offscreen screen of that
size. Prints one JSON line. Run by test_startup_deferred.py."""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
sys.path.insert(0, os.getcwd())
from app.scratch import remove_scratch, scratch_subdir  # noqa: E402

os.environ["MLP_STUDIO_RECOVERY_DIR"] = scratch_subdir("recovery")
from app.screen_setup import offscreen_screen  # noqa: E402

offscreen_screen(*map(int, sys.argv[1].split("x")))

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

report: dict = {}


def window():
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow)), None)


def layout(win) -> dict:
    places = {"canvas": win.centralWidget()}
    on_screen = {k: d for k, d in getattr(win, "docks", {}).items() if not d.visibleRegion().isEmpty()}
    places.update(on_screen)
    return {k: list(w.geometry().getRect()) for k, w in places.items()}


class FirstExpose(QObject):
    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QEvent.Type.Expose and "expose" not in report:
            win = window()
            report["expose"] = {
                "pyqtgraph": "pyqtgraph" in sys.modules,
                "built": bool(getattr(win, "built", True)),
                "layout": layout(win) if win is not None else None,
            }
            if os.environ.get("STARTUP_SHOTS") and win is not None:
                win.grab().save(os.environ["STARTUP_SHOTS"] + "-expose.png")
            QTimer.singleShot(50, check)
        return False


def check():
    win = window()
    if not getattr(win, "built", True) or "pyqtgraph" not in sys.modules:
        QTimer.singleShot(50, check)
        return
    QApplication.processEvents()
    report["complete"] = {
        "pyqtgraph": True,
        "plots": type(win.plots).__name__,
        "data_plot": type(win.dataset_view).__name__,
        "neuron_map": type(win.docks["neuron_map"].widget()).__name__,
        "layout": layout(win),
        "placeholders": [w.objectName() for w in win.findChildren(QObject, "placeholder")],
    }
    if os.environ.get("STARTUP_SHOTS"):
        win.grab().save(os.environ["STARTUP_SHOTS"] + "-complete.png")
    win.doc.undo_stack.setClean()
    win.close()
    QApplication.instance().quit()


app = QApplication(sys.argv[:1])
from app.screen_setup import quiet_offscreen_warnings  # noqa: E402

quiet_offscreen_warnings()
flt = FirstExpose()
app.installEventFilter(flt)
QTimer.singleShot(60_000, app.quit)  # never hang the test
from app.gui_main import main  # noqa: E402

code = main([])
print(json.dumps({"exit": code, **report}))
sys.stdout.flush()
remove_scratch()  # os._exit skips the exit handlers
os._exit(0)
