"""One writer: the worker trains private copies; results enter the document
only through Document.adopt, on the GUI thread, with no history row lost."""

import copy
import json
import threading
import time

import numpy as np
import pytest

from app import change_kinds as K
from app.document import Document, settings_kinds
from model.io.project import load_project
from model.train.trainer import Trainer


def _stochastic(win, lr=0.5):
    s = copy.deepcopy(win.doc.settings)
    s.batch_size, s.lr, s.epochs, s.target_loss = 1, lr, 1_000_000, None
    win.edits.set_settings(s)


def _poll(cond, timeout=30.0):
    """Bounded polling without processing Qt events."""
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.01)


def test_worker_trains_a_private_copy_the_document_is_untouched_between_adoptions(win, qtbot):
    _stochastic(win)
    doc = win.doc
    W0 = [w.copy() for w in doc.net.weights]
    n0 = len(doc.history.update_loss)
    win.controller.play()
    tr = win.controller.worker.trainer
    assert tr.net is not doc.net and tr.history is not doc.history
    assert all(a is not b for a, b in zip(tr.net.weights, doc.net.weights))
    # the GUI thread does not run its event loop here: the worker must make
    # progress while the document stays bit-for-bit as it was
    _poll(lambda: tr.step > 50)
    assert all(np.array_equal(a, b) for a, b in zip(doc.net.weights, W0))
    assert len(doc.history.update_loss) == n0
    qtbot.waitUntil(lambda: len(doc.history.update_loss) > 50, timeout=20000)
    assert not all(np.array_equal(a, b) for a, b in zip(doc.net.weights, W0))
    assert win.controller.pause()


def test_no_history_row_is_lost_and_the_run_equals_a_headless_one(win, qtbot):
    """Snapshots the GUI never took still deliver their rows: after a pause the
    document's per-update losses equal a headless Trainer run of the same length."""
    _stochastic(win)
    doc = win.doc
    start = doc.net.copy(), doc.history.copy(), copy.deepcopy(doc.settings)
    win.controller.play()
    tr = win.controller.worker.trainer
    _poll(lambda: tr.step > 300)  # many snapshots replaced unseen in the mailbox
    assert win.controller.pause()
    steps = len(doc.history.update_loss)
    assert steps > 300 and doc.live is not None and doc.live.step == steps
    d = doc.data
    ref = Trainer(start[0], d.X_train, d.train.T, start[2], task=d.task, history=start[1])
    gen = None
    while ref.step < steps:
        gen = gen or ref.updates()
        try:
            next(gen)
        except StopIteration:
            gen = None
    assert np.array_equal(doc.history.update_loss.values, ref.history.update_loss.values[:steps])
    assert len(doc.history) == steps // len(d.train)
    if steps % len(d.train) == 0:  # paused at an epoch end: same weights too
        assert all(np.allclose(a, b) for a, b in zip(doc.net.weights, ref.net.weights))


def test_adopt_refuses_a_snapshot_of_another_network_and_changes_nothing(win, qtbot):
    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 1, timeout=10000)
    from app.training_controller import snapshot_of

    d = win.doc.data
    tr = Trainer(win.doc.net.copy(), d.X_train, d.train.T, win.doc.settings, history=win.doc.history.copy())
    stale = snapshot_of(tr, (0, 0, 0))  # rows from the start: they do not continue the history
    before = win.doc.to_project().history.to_dict()
    with pytest.raises(ValueError, match="rows start"):
        win.doc.adopt(stale)
    assert win.doc.history.to_dict() == before
    assert snapshot_of(tr, tr.history.cursor).weights[0].flags.writeable is False


def test_settings_edits_emit_only_the_kinds_that_differ(win):
    seen = []
    win.doc.changed.connect(seen.append)
    s = copy.deepcopy(win.doc.settings)
    s.lr = 0.3
    win.edits.set_settings(s)
    assert seen == [K.SETTINGS_LR]
    seen.clear()
    s = copy.deepcopy(win.doc.settings)
    s.optimizer, s.hyper, s.batch_size = "adam", {}, 2
    win.edits.set_settings(s)
    assert seen == [K.SETTINGS_OPTIMIZER, K.SETTINGS_BATCH]
    seen.clear()
    win.doc.undo_stack.undo()
    assert seen == [K.SETTINGS_OPTIMIZER, K.SETTINGS_BATCH]
    a = copy.deepcopy(s)
    a.epochs, a.seed = 7, 9
    assert list(settings_kinds(s, a)) == [K.SETTINGS_LIMITS, K.SETTINGS_OTHER]
    assert list(settings_kinds(s, copy.deepcopy(s))) == []


def test_first_topology_edit_on_a_fresh_document_trains_and_saves_loadable(win, qtbot, tmp_path):
    """Was: 'could not broadcast (3,) into (2,)' and an unloadable save."""
    win.doc.new()
    assert len(win.doc.history) == 0
    win.canvas.addLayerRequested.emit(2)
    assert win.doc.history.n_layers == 3
    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 1, timeout=10000)
    assert win.last_error is None
    path = tmp_path / "three.json"
    assert win.files.save_to(path)
    p = load_project(path)
    assert p.spec.layer_sizes == win.doc.spec.layer_sizes and len(p.history) == 1
    win.doc.undo_stack.undo()
    assert win.doc.history.n_layers == 2
    win.doc.undo_stack.redo()
    assert win.doc.history.n_layers == 3


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["network"].update(init="uniform", init_range=1e308),  # OverflowError in the loader
        lambda d: d.update(weights={"W": [[[1.0]]], "b": [[0.0]]}),
        lambda d: d["network"].update(layer_sizes=[3, 4, 1]),  # does not fit the data
        lambda d: d.update(history={"epoch": [1], "train_loss": [0.5]}),
    ],
)
def test_failed_open_leaves_the_document_exactly_as_it_was(win, tmp_path, spoil):
    win.canvas.layerWidthRequested.emit(1, 6)
    before = json.dumps(_state(win.doc))
    d = json.loads(_example_text())
    d["weights"] = None
    spoil(d)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(d))
    assert not win.files.open_path(str(bad), confirm=False)
    assert json.dumps(_state(win.doc)) == before
    assert win.last_error and "\n" not in win.last_error
    assert win.files.save_to(tmp_path / "after.json")
    assert load_project(tmp_path / "after.json").spec.layer_sizes == [2, 6, 1]


def test_failed_open_of_anything_else_is_one_line(tmp_path):
    doc = Document()
    before = json.dumps(_state(doc))
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError) as e:
        doc.open(tmp_path / "bin.json")
    assert "\n" not in str(e.value)
    assert json.dumps(_state(doc)) == before


def test_redo_of_a_narrowing_edit_while_training_does_not_raise(win, qtbot, monkeypatch):
    errors = []
    monkeypatch.setattr(win.dialogs, "show_error", lambda t, m: errors.append(m))
    hook_errors = []
    import sys

    monkeypatch.setattr(sys, "excepthook", lambda *a: hook_errors.append(a))
    _stochastic(win)
    win.canvas.layerWidthRequested.emit(1, 8)
    win.canvas.layerWidthRequested.emit(1, 2)  # narrowing
    win.doc.undo_stack.undo()
    win.controller.play()
    qtbot.waitUntil(lambda: len(win.doc.history.update_loss) > 3, timeout=10000)
    win.doc.undo_stack.redo()  # narrows while the worker runs
    qtbot.wait(100)
    assert not hook_errors and not errors
    assert not win.controller.running
    assert "training paused" in win.statusBar().currentMessage()
    assert win.doc.spec.layer_sizes == [2, 2, 1]


def test_topology_edit_while_training_pauses_and_says_so(win, qtbot):
    _stochastic(win)
    win.controller.play()
    qtbot.waitUntil(lambda: len(win.doc.history) > 2, timeout=10000)
    win.canvas.layerWidthRequested.emit(1, 5)
    assert not win.controller.running
    assert win.statusBar().currentMessage().startswith("training paused")
    assert win.doc.spec.layer_sizes == [2, 5, 1]
    n = len(win.doc.history.update_loss)
    qtbot.wait(200)
    assert len(win.doc.history.update_loss) == n  # nothing arrives after the edit


def test_edit_is_refused_while_a_long_update_still_runs(win, qtbot, monkeypatch):
    gate = threading.Event()
    _stochastic(win)
    win.controller.play()
    worker = win.controller.worker
    real, entered = worker._one_update, threading.Event()
    monkeypatch.setattr(worker, "_one_update", lambda: (entered.set(), gate.wait(30), real())[2])
    monkeypatch.setattr("app.training_controller.EDIT_WAIT", 0.2)
    assert entered.wait(10)  # the worker is inside a "long" update now
    before = list(win.doc.spec.layer_sizes)
    win.canvas.layerWidthRequested.emit(1, 7)
    assert win.doc.spec.layer_sizes == before  # refused, nothing changed
    assert "long update" in win.statusBar().currentMessage()
    gate.set()
    qtbot.waitUntil(lambda: worker.idle.is_set(), timeout=10000)
    win.canvas.layerWidthRequested.emit(1, 7)
    assert win.doc.spec.layer_sizes == [2, 7, 1]


def test_live_settings_change_while_training_with_markers(win, qtbot):
    _stochastic(win)
    win.controller.play()
    qtbot.waitUntil(lambda: len(win.doc.history) > 3, timeout=10000)
    for change in (
        lambda s: setattr(s, "lr", 0.2),
        lambda s: (setattr(s, "optimizer", "momentum"), setattr(s, "hyper", {"momentum": 0.5})),
        lambda s: setattr(s, "batch_size", 2),
    ):
        s = copy.deepcopy(win.doc.settings)
        change(s)
        win.training_panel.settingsEdited.emit(s)
        assert win.controller.running  # never stopped silently
    worker = win.controller.worker
    qtbot.waitUntil(
        lambda: {"lr", "optimizer", "batch"} <= {e[1] for e in win.doc.history.events}, timeout=10000
    )
    assert win.controller.worker is worker and win.controller.running
    tr = worker.trainer
    assert tr.optimizer.name == "momentum" and tr.optimizer._hyper["momentum"] == 0.5
    n = len(win.doc.history)
    qtbot.waitUntil(lambda: len(win.doc.history) > n + 2, timeout=10000)
    assert win.doc.history["lr"][-1] == pytest.approx(0.2)
    win.plots.set_history(win.doc.history)
    kinds = [m[1] for m in win.plots.panels["loss"].markers()]
    assert {"lr", "optimizer", "batch"} <= set(kinds)
    assert win.controller.pause()


def _example_text():
    from app.document import example_path

    return example_path("xor_train").read_text()


def _state(doc):
    return {
        "spec": doc.spec.to_dict(),
        "data": doc.project.data.to_dict(),
        "settings": doc.settings.to_dict(),
        "W": [w.tolist() for w in doc.net.weights],
        "b": [b.tolist() for b in doc.net.biases],
        "history": doc.history.to_dict(),
        "path": str(doc.path),
        "undo": doc.undo_stack.count(),
    }
