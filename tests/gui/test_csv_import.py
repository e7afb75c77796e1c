"""CSV import dialog and its pure helper: good files, penguins with one-hot
inputs and NA rows, bad files (message + OK disabled), fuzzed text."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from model.data.data_prep import load_dataset
from model.data.table import read_table
from widgets.dialogs.csv_import_dialog import CsvImportDialog, import_csv_source

PENGUINS = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "penguins.csv"

IRIS_TEXT = "sepal_length,sepal_width,petal_length,petal_width,species\n" + "".join(
    f"{5 + 0.1 * i:.1f},{3 + 0.05 * (i % 7):.2f},{1 + 0.2 * (i % 25):.1f},{0.1 * (i % 20):.1f},"
    f"{('setosa', 'versicolor', 'virginica')[i % 3]}\n"
    for i in range(150)
)


@pytest.fixture
def iris_csv(tmp_path):
    p = tmp_path / "iris_like.csv"
    p.write_text(IRIS_TEXT)
    return p


def make_dialog(qtbot, path, **kw):
    d = CsvImportDialog(path, **kw)
    qtbot.addWidget(d)
    d.show()
    assert d.wait_loaded(), "the file was not read in time"
    return d


def test_good_csv_gives_the_chosen_source(qtbot, iris_csv):
    d = make_dialog(qtbot, iris_csv)
    # defaults: species is the target, the numeric columns are inputs
    assert d.roles()["species"] == "target"
    assert d.chosen("input") == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert d.ok_button.isEnabled()
    assert d.summary_text().startswith("150 rows, 4 inputs → 3 outputs, 0 rows with missing values dropped")
    d.set_role("sepal_width", "ignore")
    d.pre_combo.setCurrentIndex(d.pre_combo.findData("normalize"))
    d.val_spin.setValue(0.3)
    d.seed_spin.setValue(7)
    d.task_combo.setCurrentText("classification")
    assert "3 inputs → 3 outputs" in d.summary_text()
    src, pre = d.result_source()
    assert pre == "normalize"
    assert src.kind == "csv" and Path(src.path) == iris_csv
    assert src.inputs == ["sepal_length", "petal_length", "petal_width"]
    assert src.targets == ["species"] and src.task == "classification"
    assert src.val_fraction == pytest.approx(0.3) and src.split_seed == 7
    # the app's loader reads exactly this data set
    ds, dropped = load_dataset(src)
    assert ds.X.shape == (150, 3) and ds.T.shape == (150, 3) and dropped == 0
    # the pure helper agrees with the dialog
    assert import_csv_source(iris_csv, src.inputs, src.targets, "classification", "normalize", 0.3, 7) == (
        src,
        pre,
    )
    qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)
    assert d.result() == d.DialogCode.Accepted


def test_penguins_one_hot_inputs_and_dropped_rows(qtbot):
    d = make_dialog(qtbot, PENGUINS)
    assert d.preview.rowCount() == 100  # first 100 rows only
    assert d.preview.columnCount() == 8
    assert d.roles()["species"] == "target"
    assert d.roles()["island"] == "ignore"  # text columns start ignored
    d.set_role("island", "input")
    d.set_role("sex", "input")
    assert "one-hot, 3 inputs" in d.kind_text("island")
    assert "categorical" in d.kind_text("sex")
    ds = d.result_import.dataset
    assert ds.feature_names[:3] == ["island=Biscoe", "island=Dream", "island=Torgersen"]
    assert "sex=female" in ds.feature_names and "sex=male" in ds.feature_names
    assert ds.n_samples == 333 and d.result_import.dropped == 11
    assert "11 rows with missing values dropped" in d.summary_text()
    assert "333 rows, 10 inputs → 3 outputs" in d.summary_text()
    oh = ds.X[:, :3]
    np.testing.assert_array_equal(oh.sum(axis=1), 1.0)
    src, _ = d.result_source()
    assert "island" in src.inputs and "sex" in src.inputs


def _bad(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "name,text,message",
    [
        ("ragged.csv", "a,b,c\n1,2,x\n3,4\n", "line 3: expected 3 fields, found 2"),
        ("empty.csv", "", "empty"),
        ("blank.csv", "\n\n  \n", "empty"),
        ("one_class.csv", "x,label\n1,a\n2,a\n3,a\n", "only one class"),
    ],
)
def test_bad_csv_shows_message_and_disables_ok(qtbot, tmp_path, name, text, message):
    d = make_dialog(qtbot, _bad(tmp_path, name, text))
    assert message in d.error_text()
    assert d.error_label.isVisible()
    assert not d.ok_button.isEnabled()
    with pytest.raises(ValueError):
        d.result_source()
    d.accept()
    assert d.result() != d.DialogCode.Accepted


def test_file_over_the_size_limit(qtbot, iris_csv):
    d = make_dialog(qtbot, iris_csv, max_bytes=100)
    assert "larger than the limit of 100 bytes" in d.error_text()
    assert not d.ok_button.isEnabled()
    with pytest.raises(ValueError, match="limit"):
        import_csv_source(iris_csv, ["sepal_length"], ["species"], max_bytes=100)


def test_text_in_a_numeric_looking_column_is_categorical(qtbot, tmp_path):
    p = _bad(tmp_path, "mixed.csv", "x,v,t\n1,2,a\n3,oops,b\n5,6,a\n")
    d = make_dialog(qtbot, p)
    assert d.kinds["v"] == "categorical" and d.roles()["v"] == "ignore"
    d.set_role("v", "input")
    assert d.ok_button.isEnabled(), d.error_text()
    assert d.result_import.dataset.feature_names == ["x", "v=2", "v=6", "v=oops"]


def test_choice_errors_disable_ok_until_fixed(qtbot, iris_csv):
    d = make_dialog(qtbot, iris_csv)
    d.set_role("species", "ignore")
    assert "at least one target" in d.error_text() and not d.ok_button.isEnabled()
    d.set_role("species", "target")
    d.task_combo.setCurrentText("regression")
    assert "regression needs numeric targets" in d.error_text() and not d.ok_button.isEnabled()
    d.task_combo.setCurrentText("auto")
    assert d.ok_button.isEnabled() and d.error_text() == ""


def test_helper_rejects_bad_settings(iris_csv):
    cols = ["sepal_length"], ["species"]
    for kw, msg in [
        ({"preprocessing": "zscore"}, "preprocessing"),
        ({"val_fraction": 1.0}, "fraction"),
        ({"seed": -1}, "seed"),
        ({"task": "clustering"}, "task"),
    ]:
        with pytest.raises(ValueError, match=msg):
            import_csv_source(iris_csv, *cols, **kw)


CELLS = st.sampled_from(
    [
        "1",
        "2.5",
        "-3",
        "a",
        "b",
        "NA",
        "",
        "?",
        "1e308",
        "1e999",
        "nan",
        "inf",
        '"x,y"',
        '"',
        "x\ty",
        ";",
        " ",
        "0x10",
        "1_0",
        "é",
    ]
)
LINES = st.lists(st.lists(CELLS, min_size=0, max_size=5).map(",".join), min_size=0, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=LINES,
    raw=st.binary(max_size=40),
    use_raw=st.booleans(),
    task=st.sampled_from(["auto", "classification", "regression"]),
    pre=st.sampled_from(["none", "normalize", "standardize", "scale"]),
    val=st.sampled_from([0.0, 0.2, 0.5]),
)
def test_malformed_text_gives_a_dataset_or_value_error(tmp_path, lines, raw, use_raw, task, pre, val):
    p = tmp_path / "fuzz.csv"
    p.write_bytes(raw if use_raw else "\n".join(lines).encode("utf-8"))
    try:
        table = read_table(p)
        cols = table.columns
    except ValueError:
        cols = ["a", "b"]
    inputs, targets = cols[:-1] or cols[:1], cols[-1:]
    try:
        src, got = import_csv_source(p, inputs, targets, task, pre, val, 0)
    except ValueError as exc:
        assert str(exc)
        return
    assert got == pre and src.kind == "csv"
    ds, _ = load_dataset(src)
    assert np.isfinite(ds.X).all() and np.isfinite(ds.T).all()


def test_whole_number_labels_preselect_classification(qtbot):
    d = make_dialog(qtbot, PENGUINS.parent / "digits.csv")
    assert d.roles()["digit"] == "target"
    assert d.task_combo.currentText() == "classification"
    assert "64 inputs → 10 outputs" in d.summary_text()
