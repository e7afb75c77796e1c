"""The leak check of conftest.py sees what it must: timers made by app/widgets
code are tracked, and a window's shutdown leaves no thread or timer behind."""

import threading

from widgets.common import background  # imported before the check patches its QTimer


def test_timers_made_by_widget_code_are_tracked(qtbot):
    t = background.QTimer()
    tracked = type(t)
    assert tracked.__name__ == "TrackedQTimer"
    assert any(x is t for x, _where in tracked.instances)
    t.start(1000)
    assert t.isActive()
    t.stop()  # the check after this test would fail otherwise


def test_shutdown_joins_training_surfaces_and_sweeps(win, qtbot):
    before = set(threading.enumerate())
    win.show_panel("optimizers")
    win.plots.panels["optimizers"].set_surface("random_directions")
    win.show_panel("lr")
    win.plots.panels["lr"].sweep.epochs.setValue(100_000)
    win.plots.panels["lr"].sweep.run()
    win.controller.play()
    qtbot.waitUntil(lambda: len(win.jobs.running()) >= 2, timeout=20_000)
    assert [t for t in threading.enumerate() if t not in before]
    win.shutdown()
    assert not win.jobs.running()
    assert not [t for t in threading.enumerate() if t not in before and t.is_alive()]
