"""Undo commands: each edit a person makes is one of these on the document's stack.

Commands hold before/after states and call the document's ``_set_*`` writers;
they never touch widgets.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

ID_WEIGHT, ID_BIAS, ID_SETTINGS = 1, 2, 3


class NetworkCommand(QUndoCommand):
    """A topology or whole-weights change: full (spec, W, b) before and after."""

    def __init__(self, doc, text: str, after, message: str = "", history_after=None):
        super().__init__(text)
        self.doc, self.before, self.after = doc, doc.network_state(), after
        if history_after is None and after[0].n_layers != doc.history.n_layers:
            # another layer count needs a history of that width; redo after undo reuses it
            from model.train.history import History

            history_after = History(after[0].n_layers)
        self.history_before, self.history_after = doc.history, history_after
        self.message = message

    def redo(self):
        self.doc._set_network(*self.after, history=self.history_after)
        if self.message:
            self.doc.say(self.message)

    def undo(self):
        self.doc._set_network(*self.before, history=self.history_before)


class SetWeightCommand(QUndoCommand):
    """Typing a weight; consecutive edits of the same edge merge into one step."""

    def __init__(self, doc, layer: int, i: int, j: int, value: float):
        super().__init__(f"Set weight w[{layer + 1}]({i + 1}→{j + 1}) = {value:g}")
        self.doc, self.key, self.value = doc, (layer, i, j), float(value)
        self.old = float(doc.net.weights[layer][i, j])

    def id(self):
        return ID_WEIGHT

    def mergeWith(self, other):
        if other.key != self.key:
            return False
        self.value = other.value
        self.setText(other.text())
        return True

    def redo(self):
        self.doc._set_weight(*self.key, self.value)

    def undo(self):
        self.doc._set_weight(*self.key, self.old)


class SetBiasCommand(QUndoCommand):
    def __init__(self, doc, layer: int, j: int, value: float):
        super().__init__(f"Set bias b[{layer + 1}]({j + 1}) = {value:g}")
        self.doc, self.key, self.value = doc, (layer, j), float(value)
        self.old = float(doc.net.biases[layer][j])

    def id(self):
        return ID_BIAS

    def mergeWith(self, other):
        if other.key != self.key:
            return False
        self.value = other.value
        return True

    def redo(self):
        self.doc._set_bias(*self.key, self.value)

    def undo(self):
        self.doc._set_bias(*self.key, self.old)


class SetDataCommand(QUndoCommand):
    """A new data source/preprocessing, plus the network change it implies."""

    def __init__(
        self, doc, source, preprocessing, data, network_after, message: str, text: str = "Change data"
    ):
        super().__init__(text)
        self.doc = doc
        self.before = doc.data_state() + (doc.data,)
        self.after = (source, preprocessing, data.scaler, data)
        self.net_before, self.net_after = doc.network_state(), network_after
        # a run on other data is another run: the loss curve starts again (undo brings it back)
        from model.train.history import History

        self.history_before = doc.history
        self.history_after = History(network_after[0].n_layers)
        self.message = message
        self.names = None  # ((name, description) before, after) when the data is another project's

    def _set_names(self, which: int) -> None:
        if self.names is not None:
            self.doc.project.name, self.doc.project.description = self.names[which]

    def redo(self):
        self._set_names(1)
        self.doc._set_data(*self.after, network=self.net_after, history=self.history_after)
        if self.message:
            self.doc.say(self.message)

    def undo(self):
        self._set_names(0)
        self.doc._set_data(*self.before, network=self.net_before, history=self.history_before)


class SetSettingsCommand(QUndoCommand):
    """Training settings; a run of learning-rate-only edits merges into one step."""

    def __init__(self, doc, settings, text: str = "Change training settings"):
        super().__init__(text)
        import copy

        self.doc, self.old, self.new = doc, copy.deepcopy(doc.settings), copy.deepcopy(settings)
        self.lr_only = self.old.to_dict() | {"lr": settings.lr} == settings.to_dict()

    def id(self):
        return ID_SETTINGS

    def mergeWith(self, other):
        if not (self.lr_only and other.lr_only):
            return False
        self.new = other.new
        self.setText(other.text())
        return True

    def redo(self):
        self.doc._set_settings(self.new)

    def undo(self):
        self.doc._set_settings(self.old)
