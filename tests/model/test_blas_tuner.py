"""The update tuner picks the fastest way to run an update from the timings it
is given, prefers fewer cores on a near tie, measures again after its interval,
and the Trainer runs each update in the chosen mode with BLAS put back after
and its helper thread joined (fake clocks: nothing here is timed)."""

import threading

import numpy as np
import pytest

from model.nn import blas_threads, parallel_update
from model.nn.network import Network, NetworkSpec
from model.train import blas_tuner, update_modes
from model.train.blas_tuner import UpdateTuner
from model.train.trainer import Trainer, TrainSettings
from model.train.update_modes import ONE, SERIAL, SPLIT, UpdateRunner

MODES = (ONE, SPLIT, SERIAL)


@pytest.fixture(autouse=True)
def _no_early_second_round(monkeypatch):
    # the tests below follow rounds at their intervals; the early second round has its own test
    monkeypatch.setattr(blas_tuner, "FIRST_RECHECK", float("inf"))


class FakeLoad:
    """Seconds per update for each mode; ``run`` advances the fake clock by them."""

    def __init__(self, cost):
        self.cost, self.now = dict(cost), 0.0

    def clock(self):
        return self.now

    def run(self, tuner, updates):
        seen = []
        for _ in range(updates):
            mode = tuner.begin()
            seen.append(mode)
            self.now += self.cost[mode]
            tuner.end()
        return seen


def _tuner(load, **kw):
    kw.setdefault("switch_warmup", 0)  # turns of one timed update each (the warm-up's own test below)
    return UpdateTuner(MODES, clock=load.clock, **kw)


def test_the_fastest_mode_is_chosen():
    load = FakeLoad({ONE: 0.0043, SPLIT: 0.0046, SERIAL: 0.0030})  # a quiet machine
    t = _tuner(load, probe_updates=4)
    load.run(t, 13)  # a warm-up, then 4 turns of 3
    assert t.probes == 1 and t.best == SERIAL and t.current == SERIAL
    assert t.medians == pytest.approx({ONE: 0.0043, SPLIT: 0.0046, SERIAL: 0.0030})
    assert set(load.run(t, 50)) == {SERIAL}  # and kept until the next round
    loaded = FakeLoad({ONE: 0.0053, SPLIT: 0.0050, SERIAL: 0.0230})  # another process wants a core
    t = _tuner(loaded, probe_updates=4)
    loaded.run(t, 13)
    assert t.best == SPLIT


def test_a_near_tie_goes_to_the_fewest_cores():
    load = FakeLoad({ONE: 0.00500, SPLIT: 0.00490, SERIAL: 0.00495})  # within 3 %
    t = _tuner(load, probe_updates=4)
    load.run(t, 13)
    assert t.best == ONE


def test_turns_make_a_burst_of_load_hit_every_mode_alike():
    load = FakeLoad({ONE: 0.005, SPLIT: 0.0045, SERIAL: 0.006})
    t = _tuner(load, probe_updates=4)
    order = []
    for k in range(13):
        if k in (4, 5, 6):  # another process runs for three updates: one of each mode
            load.now += 0.050
        order += load.run(t, 1)
    assert order[0] == ONE and order[1:] == list(MODES) * 4  # a warm-up, then turns
    assert t.best == SPLIT  # the burst did not decide it


def test_the_losers_cost_a_bounded_number_of_updates_per_round():
    load = FakeLoad({ONE: 0.005, SPLIT: 0.004, SERIAL: 0.030})
    t = _tuner(load, probe_updates=4, reprobe_seconds=8.0)
    seen = load.run(t, 6000)  # ~24 s: SPLIT uses 2 cores, so a round every 2 s
    assert t.best == SPLIT and t.probes >= 10
    rounds = t.probes + 1  # the last one may be under way
    assert seen.count(SERIAL) <= rounds * 4 and seen.count(ONE) <= rounds * 5  # its turns and the warm-up


def test_a_change_of_load_is_found_after_the_interval():
    load = FakeLoad({ONE: 0.005, SPLIT: 0.012, SERIAL: 0.030})
    t = _tuner(load, probe_updates=3, reprobe_seconds=1.0)
    load.run(t, 10)
    assert t.best == ONE and t.probes == 1
    load.cost = {ONE: 0.005, SPLIT: 0.004, SERIAL: 0.003}  # the other process ended
    load.run(t, 150)  # 0.75 s: before the next round
    assert t.best == ONE and t.probes == 1
    load.run(t, 100)  # the interval has passed: a round, which finds the new fastest
    assert t.probes == 2 and t.best == SERIAL


class SwitchPenalty(FakeLoad):
    """The first update after a switch into a mode costs ``extra[mode]`` more (a BLAS thread waking)."""

    def __init__(self, cost, extra):
        super().__init__(cost)
        self.extra, self.last = extra, None

    def run(self, tuner, updates):
        seen = []
        for _ in range(updates):
            mode = tuner.begin()
            seen.append(mode)
            self.now += self.cost[mode] + (self.extra.get(mode, 0.0) if mode != self.last else 0.0)
            self.last = mode
            tuner.end()
        return seen


def test_the_update_after_a_switch_of_mode_is_not_timed():
    cost = {ONE: 0.0009, SPLIT: 0.0011, SERIAL: 0.0006}  # wide float32 on a quiet machine
    load = SwitchPenalty(cost, extra={SERIAL: 0.0004})
    t = UpdateTuner(MODES, clock=load.clock, probe_updates=4)  # the default: one warm-up a switch
    seen = load.run(t, 24)  # the round's warm-up (one thread), then 12 turns
    assert t.probes == 1 and t.best == SERIAL
    assert t.medians == pytest.approx(cost)  # no switch's cost in any timing
    # each turn after a switch is two updates, the first untimed; the first turn follows the
    # round's warm-up in its own mode
    assert (
        seen
        == [ONE, ONE] + [m for m in (SPLIT, SERIAL, ONE) for _ in (0, 1)] * 3 + [SPLIT] * 2 + [SERIAL] * 2
    )
    assert set(load.run(t, 20)) == {SERIAL}
    # timing the first update after each switch, as before, made the 2-thread mode look
    # slower than one thread (0.6 + 0.4 ms against 0.9): a 1.5x slower choice
    load = SwitchPenalty(cost, extra={SERIAL: 0.0004})
    t = _tuner(load, probe_updates=4)
    load.run(t, 13)
    assert t.probes == 1 and t.medians[SERIAL] == pytest.approx(0.0010) and t.best == ONE


class Sequenced(FakeLoad):
    """Per mode, the costs of its successive updates (the last one repeats)."""

    def __init__(self, costs):
        super().__init__({})
        self.costs, self.seen = {m: list(v) for m, v in costs.items()}, dict.fromkeys(costs, 0)

    def run(self, tuner, updates):
        seen = []
        for _ in range(updates):
            mode = tuner.begin()
            seen.append(mode)
            v = self.costs[mode]
            self.now += v[min(self.seen[mode], len(v) - 1)]
            self.seen[mode] += 1
            tuner.end()
        return seen


def test_fewer_threads_chosen_on_mixed_evidence_are_looked_at_again_soon():
    # the second core taken for most of a round: 2 threads' median loses, but one of its
    # updates was far faster than one thread's; soon after, the core is there again
    load = Sequenced({ONE: [0.0009], SPLIT: [0.0011], SERIAL: [0.0006, 0.0013, 0.0013, 0.0013, 0.0006]})
    t = _tuner(load, probe_updates=4)
    load.run(t, 13)
    assert t.probes == 1 and t.best == ONE
    assert t._next_round - load.now <= blas_tuner.MIXED_RECHECK + 1e-9
    load.run(t, 80)  # 0.07 s: a second round, which finds 2 threads fast again
    assert t.probes == 2 and t.best == SERIAL
    # the same choice on clear evidence (2 threads slow in every update) holds the interval
    load = Sequenced({ONE: [0.0009], SPLIT: [0.0011], SERIAL: [0.0013]})
    t = _tuner(load, probe_updates=4)
    load.run(t, 13)
    assert t.best == ONE and t._next_round - load.now >= blas_tuner.MIN_INTERVAL


def test_a_pause_between_updates_is_not_timed():
    load = FakeLoad({ONE: 0.005, SPLIT: 0.004, SERIAL: 0.003})
    t = _tuner(load, probe_updates=2)
    load.run(t, 3)
    load.now += 100.0  # paused between two updates
    load.run(t, 4)
    assert t.probes == 1 and t.best == SERIAL
    assert max(t.medians.values()) < 0.01


def test_candidates_only_where_the_choice_can_matter(monkeypatch):
    monkeypatch.setattr(parallel_update, "FORCE", None)
    monkeypatch.setattr(parallel_update, "_cores", lambda: 2)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: 2)
    wide, digits, tiny = [784, 256, 128, 10], [64, 128, 64, 10], [2, 8, 8, 1]
    assert update_modes.candidates(wide, 128) == (ONE, SPLIT, SERIAL)
    assert update_modes.candidates(digits, 32) == (ONE, SERIAL)  # 32·65·128 > 262,144: threaded
    assert update_modes.candidates(digits, 16) == (SERIAL,)  # no gemm OpenBLAS would thread
    assert update_modes.candidates(tiny, 10) == (SERIAL,)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: 1)  # the user asked for one thread
    assert update_modes.candidates(wide, 128) == (SERIAL,)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: None)  # BLAS not controllable
    assert update_modes.candidates(wide, 128) == (SERIAL,)
    monkeypatch.setattr(blas_threads, "blas_threads", lambda: 2)
    monkeypatch.setattr(parallel_update, "_cores", lambda: 1)
    assert update_modes.candidates(wide, 128) == (SERIAL,)
    monkeypatch.setattr(parallel_update, "FORCE", True)
    assert update_modes.candidates(tiny, 10) == (SPLIT,)


def _helpers():
    return [t for t in threading.enumerate() if t.name == "mlp-train-helper" and t.is_alive()]


def _trainer(cost, epochs=4, **kw):
    """A small net whose updates 'cost' per mode on a fake clock; records what each saw."""
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(96, 6)), np.eye(3)[rng.integers(0, 3, 96)]
    net = Network(NetworkSpec([6, 10, 8, 3], ["relu", "tanh", "softmax"], loss="cross_entropy", seed=0))
    tr = Trainer(net, X, T, TrainSettings(optimizer="adam", lr=0.01, batch_size=8, epochs=epochs, seed=0))
    load = FakeLoad(cost)
    kw.setdefault("switch_warmup", 0)
    tuner = UpdateTuner(MODES, clock=load.clock, **kw)
    tr._runner = UpdateRunner(net.layer_sizes, tr.batch_size, tuner=tuner)
    seen = []
    real = net.gradients_augmented

    def grad(xb, tb, pair=None):
        seen.append((tuner.current, pair is not None, blas_threads.blas_threads()))
        load.now += load.cost[tuner.current]
        return real(xb, tb, pair=pair)

    net.gradients_augmented = grad
    return tr, tuner, load, seen


def test_the_trainer_runs_each_update_in_the_chosen_mode_and_restores_blas():
    before = blas_threads.blas_threads()
    tr, tuner, load, seen = _trainer({ONE: 0.009, SPLIT: 0.004, SERIAL: 0.020}, probe_updates=3)
    gen = tr.updates()
    next(gen)
    assert blas_threads.blas_threads() == before  # BLAS limited only inside an update
    gen.close()
    assert not _helpers()
    assert tr.train() == "epoch limit reached"
    assert tuner.probes >= 1 and tuner.best == SPLIT
    assert [m for m, _, _ in seen[-20:]] == [SPLIT] * 20
    for mode, paired, threads in seen:
        assert paired == (mode == SPLIT)  # the split gets the helper, the others not
        if before is not None:
            assert threads == (before if mode == SERIAL else 1)
    assert blas_threads.blas_threads() == before
    assert not _helpers()  # the helper joined at every epoch's end


def test_the_mode_does_not_change_the_results():
    runs = []
    for cost in ({ONE: 0.001, SPLIT: 0.01, SERIAL: 0.01}, {ONE: 0.01, SPLIT: 0.001, SERIAL: 0.01}):
        tr, tuner, _, seen = _trainer(cost, probe_updates=2)
        tr.train()
        runs.append((tr.net._flat.copy(), np.array(tr.history.update_loss.values)))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-12)


def test_an_exception_in_an_update_restores_blas_and_joins_the_helper():
    before = blas_threads.blas_threads()
    tr, tuner, load, seen = _trainer({ONE: 0.01, SPLIT: 0.001, SERIAL: 0.01}, probe_updates=2)
    tr.run_epoch()
    assert tuner.best == SPLIT
    grad = tr.net.gradients_augmented

    def failing(xb, tb, pair=None):
        if len(seen) == 20:
            raise MemoryError("simulated")
        return grad(xb, tb, pair=pair)

    tr.net.gradients_augmented = failing
    with pytest.raises(MemoryError):
        tr.run_epoch()
    assert blas_threads.blas_threads() == before
    assert not _helpers()


def test_a_far_slower_mode_sits_out_the_rest_of_the_round():
    load = FakeLoad({ONE: 0.010, SPLIT: 0.011, SERIAL: 0.080})  # OpenBLAS's 2 threads under load
    t = _tuner(load, probe_updates=4)
    seen = load.run(t, 11)  # a warm-up, one turn each, then ONE and SPLIT only
    assert seen.count(SERIAL) == 1 and t.probes == 1 and t.best == ONE
    load = FakeLoad({ONE: 0.010, SPLIT: 0.011, SERIAL: 0.030})  # 3×: out after its second turn
    t = _tuner(load, probe_updates=4)
    seen = load.run(t, 12)
    assert seen.count(SERIAL) == 2 and t.probes == 1 and t.best == ONE


def test_a_new_tuner_of_the_same_updates_starts_from_the_last_choice():
    key = ("test", object())  # a key no other test uses
    load = FakeLoad({ONE: 0.005, SPLIT: 0.004, SERIAL: 0.003})
    first = _tuner(load, probe_updates=2, reprobe_seconds=8.0, key=key)
    load.run(first, 7)
    assert first.probes == 1 and first.best == SERIAL
    second = _tuner(load, probe_updates=2, reprobe_seconds=8.0, key=key)  # a new Trainer, moments later
    assert set(load.run(second, 100)) == {SERIAL} and second.probes == 0
    load.now += 2.0  # SERIAL uses two cores: its next round was due 2 s after the first
    load.run(second, 20)
    assert second.probes == 1
    other = _tuner(load, probe_updates=2, key=("test", object()))  # other updates measure anew
    assert load.run(other, 1) == [ONE] and other.probing


def test_a_stale_choice_of_the_most_threads_is_checked_on_its_own_updates():
    key = ("test", object())
    load = FakeLoad({ONE: 0.005, SPLIT: 0.004, SERIAL: 0.003})
    first = _tuner(load, probe_updates=2, reprobe_seconds=8.0, key=key)
    load.run(first, 7)
    assert first.best == SERIAL
    load.now += 30.0  # long after its next round was due
    again = _tuner(load, probe_updates=2, reprobe_seconds=8.0, key=key)
    assert load.run(again, 3) == [SERIAL] * 3 and not again.probing  # a warm-up and 2 checked
    assert set(load.run(again, 100)) == {SERIAL} and again.probes == 0  # as fast: it stands
    load.run(again, 300)  # its next round comes after the wait its first round set (1 s)
    assert again.probes == 1
    # more load since: the check finds it slower and a round follows at once
    load.now += 30.0
    load.cost = {ONE: 0.005, SPLIT: 0.006, SERIAL: 0.020}
    later = _tuner(load, probe_updates=2, key=key)
    assert load.run(later, 3) == [SERIAL] * 3
    load.run(later, 10)
    assert later.probes == 1 and later.best == ONE
    # a stale choice of fewer threads gets a round (less load may have made more threads pay)
    load.now += 30.0
    load.cost = {ONE: 0.005, SPLIT: 0.004, SERIAL: 0.003}
    fewer = _tuner(load, probe_updates=2, key=key)
    assert load.run(fewer, 1) == [ONE] and fewer.probing


def test_a_mode_cut_off_by_a_passing_burst_is_measured_again_soon():
    # the GUI's first frames land on 2-thread updates: SERIAL's one turn takes 84 ms
    load = FakeLoad({ONE: 0.0038, SPLIT: 0.0050, SERIAL: 0.0025})
    t = _tuner(load, probe_updates=4, reprobe_seconds=20.0)
    mode = t.begin()  # the warm-up
    load.now += load.cost[mode]
    t.end()
    for _ in range(3):  # ONE, SPLIT, then SERIAL's turn meets the burst
        mode = t.begin()
        load.now += 0.084 if mode == SERIAL else load.cost[mode]
        t.end()
    load.run(t, 6)  # ONE and SPLIT finish the round without SERIAL
    assert t.probes == 1 and t.best == ONE
    load.run(t, 400)  # 1.5 s: not yet
    assert t.probes == 1
    load.run(t, 400)  # 2 s after that round (not 20): SERIAL measured again, and it wins
    assert t.probes == 2 and t.best == SERIAL


def test_rounds_that_keep_cutting_a_mode_off_back_off_to_the_interval():
    load = FakeLoad({ONE: 0.010, SPLIT: 0.011, SERIAL: 0.080})  # under load for good
    t = _tuner(load, probe_updates=4, reprobe_seconds=20.0)
    starts = []
    for _ in range(12000):  # ~120 s
        was = t.probes
        load.run(t, 1)
        if t.probes > was:
            starts.append(load.now)
    gaps = np.diff(starts)
    assert t.best == ONE
    # 2, 4 s after the cut-off rounds (plus the round and the clock checks: < 0.5 s), then
    # the round's extra cost (SERIAL's update 70 ms, SPLIT's four 1 ms) over 1 %: 7.4 s
    assert gaps[:2] == pytest.approx([2.0, 4.0], abs=0.5)
    assert gaps[2:] == pytest.approx([7.4] * len(gaps[2:]), abs=0.5)
    # each round gave SERIAL one update and SPLIT four: ~1 % of the time in all
    assert 12 <= len(starts) <= 18


def test_a_round_that_cost_little_is_repeated_soon():
    # a near tie costs a round next to nothing: measured again each MIN_INTERVAL, not each 20 s
    load = FakeLoad({ONE: 0.0050, SPLIT: 0.0052, SERIAL: 0.0049})
    t = _tuner(load, probe_updates=4, reprobe_seconds=20.0)
    load.run(t, 13)
    assert t.best == ONE and t.probes == 1
    load.cost = {ONE: 0.0050, SPLIT: 0.0052, SERIAL: 0.0030}  # the burst that hid SERIAL's gain ended
    load.run(t, 180)  # 0.9 s: not yet
    assert t.probes == 1 and t.best == ONE
    load.run(t, 60)  # past MIN_INTERVAL (1 s): a round, which finds SERIAL
    assert t.probes == 2 and t.best == SERIAL


def test_crowded_updates_run_at_one_blas_thread_and_are_not_timed():
    # while the GUI paints a frame, a 2-thread gemm would wait for its core
    before = blas_threads.blas_threads()
    tr, tuner, load, seen = _trainer({ONE: 0.009, SPLIT: 0.004, SERIAL: 0.003}, epochs=1, probe_updates=3)
    crowd = iter([True] * 2 + [False] * 1000)
    tr.crowded = lambda: next(crowd)
    gen = tr.updates()
    for _ in range(2):  # crowded: one BLAS thread, no helper, the tuner neither started nor timed
        next(gen)
    assert [s[1:] for s in seen] == [(False, None if before is None else 1)] * 2
    assert tuner.probes == 0 and not tuner.probing and not tuner.medians
    for _ in range(10):  # then the tuner's round: a warm-up and 3 turns of 3 modes
        next(gen)
    assert tuner.probes == 1 and tuner.best == SERIAL and len(seen) == 12
    gen.close()
    assert not _helpers()


def test_a_tuners_second_round_follows_its_first_soon(monkeypatch):
    # a fresh process's first round met the second core waking: 2-thread updates lost
    monkeypatch.setattr(blas_tuner, "FIRST_RECHECK", 0.05)
    load = FakeLoad({ONE: 0.0010, SPLIT: 0.0012, SERIAL: 0.0020})  # the core still waking
    t = _tuner(load, probe_updates=4, reprobe_seconds=20.0)
    load.run(t, 13)
    assert t.probes == 1 and t.best == ONE
    load.cost = {ONE: 0.0010, SPLIT: 0.0012, SERIAL: 0.0006}  # awake
    load.run(t, 80)  # 0.08 s: past FIRST_RECHECK and the next clock check, a round
    assert t.probes == 2 and t.best == SERIAL
    load.run(t, 400)  # then the usual pacing: SERIAL (2 cores) a quarter of 20 s at most
    assert t.probes == 2


def test_a_first_round_won_by_the_most_threads_is_not_repeated_early(monkeypatch):
    # a waking core only slows the many-thread candidates: their win needs no second look
    monkeypatch.setattr(blas_tuner, "FIRST_RECHECK", 0.05)
    load = FakeLoad({ONE: 0.0010, SPLIT: 0.0012, SERIAL: 0.0006})
    t = _tuner(load, probe_updates=4, reprobe_seconds=20.0)
    load.run(t, 13)
    assert t.probes == 1 and t.best == SERIAL
    assert set(load.run(t, 800)) == {SERIAL}  # 0.48 s: past FIRST_RECHECK, short of MIN_INTERVAL
    assert t.probes == 1
    load.run(t, 1000)  # then the cost-paced wait (at least MIN_INTERVAL) brings the next round
    assert t.probes == 2
