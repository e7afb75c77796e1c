"""``mlp-studio analyze stability PROJECT --json OUT.json``: λ_max of the loss
Hessian at the project's current weights over the full training set, and the
learning-rate limit η = 2/λ_max of full-batch gradient descent
(``model.analysis.stability``: exact for the linear neuron, else power
iteration on central-difference Hessian-vector products with its accuracy)."""

from __future__ import annotations

from model.analysis.stability import lambda_max

from .analyze_kinds import Problem
from .cli import _positive_int


def stability_options(p) -> None:
    p.add_argument("--max-iter", type=_positive_int, help="power-iteration steps at most (default 1000)")


def run_stability(pb: Problem, args):
    res = lambda_max(pb.net, pb.X, pb.T, max_iter=args.max_iter or 1000)
    eta = pb.settings.lr
    out = res.to_dict(eta=eta)
    header = ["lambda_max", "eta_limit", "eta", "eta_lambda_max", "accuracy", "iterations", "method"]
    row = [res.lambda_max, res.eta_limit, eta, res.eta_lambda(eta), res.accuracy, res.iterations, res.method]
    return out, header, [row]
