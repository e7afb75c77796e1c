"""Topology edits that keep every weight they can.

Each function takes a spec and the current weights/biases and returns
``(new_spec, weights, biases, message)``: untouched layers keep their arrays
(copied), new rows/columns are initialised with the spec's initialiser, and
``message`` says which weights were re-initialised.
"""

from __future__ import annotations

import numpy as np

from model.nn.network import initial_parameters
from model.nn.spec import NetworkSpec, layer_name

Params = tuple[list[np.ndarray], list[np.ndarray]]


def _fresh(spec: NetworkSpec, salt: int) -> Params:
    """Initial parameters of ``spec`` with a seed varied by the edit, so a new
    layer does not start as a copy of an old one."""
    return initial_parameters(spec.replace(seed=(spec.seed * 7919 + salt) % 2**31))


def _copy(ws):
    return [np.array(w, copy=True) for w in ws]


def resize_layer(spec: NetworkSpec, W, b, layer: int, width: int) -> tuple[NetworkSpec, list, list, str]:
    """Change the width of layer ``layer`` (0 = input … L = output)."""
    sizes = list(spec.layer_sizes)
    if not 0 <= layer < len(sizes):
        raise ValueError(f"there is no layer {layer}")
    old = sizes[layer]
    sizes[layer] = width
    new_spec = spec.replace(layer_sizes=sizes)
    fW, fb = _fresh(new_spec, 1000 + layer * 31 + width)
    W, b = _copy(W), _copy(b)
    # weights into the layer (columns) and out of it (rows) keep their overlap
    k = min(old, width)
    if layer > 0:
        fW[layer - 1][:, :k] = W[layer - 1][:, :k]
        fb[layer - 1][:k] = b[layer - 1][:k]
        W[layer - 1], b[layer - 1] = fW[layer - 1], fb[layer - 1]
    if layer < len(sizes) - 1:
        fW[layer][:k, :] = W[layer][:k, :]
        W[layer] = fW[layer]
    what = "added" if width > old else "removed"
    msg = (
        f"{layer_name(layer, len(sizes))}: {abs(width - old)} neuron(s) {what}; "
        f"{'new neurons start from fresh weights' if width > old else 'their weights were dropped'}; "
        "all other weights kept"
    )
    return new_spec, W, b, msg


def insert_layer(
    spec: NetworkSpec, W, b, index: int, width: int, activation: str
) -> tuple[NetworkSpec, list, list, str]:
    """Insert a hidden layer so that it becomes layer ``index`` (1 … L)."""
    sizes = list(spec.layer_sizes)
    if not 1 <= index <= len(sizes) - 1:
        raise ValueError(f"a hidden layer can be inserted at positions 1 to {len(sizes) - 1}, not {index}")
    sizes.insert(index, width)
    acts = list(spec.activations)
    acts.insert(index - 1, activation)
    new_spec = spec.replace(layer_sizes=sizes, activations=acts)
    fW, fb = _fresh(new_spec, 2000 + index * 31 + width)
    W, b = _copy(W), _copy(b)
    # the old weight layer index-1 is replaced by two fresh ones around the new layer
    W[index - 1 : index] = [fW[index - 1], fW[index]]
    b[index - 1 : index] = [fb[index - 1], fb[index]]
    msg = (
        f"inserted a {activation} layer of {width} at position {index}; weights into and out of it "
        "start fresh, all other weights kept"
    )
    return new_spec, W, b, msg


def remove_layer(spec: NetworkSpec, W, b, layer: int) -> tuple[NetworkSpec, list, list, str]:
    """Remove hidden layer ``layer`` (1 … L−1)."""
    sizes = list(spec.layer_sizes)
    if not 1 <= layer <= len(sizes) - 2:
        raise ValueError("only hidden layers can be removed")
    del sizes[layer]
    acts = list(spec.activations)
    del acts[layer - 1]
    new_spec = spec.replace(layer_sizes=sizes, activations=acts)
    fW, fb = _fresh(new_spec, 3000 + layer)
    W, b = _copy(W), _copy(b)
    W[layer - 1 : layer + 1] = [fW[layer - 1]]
    b[layer - 1 : layer + 1] = [fb[layer - 1]]
    msg = (
        f"removed hidden layer {layer}; the layer bridging the gap starts from fresh weights, "
        "all other weights kept"
    )
    return new_spec, W, b, msg


def set_activation(
    spec: NetworkSpec, W, b, layer: int, activation: str
) -> tuple[NetworkSpec, list, list, str]:
    """Change layer ``layer``'s activation (1 … L); all weights are kept."""
    acts = list(spec.activations)
    if not 1 <= layer <= len(acts):
        raise ValueError("the input layer has no activation")
    acts[layer - 1] = activation
    new_spec = spec.replace(activations=acts)
    return (
        new_spec,
        _copy(W),
        _copy(b),
        f"{layer_name(layer, len(spec.layer_sizes))} now uses {activation}; weights kept",
    )


def adapt_to_data(
    spec: NetworkSpec, W, b, n_in: int, n_out: int, task: str, target_range: tuple[float, float] | None = None
) -> tuple[NetworkSpec, list, list, str]:
    """Make the input width follow the features and the output width,
    activation and loss follow the task; returns an empty message if nothing changed."""
    notes = []
    act, loss = spec.activations[-1], spec.loss
    if task == "classification" and n_out > 1:
        act, loss = "softmax", "cross_entropy"
    elif task == "classification":
        if act not in ("sigmoid", "step"):
            act = "sigmoid"
        if loss == "cross_entropy":
            loss = "mse"
    elif act == "softmax" or loss in ("bce", "cross_entropy"):
        act, loss = "linear", "mse"
    elif target_range is not None:
        # a bounded output can only fit targets inside its range
        lo, hi = target_range
        reach = {"sigmoid": (0.0, 1.0), "step": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(act)
        if reach is not None and (lo < reach[0] or hi > reach[1]):
            act = "linear"
    before = spec
    # a linear/mse output is valid at any width, so resizes go through it
    spec = spec.replace(activations=spec.activations[:-1] + ["linear"], loss="mse")
    if spec.layer_sizes[0] != n_in:
        spec, W, b, _ = resize_layer(spec, W, b, 0, n_in)
        notes.append(f"input layer resized to {n_in} features")
    if spec.layer_sizes[-1] != n_out:
        spec, W, b, _ = resize_layer(spec, W, b, len(spec.layer_sizes) - 1, n_out)
        notes.append(f"output layer resized to {n_out}")
    spec = spec.replace(activations=spec.activations[:-1] + [act], loss=loss)
    if (act, loss) != (before.activations[-1], before.loss):
        notes.append(f"output uses {act} with {loss} for {task}")
    return spec, W, b, "; ".join(notes)


def select_inputs(spec: NetworkSpec, W, b, rows) -> tuple[NetworkSpec, list, list, str]:
    """A new input layer whose input ``k`` is the old input ``rows[k]`` (its
    outgoing weights kept) or, where ``rows[k]`` is None, a new input with fresh
    weights. Used when engineered input features are switched on and off."""
    rows = list(rows)
    if not rows:
        raise ValueError("the network needs at least one input")
    sizes = list(spec.layer_sizes)
    sizes[0] = len(rows)
    new_spec = spec.replace(layer_sizes=sizes)
    fW, _ = _fresh(new_spec, 4000 + 17 * len(rows) + sum(r is None for r in rows))
    W, b = _copy(W), _copy(b)
    first = fW[0]
    for k, r in enumerate(rows):
        if r is not None:
            first[k, :] = W[0][r, :]
    W[0] = first
    fresh = sum(r is None for r in rows)
    kept = len(rows) - fresh
    msg = f"{len(rows)} inputs: {kept} kept their weights" + (
        f", {fresh} new start from fresh weights" if fresh else ""
    )
    return new_spec, W, b, msg
