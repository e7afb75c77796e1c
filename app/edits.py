"""Edits a person makes, turned into undo commands on the document's stack.

Each method validates first: a refused edit raises ValueError with a message
for the user and pushes nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from pathlib import Path

from model.data import data_prep
from model.nn import topology
from model.nn.network import initial_parameters
from model.train import budget
from model.train.history import History

from .commands import NetworkCommand, SetBiasCommand, SetDataCommand, SetSettingsCommand, SetWeightCommand

DEFAULT_NEW_LAYER = (4, "tanh")


class Edits:
    def __init__(self, doc):
        self.doc = doc

    def _push_network(self, text: str, result) -> str:
        spec, W, b, message = result
        self.doc.undo_stack.push(NetworkCommand(self.doc, text, (spec, W, b), message))
        return message

    def _state(self):
        return self.doc.spec, self.doc.net.weights, self.doc.net.biases

    def _check_edge_layer(self, layer: int) -> None:
        n = len(self.doc.spec.layer_sizes)
        if layer in (0, n - 1):
            what = "input" if layer == 0 else "output"
            follows = "the data's features" if layer == 0 else "the task's targets"
            raise ValueError(f"the {what} layer's width follows {follows}; change the data instead")

    def resize_layer(self, layer: int, width: int) -> str:
        self._check_edge_layer(layer)
        if width == self.doc.spec.layer_sizes[layer]:
            return ""
        return self._push_network(
            f"Resize layer {layer} to {width}", topology.resize_layer(*self._state(), layer, int(width))
        )

    def insert_layer(self, index: int, width: int | None = None, activation: str | None = None) -> str:
        width = width or DEFAULT_NEW_LAYER[0]
        activation = activation or DEFAULT_NEW_LAYER[1]
        return self._push_network(
            f"Add hidden layer at {index}", topology.insert_layer(*self._state(), index, width, activation)
        )

    def remove_layer(self, layer: int) -> str:
        return self._push_network(f"Remove layer {layer}", topology.remove_layer(*self._state(), layer))

    def set_activation(self, layer: int, name: str) -> str:
        if self.doc.spec.activations[layer - 1] == name:
            return ""
        return self._push_network(
            f"Layer {layer}: {name}", topology.set_activation(*self._state(), layer, name)
        )

    def set_dropout(self, layer: int, rate: float) -> str:
        """Hidden layer ``layer``'s inverted-dropout rate p (0 ≤ p < 1); weights kept."""
        spec = self.doc.spec
        if not 0 < layer < len(spec.layer_sizes) - 1:
            raise ValueError("dropout applies to hidden layers only")
        rate = float(rate)
        if not (math.isfinite(rate) and 0 <= rate < 1):
            raise ValueError(f"a dropout rate must be at least 0 and below 1, got {rate:g}")
        rates = spec.dropout_rates
        if rates[layer - 1] == rate:
            return ""
        rates[layer - 1] = rate
        W, b = [w.copy() for w in self.doc.net.weights], [x.copy() for x in self.doc.net.biases]
        msg = f"hidden layer {layer}: dropout p = {rate:g}" + (" (training only)" if rate else " (off)")
        return self._push_network(
            f"Layer {layer}: dropout {rate:g}", (spec.replace(dropout=rates), W, b, msg)
        )

    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        if not math.isfinite(value):
            raise ValueError("a weight must be a finite number")
        self.doc.undo_stack.push(SetWeightCommand(self.doc, layer, i, j, value))

    def set_bias(self, layer: int, j: int, value: float) -> None:
        if not math.isfinite(value):
            raise ValueError("a bias must be a finite number")
        self.doc.undo_stack.push(SetBiasCommand(self.doc, layer, j, value))

    def set_data(self, source, preprocessing: str) -> str:
        """New data; the input/output layers follow it (one undo step)."""
        trial = copy.copy(self.doc.project)
        trial.data, trial.preprocessing, trial.scaler = copy.deepcopy(source), preprocessing, None
        ds, _ = data_prep.load_dataset(trial.data)
        if source.kind != "builtin" and source.task is None:
            # the task the data turned out to have is saved, not "unknown" / null
            source = dataclasses.replace(source, task=ds.task)
            trial.data = copy.deepcopy(source)
        rng = (float(ds.T.min()), float(ds.T.max())) if len(ds) else None
        n_in = len(source.features) if getattr(source, "features", None) else ds.n_inputs  # engineered inputs
        spec, W, b, message = topology.adapt_to_data(
            *self._state(), n_in, ds.n_outputs, ds.task, target_range=rng
        )
        trial.spec = spec
        data = data_prep.prepare(trial)  # raises before anything is pushed
        budget.check_training(spec, self.doc.settings, data.train.n_samples)
        cmd = SetDataCommand(self.doc, source, preprocessing, data, (spec, W, b), message)
        if source.kind == "csv":  # another file is another project: its name, not the old one's
            stem = Path(source.path).stem
            cmd.names = (
                (self.doc.project.name, self.doc.project.description),
                (
                    f"{stem} (imported CSV)",
                    f"Imported from {source.path}: inputs {', '.join(map(str, source.inputs))}; "
                    f"target {', '.join(map(str, source.targets))} ({ds.task}, {len(ds)} rows).",
                ),
            )
        self.doc.undo_stack.push(cmd)
        return message

    def set_features(self, names) -> str:
        """Engineered inputs on or off (``names`` None = the raw columns): the input
        layer follows the list, inputs that stay keep their weights (one undo step)."""
        doc = self.doc
        old = list(doc.data.input_names)
        source = dataclasses.replace(doc.project.data, features=list(names) if names else None)
        trial = copy.copy(doc.project)
        trial.data, trial.scaler = source, None
        new = list(names) if names else list(doc.data.train.feature_names)
        spec, W, b, message = topology.select_inputs(
            *self._state(), [old.index(n) if n in old else None for n in new]
        )
        trial.spec = spec
        data = data_prep.prepare(trial)  # raises (bad feature names) before anything is pushed
        from model.data.features import display_name

        text = "Input features: " + ", ".join(display_name(n) for n in new)
        doc.undo_stack.push(
            SetDataCommand(doc, source, doc.project.preprocessing, data, (spec, W, b), message, text=text)
        )
        return message

    def set_settings(self, settings) -> None:
        settings.validate()
        if settings.to_dict() == self.doc.settings.to_dict():
            return
        self.doc.undo_stack.push(SetSettingsCommand(self.doc, settings))

    def reset_weights(self) -> str:
        """Fresh initial weights from the spec's seed; the old run becomes a ghost curve."""
        doc = self.doc
        if len(doc.history):
            doc.ghosts.append(doc.history["train_loss"].copy())
        W, b = initial_parameters(doc.spec)
        cmd = NetworkCommand(
            doc,
            "Reset weights",
            (doc.spec, W, b),
            "weights re-initialised",
            history_after=History(doc.spec.n_layers),
        )
        doc.undo_stack.push(cmd)
        return cmd.message
