"""What the command-line tests share: paths, in-process and subprocess runners, the one-line error check."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from model.data import data_prep
from model.io.project import load_project
from model.train.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "resources" / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
HAVE_ONNX = importlib.util.find_spec("onnx") is not None
HAVE_ORT = HAVE_ONNX and importlib.util.find_spec("onnxruntime") is not None
needs_ort = pytest.mark.skipif(not HAVE_ORT, reason="onnx/onnxruntime not installed")


def run_sub(*args, timeout=120):
    """``python -m app ARGS`` in the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_main(argv) -> tuple[int, str, str]:
    """app.cli.main in-process: (exit code, stdout, stderr); argparse exits become codes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def assert_one_line_error(rc, stderr):
    assert rc not in (0, None), stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mlp-studio: error:"), stderr


def retrain(project_path, epochs, seed=None):
    """What ``train PROJECT --epochs N`` does, in-process: (net, trainer, prepared data)."""
    project = load_project(project_path)
    if seed is not None:
        project.spec = project.spec.replace(seed=seed)
        project.training.seed = seed
        project.weights = None
    project.training.epochs = epochs
    data = data_prep.prepare(project)
    net = project.network()
    tr = Trainer(net, data.X_train, data.train.T, project.training, data.X_val, data.val.T, task=data.task)
    tr.train()
    return net, tr, data
