"""``mlp-studio export-code``: the generated PyTorch and NumPy scripts train to
the same weights as ``mlp-studio train`` (1e-6, float64), for every optimizer,
schedule and batch mode.

Each script runs as a real subprocess on tiny embedded data for a few epochs;
the app side runs ``app.cli.main(["train", ...])`` in this process.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app import codegen_cli
from app.cli import main as cli_main
from model.export.bundle import data_csv, script_text
from model.io.project import DataSource, Project, save_project
from model.nn.spec import NetworkSpec
from model.optim.optimizers import OPTIMIZERS
from model.optim.schedules import SCHEDULES, Schedule
from model.train.trainer import TrainSettings

EPOCHS = 4
BATCH_MODES = (None, 1, 5)  # batch, stochastic, mini-batch (12 training rows: the last batch is short)
LR = {
    "sgd": 0.3,
    "momentum": 0.1,
    "nesterov": 0.1,
    "adagrad": 0.2,
    "rmsprop": 0.01,
    "adam": 0.02,
    "adamw": 0.02,
}
SCHEDULE_ARGS = {
    "constant": {},
    "step": {"step_size": 2, "gamma": 0.5},
    "exponential": {"decay": 0.3},
    "inverse_time": {"decay": 0.5},
    "cosine": {"period": 3, "min_lr": 0.001},
    "cyclic": {"base_lr": 0.01, "max_lr": 0.2, "step_size": 2},
}
# (hidden and output activation, loss, task): every loss, most activations
NETS = [
    (["tanh", "sigmoid"], "mse", "classification"),
    (["relu", "softmax"], "cross_entropy", "classification"),
    (["leaky_relu", "linear"], "mse", "regression"),
    (["sigmoid", "sigmoid"], "bce", "classification"),
]


def make_project(optimizer: str, schedule: str, batch_size, net: int) -> Project:
    acts, loss, task = NETS[net]
    rng = np.random.default_rng(net)
    X = rng.normal(size=(16, 3)) * [1.0, 5.0, 0.2] + [0.0, 2.0, -1.0]
    if acts[-1] == "softmax":
        T = np.eye(3)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 2).astype(int)]
    elif task == "classification":
        T = (X[:, :1] * X[:, 1:2] > 0).astype(float)
    else:
        T = np.c_[np.sin(X[:, 0]), X[:, 1] * 0.1]
    spec = NetworkSpec([3, 4, T.shape[1]], acts, loss=loss, seed=3 + net)
    data = DataSource(kind="embedded", X=X.tolist(), T=T.tolist(), task=task, val_fraction=0.25, split_seed=1)
    training = TrainSettings(
        optimizer=optimizer,
        lr=LR[optimizer],
        schedule=Schedule(schedule, **SCHEDULE_ARGS[schedule]),
        batch_size=batch_size,
        epochs=50,
        seed=7,
    )
    pre = ("standardize", "normalize", "none", "scale")[net]
    return Project(spec=spec, data=data, training=training, preprocessing=pre, name="codegen test")


def app_weights(project_path: Path, out: Path) -> dict:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = cli_main(
            ["train", str(project_path), "--epochs", str(EPOCHS), "--export-weights", str(out), "--quiet"]
        )
    assert rc == 0, err.getvalue()
    return dict(np.load(out, allow_pickle=False))


def script_weights(project_path: Path, framework: str, folder: Path) -> dict:
    script = folder / f"train_{framework}.py"
    rc = codegen_cli.main(["export-code", str(project_path), "--framework", framework, "--out", str(script)])
    assert rc == 0
    out = folder / f"{framework}.npz"
    run = subprocess.run(
        [sys.executable, str(script), "--epochs", str(EPOCHS), "--export-weights", str(out)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert f"epoch {EPOCHS}/{EPOCHS}  loss" in run.stderr  # the progress line
    return dict(np.load(out, allow_pickle=False))


def assert_same(mine: dict, theirs: dict) -> None:
    assert sorted(mine) == sorted(theirs)
    assert list(mine["layer_sizes"]) == list(theirs["layer_sizes"])
    assert list(mine["activations"]) == list(theirs["activations"])
    for key in mine:
        if key[0] in "Wb" and key[1:].isdigit():
            assert mine[key].dtype == np.float64
            np.testing.assert_allclose(theirs[key], mine[key], rtol=0, atol=1e-6, err_msg=key)


def cases():
    """Every optimizer, schedule and batch mode, and each loss, in 6 + 6 runs."""
    out = []
    for i, opt in enumerate(OPTIMIZERS):
        out.append((opt, SCHEDULES[i % len(SCHEDULES)], BATCH_MODES[i % 3], i % 4))
        out.append((opt, SCHEDULES[(i + 2) % len(SCHEDULES)], BATCH_MODES[(i + 1) % 3], (i + 1) % 4))
    return out


@pytest.mark.parametrize("optimizer, schedule, batch_size, net", cases())
def test_numpy_script_matches_the_app(tmp_path, optimizer, schedule, batch_size, net):
    proj = tmp_path / "p.json"
    save_project(make_project(optimizer, schedule, batch_size, net), proj)
    mine = app_weights(proj, tmp_path / "app.npz")
    assert_same(mine, script_weights(proj, "numpy", tmp_path))
    # it trained: the weights moved away from the initial ones
    start = dict(np.load(tmp_path / "train_numpy_weights.npz"))
    assert np.abs(start["W1"] - mine["W1"]).max() > 1e-4


@pytest.mark.parametrize("optimizer, schedule, batch_size, net", cases()[::2])
def test_pytorch_script_matches_the_app(tmp_path, optimizer, schedule, batch_size, net):
    pytest.importorskip("torch")
    proj = tmp_path / "p.json"
    save_project(make_project(optimizer, schedule, batch_size, net), proj)
    mine = app_weights(proj, tmp_path / "app.npz")
    assert_same(mine, script_weights(proj, "pytorch", tmp_path))


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
def test_scripts_reproduce_the_newer_activations(tmp_path, framework):
    if framework == "pytorch":
        pytest.importorskip("torch")
    p = make_project("adam", "cyclic", 5, 2)
    p.spec = NetworkSpec([3, 4, 4, 4, 4, 4, 2], ["elu", "gelu", "silu", "softplus", "sine", "linear"], seed=5)
    proj = tmp_path / "p.json"
    save_project(p, proj)
    mine = app_weights(proj, tmp_path / "app.npz")
    assert_same(mine, script_weights(proj, framework, tmp_path))


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
@pytest.mark.parametrize("optimizer", ["momentum", "adamw"])
def test_scripts_reproduce_penalties_weight_decay_and_features(tmp_path, framework, optimizer):
    if framework == "pytorch":
        pytest.importorskip("torch")
    from model.train.regularization import Regularization

    p = make_project(optimizer, "constant", 5, 0)
    p.training.regularization = Regularization(l1=0.01, l2=0.05)
    p.training.weight_decay = 0.02
    p.data.features = ["x1", "x2", "x3", "x1*x2", "x3^2", "sin(x2)"]
    p.spec = p.spec.replace(layer_sizes=[6, 4, 1])
    proj = tmp_path / "p.json"
    save_project(p, proj)
    mine = app_weights(proj, tmp_path / "app.npz")
    assert_same(mine, script_weights(proj, framework, tmp_path))


def test_dropout_and_early_stopping_are_refused_in_one_line():
    from model.train.early_stopping import EarlyStopping

    p = make_project("sgd", "constant", None, 0)
    p.training.early_stopping = EarlyStopping(patience=3)
    with pytest.raises(ValueError, match="training.early_stopping"):
        script_text(p, "numpy")
    p = make_project("sgd", "constant", None, 0)
    p.spec = p.spec.replace(dropout=[0.5])
    with pytest.raises(ValueError, match="dropout"):
        script_text(p, "numpy")


def test_pytorch_script_is_a_sequential_of_the_layers():
    p = make_project("adam", "cosine", 5, 1)
    text = script_text(p, "pytorch")
    assert "nn.Sequential(" in text
    assert "nn.Linear(3, 4)" in text and "nn.ReLU()" in text and "nn.Linear(4, 3)" in text
    assert "nn.Softmax(dim=1)" in text
    assert "torch.optim.Adam(" in text and "torchrun" in text and "DistributedDataParallel" in text
    assert "--device" in text
    compile(text, "train.py", "exec")


def test_numpy_script_needs_only_numpy_and_names_algorithm_4():
    text = script_text(make_project("momentum", "step", 1, 0), "numpy")
    imports = {line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"argparse", "math", "os", "sys", "numpy"}
    assert "Algorithm 4" in text and "δ" in text
    # only the project's optimizer and schedule are written
    assert "momentum" in text and "HYPER['beta1']" not in text
    compile(text, "train.py", "exec")


def test_data_csv_holds_raw_values_and_the_split():
    from model.data import data_prep

    p = make_project("sgd", "constant", None, 0)
    data = data_prep.prepare(p)
    rows = data_csv(data).splitlines()
    assert rows[0] == "x1,x2,x3,t,is_validation"
    table = np.loadtxt(rows[1:], delimiter=",")
    assert len(table) == 16 and table[:, -1].sum() == 4  # val_fraction 0.25
    np.testing.assert_array_equal(table[:12, :3], data.train.X)  # raw, exact


def test_export_code_errors_are_one_line(tmp_path, capsys):
    assert (
        codegen_cli.main(
            ["export-code", str(tmp_path / "missing.json"), "--framework", "numpy", "--out", "t.py"]
        )
        == 1
    )
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlp-studio: error:") and "\n" not in err
    proj = tmp_path / "p.json"
    save_project(make_project("sgd", "constant", None, 0), proj)
    assert (
        codegen_cli.main(["export-code", str(proj), "--framework", "numpy", "--out", str(tmp_path / "t.txt")])
        == 1
    )
    assert ".py" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        codegen_cli.main(["export-code", str(proj), "--framework", "jax", "--out", "t.py"])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlp-studio: error:") and "\n" not in err


def test_pytorch_script_under_torchrun_ddp_equals_one_process(tmp_path):
    """``torchrun --nproc_per_node=2 train.py --ddp`` on CPUs (gloo): each process
    takes half of every mini-batch, and the weights equal a single process's."""
    pytest.importorskip("torch")
    proj = tmp_path / "p.json"
    save_project(make_project("momentum", "step", 5, 0), proj)
    script = tmp_path / "train_ddp.py"
    assert codegen_cli.main(["export-code", str(proj), "--framework", "pytorch", "--out", str(script)]) == 0
    runs = {
        "one.npz": [sys.executable, str(script)],
        "ddp.npz": [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            str(script),
            "--ddp",
        ],
    }
    for out, cmd in runs.items():
        for _attempt in range(3):  # torchrun --standalone's rendezvous port can race on a busy machine
            r = subprocess.run(
                [*cmd, "--epochs", str(EPOCHS), "--export-weights", str(tmp_path / out), "--quiet"],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if r.returncode == 0:
                break
        # the head names a C++ abort ("terminate called ..."); the tail is torchrun's summary
        assert r.returncode == 0, r.stderr[:1500] + "\n...\n" + r.stderr[-1000:]
    one, ddp = (dict(np.load(tmp_path / n)) for n in runs)
    assert_same(one, ddp)


PROBE = """
import importlib.util, os, sys, tempfile
import torch, torch.distributed as dist
spec = importlib.util.spec_from_file_location("script", sys.argv[1])
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)
store = dist.FileStore(os.path.join(tempfile.mkdtemp(), "store"), 1)
dist.init_process_group("gloo", store=store, rank=0, world_size=1)
left = 0
for _ in range(300):
    t = torch.ones(())
    held = t._use_count()
    script.all_reduce_sum(t)
    left += t._use_count() != held or float(t) != 1.0
dist.destroy_process_group()
print(left)
"""


def test_pytorch_script_all_reduce_lets_go_of_its_tensor(tmp_path):
    """gloo's worker thread can still hold an all-reduced tensor after all_reduce
    returns (about 1 call in 5 here); if Python exits then, the process aborts
    ("terminate called without an active exception", 1 torchrun run in 20 under
    load). The script's all_reduce_sum returns only once the tensor is let go."""
    pytest.importorskip("torch")
    proj = tmp_path / "p.json"
    save_project(make_project("sgd", "constant", 5, 0), proj)
    script = tmp_path / "train.py"
    assert codegen_cli.main(["export-code", str(proj), "--framework", "pytorch", "--out", str(script)]) == 0
    r = subprocess.run(
        [sys.executable, "-c", PROBE, str(script)], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[-1] == "0"
