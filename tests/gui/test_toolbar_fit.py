"""Every toolbar button in view (none in the » overflow) on a laptop screen,
normally and presenting (where the zoom makes text larger)."""

import pytest

from tests.gui.probe_common import run_probe


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_every_toolbar_button_is_in_view(tmp_path, size):
    m = run_probe("toolbar_probe.py", size, tmp_path)
    assert m["normal"] == [] and m["presentation"] == [] and m["after"] == [], m
    assert m["presentation_width"] == size[0]  # full screen
