"""Entry point: ``mlp-studio`` / ``python -m app``.

Headless sub-commands run without importing Qt; anything else opens the app.
"""

from __future__ import annotations

import importlib
import sys

# Headless sub-command -> module whose ``main(argv)`` runs it (argv includes the command name).
HEADLESS = {
    "train": "app.cli",
    "predict": "app.cli",
    "analyze": "app.analyze_cli",
    "worksheet": "app.worksheet_cli",
    "export-code": "app.codegen_cli",
    "import": "app.import_cli",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from model.nn.allocator import keep_freed_memory

    keep_freed_memory()  # the program's process: big arrays reuse freed pages (model/nn/allocator.py)
    if argv and argv[0] in HEADLESS:
        name = HEADLESS[argv[0]]
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            print(f"mlp-studio: error: '{argv[0]}' is not available in this build", file=sys.stderr)
            return 2
        return module.main(argv)
    from .gui_main import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
