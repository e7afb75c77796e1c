"""Memory: the window's resident memory over 20,000 epochs with the waves, and a
million updates through the worker and the document-side adoption (no window)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from gui_bench_common import MILLION, ROOT, pump_for, qt_app, rss_mb, setup_env, waves_on

MEMORY_EPOCHS = 20_000


def measure_memory() -> dict:
    setup_env()
    app = qt_app()
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
    animating = waves_on(win)
    pump_for(app, 1.0)
    before = rss_mb()
    done: list[str] = []
    win.controller.finished.connect(done.append)
    t0 = time.perf_counter()
    win.controller.play()
    while not done and time.perf_counter() - t0 < 500:
        app.processEvents()
        time.sleep(0.002)
    seconds = time.perf_counter() - t0
    pump_for(app, 1.0)  # let the last frames and plots settle
    epochs = len(win.doc.history)
    after, peak = rss_mb(), rss_mb("VmHWM")
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


def measure_updates_1m() -> dict:
    """A million updates through the worker and the document-side adoption, no window."""
    setup_env()
    import numpy as np

    from app.training_worker import TrainingWorker
    from model.data.datasets import make_dataset
    from model.io.project import Project, load_project, save_project
    from model.nn.network import Network
    from model.nn.spec import NetworkSpec
    from model.train.trainer import Trainer, TrainSettings

    ds = make_dataset("circles", n=400, noise=0.1, seed=0)
    spec = NetworkSpec([2, 8, 1], ["tanh", "sigmoid"], loss="bce")
    settings = TrainSettings(optimizer="sgd", lr=0.05, batch_size=1, epochs=10**6, target_loss=None)
    tr = Trainer(Network(spec), ds.X, ds.T, settings)
    doc_history = tr.history.copy()
    w = TrainingWorker(tr, None, None, epoch_limit=settings.epochs)
    before = rss_mb()
    h0 = doc_history.nbytes()
    t0 = time.perf_counter()
    w.start()
    w.command("updates", MILLION)
    while True:
        time.sleep(1 / 30)
        snap = w.mailbox.take()
        for rows in snap.rows if snap is not None else ():
            doc_history.append_rows(rows)
        if len(doc_history.update_loss) >= MILLION and w.idle.is_set():
            break
        if time.perf_counter() - t0 > 800:
            break
    seconds = time.perf_counter() - t0
    w.quit()
    after = rss_mb()
    folder = Path(os.environ["MLP_STUDIO_RECOVERY_DIR"])
    path = folder / "million.json"
    save_project(Project(spec=spec, training=settings, history=doc_history, weights=None), path)
    back = load_project(path).history
    np.testing.assert_array_equal(back.update_loss.curve()[1], doc_history.update_loss.curve()[1])
    return {
        "updates": len(doc_history.update_loss),
        "epochs": len(doc_history),
        "seconds": seconds,
        "rss_growth_mb": after - before,
        "document_history_mb": doc_history.nbytes() / 2**20,
        "document_history_growth_mb": (doc_history.nbytes() - h0) / 2**20,
        "update_series_mb": (doc_history.update_loss.nbytes() + doc_history.update_lr.nbytes()) / 2**20,
        "full_resolution_updates": len(doc_history.update_loss.values),
        "bucket_size": doc_history.update_loss.bucket,
        "project_file_mb": path.stat().st_size / 2**20,
        "loads_again": len(back.update_loss) == len(doc_history.update_loss),
    }
