"""model/ is pure NumPy: importing every module must not pull in Qt."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import model


def test_model_imports_no_qt():
    names = [m.name for m in pkgutil.iter_modules(model.__path__)]
    assert names, "no model modules found"
    code = (
        "import sys\n"
        + "".join(f"import model.{n}\n" for n in names)
        + "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'app', 'widgets')]\n"
        "assert not bad, bad\nprint(len(sys.modules))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(model.__file__).parents[1]
    )
    assert res.returncode == 0, res.stderr
