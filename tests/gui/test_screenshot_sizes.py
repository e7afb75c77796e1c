"""`--screenshot OUT.png --size WxH [--panel] [--theme] [--presentation]`: the
image is exactly W×H (also at QT_SCALE_FACTOR=2), themed and presented."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _shot(tmp_path, size, *args, scale=None):
    out = tmp_path / "shot.png"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    if scale:
        env["QT_SCALE_FACTOR"] = scale
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "resources/examples/spiral.json",
            "--screenshot",
            str(out),
            "--size",
            size,
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return QImage(str(out))


def _mean_lightness(img) -> float:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return float(a[:, : img.width(), :3].mean())


@pytest.mark.parametrize(
    "size,args,scale",
    [
        ("1366x768", ("--panel", "optimizers"), None),
        ("1280x720", ("--theme", "dark"), None),
        ("1920x1080", ("--presentation",), None),
        ("2560x1440", ("--panel", "lr"), "2"),
    ],
)
def test_the_image_has_exactly_the_requested_size(tmp_path, size, args, scale):
    img = _shot(tmp_path, size, *args, scale=scale)
    assert f"{img.width()}x{img.height()}" == size


def test_themes_render_dark_and_high_contrast(tmp_path):
    light = _mean_lightness(_shot(tmp_path, "1366x768", "--theme", "light"))
    dark = _mean_lightness(_shot(tmp_path, "1366x768", "--theme", "dark"))
    contrast = _mean_lightness(_shot(tmp_path, "1366x768", "--theme", "high-contrast"))
    assert light > 200 and dark < 110 and contrast < 90


def test_bad_size_is_one_line(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "app", "--screenshot", str(tmp_path / "x.png"), "--size", "big"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "--size must look like" in res.stderr
