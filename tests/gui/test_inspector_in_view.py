"""On a laptop screen the Inspector's rows keep the height their wrapped text
needs: a short dock scrolls instead of squashing them ("(1-based, as in the
lecture)" and the activation's formula were cut in half)."""

import pytest

from tests.gui.probe_common import run_probe


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_inspector_rows_are_not_squashed(tmp_path, size):
    m = run_probe("inspector_probe.py", size, tmp_path)
    assert len(m) == 6, m
    assert [k for k, (h, need, _line) in m.items() if h < need] == [], m
