"""A start of the app removes the temporary files of our killed saves from its
recovery folder (whatever file they belonged to), and nothing else."""

from __future__ import annotations

import os

from app.autosave import remove_stale_temp_files
from model.io.atomic import TMP_SUFFIX


def test_start_removes_a_dead_writer_s_temporaries_of_any_file(tmp_path):
    dead = tmp_path / f".elsewhere.npz.{2**22 + 1}.abcd1234{TMP_SUFFIX}"
    dead_recovery = tmp_path / f".recovery-{2**22 + 1}-ab12.json.{2**22 + 1}.k2j3h4g5{TMP_SUFFIX}"
    live = tmp_path / f".elsewhere.npz.{os.getppid()}.abcd1234{TMP_SUFFIX}"
    foreign = tmp_path / "report.tmp"
    for f in (dead, dead_recovery, live, foreign):
        f.write_text("partial")
    removed = remove_stale_temp_files(tmp_path)
    assert sorted(removed) == sorted([dead, dead_recovery])
    assert live.exists() and foreign.exists() and not dead.exists()
