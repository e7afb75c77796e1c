"""What every window probe shares: the subprocess that runs a probe script
(``run_probe``), and inside it the offscreen screen and the main window
(``open_window``). A probe prints one JSON line last."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_probe(script: str, args, tmp_path) -> dict:
    """Run ``tests/gui/<script>`` with ``args`` in a clean environment; its last JSON line."""
    res = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "gui" / script), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def start_app(width: int, height: int, scale: str = "1"):
    """(app, settle): a QApplication on a width × height offscreen screen (device
    pixels, ``QT_SCALE_FACTOR`` ``scale``), no saved settings, a private recovery folder."""
    from app.screen_setup import offscreen_screen, quiet_offscreen_warnings

    offscreen_screen(width, height)
    os.environ["QT_SCALE_FACTOR"] = str(scale)
    os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
    from app.scratch import scratch_subdir

    os.environ["MLP_STUDIO_RECOVERY_DIR"] = scratch_subdir("recovery")
    quiet_offscreen_warnings()
    from PySide6.QtWidgets import QApplication

    app = QApplication([])

    def settle(n=8):
        for _ in range(n):
            app.processEvents()

    return app, settle


def open_window(width: int, height: int, project: str | None = None):
    """(app, window, settle) on a width × height offscreen screen, placed as on first
    start; ``project`` a file to open first (default: the start-up example)."""
    app, settle = start_app(width, height)
    from app.document import Document
    from app.main_window import MainWindow

    doc = None
    if project is not None:
        doc = Document()
        doc.open(project)
    win = MainWindow(doc)
    win.window_layout.place_window(restored=False)
    win.show()
    settle()
    return app, win, settle
