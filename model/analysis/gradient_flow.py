"""Gradient flow: train one topology with different hidden activations and
compare per-layer gradient norms (the lecture's vanishing-gradient slide).

Pure NumPy; the GUI runs :func:`compare_activations` in the background and
hands the histories to ``GradientFlowPanel.set_comparison``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.history import History
from model.train.trainer import Trainer, TrainSettings

# he init keeps ReLU activations from shrinking layer by layer; saturating
# functions keep their Xavier (Glorot) init.
INIT_FOR = {"relu": "he", "leaky_relu": "he"}


def variant_spec(spec: NetworkSpec, hidden: str, seed: int | None = None) -> NetworkSpec:
    """``spec`` with every hidden layer's activation set to ``hidden`` (the output
    activation is kept) and the init suited to it."""
    acts = [hidden] * (spec.n_layers - 1) + [spec.activations[-1]]
    init = INIT_FOR.get(hidden, "xavier" if spec.init == "he" else spec.init)
    return spec.replace(activations=acts, init=init, seed=spec.seed if seed is None else seed)


def compare_activations(
    spec: NetworkSpec,
    X,
    T,
    settings: TrainSettings,
    epochs: int = 20,
    activations=("sigmoid", "relu"),
    seed: int = 0,
    task: str = "classification",
    should_stop=None,
) -> dict[str, History]:
    """Train the same topology once per hidden activation for ``epochs`` epochs.

    X (n, n_in) and T (n, n_out) are preprocessed training data. Every run uses
    the same weight seed and shuffling seed, so only the activation (and its
    init) differs. Returns ``{activation: History}`` in the order given; each
    history's ``grad_norms`` is (epochs, L). A run that diverges or is stopped
    by ``should_stop()`` returns its shorter history.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs!r}")
    if len(activations) < 1:
        raise ValueError("give at least one activation to compare")
    out: dict[str, History] = {}
    run_settings = dataclasses.replace(settings, seed=seed)
    for act in activations:
        net = Network(variant_spec(spec, act, seed))
        trainer = Trainer(net, X, T, run_settings, task=task)
        trainer.train(int(epochs), should_stop=should_stop)
        out[act] = trainer.history
    return out


def first_last_ratio(history: History) -> float:
    """Mean over epochs of ‖∂E/∂W₁‖ / ‖∂E/∂W_L‖: far below 1 when gradients vanish."""
    g = np.asarray(history["grad_norms"], dtype=float)
    if g.ndim != 2 or len(g) == 0:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = g[:, 0] / g[:, -1]
    r = r[np.isfinite(r)]
    return float(np.mean(r)) if len(r) else float("nan")
