"""A role change on a wide CSV never re-validates the whole table on the GUI
thread: it touches only its own row there, the check runs in the background
with Import disabled, and the import it allows is exactly a fresh validation."""

from __future__ import annotations

import threading

import numpy as np

from model.data.csv_import import validate_table
from model.data.table import Table, read_table
from widgets.dialogs.csv_import_dialog import SYNC_COLUMNS, CsvImportDialog

N_COLUMNS = 3000  # far above SYNC_COLUMNS; the count below does not depend on it


def _wide_csv(path, n=N_COLUMNS):
    rng = np.random.default_rng(0)
    names = [f"c{j}" for j in range(n - 2)] + ["colour", "y"]
    rows = []
    for i in range(6):
        cells = [f"{v:.3f}" for v in rng.normal(size=n - 2)]
        if i == 2:
            cells[7] = "NA"  # a missing cell: choosing c7 drops a row
        rows.append(",".join(cells + [("red", "blue", "green")[i % 3], str(i % 2)]))
    path.write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")
    return path


def _counting_columns(monkeypatch):
    """Count Table.col calls (every per-column read goes through it), by thread."""
    calls = {"gui": 0, "worker": 0}
    gui = threading.get_ident()
    original = Table.col

    def col(self, name):
        calls["gui" if threading.get_ident() == gui else "worker"] += 1
        return original(self, name)

    monkeypatch.setattr(Table, "col", col)
    return calls


def _fresh(d):
    """What a fresh, whole validation of the dialog's current choice gives."""
    return validate_table(
        read_table(d.path),
        d.path,
        d.chosen("input"),
        d.chosen("target"),
        d.task_combo.currentText(),
        d.preprocessing(),
        round(d.val_spin.value(), 4),
        d.seed_spin.value(),
    )


def _assert_same_import(got, want):
    assert got.source == want.source and got.preprocessing == want.preprocessing
    assert got.dropped == want.dropped and (got.n_train, got.n_val) == (want.n_train, want.n_val)
    assert got.dataset.feature_names == want.dataset.feature_names
    np.testing.assert_array_equal(got.dataset.X, want.dataset.X)
    np.testing.assert_array_equal(got.dataset.T, want.dataset.T)
    assert got.summary() == want.summary()


def test_role_changes_touch_no_other_column_on_the_gui_thread(qtbot, tmp_path, monkeypatch):
    assert N_COLUMNS > SYNC_COLUMNS
    d = CsvImportDialog(_wide_csv(tmp_path / "wide.csv"))
    qtbot.addWidget(d)
    d.show()
    assert d.wait_loaded(120_000)
    assert d.ok_button.isEnabled() and d.roles()["y"] == "target"
    calls = _counting_columns(monkeypatch)
    for column, role in (("c7", "ignore"), ("colour", "input"), ("c7", "input"), ("c100", "ignore")):
        before = calls["gui"]
        d.set_role(column, role)
        assert calls["gui"] - before <= 1  # O(1) columns on the GUI thread, not 3,000
        assert d.checking and not d.ok_button.isEnabled()  # Import waits for the check
        assert d.summary_text().startswith("Checking the choice of 3,000 columns")
        d.accept()
        assert d.isVisible()  # no import of an unchecked choice
        assert d.wait_loaded(120_000)
        assert d.ok_button.isEnabled()
        _assert_same_import(d.result_import, _fresh(d))
    assert calls["worker"] >= N_COLUMNS - 10  # the whole choice was checked, off the GUI thread
    assert d.result_import.dropped == 1 and "colour=red" in d.result_import.dataset.feature_names


def test_quick_successive_changes_end_with_the_last_choice(qtbot, tmp_path):
    d = CsvImportDialog(_wide_csv(tmp_path / "wide.csv"))
    qtbot.addWidget(d)
    d.show()
    assert d.wait_loaded(120_000)
    for j in range(0, 40, 2):  # faster than a check: each cancels or outdates the previous one
        d.set_role(f"c{j}", "ignore")
    d.task_combo.setCurrentText("classification")
    assert d.wait_loaded(120_000) and not d.checking
    want = _fresh(d)
    assert "c0" not in want.source.inputs and "c1" in want.source.inputs
    _assert_same_import(d.result_import, want)


def test_a_bad_choice_on_a_wide_table_is_one_line_after_its_check(qtbot, tmp_path):
    d = CsvImportDialog(_wide_csv(tmp_path / "wide.csv"))
    qtbot.addWidget(d)
    d.show()
    assert d.wait_loaded(120_000)
    d.set_role("y", "ignore")
    d.set_role("colour", "target")
    d.task_combo.setCurrentText("regression")
    assert d.wait_loaded(120_000)
    assert d.error_text() == "target column 'colour' contains text; regression needs numeric targets"
    assert not d.ok_button.isEnabled() and d.result_import is None
    d.task_combo.setCurrentText("classification")
    assert d.wait_loaded(120_000) and d.ok_button.isEnabled()
    assert d.result_import.dataset.class_names == ["blue", "green", "red"]
    d.reject()  # closing joins both jobs
    assert not d.checking and not d.loading
