"""Autosave and crash recovery.

While the document has unsaved changes, a copy is written atomically to a
recovery file every ``interval`` seconds. A clean close deletes it; if the
app died instead, the next start finds it and offers to restore it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from model.io.project import project_to_dict, save_project

RECOVERY_NAME = "recovery.json"


def recovery_dir() -> Path:
    override = os.environ.get("MLP_STUDIO_RECOVERY_DIR")
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".mlp-studio")


class Autosaver(QObject):
    def __init__(self, doc, interval: float = 60.0, folder: Path | None = None, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.folder = Path(folder) if folder else recovery_dir()
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval * 1000))
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        self.last_error: str | None = None

    @property
    def path(self) -> Path:
        return self.folder / RECOVERY_NAME

    def save_now(self) -> bool:
        """Write the recovery copy if there is anything unsaved."""
        if not self.doc.dirty:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            save_project(self.doc.to_project(), self.path)
            # remember where the work belongs, so a restore can offer the same name
            meta = self.folder / "recovery-meta.json"
            meta.write_text(json.dumps({"path": str(self.doc.path) if self.doc.path else None}))
        except (OSError, ValueError) as e:  # never disturb the user for a background copy
            self.last_error = str(e)
            return False
        return True

    def discard(self) -> None:
        """Clean exit or explicit save: the recovery copy is no longer needed."""
        for name in (RECOVERY_NAME, "recovery-meta.json"):
            try:
                (self.folder / name).unlink()
            except OSError:
                pass

    def stop(self) -> None:
        self.timer.stop()


def pending_recovery(folder: Path | None = None) -> Path | None:
    """The recovery file left by a session that did not close cleanly."""
    p = (Path(folder) if folder else recovery_dir()) / RECOVERY_NAME
    return p if p.exists() else None


def recovered_original_path(folder: Path | None = None) -> str | None:
    meta = (Path(folder) if folder else recovery_dir()) / "recovery-meta.json"
    try:
        return json.loads(meta.read_text()).get("path")
    except (OSError, ValueError):
        return None


__all__ = ["Autosaver", "pending_recovery", "recovered_original_path", "recovery_dir", "project_to_dict"]
