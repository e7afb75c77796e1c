"""Helpers shared by the learning-rate experiments (sweep, range test, GD variants)."""

from __future__ import annotations

import dataclasses

from model.train.trainer import TrainSettings


def never() -> bool:
    return False


def ignore_progress(_fraction: float) -> None:
    pass


def run_settings(settings: TrainSettings, **changes) -> TrainSettings:
    # an experiment run never stops at the target loss: curves must cover every epoch
    return dataclasses.replace(settings, target_loss=None, **changes)


#: Where the learning-rate experiments start, as the panel and the CLI say it.
START_INITIAL = "initial"
START_CURRENT = "current"


def start_network(net, start: str = START_INITIAL):
    """The network an experiment starts from: by default the *initial* weights
    (the spec's seeded initialisation, what "reset weights" restores), so a
    sweep after training equals the sweep before it; ``"current"`` keeps the
    caller's (e.g. trained) weights.  Always a fresh copy."""
    from model.nn.network import Network

    if start == START_CURRENT:
        return net.copy()
    if start != START_INITIAL:
        raise ValueError(f"start must be {START_INITIAL!r} or {START_CURRENT!r}, got {start!r}")
    return Network(net.spec)


def start_description(net, start: str = START_INITIAL) -> str:
    if start == START_CURRENT:
        return "from the current weights"
    return f"from the initial weights (seed {net.spec.seed}, as after Reset weights)"


def sweep_defaults(lr: float) -> dict:
    """The sweep's default range and size around the project's learning rate (panel and CLI)."""
    return {"lr_from": lr / 100, "lr_to": lr * 100, "runs": 10, "epochs": 100}


def range_test_defaults(lr: float) -> dict:
    return {"lr_from": lr / 1e3, "lr_to": lr * 100, "updates": 1000}


VARIANTS_DEFAULTS = {"epochs": 50, "batch_size": 32}
