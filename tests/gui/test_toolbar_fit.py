"""Every toolbar button in view (none in the » overflow) on a laptop screen,
normally and presenting (where the zoom makes text larger)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_every_toolbar_button_is_in_view(tmp_path, size):
    res = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "gui" / "toolbar_probe.py"), *map(str, size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    assert res.returncode == 0, res.stderr[-2000:]
    m = json.loads(res.stdout.strip().splitlines()[-1])
    assert m["normal"] == [] and m["presentation"] == [] and m["after"] == [], m
    assert m["presentation_width"] == size[0]  # full screen
