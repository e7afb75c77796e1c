"""The GUI thread while an explicit Save writes a 40,000-epoch document.

Run from the repository root::

    QT_QPA_PLATFORM=offscreen python tests/bench/save_stall.py [--root OTHER_TREE]

Not a pytest test. In a fresh subprocess, the stall bench's document
(2-64-64-64-1, a history of 40,000 epochs and a million updates,
``gui_stall.million_update_history``) is opened in the main
window; a 10 ms QTimer heartbeat runs while File ▸ Save As is triggered
(the file dialog answered with a path) and until the file is written and
the window has taken the outcome in. Printed: the longest gap between
beats (the longest GUI-thread stall, the 10 ms interval included), how long
the action itself kept the GUI thread, the time until the file was in place,
the file's size, and the cost of the snapshot the GUI thread takes
(``Document.snapshot``, median of 5). ``--root`` runs the same against
another checkout (e.g. the code before the change). The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM_UP = 4.0  # seconds


def measure(root: str) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
    sys.path[:0] = [root, str(HERE)]
    from app.scratch import scratch_subdir

    folder = Path(scratch_subdir("save-bench"))
    os.environ["MLP_STUDIO_RECOVERY_DIR"] = str(folder / "recovery")
    from gui_stall import gc_as_the_app_does, million_update_history
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.document import Document
    from app.main_window import MainWindow
    from model.io.project import DataSource, Project
    from model.nn.network import NetworkSpec
    from model.train.trainer import TrainSettings

    proj = Project(
        spec=NetworkSpec([2, 64, 64, 64, 1], ["tanh"] * 3 + ["sigmoid"]),
        data=DataSource(kind="builtin", name="circles", params={"n": 400, "noise": 0.1}),
        training=TrainSettings(optimizer="adam", lr=0.01, batch_size=16, epochs=1_000_000),
    )
    proj.history = million_update_history(proj.spec.n_layers)
    doc = Document(proj)
    doc.mark_results_changed()
    win = MainWindow(doc)
    win.resize(1400, 900)
    win.show()
    gc_as_the_app_does(app)  # collections on the GUI thread only, start-up objects frozen
    end = time.perf_counter() + WARM_UP
    while time.perf_counter() < end:  # the window's first computations (e.g. the stability strip) settle
        app.processEvents()
        time.sleep(0.001)
    snapshot_ms = None
    if hasattr(doc, "snapshot"):
        costs = []
        for _ in range(5):
            t = time.perf_counter()
            doc.snapshot()
            costs.append(1000 * (time.perf_counter() - t))
        snapshot_ms = sorted(costs)[2]
    path = folder / "big.json"
    win.dialogs.ask_save_path = lambda *a: str(path)
    saver = getattr(win.files, "saver", None)
    gaps: list[float] = []
    last = [time.perf_counter()]
    t0 = last[0]

    at: list[float] = []

    def beat():
        now = time.perf_counter()
        gaps.append(now - last[0])
        at.append(now - t0)
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(beat)
    timer.start()
    t0 = time.perf_counter()
    last[0] = t0
    win.acts["save_as"].trigger()
    action_ms = 1000 * (time.perf_counter() - t0)
    while (saver is not None and saver.busy) or not path.exists() or doc.dirty:
        app.processEvents()
        time.sleep(0.0005)
        if time.perf_counter() - t0 > 120:
            break
    written_s = time.perf_counter() - t0
    end = time.perf_counter() + 0.1
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    beat()
    win.controller.shutdown()
    return {
        "longest_stall_ms": 1000 * max(gaps),
        "longest_stall_ended_at_s": at[gaps.index(max(gaps))],
        "action_returned_after_ms": action_ms,
        "written_after_s": written_s,
        "file_mb": path.stat().st_size / 2**20,
        "snapshot_ms": snapshot_ms,
        "clean_after": not doc.dirty,
        "epochs": len(doc.history),
        "background": saver is not None,
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(measure(argv[1])))
        from gui_bench_common import leave  # on the path once measure() ran

        leave()
    root = str(HERE.parents[1])
    if argv[:1] == ["--root"]:
        root = str(Path(argv[1]).resolve())
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run(
        [sys.executable, __file__, "--child", root], capture_output=True, text=True, env=env, timeout=600
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(1)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r.update(root=root, loadavg=os.getloadavg())
    print(
        f"Save As of a {r['epochs']:,}-epoch document: longest GUI stall {r['longest_stall_ms']:.0f} ms "
        f"(the action returned after {r['action_returned_after_ms']:.0f} ms; file of {r['file_mb']:.1f} MB "
        f"written after {r['written_after_s']:.2f} s; snapshot {r['snapshot_ms'] or float('nan'):.1f} ms); load {r['loadavg'][0]:.2f}"
    )
    print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv[1:])
