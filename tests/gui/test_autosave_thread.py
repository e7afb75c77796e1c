"""Autosave encodes and writes off the GUI thread, from a copy taken on it."""

import threading

from app import autosave
from model.io.project import load_project


def test_the_timer_save_is_encoded_off_the_gui_thread_and_loads(qtbot, make_window, tmp_path, monkeypatch):
    win = make_window()
    win.autosaver.configure(folder=tmp_path / "recovery")
    writers, real_save = [], autosave.save_project
    release = threading.Event()

    def slow_save(project, path):
        writers.append(threading.current_thread())
        release.wait(10)  # a long encode: the window must keep running meanwhile
        real_save(project, path)

    monkeypatch.setattr(autosave, "save_project", slow_save)
    win.canvas.layerWidthRequested.emit(1, 6)
    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 1, timeout=20_000)
    win.autosaver.save_in_background()
    qtbot.waitUntil(lambda: bool(writers), timeout=10_000)
    assert writers[0] is not threading.main_thread()
    # the document moves on while the copy is written: the file holds the state at the copy
    win.controller.step_epoch()
    qtbot.waitUntil(lambda: len(win.doc.history) == 2, timeout=20_000)
    win.autosaver.save_in_background()  # one write at a time: this tick is skipped
    assert len(writers) == 1
    release.set()
    win.autosaver.wait()
    p = load_project(win.autosaver.path)
    assert p.spec.layer_sizes == [2, 6, 1]
    assert len(p.history) == 1 and len(p.history.update_loss) == win.doc.history["updates"][0]
    assert win.autosaver.saves == 1


def test_discard_waits_for_a_write_under_way(qtbot, make_window, tmp_path, monkeypatch):
    win = make_window()
    win.autosaver.configure(folder=tmp_path / "recovery")
    started, release, real_save = threading.Event(), threading.Event(), autosave.save_project

    def slow_save(project, path):
        started.set()
        release.wait(10)
        real_save(project, path)

    monkeypatch.setattr(autosave, "save_project", slow_save)
    win.canvas.layerWidthRequested.emit(1, 7)
    assert win.doc.dirty
    win.autosaver.save_in_background()
    assert started.wait(10)
    opener = threading.Timer(0.2, release.set)
    opener.start()
    win.autosaver.discard()  # joins the writer first, then removes what it wrote
    opener.join()
    assert not win.autosaver.path.exists()
