"""On a laptop screen the analysis panels' primary buttons (Run, Play, Compare,
Previous/Next) lie inside the visible part of the short plots dock, without
scrolling."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_primary_controls_are_in_view(tmp_path, size):
    res = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "gui" / "controls_probe.py"), *map(str, size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    assert res.returncode == 0, res.stderr[-2000:]
    m = json.loads(res.stdout.strip().splitlines()[-1])
    assert len(m) >= 5, m
    assert [k for k, ok in m.items() if not ok] == [], m
