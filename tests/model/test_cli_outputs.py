"""``mlp-studio train`` refuses outputs it cannot write before training: one
line naming the option, nothing else on stderr (no progress, no summary)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "resources" / "examples" / "xor_train.json"


def _train(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "app", "train", str(XOR), "--epochs", "5", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("option", "where", "says"),
    [
        ("--out", "/dev/null", "--out: cannot save to /dev/null: it is not a regular file"),
        ("--history", "folder", "it is a directory"),
        ("--export-weights", "missing/w.npz", "the folder missing does not exist"),
        ("--out", "link.json", "--out: cannot save to link.json: it is not a regular file"),
    ],
)
def test_unwritable_outputs_are_refused_before_training(tmp_path, option, where, says):
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link.json").symlink_to(tmp_path / "pipe")  # followed to a FIFO
    r = _train(option, where, cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 1, r.stderr
    assert lines[0].startswith("mlp-studio: error: ") and says in lines[0]
    assert "epoch" not in r.stderr  # refused before any training
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "link.json", "pipe"]


def test_writable_outputs_still_work(tmp_path):
    r = _train("--out", "q.json", "--history", "h.csv", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "q.json").is_file() and (tmp_path / "h.csv").read_text().startswith("epoch")
