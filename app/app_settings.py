"""QSettings for window layout and recent files; tests get a throwaway file."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

from .scratch import scratch_dir


def app_settings() -> QSettings:
    path = os.environ.get("MLP_STUDIO_SETTINGS")
    if not path and os.environ.get("MLP_STUDIO_NO_SETTINGS"):
        path = os.path.join(scratch_dir(), "settings.ini")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("MLP Studio", "MLP Studio")


def recent_files(settings: QSettings) -> list[str]:
    v = settings.value("recent", [])
    if isinstance(v, str):
        v = [v]
    return [p for p in (v or []) if isinstance(p, str) and os.path.exists(p)][:10]


def add_recent(settings: QSettings, path: str) -> list[str]:
    path = os.path.abspath(path)
    items = [path] + [p for p in recent_files(settings) if p != path]
    settings.setValue("recent", items[:10])
    return items[:10]
