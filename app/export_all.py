"""Export everything about a run into one folder.

```
folder/
  README.md            settings of the run and a list of the files
  weights.npz          W1…WL, b1…bL, layer_sizes, activations (allow_pickle=False)
  weights.json         the same, readable
  model.onnx           raw inputs in, outputs out (scaler baked in); only when onnx is installed
  preprocessing.json   the fitted input scaler (when there is one)
  history.csv          per-epoch losses, accuracies, learning rate, norms
  diagram.svg / .png   the network diagram (PNG at 2×)
  plots/NAME-*.png|svg|csv   every plot of every panel
```
Existing files of the same names are replaced (each atomically). Problems
raise OSError (cannot write) or ValueError (nothing sensible to export) with
a message naming the file.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from model.io.weights_io import export_json, export_npz
from widgets.canvas.diagram_export import export_diagram
from widgets.common.plot_export import export_panel_plots, write_text

__all__ = ["export_everything", "onnx_available"]

DIAGRAM_SCALE = 2.0

DESCRIPTIONS = {
    "weights.npz": "weights and biases (NumPy; `numpy.load(path, allow_pickle=False)`; keys W1…WL, b1…bL, "
    "layer_sizes, activations)",
    "weights.json": "weights and biases, readable JSON",
    "model.onnx": "ONNX model: float32 raw inputs `x` [N, n_in] → outputs `y` [N, n_out]; "
    "the input scaler is part of the graph",
    "preprocessing.json": "the input scaler fitted on the training split: transform(x) = (x − offset) / scale",
    "history.csv": "one row per epoch: losses, accuracies, learning rate, gradient and weight norms",
    "diagram.svg": "network diagram (vector): layers, weight colours, legend",
    "diagram.png": f"network diagram at {DIAGRAM_SCALE:g}× resolution",
}


def onnx_available() -> bool:
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


def _share(path: Path) -> None:
    """Give files written through the model's atomic writer (0600 temp files)
    the permissions of an ordinary new file."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _os_error(exc: OSError, what: str) -> OSError:
    reason = exc.strerror or str(exc)
    return OSError(exc.errno, f"{what}: {reason}") if exc.errno else OSError(f"{what}: {reason}")


def _step(name: str, fn):
    """Run one export step; OSError/ValueError name the file that failed."""
    try:
        return fn()
    except OSError as exc:
        raise _os_error(exc, f"could not write {name}") from exc
    except ValueError as exc:
        raise ValueError(f"could not export {name}: {exc}") from exc


def _prepare_folder(folder) -> Path:
    folder = Path(os.fspath(folder))
    if folder.exists() and not folder.is_dir():
        raise OSError(f"{folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, f"cannot create the export folder {folder}") from exc
    if not os.access(folder, os.W_OK):
        raise OSError(f"the export folder {folder} is not writable")
    return folder


def export_everything(
    folder,
    net,
    history,
    panels: dict,
    canvas,
    settings_text: str,
    scaler=None,
    usage_note: str | None = None,
    features=None,
) -> list[Path]:
    """Write weights, history, every panel's plots, the diagram and a README
    into ``folder`` (created if missing); returns the paths written, README last.

    ``panels``: name → QWidget holding pyqtgraph plots (e.g. the plots dock's
    panels); ``canvas``: the NetworkCanvas, or None to skip the diagram;
    ``history``: a model.train.history.History or None; ``settings_text``: a
    human-readable description of the run (Markdown allowed).
    """
    if net is None:
        raise ValueError("there is no network to export")
    folder = _prepare_folder(folder)
    written: list[Path] = []

    def model_file(name: str, writer) -> None:
        path = folder / name
        _step(name, lambda: writer(path))
        _share(path)
        written.append(path)

    model_file("weights.npz", lambda p: export_npz(net, p))
    model_file("weights.json", lambda p: export_json(net, p))
    onnx_note = ""
    if onnx_available():
        from .onnx_export import export_onnx

        model_file(
            "model.onnx", lambda p: export_onnx(net, p, scaler, bake_preprocessing=True, features=features)
        )
    else:
        onnx_note = "model.onnx was not written: the optional `onnx` package is not installed."
    if scaler is not None:
        text = json.dumps(scaler.to_dict(), indent=1)
        model_file("preprocessing.json", lambda p: write_text(p, text))
    if history is not None and len(history):
        model_file("history.csv", lambda p: write_text(p, history.to_csv()))
    if canvas is not None:
        for name in ("diagram.svg", "diagram.png"):
            path = folder / name
            written.append(_step(name, lambda path=path: export_diagram(canvas, path, DIAGRAM_SCALE)))

    plot_files: dict[str, list[Path]] = {}
    for name, panel in panels.items():
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(name)) or "panel"
        files = _step(
            f"the plots of the {name} panel",
            lambda panel=panel, stem=stem: export_panel_plots(panel, folder / "plots", stem, skip_stale=True),
        )
        plot_files[name] = files
        written += files

    readme = folder / "README.md"
    test = getattr(history, "test", None) if history is not None else None
    text = _readme(folder, settings_text, written, plot_files, onnx_note, usage_note, test)
    _step("README.md", lambda: write_text(readme, text))
    written.append(readme)
    return written


def _readme(
    folder: Path,
    settings_text: str,
    written: list[Path],
    plot_files: dict,
    onnx_note: str,
    usage_note=None,
    test=None,
) -> str:
    from model.train.test_report import describe_test

    rel = lambda p: p.relative_to(folder).as_posix()  # noqa: E731
    lines = [
        "# MLP Studio export",
        "",
        f"Exported {datetime.now().strftime('%Y-%m-%d %H:%M')}.",
        "",
        "## Settings of the run",
        "",
        settings_text.strip() or "(no settings given)",
        "",
    ]
    if test:
        lines += [
            "## Test split",
            "",
            f"Held out from training and validation, evaluated once when training ended: {describe_test(test)}.",
            "",
        ]
    lines += [
        "## Files",
        "",
    ]
    in_plots = {p for files in plot_files.values() for p in files}
    for p in written:
        if p not in in_plots:
            lines.append(f"- `{rel(p)}` — {DESCRIPTIONS.get(rel(p), '')}".rstrip(" —"))
    for name, files in plot_files.items():
        if not files:
            lines.append(f"- {name} panel: no plots to export")
            continue
        lines.append(f"- {name} panel (PNG image, SVG vector image, CSV of the plotted data):")
        lines += [f"  - `{rel(p)}`" for p in files]
    lines.append("- `README.md` — this file")
    if onnx_note:
        lines += ["", onnx_note]
    lines += [
        "",
        usage_note
        or (
            "To use the weights without MLP Studio: for each layer ℓ, "
            "`a = x @ Wℓ + bℓ`, then the layer's activation (see `activations`); "
            "inputs are scaled first with `preprocessing.json` (the ONNX model does this itself)."
        ),
        "",
    ]
    return "\n".join(lines)
