"""Before Qt starts: is there a display, and are the system libraries Qt needs installed?

Without a display, or with a library of Qt's X11 (xcb) plugin missing, Qt
aborts the whole process (SIGABRT, a core dump) inside ``QApplication()``,
with a message few students can act on. This module answers first, without
importing Qt, in ONE line that says what to install or what to run instead;
the caller exits non-zero.

Test hook: ``MLP_STUDIO_QT_PROBE_LIBS`` (comma-separated sonames) replaces the
plugin's library list, so a test can simulate a missing library.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["check_display", "missing_libraries", "missing_library_message", "DEBIAN_PACKAGES"]

# soname -> the Debian/Ubuntu package that ships it (Qt 6's GUI and xcb plugin needs)
DEBIAN_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
XCB_LIBS = [s for s in DEBIAN_PACKAGES if s.startswith(("libxcb", "libX11", "libxkbcommon"))]
PROBE_ENV = "MLP_STUDIO_QT_PROBE_LIBS"
NO_DISPLAY = (
    "mlp-studio: error: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
    "run the app under a virtual display with `xvfb-run mlp-studio`, "
    "or render it to a picture with `mlp-studio PROJECT --screenshot out.png`"
)


def _xcb_plugin() -> Path | None:
    try:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def _loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        return False


def missing_libraries(environ=os.environ) -> list[str]:
    """Sonames Qt's xcb plugin needs that the system cannot load, in ldd's order."""
    hook = environ.get(PROBE_ENV)
    if hook:
        return [s for s in (x.strip() for x in hook.split(",")) if s and not _loadable(s)]
    plugin = _xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is not None and ldd:
        try:
            out = subprocess.run(
                [ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None:
            found = re.findall(r"^\s*(\S+)\s*=>\s*not found", out, flags=re.MULTILINE)
            return list(dict.fromkeys(found))
    return [s for s in XCB_LIBS if not _loadable(s)]


def missing_library_message(sonames: list[str]) -> str:
    packages = list(dict.fromkeys(DEBIAN_PACKAGES[s] for s in sonames if s in DEBIAN_PACKAGES))
    how = (
        f"Debian/Ubuntu: sudo apt-get install {' '.join(packages)}"
        if packages
        else "from your system's packages"
    )
    one = len(sonames) == 1
    return (
        f"mlp-studio: error: Qt cannot open a window: missing system "
        f"librar{'y' if one else 'ies'} {', '.join(sonames)}; install {'it' if one else 'them'} "
        f"({how}), or use `xvfb-run mlp-studio` / `--screenshot`"
    )


def check_display(environ=os.environ, platform: str = sys.platform) -> str | None:
    """One line saying why a window cannot open, or None when Qt should start."""
    qpa = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if not platform.startswith("linux") or qpa not in ("", "xcb", "wayland"):
        return None  # offscreen, minimal, vnc…: no display needed; other systems: Qt knows best
    has_x, has_wayland = bool(environ.get("DISPLAY")), bool(environ.get("WAYLAND_DISPLAY"))
    if not has_x and not has_wayland:
        return NO_DISPLAY
    if qpa == "xcb" or (has_x and not has_wayland) or PROBE_ENV in environ:
        missing = missing_libraries(environ)
        if missing:
            return missing_library_message(missing)
    return None


def import_error_message(exc: ImportError) -> str:
    """A missing library that breaks ``import PySide6.QtGui`` itself (libEGL, libGL…)."""
    m = re.search(r"(lib[\w.+-]+\.so(?:\.\d+)*)", str(exc))
    if m:
        return missing_library_message([m.group(1)])
    return f"mlp-studio: error: Qt could not be loaded: {exc}"
