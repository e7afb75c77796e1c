"""Record for slides: ``--record`` and File ▸ Record write GIF / MP4 files with
the requested frames and size, whose frames change as training proceeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.recorder import RecordSettings, frame_epochs

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "resources" / "examples" / "xor_train.json"


RUN = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 300}


def run_app(*args):
    """``python -m app ARGS`` (the recording sets the offscreen platform itself)."""
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], **RUN)


def gif_frames(path) -> list[np.ndarray]:
    out = []
    with Image.open(path) as im:
        for i in range(im.n_frames):
            im.seek(i)
            out.append(np.asarray(im.convert("RGB"), dtype=np.int16))
    return out


def test_frame_epochs_start_at_zero_and_end_at_n():
    assert frame_epochs(5, 6) == [0, 1, 2, 3, 4, 5]
    assert frame_epochs(100, 5) == [0, 25, 50, 75, 100]
    assert RecordSettings(Path("a.gif"), 5).n_frames == 6
    assert RecordSettings(Path("a.gif"), 5000).n_frames == 201


def test_record_cli_writes_a_gif_of_the_requested_frames_and_size(tmp_path):
    out = tmp_path / "xor.gif"
    r = run_app(XOR, "--record", out, "--train-epochs", 60, "--frames", 5, "--size", "480x270", "--fps", 4)
    assert r.returncode == 0, r.stderr
    assert "recording frame 5/5" in r.stderr and "wrote" in r.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # a plain file, not mkstemp's private one
    with Image.open(out) as im:
        assert im.format == "GIF" and im.size == (480, 270) and im.n_frames == 5
        im.seek(1)
        assert im.info["duration"] == 250  # 4 frames per second, whatever the training speed
    frames = gif_frames(out)
    # every frame differs from the one before (weights, decision map and loss curve move)
    for a, b in zip(frames, frames[1:]):
        assert np.count_nonzero(np.abs(a - b).sum(axis=2) > 30) > 200
    # a white slide with the picture on it, not a blank image
    assert (frames[-1].sum(axis=2) < 600).mean() > 0.01  # ~2 % dark: curves, text, nodes


def test_record_cli_errors_are_one_line(tmp_path):
    for args in (
        [XOR, "--record", tmp_path / "x.png", "--train-epochs", 3],
        [XOR, "--record", tmp_path / "x.gif"],
        [XOR, "--record", tmp_path / "x.gif", "--train-epochs", 3, "--size", "big"],
        [XOR, "--record", tmp_path / "x.gif", "--train-epochs", 3, "--fps", 0],
    ):
        r = run_app(*args)
        assert r.returncode == 1
        err = r.stderr.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("mlp-studio: error:"), r.stderr
    assert not list(tmp_path.iterdir())


def test_file_record_with_waves_and_cancel(win, tmp_path):
    out = tmp_path / "waves.gif"
    epoch0 = len(win.doc.history)
    assert win.recording.record(RecordSettings(out, 6, None, 8.0, (320, 200), waves=True))
    with Image.open(out) as im:
        assert im.n_frames == 7 and im.size == (320, 200)
    assert len(win.doc.history) == epoch0 + 6  # the document trained, shown in the window
    assert win.doc.dirty
    assert not win.teaching.waves.enabled  # switched off again afterwards
    # Cancel: nothing is written
    cancelled = tmp_path / "cancelled.gif"
    assert not win.recording.record(RecordSettings(cancelled, 50, None, 10.0, (320, 200)), cancel_after=3)
    assert not cancelled.exists() and not list(tmp_path.glob(".cancelled*"))


def test_file_record_mp4(win, tmp_path):
    imageio = pytest.importorskip("imageio.v2")
    pytest.importorskip("imageio_ffmpeg")
    out = tmp_path / "xor.mp4"
    assert win.recording.record(RecordSettings(out, 4, None, 5.0, (321, 181)))
    reader = imageio.get_reader(out)
    frames = [f for f in reader]
    assert len(frames) == 5 and frames[0].shape[:2] == (182, 322)  # padded to even sides
    assert reader.get_meta_data()["fps"] == 5.0


def test_record_action_is_in_the_file_menu(win, tmp_path, monkeypatch):
    from widgets.dialogs import record_dialog

    out = tmp_path / "menu.gif"
    monkeypatch.setattr(record_dialog.RecordDialog, "exec", lambda self: 1)
    monkeypatch.setattr(
        record_dialog.RecordDialog,
        "values",
        lambda self: {
            "path": str(out),
            "epochs": 2,
            "frames": None,
            "fps": 10.0,
            "size": (320, 180),
            "waves": False,
        },
    )
    texts = [a.text().replace("&", "") for a in win.menus.file.actions()]
    assert "Record…" in texts
    win.acts["record"].trigger()
    with Image.open(out) as im:
        assert im.n_frames == 3


def test_record_dialog_gives_plain_values(qtbot):
    from widgets.dialogs.record_dialog import RecordDialog

    d = RecordDialog("/tmp/x.gif")
    qtbot.addWidget(d)
    d.epochs.setValue(40)
    d.frame_size.setCurrentText("1920x1080")
    d.waves.setChecked(True)
    v = d.values()
    assert v == {
        "path": "/tmp/x.gif",
        "epochs": 40,
        "frames": None,
        "fps": 10.0,
        "size": (1920, 1080),
        "waves": True,
    }
    d.frames.setValue(12)
    assert d.values()["frames"] == 12
