"""GUI-thread stalls while 2-64-64-64-1 trains in the real main window: a 10 ms
QTimer heartbeat; the longest gap between beats is the longest stall.

The window runs its own event loop meanwhile (``QEventLoop.exec``, as the app's
``app.exec()``): the GUI thread waits in Qt, not in Python. (Until session 6 a
``processEvents()`` + ``time.sleep(0.5 ms)`` poll drove it; each sleep gave the
interpreter lock to the training thread and took up to a switch interval to get
it back: p99 gaps 25-30 ms against 21-22 ms with the event loop, A/B at load 2.)"""

from __future__ import annotations

import os
import time

from gui_bench_common import MILLION, pump_for, qt_app, run_event_loop, setup_env, waves_on

STALL_SECONDS = 4.0


def measure_stall_plain() -> dict:
    """The same run without the waves: what the old GUI test asserted (≤ 100 ms)."""
    return measure_stall(animate=False)


def measure_stall_long() -> dict:
    """The same, continuing a run that already has a million updates (40,000 epochs)."""
    return measure_stall(animate=True, history=million_update_history)


def million_update_history(n_layers: int):
    import numpy as np

    from model.train.history import History

    h, rng, per_epoch = History(n_layers), np.random.default_rng(0), 25
    for e in range(MILLION // per_epoch):
        loss = 0.7 * np.exp(-e / 8000) + 0.02 * rng.random(per_epoch)
        h.update_loss.extend(loss)
        h.update_lr.extend(np.full(per_epoch, 0.01))
        rec = {"epoch": e + 1, "train_loss": float(loss.mean()), "updates": (e + 1) * per_epoch, "lr": 0.01}
        h.add_epoch(rec, np.ones(n_layers), np.ones(n_layers))
    return h


def gc_as_the_app_does(app) -> list[float]:
    """app.gui_main's garbage policy: collections on the GUI thread only (pyqtgraph's
    GarbageCollector), the start-up objects frozen; returns what a full collection
    costs on the GUI thread before and after the freeze (ms)."""
    import gc

    from pyqtgraph.util.garbage_collector import GarbageCollector

    app._gc = GarbageCollector(interval=0.5)
    costs = []
    for freeze in (False, True):
        if freeze:
            gc.freeze()
        t = time.perf_counter()
        gc.collect()
        costs.append(1000 * (time.perf_counter() - t))
    return costs


def measure_stall_trace() -> dict:
    """The stall run with a stack sampler (stall_trace.py): the five longest gaps
    broken down by where the GUI thread was, running or waiting."""
    return measure_stall(animate=True, trace=True)


def measure_stall(animate: bool = True, history=None, trace: bool = False) -> dict:
    setup_env()
    from PySide6.QtCore import QTimer

    app = qt_app()
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
    if history is not None:
        proj.history = history(proj.spec.n_layers)
    win = MainWindow(Document(proj))
    win.resize(1400, 900)
    win.show()
    full_gc_ms = gc_as_the_app_does(app)
    pump_for(app, 0.5)
    animating = waves_on(win) if animate else False
    if history is not None:
        win.plots.panels["loss"].per_update.setChecked(True)  # the per-update curve drawn too
    gaps: list[float] = []
    ends: list[float] = []  # when each gap ended
    cpu: list[float] = []  # the GUI thread's CPU time within each gap: its work, whatever the load
    last = [time.perf_counter(), time.thread_time()]

    def beat():
        now, now_cpu = time.perf_counter(), time.thread_time()
        gaps.append(now - last[0])
        ends.append(now)
        cpu.append(now_cpu - last[1])
        last[0], last[1] = now, now_cpu

    t = QTimer()
    t.setInterval(10)
    t.timeout.connect(beat)
    sampler = None
    if trace:
        import threading

        from stall_trace import StackSampler

        sampler = StackSampler(threading.get_ident())
        sampler.start()
    win.controller.play()
    if sampler is not None:
        sampler.worker_ident = win.controller.worker.ident
    run_event_loop(0.6)  # warm-up: the first plot layout of a run is a one-time cost
    step0, e0 = win.controller.worker.trainer.step, time.perf_counter()
    last[0], last[1] = time.perf_counter(), time.thread_time()
    t.start()
    run_event_loop(STALL_SECONDS)
    t.stop()
    steps = win.controller.worker.trainer.step - step0
    rate = steps / (time.perf_counter() - e0)
    win.controller.shutdown()
    longest = max(range(len(gaps)), key=gaps.__getitem__)
    gui_cpu_in_longest = cpu[longest]
    worst = []
    if sampler is not None:
        sampler.stop()
        for i in sorted(range(len(gaps)), key=lambda i: -gaps[i])[:5]:
            worst.append(
                {"gap_ms": round(1000 * gaps[i], 1), **sampler.breakdown(ends[i] - gaps[i], ends[i])}
            )
    gaps.sort()
    cpu.sort()
    return {
        "stall_ms": 1000 * gaps[-1],
        "stall_gui_cpu_ms": 1000 * gui_cpu_in_longest,  # of the longest gap, the GUI thread's CPU time
        "max_gap_gui_cpu_ms": 1000 * cpu[-1],  # the most GUI-thread work between two beats
        "p99_gap_gui_cpu_ms": 1000 * cpu[int(0.99 * (len(cpu) - 1))],
        "p99_gap_ms": 1000 * gaps[int(0.99 * (len(gaps) - 1))],
        "median_gap_ms": 1000 * gaps[len(gaps) // 2],
        "beats": len(gaps),
        "updates_per_s": rate,
        "waves_animating": animating,
        "updates_before": 0 if history is None else MILLION,
        "full_gc_ms_unfrozen_frozen": full_gc_ms,
        "platform": os.environ["QT_QPA_PLATFORM"],
        **({"worst_gaps": worst} if trace else {}),
    }
