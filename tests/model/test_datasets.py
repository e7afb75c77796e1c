"""Tests for model.data.datasets and model.data.table (no Qt)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.data.datasets import BUILTIN, Dataset, datasets_dir, make_dataset, train_val_split
from model.data.table import read_table, table_to_dataset

GENERATED = [k for k, v in BUILTIN.items() if v["kind"] == "generated"]
FIXED = [k for k, v in BUILTIN.items() if v["kind"] == "fixed"]


# ----------------------------------------------------------------- built-ins


@pytest.mark.parametrize("name", list(BUILTIN))
def test_every_builtin_shapes_and_metadata(name):
    info = BUILTIN[name]
    assert {"title", "task", "description", "defaults", "inputs", "outputs"} <= set(info)
    ds = make_dataset(name)
    assert ds.X.dtype == np.float64 and ds.T.dtype == np.float64
    assert ds.X.ndim == 2 and ds.T.ndim == 2 and len(ds.X) == len(ds.T)
    assert ds.X.shape[1] == info["inputs"] == len(ds.feature_names)
    assert ds.T.shape[1] == info["outputs"] == len(ds.target_names)
    assert ds.task == info["task"]
    assert np.all(np.isfinite(ds.X)) and np.all(np.isfinite(ds.T))
    assert ds.name == name
    if info["kind"] == "generated":
        assert len(ds) == info["defaults"]["n"]
    if ds.task == "classification":
        lab = ds.labels()
        assert lab.dtype == np.int64 and lab.shape == (len(ds),)
        k = len(ds.class_names)
        assert k >= 2 and set(np.unique(lab)) == set(range(k))
        if ds.T.shape[1] == 1:
            assert set(np.unique(ds.T)) <= {0.0, 1.0}
        else:
            assert np.all(ds.T.sum(axis=1) == 1.0)
    else:
        assert ds.class_names == []
        with pytest.raises(ValueError):
            ds.labels()


@pytest.mark.parametrize("name", GENERATED)
def test_generators_deterministic(name):
    a, b = make_dataset(name, n=60, noise=0.1, seed=3), make_dataset(name, n=60, noise=0.1, seed=3)
    c = make_dataset(name, n=60, noise=0.1, seed=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.T, b.T)
    assert not np.array_equal(a.X, c.X)
    assert a.X.shape[0] == 60


@pytest.mark.parametrize("name", ["blobs", "circles", "moons", "spiral", "gaussians"])
def test_class_balance(name):
    ds = make_dataset(name, n=301, seed=1)
    counts = np.bincount(ds.labels())
    assert counts.max() - counts.min() <= 1


def test_checkerboard_roughly_balanced_and_tiles():
    ds = make_dataset("checkerboard", n=4000, seed=0, tiles=2)
    counts = np.bincount(ds.labels())
    assert abs(counts[0] - counts[1]) < 400
    # noise-free label follows the quadrant rule for tiles=2
    q = ((ds.X[:, 0] >= 0).astype(int) + (ds.X[:, 1] >= 0).astype(int)) % 2
    assert np.array_equal(q, ds.labels())


def test_inputs_in_reasonable_range():
    for name in ["blobs", "circles", "moons", "spiral", "checkerboard", "plane", "bumps"]:
        ds = make_dataset(name, seed=0)
        assert np.abs(ds.X).max() <= 3.5, name


def test_blobs_linearly_separable_without_noise():
    ds = make_dataset("blobs", n=2000, seed=5)
    s = ds.X.sum(axis=1)
    assert np.all((s > 0) == (ds.labels() == 1))


def test_gaussians_classes_param():
    ds = make_dataset("gaussians", n=50, classes=5)
    assert ds.T.shape == (50, 5) and len(ds.class_names) == 5
    ds2 = make_dataset("gaussians", n=50, classes=2)
    assert ds2.T.shape == (50, 1)


def test_spiral_turns_changes_data():
    a, b = make_dataset("spiral", n=100, turns=1), make_dataset("spiral", n=100, turns=3)
    assert not np.array_equal(a.X, b.X)


def test_sine_noise_free_is_exact():
    ds = make_dataset("sine", n=50, noise=0.0)
    assert np.all(np.abs(ds.X) <= np.pi)
    assert np.allclose(ds.T[:, 0], np.sin(ds.X[:, 0]))


def test_plane_is_linear():
    ds = make_dataset("plane", n=30, a=[2.0, -1.0], b=0.5)
    assert np.allclose(ds.T[:, 0], 2 * ds.X[:, 0] - ds.X[:, 1] + 0.5)


def test_lecture_tables_exact():
    xor = make_dataset("xor")
    assert xor.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert xor.T[:, 0].tolist() == [0, 1, 1, 0]
    assert make_dataset("and").T[:, 0].tolist() == [0, 0, 0, 1]
    assert make_dataset("or").T[:, 0].tolist() == [0, 1, 1, 1]
    e = make_dataset("eleven_points")
    expected = [
        [0.1, 0.95, 0],
        [0.2, 0.85, 0],
        [0.2, 0.9, 0],
        [0.3, 0.75, 1],
        [0.4, 0.65, 1],
        [0.4, 0.75, 1],
        [0.6, 0.45, 0],
        [0.8, 0.25, 0],
        [0.1, 0.65, 1],
        [0.2, 0.75, 1],
        [0.7, 0.2, 1],
    ]
    assert np.column_stack([e.X, e.T]).tolist() == expected
    bp = make_dataset("backprop_table")
    assert bp.task == "regression"
    assert bp.X.tolist() == [[0, 0], [0, 1], [1, 0]]
    assert bp.T.tolist() == [[0, 1], [1, 0], [1, 1]]


def test_fixed_tables_ignore_n_and_noise_jitters_inputs():
    assert make_dataset("xor", n=100).X.shape == (4, 2)
    j = make_dataset("xor", noise=0.1, seed=2)
    assert j.X.shape == (4, 2) and not np.array_equal(j.X, make_dataset("xor").X)
    assert j.T[:, 0].tolist() == [0, 1, 1, 0]


def test_fixed_tables_not_shared_between_calls():
    a = make_dataset("xor")
    a.X[0, 0] = 99
    assert make_dataset("xor").X[0, 0] == 0


def test_argument_validation():
    with pytest.raises(ValueError, match="known datasets:.*xor"):
        make_dataset("nope")
    for bad_n in (0, -5, 1_000_001):
        with pytest.raises(ValueError, match="n must"):
            make_dataset("moons", n=bad_n)
    with pytest.raises(ValueError, match="n must"):
        make_dataset("moons", n=2.5)
    with pytest.raises(ValueError, match="noise"):
        make_dataset("moons", noise=-0.1)
    with pytest.raises(ValueError, match="noise"):
        make_dataset("moons", noise=float("nan"))
    with pytest.raises(ValueError, match="unknown parameter"):
        make_dataset("moons", turns=2)
    with pytest.raises(ValueError, match="classes"):
        make_dataset("gaussians", classes=1)
    with pytest.raises(ValueError, match="tiles"):
        make_dataset("checkerboard", tiles=0)
    with pytest.raises(ValueError, match="turns"):
        make_dataset("spiral", turns=-1)
    with pytest.raises(ValueError, match="noise"):
        make_dataset("iris", noise=0.5)
    with pytest.raises(ValueError, match="n >= 3"):
        make_dataset("gaussians", n=2)


# ----------------------------------------------------------------- shipped CSV data


def test_iris():
    ds = make_dataset("iris")
    assert ds.X.shape == (150, 4) and ds.T.shape == (150, 3)
    assert ds.class_names == ["setosa", "versicolor", "virginica"]
    assert np.bincount(ds.labels()).tolist() == [50, 50, 50]


def test_penguins_one_hot_and_dropped_rows():
    ds = make_dataset("penguins")
    assert ds.X.shape[0] == 333 and ds.T.shape == (333, 3)
    for col in ["island=Biscoe", "island=Dream", "island=Torgersen", "sex=female", "sex=male"]:
        assert col in ds.feature_names
    j = ds.feature_names.index("sex=male")
    k = ds.feature_names.index("sex=female")
    assert np.all(ds.X[:, j] + ds.X[:, k] == 1)
    assert ds.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    table = read_table(datasets_dir() / "penguins.csv")
    assert table.n_rows == 344 and "year" in table.columns
    _, dropped = table_to_dataset(table, ds.feature_names[:4] + ["island", "sex"], ["species"])
    assert dropped == 11


def test_digits():
    ds = make_dataset("digits")
    assert ds.X.shape[1] == 64 and ds.T.shape[1] == 10
    assert ds.X.min() == 0 and ds.X.max() == 16
    assert ds.class_names == [str(i) for i in range(10)]


def test_shipped_files_and_readme():
    d = datasets_dir()
    for f in ["iris.csv", "penguins.csv", "digits.csv", "README.md"]:
        assert (d / f).is_file()
    readme = (d / "README.md").read_text()
    assert "CC0" in readme and "CC BY 4.0" in readme


def test_csv_dataset_returns_copies():
    a = make_dataset("iris")
    a.X[:] = 0
    assert make_dataset("iris").X.max() > 0


# ----------------------------------------------------------------- Dataset helpers and split


def test_subset_and_labels():
    ds = make_dataset("gaussians", n=30)
    sub = ds.subset([0, 2, 4])
    assert sub.X.shape == (3, 2) and np.array_equal(sub.T, ds.T[[0, 2, 4]])
    assert np.array_equal(sub.labels(), ds.labels()[[0, 2, 4]])
    mask = ds.labels() == 1
    assert len(ds.subset(mask)) == mask.sum()


def test_dataset_validates_shapes():
    with pytest.raises(ValueError):
        Dataset(np.zeros((3, 2)), np.zeros((4, 1)), "regression", ["a", "b"], ["t"], [])
    with pytest.raises(ValueError):
        Dataset(np.zeros((3, 2)), np.zeros((3, 1)), "regression", ["a"], ["t"], [])
    with pytest.raises(ValueError):
        Dataset(np.zeros((3, 2)), np.zeros((3, 1)), "clustering", ["a", "b"], ["t"], [])


@pytest.mark.parametrize("frac", [0.0, 0.2, 0.25, 0.5])
def test_split_sizes_disjoint_deterministic(frac):
    ds = make_dataset("moons", n=101, seed=0)
    ds.X[:, 0] = np.arange(101)  # tag rows
    tr, va = train_val_split(ds, frac, seed=7)
    assert len(tr) + len(va) == 101 and len(va) == round(101 * frac)
    ids_tr, ids_va = set(tr.X[:, 0]), set(va.X[:, 0])
    assert not ids_tr & ids_va and ids_tr | ids_va == set(range(101))
    assert va.X.shape[1] == 2 and va.T.shape[1] == 1
    tr2, va2 = train_val_split(ds, frac, seed=7)
    assert np.array_equal(tr.X, tr2.X) and np.array_equal(va.X, va2.X)
    if frac > 0:
        _, va3 = train_val_split(ds, frac, seed=8)
        assert not np.array_equal(va.X, va3.X)


def test_split_empty_val_and_tiny_sets():
    tr, va = train_val_split(make_dataset("xor"), 0.0, seed=0)
    assert va.X.shape == (0, 2) and va.T.shape == (0, 1) and len(tr) == 4
    tr, va = train_val_split(make_dataset("xor"), 0.9, seed=0)
    assert len(tr) >= 1
    for bad in (-0.1, 1.0, float("nan")):
        with pytest.raises(ValueError):
            train_val_split(make_dataset("xor"), bad, seed=0)


# ----------------------------------------------------------------- table reader

CSV = "a,b,c\n1,x,2.5\n2,y,NA\n3,x,4\n"


def test_read_table_text_and_kinds():
    t = read_table(CSV)
    assert t.columns == ["a", "b", "c"] and t.n_rows == 3
    assert t.rows[1] == ["2", "y", "NA"]
    assert t.column_kind("a") == "numeric" and t.column_kind("b") == "categorical"
    assert t.column_kind("c") == "numeric"
    c = t.numeric("c")
    assert c[0] == 2.5 and np.isnan(c[1])
    with pytest.raises(ValueError, match="line 2.*'b'.*'x' is not a number"):
        t.numeric("b")
    with pytest.raises(ValueError, match="no column named 'zz'"):
        t.column("zz")


def test_read_table_file_semicolon_and_blank_lines(tmp_path):
    p = tmp_path / "data.csv"
    p.write_text("\ufeffx;y\n\n1;2\n3;4\n\n")
    t = read_table(p)
    assert t.columns == ["x", "y"] and t.rows == [["1", "2"], ["3", "4"]]
    assert read_table(str(p)).rows == t.rows


def test_read_table_errors(tmp_path):
    p = tmp_path / "ragged.csv"
    p.write_text("a,b,c\n1,2,3\n4,5\n")
    with pytest.raises(ValueError, match=r"ragged\.csv, line 3: expected 3 fields, found 2"):
        read_table(p)
    e = tmp_path / "empty.csv"
    e.write_text("")
    with pytest.raises(ValueError, match=r"empty\.csv: file is empty"):
        read_table(e)
    with pytest.raises(ValueError, match=r"larger than the limit of 10 bytes"):
        read_table(p, max_bytes=10)
    with pytest.raises(ValueError, match="cannot open"):
        read_table(tmp_path / "missing.csv")
    h = tmp_path / "nohead.csv"
    h.write_text("1,2\n3,4\n")
    with pytest.raises(ValueError, match="no header row"):
        read_table(h)
    with pytest.raises(ValueError, match="duplicate column name 'a'"):
        read_table("a,a\n1,2\n")
    b = tmp_path / "bin.csv"
    b.write_bytes(b"a,b\n\xff\xfe,1\n")
    with pytest.raises(ValueError, match="not UTF-8"):
        read_table(b)


def test_oversize_checked_before_reading(tmp_path, monkeypatch):
    p = tmp_path / "big.csv"
    p.write_text("a\n" + "1\n" * 100)
    import builtins

    monkeypatch.setattr(builtins, "open", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
    with pytest.raises(ValueError, match="larger than the limit"):
        read_table(p, max_bytes=50)


def test_table_to_dataset_one_hot_and_drop():
    t = read_table("n,colour,label\n1,red,yes\n2,blue,no\nNA,red,no\n4,green,?\n5,red,yes\n")
    ds, dropped = table_to_dataset(t, ["n", "colour"], ["label"])
    assert dropped == 2
    assert ds.feature_names == ["n", "colour=blue", "colour=red"]
    assert ds.X.tolist() == [[1, 0, 1], [2, 1, 0], [5, 0, 1]]
    assert ds.task == "classification" and ds.T.shape == (3, 1)
    assert ds.class_names == ["no", "yes"] and ds.T[:, 0].tolist() == [1, 0, 1]


def test_table_to_dataset_multiclass_numeric_and_regression():
    t = read_table("x,y,k\n0,1.5,10\n1,2.5,2\n2,3.5,1\n3,4.5,2\n")
    reg, _ = table_to_dataset(t, ["x"], ["y", "k"])
    assert reg.task == "regression" and reg.T.shape == (4, 2) and reg.target_names == ["y", "k"]
    cls, _ = table_to_dataset(t, ["x"], ["k"], task="classification")
    assert cls.class_names == ["1", "2", "10"]  # numeric order
    assert cls.T.shape == (4, 3) and cls.labels().tolist() == [2, 1, 0, 1]


def test_table_to_dataset_errors():
    t = read_table("x,s,c,r\n1,a,same,inf\n2,b,same,3\n")
    with pytest.raises(ValueError, match="target column 'c' has only one class"):
        table_to_dataset(t, ["x"], ["c"])
    with pytest.raises(ValueError, match="line 2, column 'r': non-finite value 'inf'"):
        table_to_dataset(t, ["r"], ["s"])
    with pytest.raises(ValueError, match="contains text"):
        table_to_dataset(t, ["x"], ["s"], task="regression")
    with pytest.raises(ValueError, match="both an input and a target"):
        table_to_dataset(t, ["x"], ["x"])
    with pytest.raises(ValueError, match="no column named"):
        table_to_dataset(t, ["nope"], ["s"])
    with pytest.raises(ValueError, match="exactly one target"):
        table_to_dataset(t, ["x"], ["s", "c"])
    with pytest.raises(ValueError, match="no rows left"):
        table_to_dataset(read_table("x,y\nNA,1\n2,\n"), ["x"], ["y"])


def test_model_imports_no_qt():
    code = (
        "import sys, model.data.datasets, model.data.preprocessing, model.data.table; "
        "bad=[m for m in sys.modules if m.split('.')[0] in ('PySide6','pyqtgraph','app','widgets')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
