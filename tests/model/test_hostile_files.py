"""Hostile files for every loader: non-regular paths, unbounded devices, huge
integers, deep nesting, booleans, zip-bomb members, the per-file element
budget; and saves through symlinks, onto devices, with stale temporaries.

Anything that could hang or allocate without bound runs in a subprocess with
a hard timeout and an address-space limit (``resource.setrlimit``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hostile_corpus import GIANT, HUGE, NUMERIC_FIELDS, npy_header, set_path, write_forged_ratio_npz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.io import safe_read
from model.io.atomic import clean_stale_temporaries
from model.io.project import ProjectError, load_project, save_project
from model.io.weights_io import MAX_FILE_ELEMENTS, export_json, export_npz, load_weights
from model.nn.network import Network, NetworkSpec

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "resources" / "examples" / "xor_train.json"
HAND = ROOT / "resources" / "examples" / "xor_hand_wired.json"

# A child that loads one path with one loader, under a 1.5 GiB address-space
# limit; it prints the error line and exits 1, or exits 0 on success.
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
kind, path = sys.argv[1], sys.argv[2]
try:
    if kind == "project":
        from model.io.project import load_project as f
    elif kind == "weights":
        from model.io.weights_io import load_weights as f
    else:
        from model.data.table import read_table as f
    f(path)
except ValueError as e:
    print(e)
    sys.exit(1)
"""


def run_bounded(kind: str, path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def assert_clean(res, needle: str):
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    assert res.stderr == "", res.stderr  # no traceback, no warning
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stdout


# ------------------------------------------------------------ non-regular
@pytest.mark.parametrize("kind", ["project", "weights", "csv"])
def test_fifo_is_refused_without_blocking(tmp_path, kind):
    fifo = tmp_path / {"project": "p.json", "weights": "w.npz", "csv": "d.csv"}[kind]
    os.mkfifo(fifo)
    assert_clean(run_bounded(kind, fifo), "named pipe (FIFO)")


@pytest.mark.parametrize("kind", ["project", "weights", "csv"])
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused_before_reading(tmp_path, kind, device):
    if kind == "weights":  # the suffix decides the weights format; link a device to a .npz name
        link = tmp_path / "w.npz"
        link.symlink_to(device)
        device = link
    assert_clean(run_bounded(kind, device), "a device")


@pytest.mark.parametrize("kind", ["project", "weights", "csv"])
def test_directory_is_refused(tmp_path, kind):
    d = tmp_path / "dir.json"
    if kind == "weights":
        d = tmp_path / "dir.npz"
    d.mkdir()
    assert_clean(run_bounded(kind, d), "a directory")


def test_byte_budget_is_enforced_while_reading(tmp_path):
    p = tmp_path / "big.json"
    p.write_bytes(b" " * 5000)
    with pytest.raises(safe_read.ReadError, match="larger than the 4,999 bytes"):
        safe_read.read_bytes(p, 4999)
    assert len(safe_read.read_bytes(p, 5000)) == 5000


# ------------------------------------------------------------ JSON numbers
def _project_text(path: str, literal: str) -> str:
    """The XOR project with the JSON value at ``path`` (dots / [i]) replaced by ``literal``."""
    d = json.loads(HAND.read_text())
    set_path(d, path, "__MARK__")
    return json.dumps(d).replace('"__MARK__"', literal)


@pytest.mark.parametrize("literal", [HUGE, "-" + HUGE, GIANT, "1e400", "-1e400"])
@pytest.mark.parametrize("field", NUMERIC_FIELDS)
def test_huge_numbers_in_every_field_are_one_line(tmp_path, field, literal):
    p = tmp_path / "p.json"
    p.write_text(_project_text(field, literal))
    with pytest.raises(ProjectError) as info:
        load_project(p)
    msg = str(info.value)
    assert "\n" not in msg and "4300" not in msg and "Exceeds" not in msg, msg
    if literal.lstrip("-").startswith("9"):
        assert "too large" in msg and field.split("[")[0].split(".")[0] in msg, msg


def test_huge_integer_message_names_the_json_path(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(_project_text("training.lr", GIANT))
    with pytest.raises(ProjectError, match=r"training\.lr: an integer with 5,000 digits is too large"):
        load_project(p)


def test_embedded_data_and_history_with_huge_integers(tmp_path):
    d = json.loads(XOR.read_text())
    d["data"] = {"kind": "embedded", "X": [[0, 0], [1, 1]], "T": [[0], [1]], "task": "classification"}
    text = json.dumps(d).replace("[[0, 0], [1, 1]]", f"[[0, {HUGE}], [1, 1]]")
    (tmp_path / "e.json").write_text(text)
    with pytest.raises(ProjectError, match=r"data\.X\[0\]\[1\]: an integer with 400 digits"):
        load_project(tmp_path / "e.json")


@pytest.mark.parametrize("value", ["true", "1.0", "false", '"1"', "3", "2.0", "0"])
def test_version_must_be_the_integer_1_or_2(tmp_path, value):
    p = tmp_path / "p.json"
    p.write_text(_project_text("version", value))
    with pytest.raises(ProjectError, match="version"):
        load_project(p)


def test_boolean_weights_are_refused_in_projects_and_weight_files(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(_project_text("weights.W[0][0][0]", "true"))
    with pytest.raises(ProjectError, match=r"weights\.W\[0\]\[0\]\[0\]: must be a number, not true/false"):
        load_project(p)
    net = Network(NetworkSpec([2, 2, 1], ["tanh", "sigmoid"]))
    export_json(net, tmp_path / "w.json")
    d = json.loads((tmp_path / "w.json").read_text())
    d["layers"][0]["b"] = [True, False]
    (tmp_path / "w.json").write_text(json.dumps(d))
    with pytest.raises(ValueError, match=r"layers\[0\]\.b\[0\]: must be a number, not true/false"):
        load_weights(tmp_path / "w.json")


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("kind", ["project", "weights"])
def test_deep_nesting_is_one_line(tmp_path, depth, kind):
    p = tmp_path / ("p.json" if kind == "project" else "w.json")
    if kind == "project":
        p.write_text("[" * depth + "]" * depth)
    else:
        p.write_text('{"layers": [{"W": ' + "[" * depth + "]" * depth + ', "b": [0]}]}')
    res = run_bounded(kind, p)
    assert res.returncode == 1 and res.stderr == "", res.stderr
    assert len(res.stdout.strip().splitlines()) == 1


def test_history_errors_are_plain_words(tmp_path):
    d = json.loads(XOR.read_text())
    d["history"] = {"epoch": [1], "grad_norms": [5], "weight_norms": [[1, 1]]}
    (tmp_path / "h.json").write_text(json.dumps(d))
    with pytest.raises(ProjectError) as info:
        load_project(tmp_path / "h.json")
    assert str(info.value) == "history.grad_norms[0]: must be a list of 2 numbers (one per layer)"


def test_uniform_init_with_absurd_range_is_refused(tmp_path):
    d = json.loads(XOR.read_text())
    d["network"].update(init="uniform", init_range=1e308)
    (tmp_path / "u.json").write_text(json.dumps(d))
    with pytest.raises(ProjectError, match=r"network\.init_range: must be a number in \(0, 1000\]"):
        load_project(tmp_path / "u.json")


# ------------------------------------------------------------ weight files
def test_weights_txt_suffix_is_refused(tmp_path):
    (tmp_path / "w.txt").write_text("1 2 3")
    with pytest.raises(ValueError, match="w.txt: weights files must end in .npz or .json"):
        load_weights(tmp_path / "w.txt")


def test_npz_member_not_named_npy_is_refused_before_inflating(tmp_path):
    with zipfile.ZipFile(tmp_path / "b.npz", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("W1.npy", npy_header((1, 1)) + b"\0" * 8)
        z.writestr("payload.bin", b"\0" * (50 << 20))  # 50 MB of zeros, ~50 kB compressed
    assert (tmp_path / "b.npz").stat().st_size < 1 << 20
    res = run_bounded("weights", tmp_path / "b.npz")
    assert_clean(res, "member 'payload.bin' is not a .npy array")


def test_many_arrays_hit_the_per_file_element_budget(tmp_path):
    # 12 arrays of 5M values each: each within the per-array cap, 60M together
    with zipfile.ZipFile(tmp_path / "many.npz", "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(12):
            z.writestr(f"W{i + 1}.npy", npy_header((5_000_000,)) + b"\0" * 40_000_000)
    res = run_bounded("weights", tmp_path / "many.npz", timeout=120)
    assert_clean(res, f"more than {MAX_FILE_ELEMENTS:,} values")


def test_impossible_compression_ratio_is_refused(tmp_path):
    path = tmp_path / "r.npz"
    write_forged_ratio_npz(path)
    with pytest.raises(ValueError, match="impossible ratio"):
        load_weights(path)


def test_oversized_npy_header_is_reported_as_such(tmp_path):
    header = b"\x93NUMPY\x01\x00" + (60_000).to_bytes(2, "little") + b" " * 60_000
    with zipfile.ZipFile(tmp_path / "h.npz", "w") as z:
        z.writestr("W1.npy", header)
    with pytest.raises(ValueError, match="60,000-byte .npy header") as info:
        load_weights(tmp_path / "h.npz")
    assert "pickle" not in str(info.value)


def test_npz_layer_sizes_with_infinity_is_one_line(tmp_path):
    net = Network(NetworkSpec([2, 2, 1], ["tanh", "sigmoid"]))
    np.savez(
        tmp_path / "inf.npz",
        W1=net.weights[0],
        b1=net.biases[0],
        W2=net.weights[1],
        b2=net.biases[1],
        layer_sizes=np.array([np.inf, 2, 1]),
    )
    with pytest.raises(ValueError, match="layer_sizes must be whole numbers"):
        load_weights(tmp_path / "inf.npz")


def test_json_weights_with_huge_integers(tmp_path):
    (tmp_path / "w.json").write_text('{"layers": [{"W": [[' + GIANT + ']], "b": [0]}]}')
    with pytest.raises(ValueError, match=r"layers\[0\]\.W\[0\]\[0\]: an integer with 5,000 digits"):
        load_weights(tmp_path / "w.json")


# ------------------------------------------------------------------ saving
def test_save_through_a_symlink_replaces_the_target(tmp_path):
    p = load_project(XOR)
    real = tmp_path / "real.json"
    save_project(p, real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    p.name = "changed"
    save_project(p, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_project(real).name == "changed"
    net = Network(NetworkSpec([2, 2, 1], ["tanh", "sigmoid"]))
    wl = tmp_path / "w.npz"
    (tmp_path / "wt.npz").write_bytes(b"")
    wl.symlink_to(tmp_path / "wt.npz")
    export_npz(net, wl)
    assert wl.is_symlink() and load_weights(tmp_path / "wt.npz").weights[0].shape == (2, 2)


def test_save_onto_a_device_is_refused(tmp_path):
    p = load_project(XOR)
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    with pytest.raises(OSError, match="not a regular file"):
        save_project(p, link)
    with pytest.raises(OSError, match="not a regular file"):
        save_project(p, "/dev/null")
    assert Path("/dev/null").exists() and not Path("/dev/null").is_file()


def test_stale_temporaries_are_removed_by_the_next_save_and_open(tmp_path):
    p = load_project(XOR)
    target = tmp_path / "p.json"
    # a dead writer's file (pid 2**22 + 1 does not run), a live one (ours), an old-style one
    dead = tmp_path / f".p.json.{2**22 + 1}.abcd1234.mlp-studio.tmp"
    live = tmp_path / f".p.json.{os.getppid()}.abcd1234.mlp-studio.tmp"
    old = tmp_path / ".p.json.k2j3h4g5.tmp"
    other = tmp_path / ".q.json.k2j3h4g5.tmp"
    for f in (dead, live, old, other):
        f.write_text("partial")
    save_project(p, target)
    assert not dead.exists() and not old.exists()
    assert live.exists() and other.exists()
    dead.write_text("partial")
    load_project(target)
    assert not dead.exists()
    assert clean_stale_temporaries(target) == []


def test_killed_saves_leave_nothing_behind_after_the_next_save(tmp_path):
    """kill -9 in the middle of saves; the next save removes every orphan."""
    target = tmp_path / "p.json"
    code = (
        "import sys, os\n"
        "from model.io.project import load_project, save_project\n"
        f"p = load_project({str(XOR)!r})\n"
        "print('ready', flush=True)\n"
        f"while True: save_project(p, {str(target)!r})\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
        assert proc.stdout.readline().strip() == b"ready"
        proc.kill()
        proc.wait(timeout=30)
    save_project(load_project(XOR), target)
    assert sorted(f.name for f in tmp_path.iterdir()) == ["p.json"]


# ------------------------------------------------------------ fuzzers
HOSTILE_LITERALS = st.one_of(
    st.integers(1, 6000).map(lambda k: "9" * k),  # up to 6,000 digits
    st.integers(1, 6000).map(lambda k: "-" + "1" * k),
    st.sampled_from(["1e999", "-1e999", "true", "false", "null", '"7"', "{}", "[]", "1.5e308", "0.0"]),
    st.integers(1, 3000).map(lambda k: "[" * k + "]" * k),  # nesting depth
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(NUMERIC_FIELDS), literal=HOSTILE_LITERALS)
def test_fuzz_any_hostile_value_in_any_numeric_field_is_one_line(tmp_path, field, literal):
    p = tmp_path / "f.json"
    p.write_text(_project_text(field, literal))
    try:
        load_project(p)
    except ProjectError as e:
        assert "\n" not in str(e) and str(e)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(W=HOSTILE_LITERALS, b=HOSTILE_LITERALS, sizes=HOSTILE_LITERALS)
def test_fuzz_json_weights_are_loaded_or_refused_in_one_line(tmp_path, W, b, sizes):
    p = tmp_path / "w.json"
    p.write_text(
        '{"layers": [{"W": [[' + W + "]], " + '"b": [' + b + ']}], "layer_sizes": [' + sizes + ", 1]}"
    )
    try:
        load_weights(p)
    except ValueError as e:
        assert "\n" not in str(e) and str(e)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.integers(0, 400), min_size=1, max_size=12))
def test_fuzz_per_file_element_budget(tmp_path, counts):
    import model.io.weights_io as wio

    budget = 1000
    old = wio.MAX_FILE_ELEMENTS
    wio.MAX_FILE_ELEMENTS = budget
    try:
        path = tmp_path / "m.npz"
        with zipfile.ZipFile(path, "w") as z:
            for i, n in enumerate(counts):
                z.writestr(f"W{i + 1}.npy", npy_header((n,)) + b"\0" * (8 * n))
        try:
            load_weights(path)
            refused = ""
        except ValueError as e:
            refused = str(e)
        over = sum(counts) > budget
        assert ("values, more than any network" in refused) == over, refused
    finally:
        wio.MAX_FILE_ELEMENTS = old
