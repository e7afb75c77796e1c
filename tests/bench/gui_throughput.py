"""Training throughput on mnist_like through the controller path: headless
(worker thread + the main thread adopting rows) and in the window with the waves."""

from __future__ import annotations

import os
import time

from gui_bench_common import pump_for, qt_app, setup_env, waves_on

THROUGHPUT_WARMUP, THROUGHPUT_SECONDS = 3.0, 10.0


def mnist_project():
    from model.io.project import DataSource, Project
    from model.nn.network import NetworkSpec
    from model.train.trainer import TrainSettings

    return Project(
        spec=NetworkSpec([784, 256, 128, 10], ["relu", "relu", "softmax"], loss="cross_entropy"),
        data=DataSource(kind="builtin", name="mnist_like", params={"seed": 0}),
        training=TrainSettings(optimizer="adam", lr=1e-3, batch_size=128, epochs=1_000),
    )


def _machine_busy() -> float:
    """CPU seconds all processes of the machine have used (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _rate(step, pump, worker=None) -> tuple[float, int, dict]:
    """(updates/s, updates, CPU figures) of ``step()`` over THROUGHPUT_SECONDS
    after a warm-up, pumping meanwhile. CPU: seconds per second of the training
    thread, of this (the GUI) thread, of the whole process (BLAS's own threads
    too) and of the other processes on the machine (the load that is not ours);
    the update mode the trainer's tuner chose (model.train.update_modes); the
    wall time per update inside the worker (``ms_per_update``: slower updates)
    and the share of the worker's time in updates (the rest: publishing, the
    GuiTurn's naps, ``turn_naps``)."""
    end = time.perf_counter() + THROUGHPUT_WARMUP
    while time.perf_counter() < end:
        pump()
    w = worker() if worker is not None else None

    def wcpu():
        return time.clock_gettime(time.pthread_getcpuclockid(w.ident)) if w is not None else 0.0

    def wfig(name):
        return getattr(w, name, 0.0) if w is not None else 0.0

    u0, naps0, m0 = wfig("update_seconds"), w.turn.waited if w is not None else 0, _machine_busy()
    s0, t0, c0, g0, p0 = step(), time.perf_counter(), wcpu(), time.thread_time(), time.process_time()
    end = t0 + THROUGHPUT_SECONDS
    while time.perf_counter() < end:
        pump()
    n, dt = step() - s0, time.perf_counter() - t0
    process = time.process_time() - p0
    updates_s = wfig("update_seconds") - u0
    tuner = getattr(w, "tuner", None)
    cpu = {
        "training_thread_cpu_per_s": (wcpu() - c0) / dt,
        "gui_thread_cpu_per_s": (time.thread_time() - g0) / dt,
        "process_cpu_per_s": process / dt,
        "other_processes_cpu_per_s": (_machine_busy() - m0 - process) / dt,
        "ms_per_update": 1000 * updates_s / max(n, 1),
        "worker_share_in_updates": updates_s / dt,
        "turn_naps": (w.turn.waited if w is not None else 0) - naps0,
        "update_mode": getattr(tuner, "best", None),
        "ms_per_update_by_mode": {k: 1000 * v for k, v in getattr(tuner, "medians", {}).items()},
    }
    return n / dt, n, cpu


def measure_throughput_headless() -> dict:
    """The controller path without Qt: worker thread + the main thread adopting snapshot rows."""
    setup_env()
    from app.document import build_state
    from app.training_worker import TrainingWorker
    from model.train.trainer import Trainer

    st = build_state(mnist_project(), None)
    d = st.data
    tr = Trainer(st.net, d.X_train, d.train.T, st.project.training, d.X_val, d.val.T, task=d.task)
    w = TrainingWorker(tr, None, None, epoch_limit=st.project.training.epochs)
    history = tr.history.copy()
    w.start()
    w.command("run")

    def pump():
        time.sleep(1 / 30)
        snap = w.mailbox.take()
        for rows in snap.rows if snap is not None else ():
            history.append_rows(rows)

    rate, n, cpu = _rate(lambda: w.trainer.step, pump, lambda: w)
    w.quit()
    return {
        "updates_per_s": rate,
        "updates": n,
        "workload": "mnist_like 784-256-128-10 adam batch 128",
        **cpu,
    }


def measure_throughput_gui() -> dict:
    setup_env()
    app = qt_app()
    from app.document import Document
    from app.main_window import MainWindow

    win = MainWindow(Document(mnist_project()))
    win.resize(1400, 900)
    win.show()
    pump_for(app, 0.5)
    animating = waves_on(win)
    win.controller.play()
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()

    def pump():  # the app's own event loop, in 0.1 s slices (a 1 kHz processEvents poll cost ~5 % of a core)
        QTimer.singleShot(100, loop.quit)
        loop.exec()

    rate, n, cpu = _rate(lambda: win.controller.worker.trainer.step, pump, lambda: win.controller.worker)
    win.controller.shutdown()
    return {"updates_per_s": rate, "updates": n, "waves_animating": animating, **cpu}
