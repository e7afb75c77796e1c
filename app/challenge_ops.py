"""Challenge operations: author one, show it, hold its locks, check the goal,
write the hand-in file.

Locks hold at the one door every edit passes (:meth:`ChallengeOps.guarded`,
called by the window's ``apply_edit``): an edit that adds a lock or limit
violation is undone at once (and its redo entry dropped) and refused with
the reason. The bar above the canvas shows the goal, the hint and the verdict.
"""

from __future__ import annotations

import datetime as _dt
import json

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDialog, QToolBar

from model.io.project import atomic_write_text, project_to_dict
from model.teaching.challenge import check_goal, lock_violations, measure, result_record
from widgets.dialogs.challenge_dialog import ChallengeDialog
from widgets.forms.challenge_bar import ChallengeBar

from . import change_kinds as K


class _DropRedo(QUndoCommand):
    """Pushed and at once obsolete: Qt deletes it, and the push clears the redo tail."""

    def redo(self):
        self.setObsolete(True)


class ChallengeOps:
    def __init__(self, window, doc, dialogs, data_panel):
        self.window, self.doc, self.dialogs, self.data_panel = window, doc, dialogs, data_panel
        self.bar = ChallengeBar()
        self.toolbar = QToolBar("Challenge", window)
        self.toolbar.setObjectName("toolbar_challenge")
        self.toolbar.setMovable(False)
        self.toolbar.addWidget(self.bar)
        window.addToolBarBreak()
        window.addToolBar(self.toolbar)
        self.bar.checkRequested.connect(self.check)
        self.bar.resultRequested.connect(self.write_result)
        doc.changed.connect(self._changed)
        self.last_check = None
        self.show()

    @property
    def challenge(self):
        return self.doc.project.challenge

    def show(self) -> None:
        ch = self.challenge
        self.bar.set_challenge(ch)
        self.toolbar.setVisible(ch is not None)
        locked_data = ch is not None and ("data" in ch.locks or "preprocessing" in ch.locks)
        self.data_panel.setEnabled(not locked_data)
        self.data_panel.setToolTip("The data is locked by the challenge" if locked_data else "")

    def _changed(self, kind: str) -> None:
        if kind == K.DOCUMENT:
            self.show()

    # ------------------------------------------------------------- locks
    def guarded(self, fn, *args):
        """Run edit ``fn``; undo and refuse it when it breaks the challenge."""
        ch = self.challenge
        if ch is None:
            return fn(*args)
        before = set(lock_violations(ch, self.doc.project))
        stack = self.doc.undo_stack
        index = stack.index()
        msg = fn(*args)
        new = [v for v in lock_violations(ch, self.doc.project) if v not in before]
        if new:
            while stack.index() > index:
                stack.undo()
            stack.push(_DropRedo())
            raise ValueError(new[0][:1].upper() + new[0][1:] + ".")
        return msg

    # -------------------------------------------------------------- teacher
    def author(self) -> None:
        dlg = ChallengeDialog(self.doc.to_project(), self.challenge, self.window)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        self.set_challenge(dlg.challenge())

    def set_challenge(self, ch) -> None:
        self.doc.project.challenge = ch
        self.doc.mark_results_changed()  # unsaved: the challenge is written with the project
        self.show()

    # -------------------------------------------------------------- student
    def figures(self) -> dict:
        d = self.doc
        return measure(d.project, d.net, d.data, epochs_trained=len(d.history))

    def check(self):
        ch = self.challenge
        if ch is None:
            return None
        passed, rows = check_goal(ch, self.figures())
        self.bar.show_check(passed, rows)
        self.last_check = (passed, rows)
        return passed

    def write_result(self, path: str | None = None):
        ch = self.challenge
        if ch is None:
            return None
        if path is None:
            path = self.dialogs.ask_save_path(
                "Write the challenge result", "Challenge result (*.json)", f"{self.doc.name}-result.json"
            )
            if not path:
                return None
        self.check()
        when = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        rec = result_record(ch, project_to_dict(self.doc.to_project()), self.figures(), when)
        try:
            atomic_write_text(path, json.dumps(rec, indent=1, allow_nan=False))
        except OSError as e:
            self.dialogs.show_error("Could not write the result", str(e))
            return None
        self.window.statusBar().showMessage(
            f"Result written to {path} ({'goal reached' if rec['passed'] else 'goal not reached yet'})", 8000
        )
        return rec
