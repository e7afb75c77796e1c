"""Entry point: ``mlp-studio`` / ``python -m app``.

``train`` and ``predict`` run headless (no Qt import); anything else opens the app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("train", "predict"):
        from .cli import main as cli_main

        return cli_main(argv)
    from .gui_main import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
