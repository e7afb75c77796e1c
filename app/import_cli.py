"""``mlp-studio import MODEL.onnx --out PROJECT.json``: an ONNX MLP as a project file."""

from __future__ import annotations

import sys

from model.io.project import save_project

from .cli import PROG, _Parser


def build_parser() -> _Parser:
    p = _Parser(prog=f"{PROG} import", description="Turn an MLP stored as ONNX into a project file.")
    p.add_argument("model", help="the ONNX file (.onnx)")
    p.add_argument("--out", required=True, metavar="PROJECT.json", help="the project to write")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv[1:])
    try:
        from .onnx_project import project_from_onnx

        project = project_from_onnx(args.model)
        save_project(project, args.out)
    except (ValueError, OSError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    sizes = " → ".join(map(str, project.spec.layer_sizes))
    print(f"wrote {args.out}: {sizes}, activations {', '.join(project.spec.activations)}", file=sys.stderr)
    return 0
