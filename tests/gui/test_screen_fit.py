"""The window fits every screen: first size from the screen, restored geometry
clamped, no panel pushing the window (or a dock, or any widget) past its
parent, each panel in front, in presentation mode and after it."""

import pytest

from tests.gui.probe_common import run_probe


@pytest.mark.parametrize(
    "width,height,scale",
    [(1280, 720, "1"), (1366, 768, "1"), (1920, 1080, "1"), (2560, 1440, "2")],
)
def test_window_fits_the_screen_with_every_panel_in_front(width, height, scale, tmp_path):
    report = run_probe("fit_probe.py", (width, height, scale), tmp_path)
    logical_w, logical_h = width / float(scale), height / float(scale)
    x, y, w, h = report["window"]
    assert 0 <= x and 0 <= y and x + w <= logical_w and y + h <= logical_h
    assert w >= min(1280, logical_w) * 0.9  # it uses the screen, not a fixed 1400×900
    assert report["presentation_window"] == [0, 0, logical_w, logical_h]
    x, y, w, h = report["restored_window"]
    assert x + w <= logical_w and y + h <= logical_h
    assert set(report["panels"]) >= {"loss", "lr", "optimizers", "gradients", "chain-rule", "predict"}
    assert {k: v for k, v in report["panels"].items() if v} == {}
