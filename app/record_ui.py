"""File ▸ Record…: ask, then record with a progress bar and Cancel.

Training pauses first; the recording trains the document's own network (the
window shows it happen) and the results stay, unsaved, like Step Epoch.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog

if TYPE_CHECKING:
    from .recorder import RecordSettings


class RecordUi:
    """Collaborators: the main window (its views are what is recorded) and its dialogs."""

    def __init__(self, win):
        self.win = win
        self.last_path: Path | None = None

    def ask_and_record(self) -> bool:
        win = self.win
        from widgets.dialogs.record_dialog import RecordDialog  # first use: a faster start

        from .recorder import RecordSettings

        dlg = RecordDialog(str(Path(win.files.start_dir()) / f"{win.doc.name}.gif"), win)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        v = dlg.values()
        return self.record(RecordSettings(Path(v.pop("path")), **v))

    def record(self, settings: RecordSettings, cancel_after: int | None = None) -> bool:
        """Record; False when cancelled or refused (the error is shown in one line).
        ``cancel_after`` presses Cancel after that many frames (for tests)."""
        win = self.win
        win.controller.shutdown()  # the worker must not train the same network meanwhile
        try:
            from .recorder import Recorder  # first use: a faster start

            rec = Recorder(win, settings, QApplication.processEvents)
        except ValueError as e:
            win.dialogs.show_error("Could not record", str(e))
            return False
        bar = QProgressDialog("Recording…", "Cancel", 0, settings.n_frames, win)
        bar.setWindowTitle("Record for slides")
        bar.setWindowModality(Qt.WindowModality.WindowModal)
        bar.setMinimumDuration(0)
        try:
            for k, n in rec.frames():
                bar.setValue(k)
                bar.setLabelText(f"Recording frame {k} of {n} (epoch {rec.trainer.epoch})…")
                if cancel_after is not None and k >= cancel_after:
                    bar.cancel()
                if bar.wasCanceled():
                    rec.abort()
                    win.dialogs.status("Recording cancelled; nothing was written", 5000)
                    return False
        except (OSError, ValueError, RuntimeError) as e:
            rec.abort()
            win.dialogs.show_error("Could not record", f"{settings.path.name}: {e}")
            return False
        finally:
            bar.close()
        self.last_path = settings.path
        win.dialogs.status(f"Recorded {settings.n_frames} frames to {settings.path}", 6000)
        return True
