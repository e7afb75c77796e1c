"""GuiTurn: the training worker waits out the GUI's frames between updates (fake clock,
counted naps; nothing timed), and the window marks its training and wave frames."""

import time

import pytest

from app.document import Document
from app.gui_turn import HOLD, SHORT_UPDATE, GuiTurn
from app.main_window import MainWindow
from app.training_worker import TrainingWorker
from model.data.datasets import make_dataset
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.trainer import Trainer, TrainSettings


def _fake_turn():
    clock = [0.0]
    naps = []

    def sleep(s):
        naps.append(s)
        clock[0] += s

    return GuiTurn(clock=lambda: clock[0], sleep=sleep), clock, naps


def test_wait_returns_at_once_unless_a_frame_is_marked_and_a_frame_lasts_at_most_hold():
    turn, clock, naps = _fake_turn()
    turn.wait()
    assert naps == [] and not turn.active
    turn.begin()
    assert turn.active
    turn.wait()  # nobody ends the frame: the worker waits HOLD, no longer
    assert sum(naps) == pytest.approx(HOLD, abs=1e-3) and not turn.active
    naps.clear()
    turn.begin()
    turn.end()
    turn.wait()
    assert naps == [] and not turn.active
    turn.begin()
    turn.wait(last_update=2 * SHORT_UPDATE)  # long updates hold the lock little: no wait
    assert naps == [] and turn.active


def test_the_worker_waits_for_a_frame_before_each_update():
    ds = make_dataset("circles", n=64, noise=0.1, seed=0)
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], loss="bce"))
    settings = TrainSettings(optimizer="sgd", lr=0.1, batch_size=8, epochs=10_000, target_loss=None)
    w = TrainingWorker(Trainer(net, ds.X, ds.T, settings), None, None, epoch_limit=10_000)
    steps_seen = []

    class Turn(GuiTurn):
        def wait(self, last_update=0.0):  # what the worker had done each time it asked
            steps_seen.append(w.trainer.step)

    w.turn = Turn()
    w.start()
    try:
        w.command("updates", 50)
        end = time.monotonic() + 60
        while not w.idle.wait(0.05):
            assert time.monotonic() < end
    finally:
        assert w.quit()
    assert w.trainer.step == 50 and steps_seen == list(range(50))  # asked before every update
    assert w.update_seconds > 0  # the updates' own time, summed (benches: the rest is publishing)


def test_the_trainer_sees_the_gui_frame_of_whichever_turn_the_worker_has():
    # big updates run at one BLAS thread while a frame is marked (UpdateRunner.crowded)
    ds = make_dataset("circles", n=16, noise=0.1, seed=0)
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], loss="bce"))
    w = TrainingWorker(Trainer(net, ds.X, ds.T, TrainSettings(batch_size=8)), None, None)
    assert w.trainer.crowded() is False
    turn, clock, _ = _fake_turn()
    w.turn = turn  # what the controller does: its own turn
    turn.begin()
    assert w.trainer.crowded() is True
    turn.end()
    assert w.trainer.crowded() is False


def test_the_window_marks_training_and_wave_frames_and_ends_them_after_painting(qtbot):
    win = MainWindow(Document())
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    turn = win.controller.turn
    assert win.teaching.waves.turn is turn and win.plots.panels["loss"].turn is turn
    marks = []
    real_begin, real_end = turn.begin, turn.end
    turn.begin = lambda: (marks.append("begin"), real_begin())
    turn.end = lambda: (marks.append("end"), real_end())
    try:
        win.acts["waves"].setChecked(True)
        win.controller.play()
        qtbot.waitUntil(lambda: win.controller.worker is not None and win.controller.worker.turn is turn)
        qtbot.waitUntil(lambda: marks.count("begin") >= 10, timeout=20000)
    finally:
        win.controller.shutdown()
        win.teaching.waves.stop()
    qtbot.waitUntil(lambda: marks.count("end") == marks.count("begin"), timeout=5000)
    assert not turn.active  # every frame ended by the window, none left to run out
