"""Explicit Save writes in the background (app/project_saver.py).

The write is held at ``os.replace`` (the encoded bytes are in the temporary
file, the project file not yet there) until the test releases it, so every
check is about order, never about speed. A save on the GUI thread (the old
code) is not held: its file is there as soon as the action returns.
"""

import os
import threading

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from app.document import Document, example_path
from model.io.project import load_project
from model.train.history import History

EPOCHS = 3000


def _big_document() -> Document:
    """The XOR example with a 3,000-epoch, 75,000-update history, unsaved."""
    project = load_project(example_path("xor_train"))
    n_layers = len(project.spec.layer_sizes) - 1
    h, rng = History(n_layers), np.random.default_rng(0)
    for e in range(EPOCHS):
        loss = 0.7 * np.exp(-e / 800) + 0.01 * rng.random(25)
        h.update_loss.extend(loss)
        h.update_lr.extend(np.full(25, 0.1))
        rec = {"epoch": e + 1, "train_loss": float(loss.mean()), "updates": 25 * (e + 1), "lr": 0.1}
        h.add_epoch(rec, rng.random(n_layers), rng.random(n_layers))
    project.history = h
    doc = Document(project)
    doc.mark_results_changed()
    return doc


@pytest.fixture
def held(monkeypatch):
    """Saves from a worker thread wait at ``os.replace`` until ``held.set()``;
    ``held.writes`` counts the files put in place."""
    gate = threading.Event()
    gate.writes = []
    real = os.replace

    def replace(src, dst):
        if threading.current_thread() is not threading.main_thread():
            gate.wait(60)
        real(src, dst)
        gate.writes.append(str(dst))

    monkeypatch.setattr(os, "replace", replace)
    yield gate
    gate.set()


@pytest.fixture
def big(make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    w = make_window(_big_document())
    w.target = tmp_path / "big.json"
    w.dialogs.ask_save_path = lambda *a: str(w.target)
    return w


def _same_as_document(path, doc) -> None:
    back = load_project(path)
    assert back.spec.layer_sizes == doc.spec.layer_sizes
    assert all(np.array_equal(a, b) for a, b in zip(back.weights[0], doc.net.weights))
    assert len(back.history) == len(doc.history) == EPOCHS
    for key in ("epoch", "train_loss", "updates"):
        assert np.array_equal(back.history[key], doc.history[key])
    assert np.array_equal(back.history.grad_norms.values, doc.history.grad_norms.values)
    assert np.array_equal(back.history.update_loss.curve()[1], doc.history.update_loss.curve()[1])


def test_save_returns_to_the_event_loop_before_the_file_is_written(big, held, qtbot):
    ticks = []
    beat = QTimer()
    beat.timeout.connect(lambda: ticks.append(1))
    beat.start(5)
    big.acts["save_as"].trigger()
    assert not big.target.exists()  # the action returned while the file is being written
    qtbot.waitUntil(lambda: len(ticks) >= 3, timeout=20_000)  # the GUI thread runs its loop meanwhile
    beat.stop()
    assert not big.target.exists() and big.files.saver.busy
    assert big.statusBar().currentMessage() == "Saving big.json…"
    assert big.doc.dirty and "•" in big.windowTitle()
    held.set()
    qtbot.waitUntil(lambda: not big.files.saver.busy, timeout=60_000)
    _same_as_document(big.target, big.doc)
    assert not big.doc.dirty and big.windowTitle().startswith("big — ")
    assert big.statusBar().currentMessage() == f"Saved {big.target}"


def test_edits_made_during_the_save_keep_the_document_unsaved(big, held, qtbot):
    big.acts["save_as"].trigger()
    assert not big.target.exists() and big.files.saver.busy
    before = list(big.doc.spec.layer_sizes)
    big.canvas.layerWidthRequested.emit(1, before[1] + 2)  # an edit while the file is written
    held.set()
    qtbot.waitUntil(lambda: not big.files.saver.busy, timeout=60_000)
    assert load_project(big.target).spec.layer_sizes == before  # the file holds the state saved
    assert big.doc.path == big.target and big.doc.dirty
    assert big.windowTitle().startswith("big •")


def test_training_results_during_the_save_keep_the_document_unsaved(big, held, qtbot):
    big.acts["save_as"].trigger()
    assert not big.target.exists()
    big.doc.mark_results_changed()  # what adopting a training snapshot does
    held.set()
    qtbot.waitUntil(lambda: not big.files.saver.busy, timeout=60_000)
    assert big.doc.dirty and "•" in big.windowTitle()


def test_a_second_save_queues_behind_the_first_and_the_last_state_is_written(big, held, qtbot):
    big.acts["save_as"].trigger()
    assert not big.target.exists() and big.files.saver.busy
    big.canvas.layerWidthRequested.emit(1, 6)
    big.acts["save_as"].trigger()  # queued: its snapshot has the edit
    big.canvas.layerWidthRequested.emit(1, 7)
    big.acts["save_as"].trigger()  # supersedes the queued one (not started, same file)
    held.set()
    qtbot.waitUntil(lambda: not big.files.saver.busy, timeout=60_000)
    assert held.writes == [str(big.target)] * 2
    assert load_project(big.target).spec.layer_sizes[1] == 7
    assert not big.doc.dirty and "•" not in big.windowTitle()


@pytest.mark.parametrize("case", ["folder gone", "a directory", "permission"])
def test_a_failing_save_says_one_line_and_keeps_the_document(big, qtbot, tmp_path, monkeypatch, case):
    weights = [w.copy() for w in big.doc.net.weights]
    if case == "folder gone":
        big.target = tmp_path / "gone" / "p.json"
    elif case == "a directory":
        big.target = tmp_path / "p.json"
        big.target.mkdir()
    else:

        def denied(*a, **k):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr("tempfile.mkstemp", denied)
    big.acts["save_as"].trigger()
    qtbot.waitUntil(lambda: not big.files.saver.busy, timeout=60_000)
    err = big.last_error
    assert err is not None and "\n" not in err
    assert err.startswith(f"Could not save {big.target.name}: ") and err.endswith(
        "The project is not saved; nothing else was changed."
    )
    assert "Errno" not in err and ".tmp" not in err  # the folder or file, not our temporary file
    expected = {
        "folder gone": "does not exist",
        "a directory": "it is a directory",
        "permission": "Permission denied",
    }
    assert expected[case] in err
    assert big.doc.dirty and "•" in big.windowTitle() and big.doc.path is None
    assert all(np.array_equal(a, b) for a, b in zip(big.doc.net.weights, weights))
    assert len(big.doc.history) == EPOCHS
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_closing_mid_save_waits_for_it_and_the_file_is_complete(big, held, qtbot):
    big.acts["save_as"].trigger()
    assert not big.target.exists() and big.files.saver.busy
    QTimer.singleShot(50, held.set)  # released while the close waits
    assert big.close()
    assert held.writes == [str(big.target)]
    _same_as_document(big.target, big.doc)
    assert not [t for t in threading.enumerate() if t.name == "mlp-save"]


def test_close_gives_up_after_its_bound_and_keeps_the_window(big, held, qtbot, monkeypatch):
    big.acts["save_as"].trigger()
    assert big.files.saver.busy
    finish = big.files.finish_saves
    monkeypatch.setattr(big.files, "finish_saves", lambda timeout=0.0: finish(0.0))
    assert not big.close()  # the save is still being written: nothing closes
    assert big.isVisible() and "still being written" in big.last_error
    held.set()
    qtbot.waitUntil(lambda: not big.files.saver.busy, timeout=60_000)
    _same_as_document(big.target, big.doc)


def test_a_save_finishing_during_an_autosave_does_not_wait_for_it(big, held, qtbot, tmp_path):
    """Saved means the recovery copy is not needed; one being written is removed
    by its writer once written, the GUI thread does not wait for it."""
    autosaver = big.autosaver
    autosaver.save_in_background()  # its writer is held at os.replace
    writer = autosaver._writer
    assert writer is not None and writer.is_alive()
    big.doc.save(tmp_path / "saved.json")  # clean now: the recovery copy is discarded
    assert not big.doc.dirty
    assert writer.is_alive()  # the GUI thread went on without waiting for the writer
    held.set()
    autosaver.wait()
    assert not autosaver.path.exists() and not autosaver.path.with_suffix(".meta").exists()
