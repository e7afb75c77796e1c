"""``mlp-studio export-code PROJECT --framework pytorch|numpy --out train.py``.

Writes a self-contained training script with its weights (``.npz``) and data
(``.csv``) beside it; every failure is one line.
"""

from __future__ import annotations

import sys

from model.export import FRAMEWORKS, write_script_bundle
from model.io.project import ProjectError, load_project

from .cli import PROG, _Parser


def build_parser() -> _Parser:
    p = _Parser(
        prog=f"{PROG} export-code",
        description="Write the project's training run as a PyTorch or NumPy script.",
    )
    p.add_argument("project", help="project file (.json)")
    p.add_argument("--framework", required=True, choices=FRAMEWORKS, help="pytorch or numpy")
    p.add_argument("--out", required=True, metavar="train.py", help="the script to write")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv[1:])
    try:
        files = write_script_bundle(load_project(args.project), args.framework, args.out)
    except (ProjectError, ValueError, OSError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {files.script} with {files.weights.name} and {files.data.name}", file=sys.stderr)
    return 0
