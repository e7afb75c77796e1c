"""Start-up shows the window's frame before pyqtgraph is imported, and the
complete window after without moving anything (app/window_frame.py,
app/gui_main.py). A subprocess starts the app as ``mlp-studio`` does and
looks at the first Expose event (tests/gui/startup_probe.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(size: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "gui" / "startup_probe.py"), size],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("size", ["1366x768", "1280x720", "1920x1080"])
def test_first_expose_comes_before_pyqtgraph_and_nothing_moves_after(size):
    r = _start(size)
    assert r["exit"] == 0
    first, complete = r["expose"], r["complete"]
    assert first["pyqtgraph"] is False  # imported only after the window was on screen
    assert first["built"] is False
    assert complete["plots"] == "PlotsDock" and complete["data_plot"] == "DatasetView"
    assert complete["neuron_map"] == "NeuronMapView"
    assert complete["placeholders"] == []  # every stand-in replaced
    canvas = first["layout"]["canvas"]
    assert canvas[2] > 300 and canvas[3] > 250  # the canvas was there, full size
    assert {"canvas", "data", "plots", "training"} <= set(first["layout"])
    assert first["layout"] == complete["layout"]  # the canvas and every dock on screen kept its place
