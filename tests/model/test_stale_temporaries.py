"""Temporary files of saves killed by SIGKILL are removed by the next save into,
or open from, the same folder, whichever file they belonged to; files that
are not ours (other names, live writers, symlinks) are left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from model.io.atomic import SAFE_AGE, TMP_SUFFIX, clean_stale_temporaries_in
from model.io.project import load_project, save_project

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "resources" / "examples" / "xor_train.json"

# saves a 20 MB file over and over, so a temporary file exists most of the time
WRITER = """
import sys
from model.io.atomic import atomic_write_bytes
data = b"x" * 20_000_000
print("ready", flush=True)
while True:
    atomic_write_bytes(sys.argv[1], data)
"""


def _temporaries(folder: Path, pid: int) -> list[Path]:
    return [
        p for p in folder.iterdir() if p.name.startswith(f".big.bin.{pid}.") and p.name.endswith(TMP_SUFFIX)
    ]


def _orphan_from_a_killed_save(folder: Path) -> Path:
    """Kill a saving process with SIGKILL while its temporary file exists; the orphan."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _attempt in range(20):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder / "big.bin")], stdout=subprocess.PIPE, env=env
        )
        try:
            assert proc.stdout.readline().strip() == b"ready"
            deadline = time.monotonic() + 60
            while not _temporaries(folder, proc.pid) and time.monotonic() < deadline:
                time.sleep(0.001)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=60)
            proc.stdout.close()
        left = _temporaries(folder, proc.pid)
        if left:
            return left[0]
    raise AssertionError("no save was caught in the middle in 20 attempts")


def _not_ours(folder: Path) -> list[Path]:
    """Files a cleaner must never remove."""
    live = folder / f".c.json.{os.getppid()}.abcd1234{TMP_SUFFIX}"  # a live writer's
    foreign = folder / ".c.json.k2j3h4g5.tmp"  # another program's (or an old one for c.json)
    plain = folder / "notes.tmp"
    for f in (live, foreign, plain):
        f.write_text("keep")
    link = folder / f".d.json.{2**22 + 1}.abcd1234{TMP_SUFFIX}"  # named like ours, but a symlink
    link.symlink_to(plain)
    return [live, foreign, plain, link]


def test_a_save_of_another_file_removes_the_orphan_of_a_killed_save(tmp_path):
    orphan = _orphan_from_a_killed_save(tmp_path)
    keep = _not_ours(tmp_path)
    assert orphan.exists()  # the killed save left it
    save_project(load_project(XOR), tmp_path / "other.json")
    assert not orphan.exists()
    assert all(os.path.lexists(f) for f in keep)
    assert load_project(tmp_path / "other.json").spec.layer_sizes


def test_opening_a_project_in_the_folder_removes_the_orphan(tmp_path):
    save_project(load_project(XOR), tmp_path / "p.json")
    orphan = _orphan_from_a_killed_save(tmp_path)
    keep = _not_ours(tmp_path)
    load_project(tmp_path / "p.json")
    assert not orphan.exists() and all(os.path.lexists(f) for f in keep)


def test_a_live_writer_s_file_goes_only_once_it_is_older_than_the_safe_age(tmp_path):
    live = tmp_path / f".e.json.{os.getppid()}.abcd1234{TMP_SUFFIX}"
    live.write_text("partial")
    assert clean_stale_temporaries_in(tmp_path) == []
    old = time.time() - SAFE_AGE - 60
    os.utime(live, (old, old))  # a recycled pid: no save takes an hour
    assert clean_stale_temporaries_in(tmp_path) == [live]
    assert not live.exists()
