"""Faults: failed saves keep the old file, autosave recovers work, closing ends threads."""

import errno
import os
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from app.autosave import pending_recovery
from app.document import Document
from app.main_window import MainWindow


@pytest.fixture
def win(make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    return make_window()


def test_save_to_full_disk_keeps_old_file_and_dirty_mark(win, tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    assert win.files.save_to(path)
    before = path.read_bytes()
    win.canvas.layerWidthRequested.emit(1, 7)
    assert win.doc.dirty

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert not win.files.save_to(path)
    assert "No space left" in win.last_error
    assert path.read_bytes() == before
    assert win.doc.dirty and "•" in win.windowTitle()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_save_to_read_only_location(win, tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    assert win.files.save_to(path)
    before = path.read_bytes()
    win.canvas.layerWidthRequested.emit(1, 3)

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", denied)
    assert not win.files.save_to(path)
    assert "Permission denied" in win.last_error
    assert path.read_bytes() == before and win.doc.dirty


def test_autosave_and_recovery_after_a_crash(win, qtbot, monkeypatch):
    from recovery_helpers import orphan_of

    win.canvas.layerWidthRequested.emit(1, 6)
    W = [w.copy() for w in win.doc.net.weights]
    assert win.autosaver.save_now()
    assert pending_recovery(win.autosaver.folder) is None  # its window is alive: not an orphan
    rec = orphan_of(win.autosaver.path)  # "crash": as if its process had died
    assert pending_recovery(win.autosaver.folder) == rec
    w2 = MainWindow(Document())
    qtbot.addWidget(w2)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    assert w2.files.offer_recovery(rec)
    assert w2.doc.spec.layer_sizes == [2, 6, 1]
    assert all(np.array_equal(a, b) for a, b in zip(w2.doc.net.weights, W))
    assert w2.doc.dirty
    assert not rec.exists() and w2.autosaver.path.exists()  # the work moved to w2's own file
    # a clean close removes the recovery file
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    assert w2.close()
    assert not w2.autosaver.path.exists() and pending_recovery(win.autosaver.folder) is None


def test_nothing_to_autosave_when_clean(win):
    assert not win.doc.dirty
    assert not win.autosaver.save_now()
    assert pending_recovery(win.autosaver.folder) is None


def test_close_during_sweep_ends_every_thread(win, qtbot):
    win.show_panel("lr")
    panel = win.plots.panels["lr"]
    qtbot.wait(50)
    sweep = panel.sweep
    sweep.epochs.setValue(sweep.epochs.maximum())  # long enough to be running at close
    sweep.count.setValue(12)
    before = {t.ident for t in threading.enumerate()}
    # start the sweep the way a person would: its Run button
    from PySide6.QtWidgets import QPushButton

    run = [b for b in sweep.findChildren(QPushButton) if b.text().replace("&", "").startswith("Run")][0]
    run.click()
    qtbot.waitUntil(lambda: any(j.is_running() for j in panel.jobs()), timeout=20_000)
    win.close()
    qtbot.waitUntil(lambda: not any(j.is_running() for j in panel.jobs()), timeout=20_000)
    extra = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert extra == []
