"""Hypothesis fuzzers for the hostile classes of issue 13 that the field-list
fuzzers (test_hostile_files.py) do not reach:

- huge integers, non-finite and wrong-typed values in *every* numeric field
  of the project format, found by walking real project files (every example
  plus a trained project with history, scaler and weights), so a field added
  later is fuzzed without editing a list;
- non-regular paths (FIFO, directory, devices, symlinks to them, loops,
  sockets) for every loader, under a hard alarm so a hang fails instead of
  blocking;
- zip-bomb members (any name, declared shape, stored or deflated, short or
  long bodies) with the Python heap's peak measured by tracemalloc;
- hostile CSV cells and shapes.

Each must load or be refused as one line (ValueError), with no warning.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import tracemalloc
import warnings
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hostile_corpus import npy_header
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from model.data.table import read_table, table_to_dataset
from model.io.project import ProjectError, load_project, save_project
from model.io.weights_io import load_weights
from model.nn.network import Network

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))
FIXTURE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@contextmanager
def hard_timeout(seconds: int):
    """SIGALRM interrupts even a blocking open() of a FIFO: a hang fails the test."""

    def fire(_sig, _frame):
        raise TimeoutError(f"no answer in {seconds} s (a hang)")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextmanager
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would be an extra stderr line
        yield


def one_line(e: Exception) -> None:
    text = str(e)
    assert text and "\n" not in text and "Traceback" not in text, text


# ------------------------------------------------- every numeric field
def _trained_project_text(tmp: Path) -> str:
    """A project with weights, history and a scaler, as the app writes it."""
    p = load_project(ROOT / "resources" / "examples" / "iris.json")
    net = p.network()
    p.weights = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
    from model.data import data_prep
    from model.train.trainer import Trainer

    data = data_prep.prepare(p)
    p.training.epochs = 3
    tr = Trainer(net, data.X_train, data.train.T, p.training, data.X_val, data.val.T, task=data.task)
    for _ in range(3):
        tr.run_epoch()
    p.weights = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
    p.history, p.scaler = tr.history, data.scaler
    save_project(p, tmp / "trained.json")
    return (tmp / "trained.json").read_text()


def _numeric_paths(obj, prefix=()):
    """JSON paths of every number (not bool) in ``obj``; of a list, its first and last item."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numeric_paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i in sorted({0, len(obj) - 1}) if obj else ():
            yield from _numeric_paths(obj[i], (*prefix, i))
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield prefix


def _collect_fields(tmp: Path) -> list[tuple[str, tuple]]:
    texts = [p.read_text() for p in EXAMPLES] + [_trained_project_text(tmp)]
    fields = {}
    for text in texts:
        for path in _numeric_paths(json.loads(text)):
            # one representative document per distinct field shape (indices collapsed)
            fields.setdefault(tuple(k if isinstance(k, str) else "#" for k in path), (text, path))
    return sorted(fields.values(), key=lambda tp: str(tp[1]))


@pytest.fixture(scope="module")
def every_field(tmp_path_factory):
    return _collect_fields(tmp_path_factory.mktemp("fields"))


def test_the_field_walk_reaches_every_part_of_the_format(every_field):
    tops = {path[0] for _, path in every_field}
    assert {"version", "network", "data", "training", "weights", "history"} <= tops
    names = {".".join(map(str, path)) for _, path in every_field}
    assert "training.lr" in names and "network.init_range" in names
    assert any(n.startswith("preprocessing.scaler") for n in names)  # the saved scaler
    assert len(every_field) >= 40


HOSTILE_NUMBERS = st.one_of(
    st.integers(300, 6000).map(lambda k: "9" * k),  # beyond a float, past Python's 4,300-digit limit
    st.integers(300, 6000).map(lambda k: "-" + "9" * k),
    st.sampled_from(["1e999", "-1e999", "1e308", "-1e308", "1.5e-320", "true", "null", '"1"', "[]", "{}"]),
    st.integers(1, 2500).map(lambda k: "[" * k + "]" * k),  # nesting depth
    st.integers(-(2**70), 2**70).map(str),
)


def _replace(text: str, path: tuple, literal: str) -> str:
    d = json.loads(text)
    obj = d
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = "__HOSTILE__"
    return json.dumps(d).replace('"__HOSTILE__"', literal)


@settings(max_examples=400, deadline=None, suppress_health_check=FIXTURE)
@given(data=st.data(), literal=HOSTILE_NUMBERS)
def test_fuzz_every_numeric_field_of_the_format(tmp_path, every_field, data, literal):
    text, path = data.draw(st.sampled_from(every_field), label="field")
    p = tmp_path / "f.json"
    p.write_text(_replace(text, path, literal))
    with no_warnings(), hard_timeout(60):
        try:
            project = load_project(p)
            project.network()  # what loads must build
        except ProjectError as e:
            one_line(e)
        except ValueError as e:  # building a network of a loaded spec: still one line
            one_line(e)


# ------------------------------------------------- non-regular files
def _hostile_path(tmp: Path, kind: str, suffix: str) -> Path:
    p = tmp / f"x{suffix}"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "directory":
        p.mkdir()
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(p))
        s.close()
    elif kind == "loop":
        p.symlink_to(p)
    elif kind == "dangling":
        p.symlink_to(tmp / "nowhere")
    elif kind == "link-to-fifo":
        os.mkfifo(tmp / "pipe")
        p.symlink_to(tmp / "pipe")
    else:  # a device, directly or through a link with the loader's suffix
        p.symlink_to(kind)
    return p


LOADERS = {
    "project": (".json", load_project),
    "weights-npz": (".npz", load_weights),
    "weights-json": (".json", load_weights),
    "csv": (".csv", lambda p: read_table(p)),
}


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE)
@given(
    kind=st.sampled_from(
        [
            "fifo",
            "directory",
            "socket",
            "loop",
            "dangling",
            "link-to-fifo",
            "/dev/zero",
            "/dev/urandom",
            "/dev/null",
        ]
    ),
    loader=st.sampled_from(sorted(LOADERS)),
)
def test_fuzz_non_regular_paths_are_refused_at_once(tmp_path_factory, kind, loader):
    tmp = tmp_path_factory.mktemp("nr")
    suffix, load = LOADERS[loader]
    path = _hostile_path(tmp, kind, suffix)
    with no_warnings(), hard_timeout(20), pytest.raises(ValueError) as e:
        load(path)
    one_line(e.value)


# ------------------------------------------------- zip-bomb members
MEMBER = st.tuples(
    st.sampled_from(
        ["W1.npy", "b1.npy", "W2.npy", "layer_sizes.npy", "payload.bin", "W1", "x/../W1.npy", "é.npy"]
    ),
    st.one_of(
        st.tuples(st.integers(0, 4000)),
        st.tuples(st.integers(1, 3000), st.integers(1, 3000)),
        st.tuples(st.integers(10**6, 10**12), st.integers(10**6, 10**12)),
    ),
    st.sampled_from(["<f8", "<f4", "|O", "<U4", "<i8", "|b1"]),
    st.sampled_from([-1, 0, 1, 50]),  # body: short, exact, long, or a 50 MB run of zeros
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
)


def _member_bytes(shape, dtype, body) -> bytes:
    head = npy_header(shape, dtype)
    n = math.prod(shape) * np.dtype(dtype if dtype != "|O" else "<f8").itemsize
    if body == 50:
        return head + b"\0" * (50 << 20)
    size = {-1: max(n // 2, 0), 0: n, 1: n + 64}[body]
    return head + b"\0" * min(size, 8 << 20)


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE)
@given(members=st.lists(MEMBER, min_size=1, max_size=5))
def test_fuzz_zip_bomb_members_are_refused_before_they_are_inflated(tmp_path, members):
    # only deflated 50 MB members are bombs; stored ones would be a 50 MB file
    assume(not any(body == 50 and method == zipfile.ZIP_STORED for *_, body, method in members))
    path = tmp_path / "w.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w") as z:
            for name, shape, dtype, body, method in members:
                z.writestr(zipfile.ZipInfo(name), _member_bytes(shape, dtype, body), compress_type=method)
    tracemalloc.start()
    try:
        with no_warnings(), hard_timeout(60):
            try:
                ws = load_weights(path)
                assert all(np.isfinite(w).all() for w in ws.weights)
            except ValueError as e:
                one_line(e)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the Python heap never holds an inflated bomb: at most the honest 8 MB bodies, twice
    assert peak < 48 << 20, f"peak {peak / 2**20:.0f} MiB"


# ------------------------------------------------- CSV cells and shapes
CELL = st.one_of(
    st.integers(300, 6000).map(lambda k: "9" * k),
    st.sampled_from(
        ["inf", "-inf", "nan", "NA", "", "?", "1e999", "1_000", "0x10", "1,5", '"', "\x00", "\ufeff"]
    ),
    st.sampled_from(["=HYPERLINK(1)", "+cmd|x", "@SUM(A1)", "-1", "é", "a\nb", "  3 "]),
    st.floats(allow_nan=False).map(repr),
    st.text(max_size=8),
)


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURE)
@given(
    rows=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=0, max_size=8),
    width=st.integers(1, 4),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_fuzz_hostile_csv_is_a_table_or_one_line(tmp_path, rows, width, sep):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    w.writerow([f"c{j}" for j in range(width)])
    for r in rows:
        w.writerow(r)
    p = tmp_path / "h.csv"
    p.write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))
    with no_warnings(), hard_timeout(60):
        try:
            t = read_table(p)
            cols = t.columns
            ds, _ = table_to_dataset(t, cols[:-1] or cols[:1], cols[-1:] if len(cols) > 1 else [])
            assert np.isfinite(ds.X).all() and np.isfinite(ds.T).all()
        except ValueError as e:
            one_line(e)


def test_a_loaded_fuzzed_network_is_usable():
    """Sanity of the harness: an untouched example loads and builds without a refusal."""
    net = load_project(EXAMPLES[0]).network()
    assert isinstance(net, Network)
