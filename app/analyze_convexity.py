"""``mlp-studio analyze convexity PROJECT --json OUT.json [--surface S --a X,Y --b X,Y]``:
the race panel's Chord mode headless: the surface E(λa + (1−λ)b) along the segment
and the chord λE(a) + (1−λ)E(b) (``model.analysis.convexity``)."""

from __future__ import annotations

import math

from model.analysis.convexity import chord
from model.analysis.surfaces import ANALYTIC, get_surface

from .analyze_kinds import Problem
from .cli import CliError, _positive_int


def convexity_options(p) -> None:
    p.add_argument("--surface", default="bowl", choices=ANALYTIC, help="the error surface (default bowl)")
    p.add_argument("--a", default="3.5,0.5", help="end point a = X,Y (default 3.5,0.5)")
    p.add_argument("--b", default="-1.5,-3", help="end point b = X,Y (default -1.5,-3)")
    p.add_argument("--samples", type=_positive_int, default=101, help="points along the chord (default 101)")


def _point(text: str, name: str) -> tuple[float, float]:
    try:
        p = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise CliError(f"--{name} must be X,Y, got {text!r}") from None
    if len(p) != 2 or not all(map(math.isfinite, p)):
        raise CliError(f"--{name} must be two finite numbers X,Y, got {text!r}")
    return p


def run_convexity(_pb: Problem, args):
    try:
        c = chord(get_surface(args.surface), _point(args.a, "a"), _point(args.b, "b"), samples=args.samples)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    out = {"surface": args.surface, **c.to_dict(), "summary": c.summary()}
    rows = [
        [float(l), *p, float(e), float(k)] for l, p, e, k in zip(c.lam, c.points.tolist(), c.surface, c.chord)
    ]
    return out, ["lambda", "x", "y", "surface", "chord"], rows
