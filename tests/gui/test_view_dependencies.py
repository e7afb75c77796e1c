"""Change kinds and the view dependency table: each change reaches exactly the
views that read it; a learning-rate drag touches nothing but the learning rate."""

import numpy as np
import pytest

from app import change_kinds as K
from model.analysis.surfaces import AnalyticSurface
from model.train.trainer import TrainSettings


def test_old_kind_strings_map_in_one_place():
    assert K.kinds_of("all") == (K.DOCUMENT,)
    assert K.kinds_of("spec") == (K.NETWORK,)
    assert K.kinds_of("settings") == K.SETTINGS
    assert K.kinds_of("settings.lr") == (K.SETTINGS_LR,)
    with pytest.raises(ValueError):
        K.kinds_of("everything")


def test_settings_diff_names_the_setting_that_changed():
    a = TrainSettings(lr=0.1)
    assert K.settings_kinds(a, TrainSettings(lr=0.2)) == (K.SETTINGS_LR,)
    assert K.settings_kinds(a, TrainSettings(lr=0.1, batch_size=4)) == (K.SETTINGS_BATCH,)
    assert K.settings_kinds(a, TrainSettings(lr=0.1, optimizer="adam")) == (K.SETTINGS_OPTIMIZER,)
    assert K.settings_kinds(a, TrainSettings(lr=0.1, epochs=5)) == (K.SETTINGS_LIMITS,)
    assert K.settings_kinds(a, TrainSettings(lr=0.1, seed=3)) == (K.SETTINGS_OTHER,)
    assert K.settings_kinds(a, TrainSettings(lr=0.1)) == ()


def test_table_readers_of_each_kind(win):
    t = win.views.table
    assert set(t.readers(K.SETTINGS_LR)) == {"training_panel", "plots.lr"}
    assert "plots.optimizers" not in t.readers(K.WEIGHTS)
    assert {"plots.optimizers", "canvas.network", "decision_map"} <= set(t.readers(K.NETWORK))
    assert set(t.readers(K.PROBE)) == {"dataset_view.probe", "snapshot", "probe_trace", "inspector"}
    assert t.readers(K.DOCUMENT) == list(t._rows)  # a new document reaches every view


def test_learning_rate_drag_changes_the_rate_and_nothing_else(win, qtbot, monkeypatch):
    win.show_panel("optimizers")
    panel = win.plots.panels["optimizers"]
    panel.set_surface("network_slice")
    qtbot.waitUntil(lambda: panel.grid_ready, timeout=60_000)
    image_before = np.array(panel.image.image, copy=True)
    started = win.jobs.started
    calls = {"set_network": 0, "set_data": 0, "set_network_canvas": 0, "grid": 0}
    for obj, name, key in (
        (panel, "set_network", "set_network"),
        (win.dataset_view, "set_data", "set_data"),
        (win.canvas, "set_network", "set_network_canvas"),
        (win.views, "update_grid", "grid"),
    ):
        orig = getattr(obj, name)

        def counted(*a, _orig=orig, _key=key, **k):
            calls[_key] += 1
            return _orig(*a, **k)

        monkeypatch.setattr(obj, name, counted)
    reached = []
    dispatch = win.views.table.dispatch_kinds
    monkeypatch.setattr(win.views.table, "dispatch_kinds", lambda kinds: reached.append(dispatch(kinds)))
    slider = win.training_panel.lr_slider
    for pos in range(slider.value() - 1, slider.value() - 31, -1):  # a drag: 30 slider steps
        slider.setValue(pos)
    assert win.doc.settings.lr == pytest.approx(10 ** (slider.value() / 100))
    assert calls == {"set_network": 0, "set_data": 0, "set_network_canvas": 0, "grid": 0}
    assert win.jobs.started == started and not win.jobs.running()  # no new grid thread
    assert panel.grid_ready and np.array_equal(panel.image.image, image_before)
    assert reached and all(set(r) <= {"training_panel", "plots.lr"} for r in reached)
    # what does read the network still follows it: a topology edit rebuilds the surface
    win.apply_edit(win.edits.resize_layer, 1, 3)
    assert calls["set_network"] == 1 and calls["set_network_canvas"] == 1
    assert win.jobs.started == started + 1 or isinstance(panel.surface, AnalyticSurface)


def test_a_new_surface_request_cancels_the_previous_one(win, qtbot):
    win.show_panel("optimizers")
    panel = win.plots.panels["optimizers"]
    panel.set_surface("network_slice")
    first = panel._job
    assert first is not None and first.is_running()
    panel.set_surface("random_directions")
    second = panel._job
    assert second is not first and first._stop.is_set()  # cancelled, not left computing
    with qtbot.waitSignal(first.cancelled, timeout=60_000):
        pass
    assert win.jobs.running() in ([], ["loss-surface-grid"])
    win.shutdown()
    assert not win.jobs.running() and not second.is_running()
