"""Turns the data plot's point edits into undo steps on embedded data."""

from __future__ import annotations

import dataclasses

from model.data import data_prep
from model.data.point_edits import add_point, move_point, remove_point


class PointEditActions:
    """Collaborators: the document (read), its edits (write, one undo step each),
    the PointEditor (signals) and ``report(fn)`` that shows a one-line error."""

    def __init__(self, doc, edits, editor, apply_edit):
        self.doc, self.edits, self.editor, self.apply_edit = doc, edits, editor, apply_edit
        editor.pointAdded.connect(lambda x, y, v: self._edit("Add point", add_point, x, y, v))
        editor.pointMoved.connect(lambda r, x, y: self._edit("Move point", move_point, r, x, y))
        editor.pointRemoved.connect(lambda r: self._edit("Delete point", remove_point, r))

    def dataset(self):
        """Every row of the current data, raw, in the data set's order."""
        return data_prep.load_dataset(self.doc.project.data)[0]

    def refresh(self) -> None:
        """Tell the editor which points exist (2-D data only)."""
        try:
            ds = self.dataset()
        except (ValueError, OSError):
            self.editor.set_points(None)
            return
        if ds.n_inputs != 2:
            self.editor.set_points(None)
            return
        classes = ds.class_names or (
            ["0", "1"] if ds.n_outputs == 1 else [str(i) for i in range(ds.n_outputs)]
        )
        self.editor.set_points(ds.X, ds.task, classes if ds.task == "classification" else ())

    def _edit(self, text: str, fn, *args) -> None:
        def run():
            ds = self.dataset()
            X, T = fn(ds, *args)
            src = self.doc.project.data
            names = {"inputs": list(ds.feature_names), "targets": list(ds.target_names)}
            if ds.class_names:
                names["classes"] = list(ds.class_names)
            new = dataclasses.replace(
                src,
                kind="embedded",
                X=X.tolist(),
                T=T.tolist(),
                task=ds.task,
                names=names,
                name="",
                params={},
            )
            self.edits.set_data(new, self.doc.project.preprocessing)
            self.doc.undo_stack.command(self.doc.undo_stack.index() - 1).setText(text)
            return ""

        self.apply_edit(run)
