"""The Training form on a laptop: at 1366×768 and 1280×720 the most-used controls
(play, pace, optimizer, learning rate, batch size, epoch limit) are inside the
visible part of the form's scroll area on first start, nothing in the form sticks
out of its parent, and choosing another optimizer moves none of them. Before: the
form showed 261 px (1280×720) / 288 px and the epoch limit ended 299 px down
(behind the scroll), below the optimizer's β rows, which moved it; play and pace
were only in the toolbar. Now they all end 197 px down.

The rarer rows fold away in sections, and the folds are remembered."""

import pytest
from PySide6.QtCore import Qt

from tests.gui.probe_common import run_probe
from widgets.forms.training_panel import FOLDED_KEY, TrainingPanel


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_common_training_controls_are_in_view_without_scrolling(tmp_path, size):
    m = run_probe("training_fit_probe.py", size, tmp_path)
    assert all(m["visible"].values()), m
    assert m["scroll"] == 0 and m["deepest"] <= m["viewport"][1], m
    assert m["clipped"] == [], m
    assert m["moved_by_optimizer"] == [], m


class _Store(dict):
    """A QSettings stand-in: value / setValue."""

    def value(self, key, default=None):
        return self.get(key, default)

    def setValue(self, key, value):
        self[key] = value


def test_folded_sections_are_remembered_and_fold_nothing_above(qtbot):
    store = _Store()
    first = TrainingPanel()
    qtbot.addWidget(first)
    first.resize(360, 700)
    first.show()
    first.remember_sections(store)
    assert all(s.unfolded() for s in first.sections.values())  # first start: all open
    epochs_at = first.epochs_spin.mapTo(first, first.epochs_spin.rect().topLeft())
    qtbot.mouseClick(first.sections["schedule"].header, Qt.MouseButton.LeftButton)
    assert not first.sections["schedule"].unfolded()
    assert not first.schedule_combo.isVisible() and first.epochs_spin.isVisible()
    assert first.epochs_spin.mapTo(first, first.epochs_spin.rect().topLeft()) == epochs_at
    assert store[FOLDED_KEY] == "schedule"
    second = TrainingPanel()  # the next start reads the store
    qtbot.addWidget(second)
    second.show()
    second.remember_sections(store)
    assert not second.sections["schedule"].unfolded() and second.sections["optimizer"].unfolded()
    assert not second.schedule_combo.isVisible()
