"""The CSV dialog never blocks the GUI: the file is read by a background job
(progress, Stop), the preview reads only what it shows, 100,000 columns are
a model, and hostile paths (FIFO, directory, device) are one line."""

from __future__ import annotations

import os
import threading

import pytest

import widgets.dialogs.csv_import_dialog as dialog_mod
from model.data.table import read_preview, read_table
from widgets.dialogs.csv_import_dialog import PREVIEW_COLUMNS, PREVIEW_ROWS, CsvImportDialog


def _dialog(qtbot, path):
    d = CsvImportDialog(path)
    qtbot.addWidget(d)
    d.show()
    return d


def test_reading_happens_off_the_gui_thread_with_progress_and_stop(qtbot, tmp_path, monkeypatch):
    p = tmp_path / "d.csv"
    p.write_text("a,b,y\n" + "1,2,0\n3,4,1\n" * 50)
    release, started = threading.Event(), threading.Event()
    gui_thread = threading.get_ident()
    seen = {}

    def slow_read(path, **kw):
        seen["thread"] = threading.get_ident()
        started.set()
        while not release.wait(0.01):
            kw["progress"](0.5)
            if kw["should_stop"]():
                raise dialog_mod.Cancelled()
        return read_table(path)

    monkeypatch.setattr(dialog_mod, "read_table", slow_read)
    d = _dialog(qtbot, p)
    # the constructor returned while the reader is still blocked: the GUI is free
    assert started.wait(10) and d.loading
    assert seen["thread"] != gui_thread
    assert d.preview.rowCount() == 100 and d.preview.columnCount() == 3  # preview is already there
    qtbot.waitUntil(lambda: d.progress_bar.value() == 500, timeout=5000)
    assert d.progress_bar.isVisible() and d.stop_button.isVisible() and not d.ok_button.isEnabled()
    assert d.kind_text("a") == "reading…"
    qtbot.mouseClick(d.stop_button, dialog_mod.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.loading, timeout=5000)
    assert "reading stopped" in d.error_text() and not d.ok_button.isEnabled()
    assert not d.progress_bar.isVisible()
    release.set()


def test_a_hundred_thousand_columns_are_a_model_and_the_preview_is_bounded(qtbot, tmp_path):
    n = 100_000
    p = tmp_path / "wide.csv"
    header = ",".join(f"c{j}" for j in range(n))
    p.write_text(header + "\n" + "\n".join(",".join("1" for _ in range(n)) for _ in range(3)) + "\n")
    d = _dialog(qtbot, p)
    assert d.columns_model.rowCount() == n
    assert d.preview.columnCount() == PREVIEW_COLUMNS and d.preview.rowCount() == 3
    assert d.wait_loaded(120_000)
    assert f"3 rows × {n:,} columns (first {PREVIEW_COLUMNS} columns shown)" in d.preview_label.text()
    assert d.roles()[f"c{n - 1}"] == "target" and d.roles()["c0"] == "input"
    d.set_role("c5", "ignore")
    assert d.roles()["c5"] == "ignore"
    idx = d.columns_model.index(5, 2)
    assert d.columns_model.data(idx) == "ignore"


def test_preview_reads_only_the_rows_it_shows(tmp_path):
    p = tmp_path / "late.csv"
    # a ragged line far below the preview: the full read refuses it, the preview never sees it
    p.write_text("a,b\n" + "1,2\n" * (PREVIEW_ROWS + 50) + "1,2,3\n")
    header, rows = read_preview(p, PREVIEW_ROWS, 1)
    assert header == ["a", "b"] and len(rows) == PREVIEW_ROWS and rows[0] == ["1"]
    with pytest.raises(ValueError, match="expected 2 fields, found 3"):
        read_table(p)


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_hostile_paths_are_one_line_in_the_dialog(qtbot, tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    elif kind == "directory":
        path = tmp_path / "dir.csv"
        path.mkdir()
    else:
        path = "/dev/zero"
    d = _dialog(qtbot, path)  # returns at once: nothing is opened
    assert not d.loading and not d.ok_button.isEnabled()
    text = d.error_text()
    assert "\n" not in text and ("FIFO" in text or "directory" in text or "device" in text), text


def test_training_start_and_data_change_respect_the_memory_budget(win, qtbot, monkeypatch):
    from model.io.project import DataSource
    from model.train import budget

    monkeypatch.setenv(budget.ENV_SHARE, "0.000000001")  # a few bytes: nothing fits
    before = win.doc.spec.layer_sizes
    win.controller.play()
    qtbot.waitUntil(lambda: win.last_error is not None, timeout=5000)
    assert "training needs about" in win.last_error and "use mini-batches" not in win.last_error
    assert not win.controller.running and len(win.doc.history) == 0
    with pytest.raises(budget.MemoryBudgetError):
        win.edits.set_data(DataSource(kind="builtin", name="moons", params={"n": 200}), "none")
    assert win.doc.spec.layer_sizes == before and win.doc.undo_stack.count() == 0
