"""Robustness: absurd sizes, non-finite data and weights, bad hyper-parameters,
hostile weight files, divergence, and saving onto read-only or full disks.

Cases already covered elsewhere are not repeated here: truncated / pickled /
wrong-shape weight files (test_weights_io.py), the CLI's exit 3 on divergence
(test_cli.py), a failed ``os.replace`` (test_project_files.py) and most
optimizer / schedule range checks (test_optimizers.py, test_schedules.py).
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import shutil
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from model.data.preprocessing import fit_scaler
from model.data.table import read_table, table_to_dataset
from model.io.project import load_project, save_project
from model.io.weights_io import export_npz, load_weights
from model.nn.network import MAX_PARAMS, Network, NetworkSpec
from model.optim.optimizers import make_optimizer
from model.optim.schedules import Schedule
from model.train.trainer import STOP_DIVERGED, Trainer, TrainSettings

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "resources" / "examples" / "xor_train.json"


def _net(sizes=(2, 4, 1), acts=("tanh", "sigmoid"), dtype="float64"):
    return Network(NetworkSpec(list(sizes), list(acts), seed=0, dtype=dtype))


# ------------------------------------------------------------------ sizes
@pytest.mark.parametrize("sizes", [[2, 10**6, 1], [10**6, 1], [2, 10**9, 10**9, 1]])
def test_absurd_layer_is_refused_before_any_allocation(sizes):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="neurons; allowed: 1 to 4096"):
            NetworkSpec(sizes, ["tanh"] * (len(sizes) - 2) + ["sigmoid"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"{peak} bytes allocated while refusing"


def test_too_many_parameters_refused_by_network_before_allocating():
    spec = NetworkSpec([4096] * 6, ["relu"] * 4 + ["linear"])  # the spec allows it: 84M params
    assert spec.n_params > MAX_PARAMS
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="parameters; at most"):
            Network(spec)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_too_many_layers_and_zero_width_refused():
    with pytest.raises(ValueError, match="hidden layers requested"):
        NetworkSpec([2] + [3] * 40 + [1], ["tanh"] * 41)
    with pytest.raises(ValueError, match="0 neurons"):
        NetworkSpec([2, 0, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="whole number"):
        NetworkSpec([2, 2.5, 1], ["tanh", "sigmoid"])


# ------------------------------------------------------------------ non-finite data
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize(
    "where,value",
    [("X", math.inf), ("X", -math.inf), ("T", math.nan), ("T", math.inf), ("X_float32_overflow", 1e39)],
)
def test_trainer_refuses_non_finite_data(where, value):
    X, T = np.zeros((4, 2)), np.zeros((4, 1))
    dtype = "float64"
    if where == "X_float32_overflow":  # finite in float64, inf once cast to float32
        X[1, 1], dtype = value, "float32"
    elif where == "X":
        X[2, 0] = value
    else:
        T[3, 0] = value
    with pytest.raises(ValueError, match="training data contains NaN or infinite values"):
        Trainer(_net(dtype=dtype), X, T, TrainSettings())


def test_table_path_refuses_infinite_and_drops_missing_cells():
    text = "a,b,y\n1,2,0\n{},3,1\n4,5,0\n6,7,1\n"
    for cell in ("inf", "-inf", "1e999"):
        with pytest.raises(ValueError, match=r"line 3, column 'a': non-finite value"):
            table_to_dataset(read_table(text.format(cell)), ["a", "b"], ["y"], "classification")
    ds, dropped = table_to_dataset(read_table(text.format("nan")), ["a", "b"], ["y"], "classification")
    assert (len(ds), dropped) == (3, 1) and np.isfinite(ds.X).all()  # 'nan' is a missing cell


def test_scaler_and_embedded_project_data_refuse_non_finite(tmp_path):
    with pytest.raises(ValueError, match="NaN or infinite values in column 1"):
        fit_scaler(np.array([[0.0, 1.0], [1.0, np.inf]]), "standardize")
    d = json.loads(XOR.read_text())
    d["data"] = {
        "kind": "embedded",
        "X": [[0, 0], [0, float("nan")], [1, 0], [1, 1]],
        "T": [[0], [1], [1], [0]],
        "task": "classification",
    }
    (tmp_path / "p.json").write_text(json.dumps(d))  # Python writes a NaN literal
    with pytest.raises(ValueError, match="NaN"):
        load_project(tmp_path / "p.json")


# ------------------------------------------------------------------ hyper-parameters
@pytest.mark.parametrize(
    "kwargs,msg",
    [
        (dict(lr=-0.1), "learning rate must be a positive"),
        (dict(lr=math.inf), "learning rate must be a positive"),
        (dict(batch_size=-4), "batch size"),
        (dict(epochs=0), "epochs"),
        (dict(seed=-1), "seed"),
        (dict(target_loss=math.nan), "target loss"),
        (dict(optimizer="momentum", hyper={"momentum": -0.5}), "momentum"),
        (dict(optimizer="adam", hyper={"beta2": 0.0 - 1e-9}), "beta2"),
        (dict(optimizer="rmsprop", hyper={"eps": 0.0}), "eps"),
    ],
)
def test_train_settings_refuse_negative_and_zero(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        TrainSettings(**kwargs)


@pytest.mark.parametrize(
    "name,hyper",
    [
        ("adagrad", {"eps": 0.0}),
        ("adagrad", {"eps": -1e-10}),
        ("rmsprop", {"eps": -1.0}),
        ("nesterov", {"momentum": -0.1}),
    ],
)
def test_make_optimizer_refuses_negative_and_zero(name, hyper):
    with pytest.raises(ValueError, match=next(iter(hyper))):
        make_optimizer(name, lr=0.1, **hyper)


def test_schedule_and_base_lr_refuse_negative():
    with pytest.raises(ValueError, match="lr0"):
        Schedule("step").lr(-0.1, 0)
    with pytest.raises(ValueError, match="decay"):
        Schedule("inverse_time", decay=-1.0)
    with pytest.raises(ValueError, match="step_size"):
        Schedule("step", step_size=-5)
    tr = Trainer(_net(), np.zeros((4, 2)), np.zeros((4, 1)), TrainSettings())
    for bad in (0, -1.0, math.nan):
        with pytest.raises(ValueError, match="learning rate must be a positive"):
            tr.set_base_lr(bad)
    assert tr.base_lr == 0.1


# ------------------------------------------------------------------ typed weights
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize(
    "layer,kind,value", [(0, "W", math.inf), (1, "b", -math.inf), (0, "b", math.nan), (1, "W", 1e39)]
)
def test_set_parameters_refuses_non_finite_and_changes_nothing(layer, kind, value):
    net = _net(dtype="float32")  # 1e39 is finite in float64 but overflows float32
    W = [w.astype(np.float64) for w in net.weights]
    b = [x.astype(np.float64) for x in net.biases]
    (W if kind == "W" else b)[layer].flat[0] = value
    before = net._flat.copy()
    with pytest.raises(ValueError, match=f"layer {layer + 1} contains NaN or infinite"):
        net.set_parameters(W, b)
    np.testing.assert_array_equal(net._flat, before)


def test_set_parameters_refuses_text():
    net = _net()
    with pytest.raises(ValueError):
        net.set_parameters([np.full((2, 4), "x"), np.zeros((4, 1))], [np.zeros(4), np.zeros(1)])


# ------------------------------------------------------------------ weight files
def _npy(shape) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buf.getvalue() + b"\0" * 64


def test_npz_with_a_gap_in_layer_numbers_does_not_fit(tmp_path):
    net = _net((2, 4, 3, 1), ("tanh", "tanh", "sigmoid"))
    np.savez(tmp_path / "g.npz", W1=net.weights[0], b1=net.biases[0], W3=net.weights[2], b3=net.biases[2])
    from model.io.weights_io import apply_weights

    with pytest.raises(ValueError, match="1 weight layers but the network has 3"):
        apply_weights(net, load_weights(tmp_path / "g.npz"))


def test_npz_header_with_a_short_body_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "s.npz", "w") as z:  # header says 100×100, body has 8 values
        z.writestr("W1.npy", _npy((100, 100)))
        z.writestr("b1.npy", _npy((100,)))
    with pytest.raises(ValueError, match="s.npz"):
        load_weights(tmp_path / "s.npz")


def test_npz_header_declaring_a_huge_array_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w") as z:
        z.writestr("W1.npy", _npy((10**6, 10**6)))
        z.writestr("b1.npy", _npy((10**6,)))
    with pytest.raises(ValueError, match="bomb.npz"):
        load_weights(tmp_path / "bomb.npz")


# ------------------------------------------------------------------ divergence
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_huge_learning_rate_stops_with_message_and_last_finite_epoch_weights(optimizer):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)) * 5
    T = X @ np.array([[3.0], [-2.0]])
    net = Network(NetworkSpec([2, 16, 1], ["relu", "linear"], seed=0))
    tr = Trainer(
        net, X, T, TrainSettings(optimizer=optimizer, lr=1e6, batch_size=8, epochs=500), task="regression"
    )
    snapshots = []
    while tr.stop_reason is None:
        snapshots.append(net._flat.copy())
        tr.run_epoch()
    assert tr.stop_reason == STOP_DIVERGED
    assert "learning rate 1e+06 is probably too large" in tr.divergence_message
    assert np.isfinite(net._flat).all()
    np.testing.assert_array_equal(net._flat, snapshots[-1])  # as at the last finite epoch end
    assert tr.epoch == len(snapshots) - 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_first_loss_diverges_immediately():
    net = _net(acts=("linear", "linear"))
    before = net._flat.copy()
    X = np.full((4, 2), 1e200)  # finite data whose squared error overflows
    tr = Trainer(net, X, np.zeros((4, 1)), TrainSettings(epochs=3), task="regression")
    assert tr.train() == STOP_DIVERGED
    assert "non-finite loss" in tr.divergence_message and tr.step == 0 and tr.epoch == 0
    np.testing.assert_array_equal(net._flat, before)


# ------------------------------------------------------------------ saving
def _read_only(directory: Path):
    """Make ``directory`` refuse new files, even for root (chattr +i on ext4)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return lambda: directory.chmod(0o755)
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(directory)], capture_output=True).returncode == 0:
        return lambda: subprocess.run([chattr, "-i", str(directory)], check=True)
    return None


def test_saving_into_a_read_only_directory_raises_and_keeps_the_old_file(tmp_path):
    p = load_project(XOR)
    target = tmp_path / "ro" / "project.json"
    target.parent.mkdir()
    save_project(p, target)
    before = target.read_bytes()
    undo = _read_only(target.parent)
    if undo is None:
        pytest.skip("cannot make a directory read-only for root here")
    try:
        p.name = "changed"
        with pytest.raises(OSError):
            save_project(p, target)
        with pytest.raises(OSError):
            export_npz(_net(), target.parent / "w.npz")
    finally:
        undo()
    assert target.read_bytes() == before
    assert [f.name for f in target.parent.iterdir()] == ["project.json"]


def _full_disk_fdopen(fd, mode="rb", *args, **kwargs):
    """``os.fdopen`` stand-in: a raw file that takes 100 bytes, then fails with ENOSPC."""
    f = io.FileIO(fd, mode.replace("b", ""))
    real_write = f.write

    def write(data):
        if len(data) > 100:
            real_write(data[:100])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(data)

    f.write = write
    return f


@pytest.mark.parametrize("what", ["project", "weights"])
def test_full_disk_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch, what):
    p = load_project(XOR)
    target = tmp_path / ("p.json" if what == "project" else "w.npz")
    net = _net()
    save = (lambda: save_project(p, target)) if what == "project" else (lambda: export_npz(net, target))
    save()
    before = target.read_bytes()
    p.name, net.weights[0][0, 0] = "changed", 42.0
    monkeypatch.setattr(os, "fdopen", _full_disk_fdopen)
    with pytest.raises(OSError) as ei:
        save()
    monkeypatch.undo()
    assert ei.value.errno == errno.ENOSPC
    assert target.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == [target.name]


def test_full_disk_at_fsync_keeps_the_old_file(tmp_path, monkeypatch):
    p = load_project(XOR)
    target = tmp_path / "p.json"
    save_project(p, target)
    before = target.read_bytes()

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    p.name = "changed"
    with pytest.raises(OSError):
        save_project(p, target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["p.json"]
