"""Shared pieces of the GUI benches (gui_responsiveness.py and its measurements):
the process clock, resident memory, the environment, the QApplication, pumping."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MILLION = 1_000_000


def process_age() -> float:
    """Seconds since this process started (kernel start time, 10 ms ticks)."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def setup_env() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
    sys.path.insert(0, str(ROOT))
    from app.scratch import scratch_subdir

    os.environ["MLP_STUDIO_RECOVERY_DIR"] = scratch_subdir("recovery")
    from model.nn.allocator import keep_freed_memory

    keep_freed_memory()  # as the app's entry point does (app/__main__.py)


def qt_app():
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(antialias=True, background="w", foreground="#30343b")
    return QApplication.instance() or QApplication(sys.argv[:1])


def pump_for(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def run_event_loop(seconds: float) -> None:
    """Run Qt's own event loop for ``seconds`` (the app's ``exec``, not a Python poll)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()  # not app.quit(): in Qt 6 that closes the windows too
    QTimer.singleShot(int(1000 * seconds), loop.quit)
    loop.exec()


def waves_on(win) -> bool:
    act = getattr(win, "acts", {}).get("waves")
    if act is None:
        return False
    act.setChecked(True)
    return True


def leave() -> None:
    """End a bench child now, skipping Qt's teardown (``os._exit``), but not
    leaving its scratch folder behind (``os._exit`` skips the exit handlers)."""
    sys.stdout.flush()
    scratch = sys.modules.get("app.scratch")
    if scratch is not None:
        scratch.remove_scratch()
    os._exit(0)
