"""A stack of runs split over two threads (model.train.batched_split) equals the
sequential runs, stops cleanly and leaves no thread or BLAS setting behind."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from model.analysis.sweeps import lr_sweep
from model.nn import blas_threads
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train import batched_split, stack_pool
from model.train.batched import BatchedTrainer
from model.train.batched_split import SplitTrainer, make_stack, pays
from model.train.trainer import STOP_DIVERGED, STOP_EPOCHS, STOP_USER, TrainSettings
from tests.model.test_batched import _data, _sequential


def _net(seed=3, out="sigmoid"):
    return Network(NetworkSpec([3, 5, 4, 1], ["tanh", "relu", out], seed=seed))


def _halves_alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == batched_split._THREAD_NAME]


def _check_split(net, X, T, s, lrs, epochs):
    before = threading.active_count()
    st = SplitTrainer(net, X, T, s, lrs)
    assert st.train(epochs) in (STOP_EPOCHS, STOP_DIVERGED)
    assert threading.active_count() == before and not _halves_alive()
    for k, lr in enumerate(lrs):
        losses, at, flat, message = _sequential(net, X, T, s, lr, epochs)
        assert st.diverged_at[k] == at, lr
        got = st.epoch_loss[k]
        np.testing.assert_allclose(got[: len(losses)], losses, rtol=1e-12, atol=1e-14)
        assert np.isnan(got[len(losses) :]).all()
        np.testing.assert_allclose(st.network(k)._flat, flat, rtol=1e-12, atol=1e-12)
        assert st.reasons[k] == message
    return st


@pytest.mark.parametrize(
    "optimizer,hyper,batch_size",
    [("sgd", {}, None), ("momentum", {"momentum": 0.9}, 8), ("adam", {}, 8), ("rmsprop", {}, 1)],
)
def test_split_runs_equal_sequential_with_divergence_in_one_half_only(optimizer, hyper, batch_size):
    X, T = _data(n=40)
    s = TrainSettings(optimizer=optimizer, lr=0.1, hyper=hyper, batch_size=batch_size, seed=5)
    # halves (every other rate) [0.01, 1e12, 0.1] and [0.3, 0.05]: only the first loses a run
    st = _check_split(_net(), X, T, s, [0.01, 0.3, 1e12, 0.05, 0.1], 6)
    assert st.diverged_at[2] > 0 and (np.delete(st.diverged_at, 2) == 0).all()
    assert len(st.halves[0].active) == 2 and len(st.halves[1].active) == 2


def test_a_half_that_diverges_entirely_stops_while_the_other_trains_on():
    X, T = _data(n=40)
    s = TrainSettings(optimizer="momentum", lr=0.1, hyper={"momentum": 0.9}, batch_size=8, seed=5)
    st = _check_split(_net(out="linear"), X, T, s, [1e12, 0.05, 1e13, 0.5], 8)
    first, second = st.halves
    assert len(first.active) == 0 and first.epoch < 8 and second.epoch == 8
    assert st.epoch == 8 and st.epoch_loss.shape == (4, 8) and list(st.active) == [1, 3]
    # a later train() call: the dead half stays stopped, the live one continues
    assert st.train(2) == STOP_EPOCHS and st.epoch == 10 and first.epoch < 8


@pytest.mark.parametrize("mode", [batched_split.THREAD, batched_split.PROCESS])
def test_lr_sweep_split_equals_unsplit(monkeypatch, mode):
    X, T = _data(n=40)
    s = TrainSettings(optimizer="adam", lr=0.1, batch_size=8, seed=2)
    lrs = [0.001, 0.01, 0.1, 1.0, 30.0, 1e4, 1e12]
    monkeypatch.setattr(batched_split, "FORCE_SPLIT", False)
    want = lr_sweep(_net(), X, T, s, lrs, 7, curvature=False)
    seen = []
    monkeypatch.setattr(batched_split, "FORCE_SPLIT", mode)
    got = lr_sweep(_net(), X, T, s, lrs, 7, curvature=False, progress=seen.append)
    np.testing.assert_allclose(got.losses, want.losses, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(got.diverged_at, want.diverged_at)
    assert want.diverged.any() and not want.diverged.all()
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    assert not _halves_alive()
    pool = stack_pool.POOL  # the worker (if any) was given back after each group
    assert all(w not in pool._leased for w in pool.workers())


def test_cancel_mid_epoch_stops_both_halves_and_restores_blas():
    X, T = _data(n=40)
    prev = blas_threads.set_blas_threads(2)
    try:
        seen_blas, calls, said_yes = {}, [], []

        def stop():
            name = threading.current_thread().name
            calls.append(name)
            seen_blas[blas_threads.blas_threads()] = True
            if said_yes:
                said_yes.append(name)
            elif calls.count(name) >= 3:  # each half's 3rd update of 5 per epoch
                said_yes.append(name)
            return bool(said_yes)

        st = SplitTrainer(_net(), X, T, TrainSettings(batch_size=8), [0.1, 0.2, 0.3, 0.4])
        assert st.train(50, should_stop=stop) == STOP_USER
        assert not _halves_alive()
        # no half finished an epoch, whatever the threads' interleaving
        assert st.epoch == 0 and st.epoch_loss.shape == (4, 0)
        if prev is not None:
            assert list(seen_blas) == [1] and blas_threads.blas_threads() == 2
        # once stop() said yes the halves stop at once: the other asks it at most once more
        assert len(said_yes) <= 2
        # the cancelled sweep through lr_sweep is marked so
        n = {"calls": 0}

        def stop_later():
            n["calls"] += 1
            return n["calls"] > 20

        batched_split.FORCE_SPLIT = True
        try:
            r = lr_sweep(
                _net(), X, T, TrainSettings(batch_size=8), [0.1, 0.2], 50, stop_later, curvature=False
            )
        finally:
            batched_split.FORCE_SPLIT = None
        assert r.cancelled and len(r.lrs) == 0 and not _halves_alive()
    finally:
        if prev is not None:
            blas_threads.set_blas_threads(prev)


@pytest.mark.parametrize("half", [0, 1])
def test_an_exception_in_either_half_surfaces_in_the_caller(half):
    X, T = _data(n=40)
    prev = blas_threads.set_blas_threads(2)
    try:
        st = SplitTrainer(_net(), X, T, TrainSettings(batch_size=8), [0.1, 0.2, 0.3, 0.4])
        bad, other = st.halves[half], st.halves[1 - half]
        real_bad, real_other, calls = bad._gradients, other._gradients, []
        failed = threading.Event()

        def failing(xb, tb):
            calls.append(1)
            if len(calls) == 3:
                failed.set()
                raise RuntimeError("boom in a half")
            return real_bad(xb, tb)

        def waiting(xb, tb):  # the other half waits for the failure (no clock: a generous bound)
            failed.wait(60)
            return real_other(xb, tb)

        bad._gradients, other._gradients = failing, waiting
        with pytest.raises(RuntimeError, match="boom in a half"):
            st.train(5)
        assert not _halves_alive()
        assert other.epoch == 0 and other.step <= 1  # stopped at its next update
        if prev is not None:
            assert blas_threads.blas_threads() == 2
    finally:
        if prev is not None:
            blas_threads.set_blas_threads(prev)


def test_on_epoch_reports_in_the_callers_thread():
    X, T = _data(n=40)
    got = []
    st = SplitTrainer(_net(), X, T, TrainSettings(batch_size=8), [0.1, 0.2, 0.3])
    st.train(4, on_epoch=lambda e: got.append((e, threading.current_thread() is threading.main_thread())))
    # the slower half's epochs: increasing, each at most once, the last one the end
    epochs = [e for e, _ in got]
    assert epochs == sorted(set(epochs)) and epochs[-1] == 4 and all(main for _, main in got)


@pytest.mark.parametrize("look_s,looks", [(0.0, 6 + 1), (60.0, 1)])
def test_the_first_half_looks_at_the_other_at_most_every_look_s(monkeypatch, look_s, looks):
    # a look per epoch cost ~8 µs of a circles half-stack's ~133 µs epoch: they
    # come at most every LOOK_S, and once more at the end
    monkeypatch.setattr(batched_split, "LOOK_S", look_s)
    X, T = _data(n=40)
    st = SplitTrainer(_net(), X, T, TrainSettings(), [0.1, 0.2, 0.3])
    between, reports = [], []
    reason = st._train_first(
        6, lambda: False, threading.Event(), lambda: reports.append(1), lambda: between.append(1)
    )
    assert reason == STOP_EPOCHS and st.halves[0].epoch == 6
    assert len(between) == looks and len(reports) == looks - 1


def test_the_split_is_taken_only_where_it_pays(monkeypatch):
    X, T = _data(n=40)
    small = _net()
    monkeypatch.setattr(batched_split, "cores", lambda: 2)
    assert not pays(small, 40, 8, 16)  # a tiny network: Python-bound, no gain
    assert isinstance(make_stack(small, X, T, TrainSettings(batch_size=8), [0.1] * 16), BatchedTrainer)
    digits = Network(NetworkSpec([64, 128, 64, 10], ["relu", "relu", "softmax"], loss="cross_entropy"))
    assert pays(digits, 1797, 32, 16) and not pays(digits, 1797, 32, 1)
    monkeypatch.setattr(batched_split, "cores", lambda: 1)
    assert not pays(digits, 1797, 32, 16)  # one core: nothing to split over
    monkeypatch.setattr(batched_split, "FORCE_SPLIT", True)
    assert isinstance(make_stack(small, X, T, TrainSettings(batch_size=8), [0.1, 0.2]), SplitTrainer)
    assert isinstance(make_stack(small, X, T, TrainSettings(batch_size=8), [0.1]), BatchedTrainer)
    with pytest.raises(ValueError, match="2 runs"):
        SplitTrainer(small, X, T, TrainSettings(), [0.1])
