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
from model.train.batched import stack_size, stackable
from model.train.batched_history import train_histories
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

    The runs train as one stacked computation (each run its own activation
    and init; the histories equal the one-by-one trainers', see
    :mod:`model.train.batched_history`), so cancelling stops them all after
    the same epoch; with dropout or early stopping they train one by one.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs!r}")
    if len(activations) < 1:
        raise ValueError("give at least one activation to compare")
    run_settings = dataclasses.replace(settings, seed=seed)
    nets = [Network(variant_spec(spec, act, seed)) for act in activations]
    if _can_stack(nets, X, T, run_settings):
        histories, _ = train_histories(nets, X, T, run_settings, int(epochs), task, should_stop)
        return dict(zip(activations, histories))
    out: dict[str, History] = {}
    for act, net in zip(activations, nets):
        trainer = Trainer(net, X, T, run_settings, task=task)
        trainer.train(int(epochs), should_stop=should_stop)
        out[act] = trainer.history
    return out


def _can_stack(nets: list[Network], X, T, settings: TrainSettings) -> bool:
    """The runs train as one stack (model.train.batched_history) unless they
    cannot (dropout, early stopping, too large), or the data is not what the
    trainer accepts (the sequential path then raises the trainer's error)."""
    X, T, net = np.asarray(X), np.asarray(T), nets[0]
    if X.ndim != 2 or T.ndim != 2 or len(X) == 0 or X.shape[1] != net.layer_sizes[0]:
        return False
    if T.shape != (len(X), net.layer_sizes[-1]) or not (np.isfinite(X).all() and np.isfinite(T).all()):
        return False
    fits = stack_size(net, len(X), settings.batch_size) >= len(nets)
    return len(nets) > 1 and fits and all(stackable(m, settings) for m in nets)


def first_last_ratio(history: History) -> float:
    """Mean over epochs of ‖∂E/∂W₁‖ / ‖∂E/∂W_L‖: far below 1 when gradients vanish."""
    g = np.asarray(history["grad_norms"], dtype=float)
    if g.ndim != 2 or len(g) == 0:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = g[:, 0] / g[:, -1]
    r = r[np.isfinite(r)]
    return float(np.mean(r)) if len(r) else float("nan")


def last_profile(history: History) -> np.ndarray:
    """(L,) ‖∂E/∂Wℓ‖ at the last epoch (empty before any training)."""
    n = min(len(history["epoch"]), len(history["grad_norms"]))  # a History or its dict form
    if n == 0:
        return np.empty(0)
    return np.asarray(history["grad_norms"][n - 1], dtype=float).reshape(-1)


#: A conclusion needs a clear gap: the first layer's share of the gradient
#: must be below this fraction of the other run's, and itself below VANISHED.
CLEAR_GAP = 0.25
VANISHED = 0.3


def comparison_summary(histories: dict[str, History]) -> dict:
    """Per run the last-epoch profile and ‖∂E/∂W₁‖/‖∂E/∂W_L‖, and a conclusion
    drawn only when the numbers support it (one run's ratio both small and
    far below the other's); otherwise the text says there is no clear gap."""
    runs = {}
    for name, h in histories.items():
        prof = last_profile(h)
        ratio = float(prof[0] / prof[-1]) if len(prof) and prof[-1] > 0 else float("nan")
        runs[name] = {"profile": prof.tolist(), "ratio": ratio, "epochs": len(h["epoch"])}
    names = list(runs)
    ratios = [runs[n]["ratio"] for n in names]
    figures = ", ".join(f"{n} {r:.2g}" for n, r in zip(names, ratios))
    text = f"‖∂E/∂W₁‖ / ‖∂E/∂W_L‖ at the last epoch: {figures}. "
    vanishing = None
    if len(names) >= 2 and all(np.isfinite(ratios[:2])):
        (a, b), (ra, rb) = names[:2], ratios[:2]
        for low, high, rl, rh in ((a, b, ra, rb), (b, a, rb, ra)):
            if rl < VANISHED and rl < CLEAR_GAP * rh:
                vanishing = low
                g = (
                    " (each sigmoid layer multiplies the backward error by g′ ≤ ¼)"
                    if low == "sigmoid"
                    else ""
                )
                text += f"With {low} the first layer gets a far smaller gradient than with {high}{g}: its weights barely learn."
                break
        else:
            text += "No clear vanishing gradient at this depth: the first layers learn in both runs."
    elif len(names) >= 2:
        text += "Not enough training to compare."
    return {"runs": runs, "vanishing": vanishing, "text": text}
