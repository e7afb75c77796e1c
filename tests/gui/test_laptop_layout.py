"""On a laptop screen the plots get real room: on first start at 1366×768 the
plots run under the canvas and the Training column (the loss plot measured
642×106 px before, 1005×140 now; at 1280×720 556×101, now 919×123), the canvas
keeps room for the network, Data and Training are in front, and the Inspector
(a tab beside Training) comes to the front when a node is selected."""

import pytest

from tests.gui.probe_common import run_probe


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_laptop_first_start_gives_the_plots_room(tmp_path, size):
    W, H = size
    m = run_probe("layout_probe.py", (W, H), tmp_path)
    loss_w, loss_h = m["panels"]["loss"]
    assert loss_w >= 0.65 * W and loss_h >= 0.15 * H, m  # before: 0.47 W × 0.14 H
    assert m["plots"][0] >= 0.65 * W, m
    assert all(w * h >= 0.04 * W * H for w, h in m["panels"].values()), m
    assert m["canvas"][1] >= 0.38 * H and m["canvas"][0] >= 0.4 * W, m
    assert m["front"] == {"data": True, "inspector": False, "training": True}, m
    assert m["optimizer_combo"][1] >= 20, "the Training form's first control is in view"
    assert m["front_after_select"] == {"data": True, "inspector": True, "training": False}, m
    assert m["tabs_cut"] == [], "every dock tab reads in full"


def test_a_tall_screen_keeps_the_inspector_above_training(tmp_path):
    m = run_probe("layout_probe.py", (1920, 1080), tmp_path)  # a 1400×900 first window
    assert m["front"] == {"data": True, "inspector": True, "training": True}, m
    assert m["panels"]["loss"][1] >= 140 and m["canvas"][1] >= 400, m
    assert m["front_after_select"] == m["front"], "nothing is behind a tab to raise"
