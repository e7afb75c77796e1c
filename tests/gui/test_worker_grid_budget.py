"""The worker's decision map and training-set predictions stay within a share of its time."""

import numpy as np

from app.training_worker import GRID_BUDGET, GRID_INTERVAL, TrainingWorker
from model.data.datasets import make_dataset
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.trainer import Trainer, TrainSettings


def _worker(predict_seconds: float):
    ds = make_dataset("circles", n=200, noise=0.1, seed=0)
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], loss="bce"))
    w = TrainingWorker(Trainer(net, ds.X, ds.T, TrainSettings()), None, grid_X=np.zeros((16, 2)))
    clock = [0.0]
    w.clock = lambda: clock[0]
    real = net.predict
    calls = []

    def predict(X):  # a network as costly as MNIST's: each prediction costs fake seconds
        clock[0] += predict_seconds
        calls.append(len(X))
        return real(X)

    net.predict = predict
    return w, clock, calls


def _publish_for(w, clock, seconds: float, every: float = 0.025) -> None:
    while clock[0] < seconds:  # never started: the test thread publishes, as the worker would
        w._publish(finished=None, force_grid=False)
        w.mailbox.take()
        clock[0] += every


def test_cheap_predictions_refresh_the_map_at_display_rate():
    w, clock, calls = _worker(predict_seconds=0.0)
    _publish_for(w, clock, 10.0)
    grids = len(calls) // 2
    assert abs(grids - 10.0 / GRID_INTERVAL) <= 2


def test_costly_predictions_take_at_most_a_share_of_the_training_time():
    w, clock, calls = _worker(predict_seconds=0.5)  # grid + every training row: 1 s
    _publish_for(w, clock, 300.0, every=0.1)
    grids = len(calls) // 2
    spent = grids * 1.0
    assert spent / clock[0] <= 1.0 / GRID_BUDGET + 0.01  # ~3 %, not ~100 %
    assert grids >= 300.0 / (GRID_BUDGET + 1) - 1  # and the map still refreshes
