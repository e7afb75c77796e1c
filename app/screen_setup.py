"""Screenshots of exactly the requested size, on a screen of that size.

``--screenshot OUT.png --size WxH`` renders offscreen. Qt's offscreen
platform normally pretends an 800×600 screen, so a window sized for the
screen (first start, presentation) would not match the picture; here the
offscreen screen is configured to W×H device pixels (its ``configfile``
option), the window fills it, and the saved image is W×H — also at
``QT_SCALE_FACTOR=2``, where the window is W/2×H/2 logical pixels.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile

from .scratch import scratch_dir

__all__ = ["parse_size", "offscreen_screen", "quiet_offscreen_warnings", "render_window"]


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", str(text))
    if not m or not (100 <= int(m.group(1)) <= 10000 and 100 <= int(m.group(2)) <= 10000):
        raise ValueError(f"--size must look like 1366x768 (100 to 10000 pixels each way), got {text!r}")
    return int(m.group(1)), int(m.group(2))


def offscreen_screen(width: int, height: int, environ=os.environ) -> None:
    """Before QApplication: an offscreen screen of width×height device pixels
    (unless the caller chose another platform or screen)."""
    if environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return
    screens = [{"name": "shot", "x": 0, "y": 0, "width": width, "height": height}]
    screens[0].update(logicalDpi=96, logicalBaseDpi=96, dpr=1)
    fd, path = tempfile.mkstemp(prefix="screen-", suffix=".json", dir=scratch_dir())
    with os.fdopen(fd, "w") as f:
        json.dump({"screens": screens}, f)
    environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"


# the offscreen platform's notes about what it cannot do (no window manager):
# harmless for a picture, and they would break the "one line on error" promise
OFFSCREEN_NOISE = ("This plugin does not support",)


def quiet_offscreen_warnings() -> None:
    """Drop the offscreen plugin's "does not support ..." notes; pass every other message on."""
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(mode, context, message):
        if any(message.startswith(n) for n in OFFSCREEN_NOISE):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)
    quiet_offscreen_warnings.handler = handler  # kept alive for as long as Qt may call it


def render_window(app, win, width: int, height: int):
    """Fill the screen with ``win`` and return a QImage of exactly width×height pixels."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    dpr = win.devicePixelRatioF() or 1.0
    if not win.isFullScreen():
        win.resize(max(1, round(width / dpr)), max(1, round(height / dpr)))
        win.move(0, 0)
    win.show()
    for _ in range(6):
        app.processEvents()
    win.canvas.fit_view()
    app.processEvents()
    img = win.grab().toImage()
    if (img.width(), img.height()) == (width, height):
        return img
    # a window that could not shrink to the requested size: crop (or pad) to it exactly
    out = QImage(width, height, QImage.Format.Format_ARGB32)
    out.fill(Qt.GlobalColor.white)
    img.setDevicePixelRatio(1.0)
    p = QPainter(out)
    p.drawImage(0, 0, img)
    p.end()
    return out
