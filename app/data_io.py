"""Import and export menu actions: CSV import, ONNX, diagram, plots, everything.

:class:`DataIO` asks for paths through :class:`~app.dialogs.Dialogs`, so
tests pass paths directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtWidgets import QDialog

from model.train.epoch_figures import format_loss, last_epoch

from .dialogs import Dialogs


class DataIO:
    """Collaborators: the document (read), the training controller (paused
    before exporting), the dialogs, the canvas and plots dock (rendered into
    files), the document's ``edits`` and ``apply_edit(fn, *args)``, the
    window's way of applying one (pauses training, shows refusals)."""

    def __init__(
        self, doc, controller, dialogs: Dialogs, canvas, plots, edits, apply_edit: Callable, parent=None
    ):
        self.doc = doc
        self.edits = edits
        self.controller = controller
        self.dialogs = dialogs
        self.canvas = canvas
        self.plots = plots
        self._apply_edit = apply_edit
        self._parent = parent

    def import_csv(self, path: str | None = None, dialog_cb=None) -> bool:
        """CSV import dialog; the chosen columns become the data (one undo step).
        ``dialog_cb(dialog)`` lets tests set roles and accept instead of exec()."""
        path = path or self.dialogs.ask_open_path("Import CSV data", "CSV files (*.csv *.txt);;All files (*)")
        if not path:
            return False
        from widgets.dialogs.csv_import_dialog import CsvImportDialog  # first use: a faster start

        dlg = CsvImportDialog(path, self._parent)
        if dialog_cb:
            dlg.wait_loaded()  # the file is read in the background; a person waits for it too
        accepted = dialog_cb(dlg) if dialog_cb else dlg.exec() == QDialog.DialogCode.Accepted
        if not accepted:
            return False
        try:
            src, pre = dlg.result_source()
        except ValueError as e:
            self.dialogs.show_error("Could not import the CSV file", str(e))
            return False
        return self._apply_edit(self.edits.set_data, src, pre) is not None

    def export_onnx_file(self, path: str | None = None) -> bool:
        path = path or self.dialogs.ask_save_path(
            "Export ONNX model", "ONNX models (*.onnx)", f"{self.doc.name}.onnx"
        )
        if not path:
            return False
        from .onnx_export import export_onnx  # imported on first use: a faster start

        try:
            export_onnx(self.doc.net, path, scaler=self.doc.data.scaler, features=self.doc.data.features)
        except (OSError, ValueError) as e:
            self.dialogs.show_error("Could not export the ONNX model", str(e))
            return False
        self.dialogs.status(f"ONNX model written to {path} (input scaling included)", 5000)
        return True

    def export_diagram_file(self, path: str | None = None) -> bool:
        path = path or self.dialogs.ask_save_path(
            "Export network diagram", "SVG (*.svg);;PNG (*.png)", f"{self.doc.name}-network.svg"
        )
        if not path:
            return False
        from widgets.canvas.diagram_export import export_diagram  # first use: a faster start

        try:
            export_diagram(self.canvas, path, title=self.doc.project.name)
        except (OSError, ValueError) as e:
            self.dialogs.show_error("Could not export the diagram", str(e))
            return False
        return True

    def export_current_plots(self, folder: str | None = None) -> list:
        """PNG, SVG and CSV of every plot in the panel in front."""
        folder = folder or self.dialogs.ask_folder("Export the plots of this panel to…")
        if not folder:
            return []
        from widgets.common.plot_export import export_panel_plots  # first use: a faster start

        try:
            return export_panel_plots(self.plots.currentWidget(), folder, self.plots.current_key())
        except (OSError, ValueError) as e:
            self.dialogs.show_error("Could not export the plots", str(e))
            return []

    def export_all(self, folder: str | None = None) -> list:
        """One folder: weights, history, every plot, the diagram and a README."""
        folder = folder or self.dialogs.ask_folder("Export everything to…")
        if not folder:
            return []
        if self.controller.running:
            self.controller.pause()
        self.plots.refresh_all()  # analyses of an earlier network or data become stale, not exported
        from .export_all import export_everything  # first use: a faster start

        try:
            paths = export_everything(
                folder,
                self.doc.net,
                self.doc.history,
                self.plots.panels,
                self.canvas,
                self.settings_text(),
                scaler=self.doc.data.scaler,
                usage_note=self.doc.notation.export_note,
                features=self.doc.data.features,
            )
        except (OSError, ValueError) as e:
            self.dialogs.show_error("Could not export everything", str(e))
            return []
        self.dialogs.status(f"{len(paths)} files written to {folder}", 6000)
        return paths

    def settings_text(self) -> str:
        """The run's settings as Markdown for the export README."""
        d = self.doc
        h = d.history
        lines = [
            f"# {d.project.name or d.name}",
            "",
            d.project.description,
            "",
            "## Network",
            f"- layers: {' → '.join(map(str, d.spec.layer_sizes))}",
            f"- activations: {', '.join(d.spec.activations)}",
            f"- loss: {d.spec.loss}",
            f"- initialiser: {d.spec.init}, seed {d.spec.seed}",
            "",
            "## Data",
            "```json",
            json.dumps(d.project.data.to_dict(), indent=1)[:2000],
            "```",
            f"- preprocessing: {d.project.preprocessing}",
            "",
            "## Training",
            "```json",
            json.dumps(d.settings.to_dict(), indent=1),
            "```",
            f"- epochs trained: {len(h)}, updates: {len(h.update_loss)}",
        ]
        if len(h):
            loss, acc = last_epoch(h)
            lines.append(f"- final epoch training loss: {format_loss(loss)}")
            if acc == acc:  # not NaN: a classification run
                lines.append(f"- final epoch training accuracy: {acc * 100:.1f} %")
        return "\n".join(lines) + "\n"
