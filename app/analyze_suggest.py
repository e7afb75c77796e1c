"""``mlp-studio analyze suggest-lr PROJECT --json OUT.json [--optimizer NAME]``: the
learning rate the training form suggests when the optimizer changes
(``model.analysis.lr_suggestion``: half of 2/λ_max for SGD, (1 − μ)·1/λ_max with
momentum, the usual default for adaptive optimizers), with λ_max at the project's
current weights computed as the form computes it."""

from __future__ import annotations

from model.analysis.lr_suggestion import curvature_for, suggest_lr
from model.optim.optimizers import OPTIMIZERS

from .analyze_kinds import Problem
from .cli import CliError


def suggest_options(p) -> None:
    p.add_argument("--optimizer", help=f"one optimizer (default: all of {', '.join(OPTIMIZERS)})")


def run_suggest(pb: Problem, args):
    names = list(OPTIMIZERS) if not args.optimizer else [args.optimizer]
    if any(n not in OPTIMIZERS for n in names):
        raise CliError(f"unknown optimizer {args.optimizer!r}; allowed: {', '.join(OPTIMIZERS)}")
    curvature = curvature_for(pb.net, pb.X, pb.T)
    rows = [suggest_lr(n, curvature).to_dict() for n in names]
    out = {**curvature.to_dict(), "current_lr": pb.settings.lr, "suggestions": rows}
    return out, ["optimizer", "lr", "reason"], [[r["optimizer"], r["lr"], r["reason"]] for r in rows]
