"""File ▸ Export ▸ PyTorch Script / NumPy Script."""

from __future__ import annotations

from pathlib import Path

TITLES = {"pytorch": "PyTorch", "numpy": "NumPy"}


def export_script(doc, dialogs, framework: str, path: str | None = None) -> bool:
    """Write the document's run as a script (+ weights .npz, data .csv beside it)."""
    title = TITLES[framework]
    path = path or dialogs.ask_save_path(
        f"Export {title} script", "Python script (*.py)", f"train_{doc.name.replace(' ', '_')}.py"
    )
    if not path:
        return False
    try:
        from model.export import write_script_bundle  # first use: a faster start

        files = write_script_bundle(doc.to_project(), framework, path)
    except (OSError, ValueError) as e:
        dialogs.show_error(f"Could not export the {title} script", str(e))
        return False
    dialogs.status(f"Wrote {Path(files.script).name} with {files.weights.name} and {files.data.name}", 6000)
    return True
