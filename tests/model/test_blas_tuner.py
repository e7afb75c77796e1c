"""The BLAS thread tuner picks the count whose updates are fastest, re-measures
as the load changes, and hands the original count back (fake clock, fake setter)."""

import pytest

from model.train.blas_tuner import BlasThreadTuner, candidate_counts


class FakeBlas:
    """Update durations per thread count; ``run(n)`` advances the fake clock."""

    def __init__(self, cost):
        self.cost, self.now, self.calls, self.threads = dict(cost), 0.0, [], 2

    def set(self, n):
        self.calls.append(n)
        self.threads = n

    def run(self, tuner, updates):
        for _ in range(updates):
            self.now += self.cost[self.threads]
            tuner.update_done()


def _tuner(blas, **kw):
    return BlasThreadTuner(blas.set, (1, 2), original=2, clock=lambda: blas.now, **kw)


def test_candidates_are_one_all_but_one_and_all_cores():
    assert candidate_counts(1) == (1,)
    assert candidate_counts(2) == (1, 2)
    assert candidate_counts(8) == (1, 7, 8)


def test_a_loaded_machine_trains_on_one_thread():
    blas = FakeBlas({1: 0.005, 2: 0.030})  # two threads 6x slower: another thread wants a core
    t = _tuner(blas, probe_updates=4)
    t.start()
    blas.run(t, 20)
    assert t.probes == 1 and t.best == 1 and blas.threads == 1
    assert t.medians == pytest.approx({1: 0.005, 2: 0.030})


def test_a_quiet_machine_keeps_both_threads():
    blas = FakeBlas({1: 0.005, 2: 0.0037})
    t = _tuner(blas, probe_updates=4)
    t.start()
    blas.run(t, 20)
    assert t.best == 2 and blas.threads == 2


def test_the_losers_cost_a_bounded_number_of_updates_per_round():
    blas = FakeBlas({1: 0.005, 2: 0.030})
    t = _tuner(blas, probe_updates=4, reprobe_seconds=10.0)
    t.start()
    seen = []
    orig = blas.run

    def run_counting(tuner, updates):
        for _ in range(updates):
            seen.append(blas.threads)
            orig(tuner, 1)

    run_counting(t, 4000)  # ~20 s of one-thread updates: about three rounds
    assert t.probes >= 2
    assert seen.count(2) <= (t.probes + 1) * 4 + 1  # its turns per round (and one warm-up)


def test_a_change_of_load_is_found_at_the_next_round():
    blas = FakeBlas({1: 0.005, 2: 0.030})
    t = _tuner(blas, probe_updates=4, reprobe_seconds=1.0)
    t.start()
    blas.run(t, 20)
    assert t.best == 1
    blas.cost = {1: 0.005, 2: 0.002}  # the other process ended
    blas.run(t, 400)
    assert t.best == 2 and blas.threads == 2


def test_a_pause_is_not_timed_and_restore_gives_the_original_count_back():
    blas = FakeBlas({1: 0.005, 2: 0.030})
    t = _tuner(blas, probe_updates=4)
    t.start()
    blas.run(t, 3)
    blas.now += 100.0  # paused: the worker calls start() again before the next update
    t.start()
    blas.run(t, 20)
    assert t.medians[1] == pytest.approx(0.005) and t.best == 1  # the 100 s pause not in it
    t.restore()
    assert blas.calls[-1] == 2 and t.threads is None


def test_only_the_tuner_that_set_the_count_last_restores_it():
    blas = FakeBlas({1: 0.005, 2: 0.030})
    old, new = _tuner(blas, probe_updates=2), _tuner(blas, probe_updates=2)
    old.start()
    new.start()  # a new worker started while the retired one still ends
    calls = len(blas.calls)
    old.restore()
    assert len(blas.calls) == calls  # the new tuner's count stays
    new.restore()


def test_turns_make_a_burst_of_load_hit_every_candidate_alike():
    blas = FakeBlas({1: 0.005, 2: 0.006})
    t = _tuner(blas, probe_updates=8)
    t.start()
    order = []
    for k in range(17):
        if k in (4, 5, 6, 7):  # another process runs for four updates
            blas.now += 0.050
        order.append(blas.threads)
        blas.run(t, 1)
    assert order[1:] == [1, 2] * 8  # one warm-up update, then turns
    assert t.best == 1  # the burst did not decide it


def test_a_near_tie_keeps_one_thread_and_more_threads_are_checked_sooner():
    blas = FakeBlas({1: 0.00809, 2: 0.00757})  # 2 threads 7 % faster: not worth the risk
    t = _tuner(blas, probe_updates=4, reprobe_seconds=8.0)
    t.start()
    blas.run(t, 10)
    assert t.best == 1
    blas.cost = {1: 0.0048, 2: 0.0037}  # a quiet machine: 2 threads 1.3x faster
    blas.run(t, 2000)  # the next round, 8 s on
    assert t.best == 2
    rounds = t.probes
    blas.run(t, 600)  # 2.2 s on 2 threads: one more round already (every 8 / 4 s)
    assert t.probes == rounds + 1
