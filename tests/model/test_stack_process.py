"""A stack split over a worker process (model.train.remote_stack, stack_worker,
stack_pool) equals the unsplit stack bit for bit, stops, survives a killed
worker and leaves no process behind."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading

import numpy as np
import pytest

from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.optim.schedules import Schedule
from model.train import batched_split, machine_load, split_pace, stack_pool
from model.train import stack_wire as wire
from model.train.batched import BatchedTrainer
from model.train.batched_split import PROCESS, THREAD, SplitTrainer, make_stack, split_mode
from model.train.regularization import Regularization
from model.train.remote_stack import RemoteStack, WorkerError, WorkerLost
from model.train.trainer import STOP_EPOCHS, STOP_USER, TrainSettings
from tests.conftest import child_pids
from tests.model.test_batched import _data

POOL = stack_pool.POOL


@pytest.fixture(autouse=True, scope="module")
def _pool_ends_with_the_module():
    yield
    POOL.shutdown()
    assert not child_pids()


@pytest.fixture
def worker():
    w = POOL.lease()
    assert w is not None and w.alive
    yield w
    if w in POOL.workers():  # a test that kept its lease gives it back
        POOL.release(w, clean=False)


def _net(seed=3, out="sigmoid"):
    return Network(NetworkSpec([3, 5, 4, 1], ["tanh", "relu", out], seed=seed))


def _same(split, stack):
    """Every per-run result of the split equals the unsplit stack's, exactly."""
    np.testing.assert_array_equal(split.epoch_loss, stack.epoch_loss)
    np.testing.assert_array_equal(split.diverged_at, stack.diverged_at)
    np.testing.assert_array_equal(split.active, stack.active)
    assert split.reasons == stack.reasons and split.run_samples == stack.run_samples
    assert split.epoch == stack.epoch
    for k in range(stack.K):
        np.testing.assert_array_equal(split.network(k)._flat, stack.network(k)._flat)
        assert split.network(k).spec == stack.network(k).spec


SETTINGS = {
    "sgd": TrainSettings(optimizer="sgd", lr=0.1, batch_size=None, seed=5),
    "adam": TrainSettings(
        optimizer="adam",
        lr=0.1,
        batch_size=8,
        seed=5,
        weight_decay=1e-3,
        regularization=Regularization(l2=1e-4),
        schedule=Schedule(kind="step", step_size=3, gamma=0.5),
        divergence_factor=1e3,
    ),
}
LRS = [0.01, 0.3, 0.05, 1e12, 0.1]  # the worker's half (odd runs) [0.3, 1e12] loses a run


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_the_process_split_equals_the_unsplit_stack_over_two_train_calls(worker, opt):
    X, T = _data(n=40)
    s = SETTINGS[opt]
    st = SplitTrainer(_net(), X, T, s, LRS, worker=worker)
    stack = BatchedTrainer(_net(), X, T, s, LRS)
    assert isinstance(st.halves[1], RemoteStack) and st.halves[1].pid == worker.pid
    seen = []
    main = threading.main_thread()
    r = st.train(4, on_epoch=lambda e: seen.append((e, threading.current_thread() is main)))
    assert r == stack.train(4) == STOP_EPOCHS
    _same(st, stack)
    assert stack.diverged_at[3] > 0 and (np.delete(stack.diverged_at, 3) == 0).all()
    epochs = [e for e, _ in seen]
    assert epochs == sorted(set(epochs)) and epochs[-1] == 4 and all(m for _, m in seen)
    # the worker kept its stack: a second call continues it
    assert st.train(3) == stack.train(3) == STOP_EPOCHS
    _same(st, stack)
    assert not st.halves[1].fell_back


def test_nets_with_their_own_start_weights_and_activations(worker):
    X, T = _data(n=30)
    nets = [
        Network(NetworkSpec([3, 5, 4, 1], [a, "tanh", "sigmoid"], seed=i))
        for i, a in enumerate("tanh relu sigmoid tanh".split())
    ]
    s = TrainSettings(optimizer="momentum", hyper={"momentum": 0.9}, batch_size=4, seed=1)
    lrs = [0.1, 0.2, 0.3, 0.4]
    st = SplitTrainer(nets[0], X, T, s, lrs, nets=nets, worker=worker)
    stack = BatchedTrainer(nets[0], X, T, s, lrs, nets=nets)
    st.train(3)
    stack.train(3)
    _same(st, stack)


def test_a_stop_mid_training_ends_both_halves(worker):
    X, T = _data(n=400)
    s = TrainSettings(batch_size=4, seed=2)
    st = SplitTrainer(_net(), X, T, s, [0.01, 0.02, 0.03, 0.04], worker=worker)
    calls = []
    assert st.train(10_000, should_stop=lambda: calls.append(1) or len(calls) > 300) == STOP_USER
    assert st.epoch < 10_000 and st.halves[1].epoch < 10_000
    # what each half finished is the unsplit stack's: its first epochs
    stack = BatchedTrainer(_net(), X, T, s, [0.01, 0.02, 0.03, 0.04])
    stack.train(max(h.epoch for h in st.halves))
    for h, idx in zip(st.halves, st.index):
        np.testing.assert_array_equal(h.epoch_loss, stack.epoch_loss[idx, : h.epoch])
    # the worker is free again and serves the next stack
    st2 = SplitTrainer(_net(), X[:40], T[:40], s, [0.1, 0.2], worker=worker)
    assert st2.train(1) == STOP_EPOCHS


def test_a_worker_killed_between_calls_is_replaced_by_training_here(worker, caplog):
    X, T = _data(n=40)
    s = SETTINGS["adam"]
    st = SplitTrainer(_net(), X, T, s, LRS, worker=worker)
    stack = BatchedTrainer(_net(), X, T, s, LRS)
    st.train(3)
    stack.train(3)
    os.kill(worker.pid, signal.SIGKILL)
    worker.proc.wait()
    assert st.train(2) == stack.train(2)
    _same(st, stack)
    assert st.halves[1].fell_back and "died" in caplog.text
    assert worker not in POOL.workers()  # the pool let the dead one go


def test_a_worker_killed_mid_training_costs_no_result(worker):
    X, T = _data(n=400)
    s = TrainSettings(batch_size=4, seed=2)
    lrs = [0.01, 0.02, 0.03, 0.04]
    st = SplitTrainer(_net(), X, T, s, lrs, worker=worker)

    def kill_once(epoch):
        if worker.alive:
            os.kill(worker.pid, signal.SIGKILL)
            worker.proc.wait()

    assert st.train(6, on_epoch=kill_once) == STOP_EPOCHS
    stack = BatchedTrainer(_net(), X, T, s, lrs)
    stack.train(6)
    _same(st, stack)
    assert st.halves[1].fell_back


def test_a_worker_lost_after_a_stopped_call_is_a_clear_error(worker):
    X, T = _data(n=400)
    st = SplitTrainer(_net(), X, T, TrainSettings(batch_size=4), [0.1, 0.2], worker=worker)
    n = []
    assert st.train(1000, should_stop=lambda: n.append(1) or len(n) > 50) == STOP_USER
    os.kill(worker.pid, signal.SIGKILL)
    worker.proc.wait()
    with pytest.raises(WorkerLost, match="died after a stopped training"):
        st.train(1)


def test_an_exception_in_the_worker_is_raised_here(worker):
    X, T = _data(n=20)
    rs = RemoteStack(worker, _net(), X, T, TrainSettings(), [-1.0])  # the worker refuses the rate
    with pytest.raises(WorkerError, match="ValueError: learning rates must be"):
        rs.train(1)
    rs.close()
    assert POOL.lease() is worker  # a worker that reported an error is still good
    POOL.release(worker, clean=True)


def test_the_pool_leases_its_one_worker_once_and_takes_it_back_on_collection(monkeypatch):
    monkeypatch.setattr(stack_pool, "usable_cores", lambda: 2)
    monkeypatch.setattr(batched_split, "cores", lambda: 2)
    monkeypatch.setattr(batched_split, "FORCE_SPLIT", PROCESS)
    X, T = _data(n=40)
    s = TrainSettings(batch_size=8)
    first = make_stack(_net(), X, T, s, [0.1, 0.2, 0.3])
    assert isinstance(first, SplitTrainer) and first.remote
    pid = first.halves[1].pid
    # busy: the next stack splits over threads instead
    second = make_stack(_net(), X, T, s, [0.1, 0.2, 0.3])
    assert isinstance(second, SplitTrainer) and not second.remote
    first.train(2)
    del first
    gc.collect()
    third = make_stack(_net(), X, T, s, [0.1, 0.2, 0.3])
    assert third.remote and third.halves[1].pid == pid  # the same process, kept alive
    third.close()
    assert len(POOL.workers()) == 1


def test_prewarm_starts_the_worker_without_waiting_and_eof_ends_it():
    POOL.shutdown()
    stack_pool.prewarm()
    (w,) = POOL.workers()
    assert w.ready_s is None  # not waited for
    assert POOL.lease() is w and w.ready_s > 0
    POOL.release(w, clean=True)
    POOL.shutdown()  # closes its stdin: it ends on its own
    assert w.proc.returncode == 0


def test_a_worker_that_cannot_start_leaves_the_thread_split(monkeypatch, capfd):
    POOL.shutdown()
    monkeypatch.setattr(stack_pool, "WORKER_MODULE", "model.train.no_such_worker")
    monkeypatch.setattr(stack_pool, "usable_cores", lambda: 2)
    monkeypatch.setattr(batched_split, "FORCE_SPLIT", PROCESS)
    X, T = _data(n=20)
    st = make_stack(_net(), X, T, TrainSettings(), [0.1, 0.2])
    assert isinstance(st, SplitTrainer) and not st.remote
    assert POOL.workers() == [] and "No module named" in capfd.readouterr().err


@pytest.mark.parametrize("pace,theirs", [(1.6, 1), (1.0, 2), (0.6, 4)])
def test_a_slower_worker_gets_fewer_runs_and_every_result_stays_exact(worker, monkeypatch, pace, theirs):
    # the cores are not alike (the worker's ran a half-stack 1.11× slower at the
    # median, 1.42× at the 90th percentile): its share follows the pace observed
    monkeypatch.setattr(split_pace, "_pace", pace)
    X, T = _data(n=40)
    s = SETTINGS["adam"]
    st = SplitTrainer(_net(), X, T, s, LRS, worker=worker)
    assert len(st.index[1]) == theirs == st.halves[1].K and len(st.index[0]) == 5 - theirs
    stack = BatchedTrainer(_net(), X, T, s, LRS)
    assert st.train(4) == stack.train(4) == STOP_EPOCHS
    _same(st, stack)


def test_each_call_that_ends_tells_the_pace_how_the_halves_fared(worker, monkeypatch):
    seen = []
    monkeypatch.setattr(split_pace, "observe", lambda *a: seen.append(a))
    X, T = _data(n=40)
    st = SplitTrainer(_net(), X, T, SETTINGS["adam"], LRS, worker=worker)
    assert st.train(3) == STOP_EPOCHS
    (main_s, main_work, worker_s, worker_work), updates = seen[0], 3 * 5  # 40 rows in batches of 8
    first, second = st.halves
    assert main_s > 0 and worker_s == second.worker_seconds > 0
    assert main_work == split_pace.work(updates, first.run_samples, 8) and first.run_samples == 3 * 40 * 3
    assert worker_work == split_pace.work(updates, second.run_samples, 8)
    n = []
    assert st.train(100, should_stop=lambda: n.append(1) or len(n) > 3) == STOP_USER
    assert len(seen) == 1  # a stopped call measured part of a call: it tells nothing


def test_make_stack_takes_the_process_split_where_it_pays(monkeypatch):
    monkeypatch.setattr(batched_split, "cores", lambda: 2)
    monkeypatch.setattr(batched_split, "others_running", lambda: 0)
    circles = Network(NetworkSpec([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"]))
    digits = Network(NetworkSpec([64, 128, 64, 10], ["relu", "relu", "softmax"], loss="cross_entropy"))
    assert split_mode(circles, 200, None, 16, 200) == PROCESS
    assert split_mode(digits, 1797, 32, 16, 3) == PROCESS
    assert split_mode(circles, 4, None, 16, 500) == "one"  # XOR: 4 samples, nothing to gain
    assert split_mode(circles, 200, None, 16, 5) == "one"  # too little work to cover the messages
    assert split_mode(digits, 1797, 32, 1, 3) == "one"
    monkeypatch.setattr(batched_split, "others_running", lambda: 1)
    assert split_mode(digits, 1797, 32, 16, 3) == "one"  # the other core is busy now
    monkeypatch.setattr(batched_split, "others_running", lambda: 0)
    monkeypatch.setattr(batched_split, "cores", lambda: 1)
    assert split_mode(digits, 1797, 32, 16, 3) == "one"
    monkeypatch.setattr(batched_split, "FORCE_SPLIT", THREAD)
    assert split_mode(circles, 4, None, 2, 1) == THREAD


def test_the_load_is_looked_at_only_where_a_split_would_be_taken(monkeypatch):
    # the look costs ~1.1 ms: 6 % of a circles batch-10 sweep, which never splits
    looks = []
    monkeypatch.setattr(batched_split, "cores", lambda: 2)
    monkeypatch.setattr(batched_split, "others_running", lambda: looks.append(1) or 0)
    circles = Network(NetworkSpec([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"]))
    assert split_mode(circles, 200, 10, 16, 20) == "one" and looks == []
    assert split_mode(circles, 4, None, 16, 500) == "one" and looks == []
    assert split_mode(circles, 200, None, 16, 200) == PROCESS and looks == [1]


def test_frames_carry_settings_exactly_and_refuse_objects():
    s = SETTINGS["adam"]
    specs = [_net().spec]
    h, arrays = wire.unpack(wire.pack(wire.NEW, wire.stack_header(specs, s, [0.1, 1 / 3]))[9:])
    got_specs, got, lrs = wire.stack_from_header(h)
    assert got == s and got.divergence_factor == s.divergence_factor and got_specs == specs
    assert lrs.tolist() == [0.1, 1 / 3] and arrays == []
    a = np.arange(6.0).reshape(2, 3)
    _, (b,) = wire.unpack(wire.pack(wire.RESULT, {}, [a])[9:])
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        wire.pack(wire.RESULT, {}, [np.array([{}, None], dtype=object)])


def test_own_threads_do_not_count_as_another_program(monkeypatch):
    # /proc/loadavg counts every runnable thread: ours (the caller, OpenBLAS's
    # workers spinning for ~0.1 s after a threaded gemm) leave the second core
    # to the worker process as soon as it wants it
    monkeypatch.setattr(machine_load, "_runnable", lambda: 3)
    monkeypatch.setattr(machine_load, "_own_running", lambda: 2)
    assert machine_load.others_running(samples=1) == 1
    monkeypatch.setattr(machine_load, "_own_running", lambda: 0)  # unknown: the caller only
    assert machine_load.others_running(samples=1) == 2
    monkeypatch.setattr(machine_load, "_runnable", lambda: None)
    assert machine_load.others_running(samples=1) == 0


def test_the_load_look_ends_at_the_first_look_that_finds_nobody(monkeypatch):
    # the least of the looks is the answer: once one finds 0 the rest cannot change
    # it, and their sleeps cost 1.3 ms (9 % of a circles sweep) on an idle machine
    seen = iter([3, 1, 3, 1])
    looks = []
    monkeypatch.setattr(machine_load, "_runnable", lambda: looks.append(1) or next(seen))
    monkeypatch.setattr(machine_load, "_own_running", lambda: 1)
    assert machine_load.others_running(samples=4) == 0 and len(looks) == 2
    seen, looks[:] = iter([3, 2, 3, 4]), []
    assert machine_load.others_running(samples=4) == 1 and len(looks) == 4


def test_an_idle_worker_finishing_its_last_stack_is_not_another_program(monkeypatch):
    # a worker just given back frees its stack for ~1 ms (digits: seen running by
    # 19 of 20 back-to-back sweeps), so the next sweep took it for another program
    monkeypatch.setattr(machine_load, "_runnable", lambda: 3)
    running = {"self": 1, "4242": 2}
    monkeypatch.setattr(machine_load, "_running", lambda pid: running.get(pid, 0))
    monkeypatch.setattr(POOL, "idle_pids", lambda: [4242])
    assert machine_load.others_running(samples=1) == 0
    # a worker leased to a stack that trains now does take the other core
    monkeypatch.setattr(POOL, "idle_pids", lambda: [])
    assert machine_load.others_running(samples=1) == 2


def test_the_pool_names_its_idle_workers_and_their_threads_are_read(worker):
    assert worker.pid not in POOL.idle_pids()
    POOL.release(worker, clean=True)
    assert POOL.idle_pids() == [worker.pid]
    if sys.platform.startswith("linux"):
        assert machine_load._running(str(worker.pid)) >= 0
        assert machine_load._running("no-such-process") == 0


def test_task_state_reads_past_a_name_with_parentheses():
    assert machine_load.task_state("123 (python3) R 1 2 3") == "R"
    assert machine_load.task_state("7 (a) b) (c) S 1 2") == "S"
    assert machine_load.task_state("garbage") == ""
    if sys.platform.startswith("linux"):
        assert machine_load._own_running() >= 1  # this thread, reading its own state
