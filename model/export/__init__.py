"""Export a project as a runnable training script (PyTorch or NumPy).

Pure string generation: :func:`~model.export.bundle.write_script_bundle`
writes the script, its initial weights (``.npz``) and its data (``.csv``).
"""

from model.export.bundle import FRAMEWORKS, ScriptFiles, write_script_bundle

__all__ = ["FRAMEWORKS", "ScriptFiles", "write_script_bundle"]
