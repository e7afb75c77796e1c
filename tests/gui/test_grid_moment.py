"""The decision map and confusion matrix refresh less often than the status bar on
big data, so the accuracy they show says which weights it was counted on."""

import time

import numpy as np

from app.training_worker import TrainingWorker
from model.data.datasets import make_dataset
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.trainer import Trainer, TrainSettings


def test_a_snapshot_says_when_its_grid_and_training_predictions_were_computed():
    ds = make_dataset("circles", n=64, noise=0.1, seed=0)
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], loss="bce"))
    settings = TrainSettings(optimizer="sgd", lr=0.1, batch_size=8, epochs=10_000, target_loss=None)
    grid = np.zeros((9, 2))
    w = TrainingWorker(Trainer(net, ds.X, ds.T, settings), (ds.X[0], ds.T[0]), grid, epoch_limit=10_000)
    clock = [0.0]

    def slow_grid_clock():  # each reading 1 s later: a grid costs "1 s", so the next is 30 s away
        clock[0] += 1.0
        return clock[0]

    w.clock = slow_grid_clock
    w.start()
    try:
        w.command("updates", 24)  # 3 epochs of 8 updates
        end = time.monotonic() + 60
        while not w.idle.wait(0.05):
            assert time.monotonic() < end, "worker did not finish"
        snap = w.mailbox.take()
        assert snap.step == 24 and snap.grid is not None and snap.train_pred is not None
        # the request's end forces a fresh grid: counted on the weights the status bar shows
        assert snap.grid_at == (snap.epoch, snap.step) == (3, 24)
    finally:
        assert w.quit()


def test_the_accuracy_line_names_the_epoch_of_the_weights_counted(win):
    d = win.doc
    dv = win.dataset_view
    n = len(d.data.train)
    dv.set_predictions(np.full((n, 1), 0.9), at=(12, 96))
    assert dv.accuracy.text().splitlines()[0].endswith("· at epoch 12 (96 updates)")
    dv.set_predictions(np.full((n, 1), 0.9))  # the document's own weights: no moment to name
    assert "at epoch" not in dv.accuracy.text()
