"""The worker publishes no more snapshots than the GUI takes: while the last one
is untaken it copies nothing (counted puts, fake clock; nothing timed), and its
update modes are its trainer's tuner's."""

import threading
import time

from app.training_worker import TrainingWorker
from model.data.datasets import make_dataset
from model.nn import blas_threads
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.blas_tuner import UpdateTuner
from model.train.trainer import Trainer, TrainSettings
from model.train.update_modes import ONE, SERIAL, SPLIT, UpdateRunner


def _worker():
    ds = make_dataset("circles", n=64, noise=0.1, seed=0)
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], loss="bce"))
    settings = TrainSettings(optimizer="sgd", lr=0.1, batch_size=8, epochs=10_000, target_loss=None)
    w = TrainingWorker(Trainer(net, ds.X, ds.T, settings), (ds.X[0], ds.T[0]), None, epoch_limit=10_000)
    clock = [0.0]

    def tick():  # every reading a second later: the snapshot interval always passed
        clock[0] += 1.0
        return clock[0]

    w.clock = tick
    puts = []
    real_put = w.mailbox.merge_put
    w.mailbox.merge_put = lambda merge: (puts.append(1), real_put(merge))
    return w, puts


def _wait_idle(w, timeout=60.0):
    end = time.monotonic() + timeout
    while not w.idle.wait(0.05):
        assert time.monotonic() < end, "worker did not finish"


def test_no_snapshot_is_copied_while_the_last_is_untaken():
    w, puts = _worker()
    w.start()
    try:
        w.command("updates", 400)
        _wait_idle(w)
        assert w.trainer.step == 400
        # the first snapshot, then nothing until the forced one at the request's end
        assert len(puts) == 2
        snap = w.mailbox.take()
        assert snap.step == 400
        assert sum(r.end[1] - r.start[1] for r in snap.rows) == 400  # every update's row kept
    finally:
        assert w.quit()


def test_snapshots_are_bounded_by_the_ones_taken():
    w, puts = _worker()
    taken = []
    stop = threading.Event()

    def gui():  # a GUI taking snapshots as fast as it can show them
        while not stop.is_set():
            if w.mailbox.take() is not None:
                taken.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=gui)
    w.start()
    t.start()
    try:
        w.command("updates", 3000)
        _wait_idle(w)
    finally:
        stop.set()
        t.join(10)
        assert w.quit()
    last = 1 if w.mailbox.take() is not None else 0
    assert len(taken) >= 1
    # one put before each take, plus the first and the forced one at the end
    assert len(puts) <= len(taken) + last + 2
    assert len(puts) < 3000


def test_the_worker_trains_through_its_trainers_tuner_and_leaves_blas_as_it_was():
    w, _ = _worker()
    before, tr = blas_threads.blas_threads(), w.trainer
    tuner = UpdateTuner((ONE, SPLIT, SERIAL), probe_updates=3, clock=w.clock)
    tr._runner = UpdateRunner(tr.net.layer_sizes, tr.batch_size, tuner=tuner)
    w.start()
    try:
        w.command("updates", 50)
        _wait_idle(w)
        assert w.tuner is tuner and tuner.probes >= 1 and tuner.best in (ONE, SPLIT, SERIAL)
    finally:
        assert w.quit()
    assert blas_threads.blas_threads() == before
    assert not [t for t in threading.enumerate() if t.name == "mlp-train-helper" and t.is_alive()]


def _adopt_with_cost(win, qtbot, seconds_per_frame, frames=16, big=True):
    """Play with every adopted frame costing ``seconds_per_frame`` of fake CPU."""
    import copy

    ctl = win.controller
    ctl.budget_parameters = 0 if big else 10**9  # the budget for XOR as if it were mnist_like
    cpu = [0.0]
    ctl.cpu_clock = lambda: cpu[0]
    seen = []

    def shown(_snap):
        cpu[0] += seconds_per_frame
        seen.append(ctl.timer.interval())

    ctl.snapshot.connect(shown)
    s = copy.deepcopy(win.doc.settings)
    s.epochs, s.target_loss = 1_000_000, None
    win.edits.set_settings(s)
    ctl.play()
    qtbot.waitUntil(lambda: len(seen) >= frames, timeout=60000)
    assert ctl.pause()
    return ctl


def test_cheap_frames_are_adopted_at_the_display_rate(win, qtbot):
    ctl = _adopt_with_cost(win, qtbot, 0.0004)  # 0.4 ms a frame
    assert ctl.timer.interval() == ctl.frame_interval == 33


def test_a_small_network_keeps_the_display_rate_whatever_its_frames_cost(win, qtbot):
    ctl = _adopt_with_cost(win, qtbot, 0.003, big=False)  # XOR with its plots: ~3 ms a frame
    assert ctl.frame_cost > 0.002 and ctl.timer.interval() == 33


def test_costly_frames_are_spaced_to_keep_within_the_budget(win, qtbot):
    from app.training_controller import ADOPT_BUDGET, SLOWEST_FRAME

    ctl = _adopt_with_cost(win, qtbot, 0.0009)  # mnist_like's 0.9 ms a frame: at most 1.5 % of a core
    assert 0.00085 < ctl.frame_cost <= 0.0009
    assert ctl.timer.interval() == round(1000 * ctl.frame_cost / ADOPT_BUDGET)
    assert 57 <= ctl.timer.interval() <= 60
    ctl = _adopt_with_cost(win, qtbot, 0.5, frames=24)  # a costly one counts as 10 ms; never below 10 Hz
    assert ctl.timer.interval() == SLOWEST_FRAME
