"""A fresh machine: no display, or a system library Qt needs is missing ->
one line saying what to do and a non-zero exit, never Qt's core dump."""

import subprocess
import sys
from pathlib import Path

from app.display_check import DEBIAN_PACKAGES, check_display, missing_library_message

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, env, *args):
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=base | env,
    )


def test_no_display_is_one_line_and_a_non_zero_exit(tmp_path):
    res = _run(tmp_path, {}, "resources/examples/xor_train.json")
    assert res.returncode == 1, res.stderr  # an exit code, not a signal (a core dump is negative)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "no display" in lines[0] and "xvfb-run mlp-studio" in lines[0] and "--screenshot" in lines[0]
    assert res.stdout == ""


def test_a_missing_library_names_the_package_to_install(tmp_path):
    env = {
        "DISPLAY": ":93",
        "MLP_STUDIO_QT_PROBE_LIBS": "libc.so.6,libxcb-cursor-missing.so.0,libxcb-icccm.so.4x",
    }
    res = _run(tmp_path, env)
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "libxcb-cursor-missing.so.0" in lines[0] and "libc.so.6" not in lines[0]
    assert "xvfb-run mlp-studio" in lines[0]


def test_messages_name_debian_packages():
    msg = missing_library_message(["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4" in msg and "\n" not in msg
    assert DEBIAN_PACKAGES["libEGL.so.1"] == "libegl1"


def test_offscreen_and_screenshots_need_no_display():
    assert check_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert check_display({}, "darwin") is None
    assert "no display" in check_display({}, "linux")
    assert check_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None


def test_screenshot_works_without_any_display(tmp_path):
    out = tmp_path / "s.png"
    res = _run(tmp_path, {}, "--screenshot", str(out), "--size", "800x600")
    assert res.returncode == 0, res.stderr
    assert out.stat().st_size > 1000
