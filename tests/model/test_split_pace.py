"""The worker's share of a split stack follows its observed pace (model/train/split_pace.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.train import split_pace as sp


@pytest.mark.parametrize("k,b", [(2, 1), (3, 1), (16, 8), (17, 8), (16, 6), (16, 1), (16, 15), (5, 4)])
def test_the_share_parts_the_runs_and_spreads_the_workers_over_the_rates(k, b):
    mine, theirs = sp.share(k, b)
    assert len(theirs) == b and np.array_equal(np.sort(np.concatenate([mine, theirs])), np.arange(k))
    # spread evenly: the worker's runs lie k / b apart, rounded either way
    gaps = set(np.diff(theirs).tolist()) | {int(theirs[0]) + 1 + (k - 1 - int(theirs[-1]))}
    assert gaps <= {k // b, -(-k // b)}


def test_half_and_half_is_the_even_and_the_odd_runs():
    for k in (2, 3, 8, 16, 17):
        mine, theirs = sp.share(k, k // 2)
        assert mine.tolist() == list(range(0, k, 2)) and theirs.tolist() == list(range(1, k, 2))


def test_a_slower_worker_gets_fewer_runs_so_both_halves_end_together():
    assert sp.worker_runs(16, 1.0) == 8 and sp.worker_runs(3, 1.0) == 1 and sp.worker_runs(2, 1.0) == 1
    for s, b in [(1.11, 7), (1.42, 6), (2.0, 4), (0.9, 9), (0.5, 12)]:
        assert sp.worker_runs(16, s) == b
        # (FIXED_RUNS + runs) × pace: the halves' times are as equal as whole runs allow
        t_main, t_worker = sp.FIXED_RUNS + 16 - b, s * (sp.FIXED_RUNS + b)
        for other in (b - 1, b + 1):
            assert (
                max(t_main, t_worker) <= max(sp.FIXED_RUNS + 16 - other, s * (sp.FIXED_RUNS + other)) + 1e-9
            )
    assert sp.worker_runs(2, 100.0) == 1 and sp.worker_runs(2, 0.01) == 1  # each half keeps a run


def test_the_pace_follows_observations_as_a_geometric_mean_within_its_limit():
    assert sp.pace() == 1.0
    sp.observe(1.0, 10.0, 1.5, 10.0)  # the worker took 1.5× as long for the same work
    assert sp.pace() == pytest.approx(math.sqrt(1.5))
    sp.observe(1.0, 10.0, 1.5, 10.0)
    assert sp.pace() == pytest.approx(1.5**0.75)
    sp.reset()
    sp.observe(1.0, 10.0, 1.0, 5.0)  # half the work in the same time: twice as slow
    assert sp.pace() == pytest.approx(math.sqrt(2.0))
    sp.reset()
    sp.observe(1.0, 1.0, 1e6, 1.0)  # a worker stalled once still gets a share later
    assert sp.pace() == pytest.approx(math.sqrt(sp.LIMIT))
    before = sp.pace()
    for bad in [(0.0, 1.0, 1.0, 1.0), (1.0, 1.0, 0.0, 1.0), (1.0, 0.0, 1.0, 1.0), (1.0, 1.0, math.nan, 1.0)]:
        sp.observe(*bad)  # a call that measured nothing tells nothing
    assert sp.pace() == before


def test_work_counts_updates_and_run_rows():
    assert sp.work(10, 10 * 8 * 32, 32) == 10 * sp.FIXED_RUNS + 80
