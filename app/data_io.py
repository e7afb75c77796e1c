"""Import and export menu actions: CSV import, ONNX, diagram, plots, everything.

Dialogs go through ``ask_open_path``/``ask_save_path``/``ask_folder`` so tests
pass paths directly.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog

from widgets.canvas.diagram_export import export_diagram
from widgets.common.plot_export import export_panel_plots
from widgets.dialogs.csv_import_dialog import CsvImportDialog

from .export_all import export_everything
from .onnx_export import export_onnx


class DataIOMixin:
    def ask_folder(self, caption: str) -> str | None:
        return QFileDialog.getExistingDirectory(self, caption, self._last_dir()) or None

    def import_csv(self, path: str | None = None, dialog_cb=None) -> bool:
        """CSV import dialog; the chosen columns become the data (one undo step).
        ``dialog_cb(dialog)`` lets tests set roles and accept instead of exec()."""
        path = path or self.ask_open_path("Import CSV data", "CSV files (*.csv *.txt);;All files (*)")
        if not path:
            return False
        dlg = CsvImportDialog(path, self)
        accepted = dialog_cb(dlg) if dialog_cb else dlg.exec() == QDialog.DialogCode.Accepted
        if not accepted:
            return False
        try:
            src, pre = dlg.result_source()
        except ValueError as e:
            self.show_error("Could not import the CSV file", str(e))
            return False
        return self._edit(self.edits.set_data, src, pre) is not None

    def export_onnx_file(self, path: str | None = None) -> bool:
        path = path or self.ask_save_path(
            "Export ONNX model", "ONNX models (*.onnx)", f"{self.doc.name}.onnx"
        )
        if not path:
            return False
        try:
            export_onnx(self.doc.net, path, scaler=self.doc.data.scaler)
        except (OSError, ValueError) as e:
            self.show_error("Could not export the ONNX model", str(e))
            return False
        self.statusBar().showMessage(f"ONNX model written to {path} (input scaling included)", 5000)
        return True

    def export_diagram_file(self, path: str | None = None) -> bool:
        path = path or self.ask_save_path(
            "Export network diagram", "SVG (*.svg);;PNG (*.png)", f"{self.doc.name}-network.svg"
        )
        if not path:
            return False
        try:
            export_diagram(self.canvas, path, title=self.doc.project.name)
        except (OSError, ValueError) as e:
            self.show_error("Could not export the diagram", str(e))
            return False
        return True

    def export_current_plots(self, folder: str | None = None) -> list:
        """PNG, SVG and CSV of every plot in the panel in front."""
        folder = folder or self.ask_folder("Export the plots of this panel to…")
        if not folder:
            return []
        name = self.plots._current_key()
        try:
            return export_panel_plots(self.plots.currentWidget(), folder, name)
        except (OSError, ValueError) as e:
            self.show_error("Could not export the plots", str(e))
            return []

    def export_all(self, folder: str | None = None) -> list:
        """One folder: weights, history, every plot, the diagram and a README."""
        folder = folder or self.ask_folder("Export everything to…")
        if not folder:
            return []
        if self.controller.running:
            self.controller.pause()
        try:
            paths = export_everything(
                folder,
                self.doc.net,
                self.doc.history,
                self.plots.panels,
                self.canvas,
                self.settings_text(),
                scaler=self.doc.data.scaler,
            )
        except (OSError, ValueError) as e:
            self.show_error("Could not export everything", str(e))
            return []
        self.statusBar().showMessage(f"{len(paths)} files written to {folder}", 6000)
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
            lines.append(f"- final training loss: {h['train_loss'][-1]:.6g}")
        return "\n".join(lines) + "\n"

    def refresh_predict(self) -> None:
        d = self.doc
        ds = d.data.train
        self.plots.set_predict_model(
            d.net, d.data.scaler, ds.feature_names, ds.class_names, ds.task, target_names=ds.target_names
        )


__all__ = ["DataIOMixin", "Path"]
