"""Training pace: the scheduler, driven by a fake clock (never wall time)."""

import math

import numpy as np
import pytest

from model.nn.network import Network, NetworkSpec
from model.train.pace import PACES, PaceScheduler, pace_by_key
from model.train.trainer import Trainer, TrainSettings

X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
T_XOR = np.array([[0], [1], [1], [0]], float)


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def _play(trainer, sched, clock, seconds, tick=0.01):
    """The worker's loop: run every update the scheduler allows, then let time pass."""
    gen = None
    end = clock.t + seconds
    while True:
        while sched.due() > 0:
            if gen is None:
                gen = trainer.updates()
            try:
                next(gen)
            except StopIteration:
                gen = None
                continue
            sched.done()
        if clock.t >= end - 1e-12:
            return
        clock.t += tick


@pytest.mark.parametrize("batch_size", [None, 1])
def test_ten_updates_per_second_makes_about_ten_updates_in_one_second(batch_size):
    clock = FakeClock()
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "sigmoid"], seed=1))
    tr = Trainer(net, X_XOR, T_XOR, TrainSettings(batch_size=batch_size, epochs=10_000))
    sched = PaceScheduler("10", tr.updates_per_epoch, clock=clock)
    _play(tr, sched, clock, seconds=1.0)
    assert sched.elapsed() == pytest.approx(1.0)
    assert 8 <= tr.step <= 12
    assert tr.step == 11  # t = 0, 0.1, …, 1.0


def test_slow_motion_is_one_update_per_second_and_waits_in_between():
    clock = FakeClock()
    sched = PaceScheduler("slow", clock=clock)
    assert sched.due() == 1
    sched.done()
    assert sched.due() == 0
    assert sched.wait_time() == pytest.approx(1.0)
    clock.t += 0.4
    assert sched.wait_time() == pytest.approx(0.6)
    clock.t += 0.6
    assert sched.due() == 1
    assert pace_by_key("slow").slow_motion and not pace_by_key("10").slow_motion


def test_epoch_pace_counts_in_epochs():
    clock = FakeClock()
    sched = PaceScheduler("epoch", updates_per_epoch=25, clock=clock)
    assert sched.rate == 25
    made = 0
    for _ in range(200):  # two seconds in 10-ms ticks
        n = sched.due()
        sched.done(n)
        made += n
        clock.t += 0.01
    assert made == 50  # two epochs of 25 updates (the 51st is due at t = 2.0)


def test_a_stalled_worker_catches_up_by_a_quarter_second_at_most():
    clock = FakeClock()
    sched = PaceScheduler("100", clock=clock)
    sched.done(sched.due())
    clock.t += 5.0  # the machine froze for five seconds
    assert sched.due() == 25
    sched.done(25)
    assert sched.due() == 0


def test_full_speed_never_waits_and_unknown_paces_are_refused():
    sched = PaceScheduler("full", clock=FakeClock())
    assert sched.due() > 1_000_000 and sched.wait_time() == 0.0 and math.isinf(sched.rate)
    with pytest.raises(ValueError, match="unknown pace 'warp'"):
        pace_by_key("warp")
    assert [p.key for p in PACES] == ["slow", "10", "100", "epoch", "full"]


def test_changing_pace_restarts_the_count():
    clock = FakeClock()
    sched = PaceScheduler("slow", clock=clock)
    sched.done(sched.due())
    clock.t += 0.5
    sched.set_pace("100")
    assert sched.due() == 1 and sched.elapsed() == 0.0


def test_pace_is_saved_with_the_project_and_old_files_load(tmp_path):
    import json

    from model.io.project import ProjectError, load_project, project_from_dict, save_project

    path = tmp_path / "p.json"
    old = json.loads(open("resources/examples/xor_train.json").read())
    assert "view" not in old  # a file written before the pace existed
    p = project_from_dict(old)
    assert p.pace == "full"
    p.pace = "10"
    save_project(p, path)
    assert json.loads(path.read_text())["view"] == {"pace": "10"}
    assert load_project(path).pace == "10"
    with pytest.raises(ProjectError, match="view.pace: unknown pace 'warp'"):
        project_from_dict(old | {"view": {"pace": "warp"}})
    with pytest.raises(ProjectError, match="view.zoom: unknown field"):
        project_from_dict(old | {"view": {"zoom": 2}})
