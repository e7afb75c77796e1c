"""GUI responsiveness of the real main window: stalls, start-up time, memory.

Run from the repository root::

    QT_QPA_PLATFORM=offscreen python tests/bench/gui_responsiveness.py
    # or on a virtual screen: xvfb-run -a python tests/bench/gui_responsiveness.py

Not a pytest test.  Each measurement runs in a fresh subprocess:

- ``stall``: a 2-64-64-64-1 network (circles, Adam, batch 16) trains in
  ``MainWindow(Document(project))`` via ``controller.play()`` with the canvas
  waves animating; after a 0.6 s warm-up a 10 ms QTimer heartbeat runs for
  ``STALL_SECONDS``; the longest gap between beats is the longest GUI-thread
  stall (it includes the 10 ms interval itself).  Target ≤ 33 ms (two
  frames at 60 Hz, issue 17).
- ``stall_plain``: the same without the waves (this was a GUI test with a
  100 ms limit; CI must not depend on load, so it is a figure here).
- ``startup``: time from interpreter start to the main window's first
  Expose/Paint event, measured inside the process (process start from
  /proc/self/stat, ±10 ms clock-tick resolution; also from the script's first
  line).  Target ≤ 1.0 s (issue 17).
- ``memory``: resident memory (VmRSS from /proc/self/status) of the window
  before and after 20,000 epochs of the xor_train example with the waves
  animating.  Target growth ≤ 50 MB.

Figures are printed; the last line is one JSON object.
"""

from __future__ import annotations

import time

T_SCRIPT = time.perf_counter()  # before any other import

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STALL_SECONDS = 4.0
MEMORY_EPOCHS = 20_000
TARGETS = {"stall_ms": 33.0, "startup_s": 1.0, "rss_growth_mb": 50.0}  # issue 17: two 60 Hz frames, 1 s


def _process_age() -> float:
    """Seconds since this process started (kernel start time, 10 ms ticks)."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def _rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _setup_env() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
    os.environ["MLP_STUDIO_RECOVERY_DIR"] = tempfile.mkdtemp(prefix="mlp-studio-bench-")
    sys.path.insert(0, str(ROOT))


def _app():
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(antialias=True, background="w", foreground="#30343b")
    return QApplication.instance() or QApplication(sys.argv[:1])


def _wait(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def _animate(win) -> bool:
    act = getattr(win, "acts", {}).get("waves")
    if act is None:
        return False
    act.setChecked(True)
    return True


# ---------------------------------------------------------------- measurements
def measure_startup() -> dict:
    _setup_env()
    stages = {"interpreter+script_start": _process_age() - (time.perf_counter() - T_SCRIPT)}
    mark = [time.perf_counter()]

    def stage(name):
        now = time.perf_counter()
        stages[name] = now - mark[0]
        mark[0] = now

    import numpy  # noqa: F401

    stage("import numpy")
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication  # noqa: F401

    stage("import PySide6")
    import pyqtgraph  # noqa: F401

    stage("import pyqtgraph")
    app = _app()
    stage("QApplication")
    from app.document import Document
    from app.main_window import MainWindow

    stage("import app, widgets, model")
    doc = Document()
    stage("Document()")
    win = MainWindow(doc)
    stage("MainWindow()")
    seen: dict = {}

    class First(QObject):
        def eventFilter(self, obj, ev):  # noqa: N802  (Qt name)
            if ev.type() in (QEvent.Type.Expose, QEvent.Type.Paint) and "t" not in seen:
                seen.update(
                    t=time.perf_counter(), age=_process_age(), event=ev.type().name, obj=type(obj).__name__
                )
                app.quit()
            return False

    flt = First()
    app.installEventFilter(flt)
    win.show()
    if "t" not in seen:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(10_000, app.quit)
        app.exec()
    stage("show() to first expose")
    app.removeEventFilter(flt)
    win.controller.shutdown()
    return {
        "startup_s": seen["age"],
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "startup_from_script_s": seen["t"] - T_SCRIPT,
        "first_event": f"{seen['event']} on {seen['obj']}",
        "platform": os.environ["QT_QPA_PLATFORM"],
    }


def measure_stall_plain() -> dict:
    """The same run without the waves: what the old GUI test asserted (≤ 100 ms)."""
    return measure_stall(animate=False)


def measure_stall(animate: bool = True) -> dict:
    _setup_env()
    from PySide6.QtCore import QTimer

    app = _app()
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
    win = MainWindow(Document(proj))
    win.resize(1400, 900)
    win.show()
    _wait(app, 0.5)
    animating = _animate(win) if animate else False
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    t = QTimer()
    t.setInterval(10)
    t.timeout.connect(beat)
    win.controller.play()
    _wait(app, 0.6)  # warm-up: the first plot layout of a run is a one-time cost
    step0, e0 = win.controller.worker.trainer.step, time.perf_counter()
    last[0] = time.perf_counter()
    t.start()
    end = time.perf_counter() + STALL_SECONDS
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.0005)
    t.stop()
    steps = win.controller.worker.trainer.step - step0
    rate = steps / (time.perf_counter() - e0)
    win.controller.shutdown()
    gaps.sort()
    return {
        "stall_ms": 1000 * gaps[-1],
        "p99_gap_ms": 1000 * gaps[int(0.99 * (len(gaps) - 1))],
        "median_gap_ms": 1000 * gaps[len(gaps) // 2],
        "beats": len(gaps),
        "updates_per_s": rate,
        "waves_animating": animating,
        "platform": os.environ["QT_QPA_PLATFORM"],
    }


def measure_memory() -> dict:
    _setup_env()
    app = _app()
    from app.document import Document
    from app.main_window import MainWindow
    from model.io.project import load_project
    from model.train.trainer import TrainSettings

    proj = load_project(ROOT / "resources" / "examples" / "xor_train.json")
    d = proj.training.to_dict()
    d.update(epochs=MEMORY_EPOCHS, target_loss=None)
    proj.training = TrainSettings.from_dict(d)
    win = MainWindow(Document(proj))
    win.resize(1400, 900)
    win.show()
    animating = _animate(win)
    _wait(app, 1.0)
    before = _rss_mb()
    done: list[str] = []
    win.controller.finished.connect(done.append)
    t0 = time.perf_counter()
    win.controller.play()
    while not done and time.perf_counter() - t0 < 500:
        app.processEvents()
        time.sleep(0.002)
    seconds = time.perf_counter() - t0
    _wait(app, 1.0)  # let the last frames and plots settle
    epochs = len(win.doc.history)
    after, peak = _rss_mb(), _rss_mb("VmHWM")
    win.controller.shutdown()
    return {
        "rss_before_mb": before,
        "rss_after_mb": after,
        "rss_growth_mb": after - before,
        "rss_peak_mb": peak,
        "epochs": epochs,
        "seconds": seconds,
        "stop": done[0] if done else "timeout",
        "waves_animating": animating,
    }


# ---------------------------------------------------------------- driver
def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        fn = {
            "startup": measure_startup,
            "stall": measure_stall,
            "stall_plain": measure_stall_plain,
            "memory": measure_memory,
        }[argv[1]]
        print(json.dumps(fn()))
        sys.stdout.flush()
        os._exit(0)  # skip Qt teardown
    results = {}
    for what in ("startup", "stall", "stall_plain", "memory"):
        runs = 3 if what == "startup" else 1
        vals = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, __file__, "--child", what],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=900,
            )
            if out.returncode != 0:
                sys.stderr.write(out.stderr[-3000:])
                vals.append({"error": (out.stderr.strip().splitlines() or ["?"])[-1]})
                break
            vals.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = min(vals, key=lambda v: v.get("startup_s", 0)) if what == "startup" else vals[0]
        if what == "startup" and "startup_s" in r:
            r["startup_runs_s"] = [v.get("startup_s") for v in vals]
        results[what] = r
        print(f"{what}: {json.dumps(r)}", flush=True)
    s, st, m = results["stall"], results["startup"], results["memory"]
    sp = results["stall_plain"]
    summary = {
        "stall_ms": s.get("stall_ms"),
        "stall_no_waves_ms": sp.get("stall_ms"),
        "startup_s": st.get("startup_s"),
        "rss_growth_mb": m.get("rss_growth_mb"),
        "targets": TARGETS,
        "met": {
            k: (results_v is not None and results_v <= TARGETS[k])
            for k, results_v in (
                ("stall_ms", s.get("stall_ms")),
                ("startup_s", st.get("startup_s")),
                ("rss_growth_mb", m.get("rss_growth_mb")),
            )
        },
        "details": results,
    }
    print(
        f"longest GUI stall {s.get('stall_ms', float('nan')):.1f} ms with waves (target ≤ {TARGETS['stall_ms']:g}), "
        f"{sp.get('stall_ms', float('nan')):.1f} ms without (the old GUI test's limit: 100), "
        f"start-up to first paint {st.get('startup_s', float('nan')):.2f} s (target ≤ {TARGETS['startup_s']:g}), "
        f"RSS growth over {m.get('epochs')} epochs {m.get('rss_growth_mb', float('nan')):.1f} MB "
        f"(target ≤ 50)"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1:])
