"""Start-up measurements: the main window's first expose (and its complete
build) against a bare QMainWindow with and without pyqtgraph (the machine's floor)."""

from __future__ import annotations

import os
import sys
import time

from gui_bench_common import process_age, qt_app, setup_env


def show_until_first_expose(app, win) -> dict:
    """Show ``win`` and run the event loop until its first Expose/Paint event:
    {"t": perf_counter then, "age": process age then, "event", "obj"}."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    seen: dict = {}
    loop = QEventLoop()  # not app.quit(): in Qt 6 that closes the windows too

    class First(QObject):
        def eventFilter(self, obj, ev):  # noqa: N802  (Qt name)
            if ev.type() in (QEvent.Type.Expose, QEvent.Type.Paint) and "t" not in seen:
                seen.update(
                    t=time.perf_counter(),
                    age=process_age(),
                    event=ev.type().name,
                    obj=type(obj).__name__,
                    pyqtgraph="pyqtgraph" in sys.modules,
                )
                loop.quit()
            return False

    flt = First()
    app.installEventFilter(flt)
    win.show()
    if "t" not in seen:
        QTimer.singleShot(10_000, loop.quit)
        loop.exec()
    app.removeEventFilter(flt)
    return seen


def measure_startup(t_script: float) -> dict:
    setup_env()
    stages = {"interpreter+script_start": process_age() - (time.perf_counter() - t_script)}
    mark = [time.perf_counter()]

    def stage(name):
        now = time.perf_counter()
        stages[name] = now - mark[0]
        mark[0] = now

    import numpy  # noqa: F401

    stage("import numpy")
    from PySide6 import QtCore  # noqa: F401
    from PySide6.QtWidgets import QApplication

    stage("import PySide6")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    stage("QApplication")
    from app.document import Document
    from app.gui_main import configure_pyqtgraph
    from app.main_window import MainWindow

    stage("import app, widgets, model")
    doc = Document()
    stage("Document()")
    win = MainWindow(doc, deferred=True)  # as app.gui_main starts it: the frame first
    stage("MainWindow() frame")
    seen = show_until_first_expose(app, win)
    stage("show() to first expose")
    configure_pyqtgraph(app)
    stage("import pyqtgraph (after the expose)")
    win.finish_building()
    stage("finish building (plots, data plot, teaching)")
    complete = process_age()
    win.controller.shutdown()
    return {
        "startup_s": seen["age"],
        "complete_s": complete,
        "pyqtgraph_at_first_expose": seen["pyqtgraph"],
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "startup_from_script_s": seen["t"] - t_script,
        "first_event": f"{seen['event']} on {seen['obj']}",
        "platform": os.environ["QT_QPA_PLATFORM"],
    }


def measure_startup_bare(t_script: float, pyqtgraph: bool = True) -> dict:
    """The floor: interpreter, numpy, PySide6, pyqtgraph (unless not) and an empty QMainWindow to first expose."""
    setup_env()
    import numpy  # noqa: F401
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = qt_app() if pyqtgraph else QApplication.instance() or QApplication(sys.argv[:1])
    win = QMainWindow()
    win.resize(1400, 900)
    seen = show_until_first_expose(app, win)
    return {"startup_s": seen["age"], "startup_from_script_s": seen["t"] - t_script}


def measure_startup_bare_qt(t_script: float) -> dict:
    """The floor without pyqtgraph (what the app's frame needs): numpy, PySide6, an empty QMainWindow."""
    return measure_startup_bare(t_script, pyqtgraph=False)
