"""GUI test fixtures.

- Questions never block on a modal dialog: they answer "Discard".
- ``make_window`` (modelled on napari's ``make_napari_viewer``) builds main
  windows and shuts each one down afterwards; ``win`` is one shown window.
- Cyclic garbage is collected on the GUI thread, between tests, never by a
  worker thread's allocation (which would destroy Qt objects from the wrong
  thread and can deadlock), as the app's own GarbageCollector does.
- Every GUI test gets its own settings file: a window saves its dock state on
  close, and the next test's window restored it (an Inspector raised by one
  test hid the Training dock in the next, depending on test order).
- Every GUI test (autouse) FAILS if it leaves a Python thread running that
  was not there before it, or an active QTimer created by the app's or the
  widgets' code: background work must be cancelled and joined, animations
  stopped, by the code under test or by the test itself.
"""

import gc
import sys
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

GRACE_MS = 0  # strict


class TrackedQTimer(QTimer):
    """A QTimer that remembers it was made, so the leak check can find it."""

    instances: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        TrackedQTimer.instances.append((self, _creator()))


def _creator() -> str:
    f = sys._getframe(2)
    return f"{f.f_code.co_filename.rsplit('/', 2)[-2:]}:{f.f_lineno}"


def _active(t: QTimer) -> bool:
    try:
        return t.isActive()
    except RuntimeError:  # the C++ object is gone: it cannot fire
        return False


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))


@pytest.fixture(autouse=True)
def own_settings_file(monkeypatch, tmp_path):
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture(autouse=True)
def no_leaked_threads_or_timers(qtbot, monkeypatch, request):
    """Fail the test if it leaves a thread or an active timer behind."""
    for name, mod in list(sys.modules.items()):
        if name.split(".")[0] in ("app", "widgets") and getattr(mod, "QTimer", None) is QTimer:
            monkeypatch.setattr(mod, "QTimer", TrackedQTimer)
    TrackedQTimer.instances = []
    before = set(threading.enumerate())
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        return  # the failure itself is the report

    def threads():
        return [t for t in threading.enumerate() if t not in before and t.is_alive()]

    def timers():
        return [where for t, where in TrackedQTimer.instances if _active(t)]

    QApplication.processEvents()
    if GRACE_MS:
        try:
            qtbot.waitUntil(lambda: not threads() and not timers(), timeout=GRACE_MS)
        except Exception:
            pass
    left_threads, left_timers = threads(), timers()
    TrackedQTimer.instances = []
    assert not left_threads, f"test left threads running: {[t.name for t in left_threads]}"
    assert not left_timers, f"test left active QTimers (created at): {left_timers}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call = rep


@pytest.fixture
def make_window(qtbot):
    """Factory: ``make_window(doc=None, show=True)`` -> a MainWindow; each one is
    shut down (training, jobs, animations, autosave joined) after the test."""
    from app.document import Document
    from app.main_window import MainWindow

    made = []

    def make(doc=None, show: bool = True):
        w = MainWindow(doc if doc is not None else Document())
        qtbot.addWidget(w)
        made.append(w)
        if show:
            w.show()
        return w

    yield make
    for w in made:
        w.shutdown()
    QApplication.processEvents()


@pytest.fixture
def win(make_window):
    """A shown main window on the XOR example."""
    return make_window()
