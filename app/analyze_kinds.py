"""The kinds of ``mlp-studio analyze``: options and computation of each, with
the panel's defaults and the panel's model functions."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import numpy as np

from model.analysis import sweeps
from model.analysis.gradient_flow import compare_activations, comparison_summary, last_profile
from model.analysis.race import OptimizerRace, racer_default_lr
from model.analysis.surfaces import ANALYTIC, get_surface
from model.analysis.sweep_common import (
    START_CURRENT,
    START_INITIAL,
    VARIANTS_DEFAULTS,
    range_test_defaults,
    start_description,
    start_network,
    sweep_defaults,
)
from model.optim.optimizers import OPTIMIZERS
from model.teaching.chain_rule import EXAMPLES, build_graph

from .cli import CliError, _positive_int


@dataclass
class Problem:
    """A project prepared like the app's document: network, scaled training data, settings."""

    project: object
    net: object
    X: np.ndarray
    T: np.ndarray
    task: str

    @property
    def settings(self):
        return self.project.training


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return v


def _start(p) -> None:
    p.add_argument(
        "--from-current",
        action="store_true",
        help="start from the project's current (e.g. trained) weights, not the initial ones",
    )


def _start_of(args) -> str:
    return START_CURRENT if args.from_current else START_INITIAL


def _curvature(c) -> dict | None:
    return c.to_dict() if c is not None else None


# -------------------------------------------------------------------- sweep
def sweep_options(p) -> None:
    p.add_argument("--lr-from", type=positive_float, help="smallest η (default: the project's η / 100)")
    p.add_argument("--lr-to", type=positive_float, help="largest η (default: the project's η × 100)")
    p.add_argument("--runs", type=_positive_int, help="number of log-spaced learning rates (default 10)")
    p.add_argument("--epochs", type=_positive_int, help="epochs per run (default 100)")
    _start(p)


def _lr_range(args, d: dict) -> tuple[float, float]:
    lo, hi = args.lr_from or d["lr_from"], args.lr_to or d["lr_to"]
    if not lo < hi:
        raise CliError(f"--lr-from ({lo:g}) must be below --lr-to ({hi:g})")
    return lo, hi


def run_sweep(pb: Problem, args):
    d = sweep_defaults(pb.settings.lr)
    lo, hi = _lr_range(args, d)
    lrs = sweeps.log_spaced(lo, hi, args.runs or d["runs"])
    net = start_network(pb.net, _start_of(args))
    r = sweeps.lr_sweep(net, pb.X, pb.T, pb.settings, lrs, args.epochs or d["epochs"])
    reach = r.epochs_to_best()
    runs = [
        {
            "lr": float(r.lrs[i]),
            "final_loss": float(r.final_loss[i]),
            "diverged": bool(r.diverged[i]),
            "diverged_at_epoch": int(r.diverged_at[i]) or None,
            "unstable": bool(r.unstable[i]),
            "status": r.status(i),
            "epochs_to_best": int(reach[i]) or None,
            "losses": r.losses[i].tolist(),
        }
        for i in range(len(r.lrs))
    ]
    out = {
        "start": start_description(pb.net, _start_of(args)),
        "epochs": int(len(r.epochs)),
        "initial_loss": r.initial_loss,
        "runs": runs,
        "best_lr": r.best_lr,
        "best_rule": f"fastest to within {r.tolerance:.0%} of the lowest stable final loss; ties to the larger η",
        "tolerance": r.tolerance,
        "curvature": _curvature(r.curvature),
    }
    header = ["lr", "final_loss", "diverged", "diverged_at_epoch", "unstable", "epochs_to_best"]
    rows = [
        [x["lr"], x["final_loss"], x["diverged"], x["diverged_at_epoch"], x["unstable"], x["epochs_to_best"]]
        for x in runs
    ]
    return out, header, rows


# --------------------------------------------------------------- range test
def range_options(p) -> None:
    p.add_argument("--lr-from", type=positive_float, help="η of the first update (default: η / 1000)")
    p.add_argument("--lr-to", type=positive_float, help="η of the last update (default: η × 100)")
    p.add_argument("--updates", type=_positive_int, help="number of updates (default 1000)")
    _start(p)


def run_range_test(pb: Problem, args):
    d = range_test_defaults(pb.settings.lr)
    lo, hi = _lr_range(args, d)
    net = start_network(pb.net, _start_of(args))
    r = sweeps.lr_range_test(net, pb.X, pb.T, pb.settings, lo, hi, args.updates or d["updates"])
    lr, (a, b) = r.suggestion()
    out = {
        "start": start_description(pb.net, _start_of(args)),
        "suggested_lr": lr,
        "near_best_range": [a, b],
        "edge_lr": b,
        "updates_done": int(len(r.lrs)),
        "stopped_early": bool(r.stopped_early),
        "curvature": _curvature(r.curvature),
        "lrs": r.lrs.tolist(),
        "losses": r.losses.tolist(),
        "smoothed": r.smoothed.tolist(),
    }
    return (
        out,
        ["update", "lr", "loss", "smoothed"],
        [[i + 1, r.lrs[i], r.losses[i], r.smoothed[i]] for i in range(len(r.lrs))],
    )


# -------------------------------------------------------------- GD variants
def variants_options(p) -> None:
    p.add_argument("--epochs", type=_positive_int, help="epochs per variant (default 50)")
    p.add_argument(
        "--batch-size", type=_positive_int, help="the mini-batch size b (default 32, clipped to n/2)"
    )
    _start(p)


def run_variants(pb: Problem, args):
    net = start_network(pb.net, _start_of(args))
    epochs = args.epochs or VARIANTS_DEFAULTS["epochs"]
    b = args.batch_size or VARIANTS_DEFAULTS["batch_size"]
    r = sweeps.gd_variants(net, pb.X, pb.T, pb.settings, epochs, b, task=pb.task)
    variants = [run.to_dict() | {"loss_per_epoch": run.loss.tolist()} for run in r.runs]
    out = {
        "start": start_description(pb.net, _start_of(args)),
        "epochs": epochs,
        "variants": variants,
        "table_header": list(r.TABLE_HEADER),
        "table": [list(row) for row in r.table_text()],
        "summary": r.summary(),
    }
    keys = [
        "name",
        "batch_size",
        "updates_per_epoch",
        "final_loss",
        "final_accuracy",
        "diverged",
        "diverged_at_epoch",
        "ms_per_update",
        "ms_per_epoch",
        "memory_bytes",
        "online",
    ]
    return out, keys, [[v[k] for k in keys] for v in variants]


# --------------------------------------------------------------------- race
def race_options(p) -> None:
    p.add_argument("--surface", default="bowl", choices=ANALYTIC, help="the error surface (default bowl)")
    p.add_argument("--steps", type=_positive_int, default=100, help="steps per racer (default 100)")
    p.add_argument("--start", help="start point X,Y (default: the surface's)")
    p.add_argument(
        "--optimizers",
        default=",".join(OPTIMIZERS),
        help=f"comma-separated racers (default {','.join(OPTIMIZERS)})",
    )
    p.add_argument("--lr", action="append", default=[], metavar="NAME=ETA", help="a racer's η (repeatable)")
    p.add_argument(
        "--batch-size", type=_positive_int, help="bowl only: gradients from mini-batches of this many samples"
    )
    p.add_argument("--seed", type=int, default=0, help="shuffling seed of the mini-batches (default 0)")


def _pairs(items, what) -> dict[str, float]:
    out = {}
    for item in items:
        name, sep, val = item.partition("=")
        if not sep:
            raise CliError(f"{what} must look like NAME=VALUE, got {item!r}")
        try:
            out[name.strip()] = float(val)
        except ValueError:
            raise CliError(f"{what}: {val!r} is not a number") from None
    return out


def run_race(pb: Problem, args):
    surface = get_surface(args.surface)
    names = [n.strip() for n in args.optimizers.split(",") if n.strip()]
    bad = [n for n in names if n not in OPTIMIZERS]
    if bad or not names:
        raise CliError(f"unknown optimizer(s) {', '.join(bad) or '(none)'}; allowed: {', '.join(OPTIMIZERS)}")
    given = _pairs(args.lr, "--lr")
    start = surface.start
    if args.start:
        try:
            start = tuple(float(v) for v in args.start.split(","))
        except ValueError:
            raise CliError(f"--start must be X,Y, got {args.start!r}") from None
        if len(start) != 2 or not all(map(math.isfinite, start)):
            raise CliError(f"--start must be two finite numbers X,Y, got {args.start!r}")
    race = OptimizerRace(
        surface,
        start,
        [
            (n, given[n] if n in given else racer_default_lr(args.surface, n, surface, args.batch_size), {})
            for n in names
        ],
        batch_size=args.batch_size,
        seed=args.seed,
    )
    race.step(args.steps)
    paths, losses = race.paths, race.losses
    racers = [
        {
            "name": n,
            "lr": race.optimizer(n).lr,
            "final_position": paths[n][-1].tolist(),
            "final_loss": float(losses[n][-1]),
            "diverged": race.diverged(n),
            "reason": race.racer(n).reason,
            "path": paths[n].tolist(),
        }
        for n in names
    ]
    out = {"surface": args.surface, "start": list(start), "steps": race.steps, "racers": racers}
    if race.batch_path is not None:
        out["batch_size"] = args.batch_size
        out["batch_path"] = race.batch_path.tolist()
    rows = [[n, k, x, y, losses[n][k]] for n in names for k, (x, y) in enumerate(paths[n])]
    return out, ["optimizer", "step", "x", "y", "loss"], rows


# ------------------------------------------------------------ gradient flow
def flow_options(p) -> None:
    p.add_argument("--epochs", type=_positive_int, default=30, help="epochs per compared run (default 30)")
    p.add_argument("--compare", default="sigmoid,relu", help="two hidden activations (default sigmoid,relu)")


def run_flow(pb: Problem, args):
    acts = tuple(a.strip() for a in args.compare.split(",") if a.strip())
    if len(acts) != 2:
        raise CliError(f"--compare takes two activations, got {args.compare!r}")
    h = pb.project.history
    current = last_profile(h).tolist() if h is not None else []
    runs = compare_activations(
        pb.net.spec, pb.X, pb.T, pb.settings, epochs=args.epochs, activations=acts, task=pb.task
    )
    summary = comparison_summary(runs)
    out = {
        "trained_epochs": len(h) if h is not None else 0,
        "grad_norms_last_epoch": current,
        "compare": summary["runs"],
        "vanishing": summary["vanishing"],
        "conclusion": summary["text"],
    }
    L = len(pb.net.spec.layer_sizes) - 1
    rows = [
        [name, l + 1, r["profile"][l] if l < len(r["profile"]) else None]
        for name, r in summary["runs"].items()
        for l in range(L)
    ]
    return out, ["activation", "layer", "grad_norm_last_epoch"], rows


# -------------------------------------------------------------- chain rule
def chain_options(p) -> None:
    p.add_argument(
        "--expression",
        default=EXAMPLES["lecture_fxyz"]["text"],
        help="the expression (default: the lecture's f = (x + y)·z)",
    )
    p.add_argument(
        "--values", default=None, help="variable values NAME=V,NAME=V (default: the lecture's, else 1)"
    )


def run_chain(pb: Problem, args):
    given = _pairs([v for v in (args.values or "").split(",") if v.strip()], "--values")
    defaults = next((ex["values"] for ex in EXAMPLES.values() if ex["text"] == args.expression), {})
    from model.teaching.chain_rule import parse_expression

    parsed = parse_expression(args.expression)
    values = {v: float(given.get(v, defaults.get(v, 1.0))) for v in parsed.variables}
    g = build_graph(args.expression, values)
    d = g.to_dict()
    rows = [[n["id"], n["op"], n["label"], n["value"], n["grad"]] for n in d["nodes"]]
    return {"values": values, **d}, ["node", "op", "label", "value", "grad"], rows
