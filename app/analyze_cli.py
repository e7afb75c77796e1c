"""``mlp-studio analyze KIND PROJECT [options] --json OUT.json [--csv OUT.csv]``.

Runs an analysis panel's computation headless with the very model functions
the panel calls, on the project's data prepared as the app prepares it, so a
teacher can prepare material and anyone can check a panel's claim from
outside.  Each kind is one entry of :data:`KINDS` (options + a function
returning the JSON object and the CSV table); a new kind is one new entry.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model.analysis import sweeps
from model.data import data_prep
from model.io.csv_safe import SafeWriter
from model.io.project import atomic_write_text, load_project

from . import analyze_kinds as _k
from .analyze_convexity import convexity_options, run_convexity
from .analyze_stability import run_stability, stability_options
from .analyze_suggest import run_suggest, suggest_options
from .cli import PROG, _Parser, reporting_errors

__all__ = ["KINDS", "Kind", "main", "build_parser"]


@dataclass(frozen=True)
class Kind:
    """One analysis: ``add_options(parser)`` and ``run(problem, args) -> (json, header, rows)``."""

    help: str
    add_options: Callable
    run: Callable


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None  # JSON has no NaN
    return v


# ------------------------------------------------------------------ kinds

KINDS: dict[str, Kind] = {
    "sweep": Kind("one training run per learning rate", _k.sweep_options, _k.run_sweep),
    "range-test": Kind("the learning-rate range test", _k.range_options, _k.run_range_test),
    "gd-variants": Kind("batch vs stochastic vs mini-batch", _k.variants_options, _k.run_variants),
    "race": Kind("optimizers racing on an error surface", _k.race_options, _k.run_race),
    "gradient-flow": Kind("per-layer gradient norms; sigmoid vs ReLU", _k.flow_options, _k.run_flow),
    "chain-rule": Kind("a computational graph's forward and backward pass", _k.chain_options, _k.run_chain),
    "stability": Kind(
        "λ_max of the loss Hessian and the limit η = 2/λ_max", stability_options, run_stability
    ),
    "suggest-lr": Kind("the learning rate suggested per optimizer", suggest_options, run_suggest),
    "convexity": Kind("an error surface along a chord (is it convex?)", convexity_options, run_convexity),
}


def build_parser():
    p = _Parser(prog=f"{PROG} analyze", description="Run an analysis panel's computation headless.")
    sub = p.add_subparsers(dest="kind", required=True, metavar="KIND")
    for name, kind in KINDS.items():
        k = sub.add_parser(name, help=kind.help)
        k.add_argument("project", help="project file (.json)")
        k.add_argument("--json", required=True, metavar="OUT.json", help="write the result as JSON")
        k.add_argument("--csv", metavar="OUT.csv", help="also write the result's table as CSV")
        kind.add_options(k)
    return p


def prepare(path) -> _k.Problem:
    project = load_project(path)
    data = data_prep.prepare(project)
    return _k.Problem(project, project.network(), data.X_train, data.train.T, data.task)


def write_csv(path, header, rows) -> None:
    buf = io.StringIO()
    w = SafeWriter(buf)
    w.writerow(header)
    w.writerows([["" if v is None else v for v in _jsonable(list(r))] for r in rows])
    atomic_write_text(path, buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "analyze":
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    return reporting_errors(lambda: run(args))


def run(args) -> int:
    if args.kind == "sweep":
        sweeps.prewarm()  # the split stack's worker process starts while the project loads
    problem = prepare(args.project)
    result, header, rows = KINDS[args.kind].run(problem, args)
    result = {"kind": args.kind, "project": str(args.project), **result}
    atomic_write_text(args.json, json.dumps(_jsonable(result), indent=1, ensure_ascii=False) + "\n")
    if args.csv:
        write_csv(args.csv, header, rows)
    print(f"{args.kind}: wrote {args.json}" + (f" and {args.csv}" if args.csv else ""), file=sys.stderr)
    return 0
