"""``mlp-studio worksheet PROJECT --pattern K --format md|json --out FILE [--blank]``.

Writes the step-through trace of one update (pattern K, 1-based like the
lecture's μ, or ``all`` for one batch update on the whole training set) at the
project's current weights and learning rate, as Markdown with LaTeX maths
(the answer key, or with ``--blank`` the sheet to fill in) or as JSON.
"""

from __future__ import annotations

import sys

from model.data import data_prep
from model.io.project import ProjectError, atomic_write_text, load_project
from model.teaching.worksheet import worksheet_data, worksheet_text

from .cli import PROG, CliError, _Parser


def build_parser() -> _Parser:
    p = _Parser(prog=f"{PROG} worksheet", description="Export a backpropagation worksheet of one update.")
    p.add_argument("project", help="project file (.json)")
    p.add_argument("--pattern", default="1", metavar="K", help="pattern μ (1-based) or 'all' for the batch")
    p.add_argument(
        "--format", choices=("md", "json"), default="md", help="Markdown with LaTeX maths, or JSON"
    )
    p.add_argument("--out", required=True, metavar="FILE", help="where to write the worksheet")
    p.add_argument("--blank", action="store_true", help="leave the values to compute blank")
    return p


def patterns_for(text: str, n: int) -> list[int]:
    """0-based rows for ``--pattern`` (K in 1…n, or 'all')."""
    if text.strip().lower() == "all":
        return list(range(n))
    try:
        k = int(text)
    except ValueError:
        raise CliError(f"--pattern must be a whole number from 1 to {n} or 'all', got {text!r}") from None
    if not 1 <= k <= n:
        raise CliError(f"--pattern must be from 1 to {n} (the training set has {n} patterns), got {k}")
    return [k - 1]


def write_worksheet(project, path: str, pattern: str, fmt: str, blank: bool) -> dict:
    """Build the worksheet of ``project`` and write it; returns the data dict."""
    data = data_prep.prepare(project)
    rows = patterns_for(pattern, len(data.train))
    sheet = worksheet_data(project.network(), data.X_train, data.train.T, rows, project.training.lr)
    atomic_write_text(path, worksheet_text(sheet, fmt, blank))
    return sheet


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(list(argv or [])[1:])
    try:
        write_worksheet(load_project(args.project), args.out, args.pattern, args.format, args.blank)
    except (CliError, ProjectError, ValueError, OSError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    print(f"worksheet written to {args.out}", file=sys.stderr)
    return 0
