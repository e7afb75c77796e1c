"""File menu behaviour: open, save, weights and history files, unsaved prompts,
drops and crash recovery.

:class:`FileOps` reads and replaces the document; every question goes through
its :class:`~app.dialogs.Dialogs`, so tests answer with plain paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer

from model.io.weights_io import apply_weights, export_json, export_npz, load_weights

from . import resources_path
from .commands import NetworkCommand
from .dialogs import Dialogs
from .project_saver import WAIT_SECONDS, ProjectSaver

PROJECT_FILTER = "MLP Studio projects (*.json);;All files (*)"
OPEN_FILTER = "Projects and ONNX models (*.json *.onnx);;MLP Studio projects (*.json);;ONNX models (*.onnx);;All files (*)"
OPENABLE = (".json", ".onnx")


class FileOps:
    """Collaborators: the document, the training controller (paused or shut
    down before files are read or written), the dialogs, the autosaver
    (recovery) and ``remember(path)`` (the Open Recent list). Saves are
    written in the background by :attr:`saver` (app/project_saver.py)."""

    def __init__(self, doc, controller, dialogs: Dialogs, autosaver, remember: Callable[[str], None]):
        self.doc = doc
        self.controller = controller
        self.dialogs = dialogs
        self.autosaver = autosaver
        self._remember = remember
        self.saver = ProjectSaver(doc)
        self.saver.started.connect(lambda path: self.dialogs.status(f"Saving {Path(path).name}…", 0))
        self.saver.saved.connect(self._saved)
        self.saver.failed.connect(lambda _path, text: self.dialogs.show_error("Could not save", text))

    def start_dir(self, kind: str = "") -> str:
        """The project's folder; without one, the shipped examples ("project") or
        datasets ("data") for opening, the home folder for saving ("")."""
        if self.doc.path:
            return str(self.doc.path.parent)
        if kind:
            return str(resources_path() / ("datasets" if kind == "data" else "examples"))
        return str(Path.home())

    def confirm_discard(self) -> bool:
        """Unsaved changes: Save / Discard / Cancel. True means go ahead.
        A save under way is waited for first (it may leave nothing unsaved)."""
        if not self.finish_saves():
            return False
        if not self.doc.dirty:
            return True
        answer = self.dialogs.ask_unsaved(self.doc.name)
        if answer == "save":
            return self.file_save(wait=True)
        return answer == "discard"

    def finish_saves(self, timeout: float = WAIT_SECONDS) -> bool:
        """Wait (painting, not taking input) for the saves under way; False, said
        in one line, if one is still being written after ``timeout`` seconds."""
        if not self.saver.busy:
            return True
        self.dialogs.status("Waiting for the save to finish…", 0)
        if self.saver.wait(timeout):
            return True
        self.dialogs.show_error(
            "Still saving",
            f"The project is still being written after {timeout:.0f} s; nothing was closed or "
            "replaced. Try again once the status bar says it is saved.",
        )
        return False

    # -------------------------------------------------------------- files
    def file_new(self) -> None:
        if self.confirm_discard():
            self.controller.shutdown()
            self.doc.new()

    def file_open(self) -> None:
        if not self.confirm_discard():
            return
        path = self.dialogs.ask_open_path("Open project or ONNX model", OPEN_FILTER)
        if path:
            self.open_path(path, confirm=False)

    def open_path(self, path: str, confirm: bool = True) -> bool:
        """Open a project; a malformed file shows the loader's message and
        leaves the open document untouched."""
        if confirm and not self.confirm_discard():
            return False
        self.controller.shutdown()
        try:
            self.doc.open(path)
        except (ValueError, OSError) as e:
            self.dialogs.show_error(f"Could not open {Path(path).name}", str(e))
            return False
        self._remember(str(path))
        return True

    def open_example(self, name: str) -> None:
        if self.confirm_discard():
            self.controller.shutdown()
            self.doc.open_example(name)

    def file_save(self, wait: bool = False) -> bool:
        """Ctrl+S: written in the background (``wait``: until written; True if it was)."""
        if self.doc.path is None:
            return self.file_save_as(wait)
        return self.save_to(self.doc.path, wait)

    def file_save_as(self, wait: bool = False) -> bool:
        path = self.dialogs.ask_save_path("Save project as", PROJECT_FILTER, f"{self.doc.name}.json")
        return self.save_to(path, wait) if path else False

    def save_to(self, path, wait: bool = True) -> bool:
        """Atomic save of the document as it is now; on failure the old file stays
        and the document stays unsaved. Training goes on: the file is written
        from the document's snapshot, never the worker. Without ``wait`` it returns
        once the snapshot is taken (True) and the status bar follows the write;
        with it, once written (True) or failed (False, said in one line)."""
        try:
            req = self.saver.save(path)
        except ValueError as e:
            self.dialogs.show_error("Could not save", f"Could not save {Path(path).name}: {e}")
            return False
        if not wait:
            return True
        self.saver.wait(None)
        return req.outcome.error is None

    def _saved(self, path: str) -> None:
        self._remember(path)
        self.dialogs.status(f"Saved {path}", 4000)

    # ------------------------------------------------------------ weights
    def export_weights(self, path: str | None = None) -> bool:
        path = path or self.dialogs.ask_save_path(
            "Export weights", "NumPy weights (*.npz);;JSON weights (*.json)", f"{self.doc.name}-weights.npz"
        )
        if not path:
            return False
        try:
            (export_json if Path(path).suffix.lower() == ".json" else export_npz)(self.doc.net, path)
        except (OSError, ValueError) as e:
            self.dialogs.show_error("Could not export weights", str(e))
            return False
        self.dialogs.status(f"Weights written to {path}", 4000)
        return True

    def import_weights(self, path: str | None = None) -> bool:
        path = path or self.dialogs.ask_open_path("Import weights", "Weights (*.npz *.json);;All files (*)")
        if not path:
            return False
        self.controller.shutdown()
        try:
            ws = load_weights(path)
            trial = self.doc.net.copy()
            apply_weights(trial, ws)
        except (OSError, ValueError) as e:
            self.dialogs.show_error("Could not import weights", str(e))
            return False
        self.doc.undo_stack.push(
            NetworkCommand(
                self.doc,
                "Import weights",
                (self.doc.spec, trial.weights, trial.biases),
                f"weights imported from {Path(path).name}",
            )
        )
        return True

    def export_history(self, path: str | None = None) -> bool:
        from model.io.project import atomic_write_text

        path = path or self.dialogs.ask_save_path(
            "Export history", "CSV (*.csv)", f"{self.doc.name}-history.csv"
        )
        if not path:
            return False
        try:
            atomic_write_text(path, self.doc.history.to_csv())
        except OSError as e:
            self.dialogs.show_error("Could not export the history", str(e))
            return False
        return True

    # ------------------------------------------------------ drop, recovery
    @staticmethod
    def accepts_drop(event) -> bool:
        return any(u.toLocalFile().lower().endswith(OPENABLE) for u in event.mimeData().urls())

    def drop(self, event) -> None:
        """Open the first project file dropped on the window (after the drop returns)."""
        for u in event.mimeData().urls():
            if u.toLocalFile().lower().endswith(OPENABLE):
                path = u.toLocalFile()
                QTimer.singleShot(0, lambda: self.open_path(path))
                break

    def offer_recovery(self, orphan) -> bool:
        """After a crash: offer one orphaned recovery copy (an ``autosave.Recovery``
        or a path). True if it was restored into this window."""
        from .autosave import Recovery

        if not isinstance(orphan, Recovery):
            orphan = Recovery(Path(orphan), 0, None, 0.0)
        what = f"“{Path(orphan.original).stem}”" if orphan.original else "an unsaved project"
        when = (
            f" (autosaved {time.strftime('%H:%M:%S', time.localtime(orphan.saved_at))})"
            if orphan.saved_at
            else ""
        )
        if not self.dialogs.ask_yes_no(
            "Recover unsaved work?",
            f"MLP Studio did not close cleanly. Restore {what}{when}?",
        ):
            orphan.remove()
            return False
        self.controller.shutdown()
        try:
            self.doc.open(orphan.path)
        except (ValueError, OSError) as e:
            self.dialogs.show_error("Could not recover", str(e))
            try:  # keep the bytes, but do not offer them again
                orphan.path.rename(orphan.path.with_name(orphan.path.name + ".unreadable"))
            except OSError:
                pass
            return False
        self.doc.mark_recovered(orphan.original)
        self.autosaver.take_over(orphan)
        return True
