"""The training worker joins the trainer's split-update helper in its own run,
also when it quits in the middle of an epoch (model.nn.parallel_update)."""

import threading
import time

from app.training_worker import TrainingWorker
from model.data.datasets import make_dataset
from model.nn import blas_threads, parallel_update
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.trainer import Trainer, TrainSettings


def _helpers():
    return [t for t in threading.enumerate() if t.name == "mlp-train-helper" and t.is_alive()]


def test_quit_mid_epoch_joins_the_helper_and_restores_blas(monkeypatch):
    monkeypatch.setattr(parallel_update, "FORCE", True)
    ds = make_dataset("circles", n=200, noise=0.1, seed=0)
    net = Network(NetworkSpec([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], loss="bce"))
    tr = Trainer(net, ds.X, ds.T, TrainSettings(batch_size=10, epochs=50))
    before = blas_threads.blas_threads()
    w = TrainingWorker(tr, None)
    w.start()
    try:
        w.command("updates", 3)  # 3 of the epoch's 20 updates: the epoch stays open
        deadline = time.monotonic() + 60
        while tr.step < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert w.pause_and_wait(60)
        assert tr.step == 3 and len(_helpers()) == 1
    finally:
        assert w.quit(60)
    assert not _helpers()
    assert blas_threads.blas_threads() == before
