"""On a laptop screen the analysis panels' primary buttons (Run, Play, Compare,
Previous/Next) lie inside the visible part of the short plots dock, without
scrolling."""

import pytest

from tests.gui.probe_common import run_probe


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_primary_controls_are_in_view(tmp_path, size):
    m = run_probe("controls_probe.py", size, tmp_path)
    assert len(m) >= 5, m
    assert [k for k, ok in m.items() if not ok] == [], m
