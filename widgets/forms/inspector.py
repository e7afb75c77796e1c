"""Inspector: details of the canvas selection — a layer, a node, an edge, or the whole network.

Layer numbering (the canvas's): node layer ``l`` is column ``l`` of
``spec.layer_sizes`` (0 = input) and its activation is
``spec.activations[l - 1]``.  Edges use 0-based *weight-layer* indexing: the
edge ``(layer, i, j)`` is ``weights[layer][i, j]``, from node ``i`` of node
layer ``layer`` to node ``j`` of node layer ``layer + 1`` — the lecture's
``w_ji`` of layer ℓ = ``layer + 1`` (``W{ℓ}`` in the weight export).

What a person reads follows one :class:`~model.teaching.notation.Notation`
(the lecture's by default: 1-based, w_ij from j to i, θ = −bias, the
lecture's δ); :meth:`Inspector.set_notation` relabels everything at once.

Thin binding: ``show_*`` setters display (no signals); typed or chosen
values are emitted as *requests* — ``weightEdited``, ``biasEdited``,
``layerWidthEdited``, ``activationEdited``.  Numbers are typed into a
:class:`~widgets.forms.number_edit.NumberEdit` (a bad entry is marked, not emitted).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from model.nn.activations import ACTIVATIONS, DESCRIPTIONS
from model.nn.spec import MAX_WIDTH, layer_name
from model.teaching.notation import LECTURE, Notation, signed
from widgets.common.fit import scroll_body
from widgets.common.themed_widgets import set_sheet
from widgets.forms.number_edit import NumberEdit, error_message

__all__ = ["Inspector", "fmt"]


def fmt(v: float | None, digits: int = 6) -> str:
    """A read-out: true minus sign, never "−0"."""
    return signed(v, digits)


def _label(tip: str = "", selectable: bool = True) -> QLabel:
    lab = QLabel()
    lab.setWordWrap(True)
    lab.setToolTip(tip)
    if selectable:
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


class Inspector(QWidget):
    """Shows one selection; see the module docstring for numbering and signals."""

    weightEdited = Signal(int, int, int, float)  # layer, i, j, value
    biasEdited = Signal(int, int, float)  # layer, index, value
    layerWidthEdited = Signal(int, int)  # layer, width
    activationEdited = Signal(int, str)  # layer, activation name
    dropoutEdited = Signal(int, float)  # hidden layer, its inverted-dropout rate p

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layer = 0
        self._node = (0, 0)
        self._edge = (0, 0, 0)
        self.notation: Notation = LECTURE
        self._shown = None  # (method, args, kwargs) of the last show_*, redrawn on a notation change
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.title.setWordWrap(True)
        self.title.setToolTip("What is selected on the canvas.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._summary_page())
        self.stack.addWidget(self._layer_page())
        self.stack.addWidget(self._node_page())
        self.stack.addWidget(self._edge_page())
        lay = QVBoxLayout(scroll_body(self))  # a short dock scrolls instead of squashing rows
        lay.addWidget(self.title)
        lay.addWidget(self.stack)
        lay.addStretch(1)
        self.title.setText("Network")

    # ------------------------------------------------------------------ pages
    def _summary_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.sum_layers = _label("Neurons per layer, input first.")
        self.sum_acts = _label("Activation of each layer after the input.")
        self.sum_params = _label("Number of weights and biases the network learns.")
        self.sum_loss = _label("The loss function and, if known, its current value.")
        self.sum_hint = _label("", selectable=False)
        set_sheet(self.sum_hint, "color: @hint;")
        self.sum_hint.setText("Click a layer header, a node or an edge on the canvas to inspect it.")
        form.addRow("Layers", self.sum_layers)
        form.addRow("Activations", self.sum_acts)
        form.addRow("Parameters", self.sum_params)
        form.addRow("Loss", self.sum_loss)
        form.addRow(self.sum_hint)
        return page

    def _layer_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        outer.addLayout(form)
        self.layer_index = _label("Node layer index (0 = input layer).")
        self.width_spin = QSpinBox()
        self.width_spin.setRange(1, MAX_WIDTH)
        self.width_spin.setKeyboardTracking(False)  # one request on Enter, not one per keystroke
        self.width_spin.setToolTip("Number of neurons in this layer.")
        self.act_combo = QComboBox()
        for name in ACTIVATIONS:
            self.act_combo.addItem(name, name)
            self.act_combo.setItemData(
                self.act_combo.count() - 1, DESCRIPTIONS[name], Qt.ItemDataRole.ToolTipRole
            )
        self.act_combo.setToolTip("The activation function g applied to every neuron of this layer.")
        self.act_desc = _label("The activation's formula.")
        self.layer_note = _label("", selectable=False)
        set_sheet(self.layer_note, "color: @hint;")
        form.addRow("Index", self.layer_index)
        form.addRow("Width", self.width_spin)
        form.addRow("Activation", self.act_combo)
        form.addRow("", self.act_desc)
        outer.addWidget(self.layer_note)
        outer.addStretch(1)
        self.width_spin.valueChanged.connect(lambda v: self.layerWidthEdited.emit(self._layer, int(v)))
        self.act_combo.currentIndexChanged.connect(self._on_activation)
        return page

    def _node_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.node_where = _label("Node layer (0 = input) and neuron index (0-based).")
        self.node_act = _label("This neuron's activation function.")
        self.node_message = error_message()
        self.bias_edit = NumberEdit(LECTURE.bias_tip, self.node_message)
        self.node_bias = _label("The bias as stored (the weight export's bℓ): bias = −θ.")
        self.node_b = _label(LECTURE.preact_tip)
        self.node_V = _label(LECTURE.output_tip)
        self.node_delta = _label(LECTURE.delta_tip)
        self.dropout_spin = QDoubleSpinBox()
        self.dropout_spin.setRange(0.0, 0.95)  # p < 1: a layer that drops every unit passes nothing
        self.dropout_spin.setDecimals(2)
        self.dropout_spin.setSingleStep(0.05)
        self.dropout_spin.setKeyboardTracking(False)  # one edit on Enter, not one per keystroke
        self.dropout_spin.setToolTip(
            "Dropout p of this neuron's hidden layer: while training, each of its units is dropped "
            "(outputs 0, passes no error back) with probability p and the others are scaled by "
            "1/(1 − p); prediction uses every unit. 0 = off."
        )
        form.addRow("Neuron", self.node_where)
        form.addRow("Activation", self.node_act)
        form.addRow("Threshold θ", self.bias_edit)
        form.addRow("Bias (stored)", self.node_bias)
        form.addRow(self.node_message)
        form.addRow("b (probe)", self.node_b)
        form.addRow("V (probe)", self.node_V)
        form.addRow("δ (probe)", self.node_delta)
        form.addRow("Layer dropout p", self.dropout_spin)
        self._node_form = form
        self.dropout_spin.valueChanged.connect(lambda v: self.dropoutEdited.emit(self._node[0], float(v)))
        self.bias_edit.committed.connect(
            lambda v: self.biasEdited.emit(*self._node, self.notation.bias_stored(v))
        )
        return page

    def _edge_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.edge_where = _label("Which two neurons this weight connects.")
        self.edge_message = error_message()
        self.weight_edit = NumberEdit("The weight: type a number and press Enter.", self.edge_message)
        self.edge_grad = _label("∂E/∂w: how the loss changes with this weight (last gradient).")
        form.addRow("Connects", self.edge_where)
        form.addRow("Weight w", self.weight_edit)
        form.addRow(self.edge_message)
        form.addRow("∂E/∂w", self.edge_grad)
        self._edge_form = form
        self.weight_edit.committed.connect(lambda v: self.weightEdited.emit(*self._edge, v))
        return page

    # --------------------------------------------------------------- notation
    def set_notation(self, notation: Notation) -> None:
        """Relabel every row and redraw the current selection in ``notation``."""
        self.notation = notation
        if self._shown is not None:
            method, args, kwargs = self._shown
            method(*args, **kwargs)

    def _relabel(self, form: QFormLayout, field, text: str, tip: str | None = None) -> None:
        lab = form.labelForField(field)
        if lab is not None:
            lab.setText(text)
            if tip is not None:
                lab.setToolTip(tip)
        if tip is not None:
            field.setToolTip(tip)

    # ------------------------------------------------------------------ setters (no signals)
    def show_network_summary(self, spec, loss_value: float | None = None) -> None:
        """Nothing selected: layer sizes, activations, parameter count, loss (and its value)."""
        self._shown = (self.show_network_summary, (spec, loss_value), {})
        self.title.setText("Network")
        self.sum_layers.setText(
            " → ".join(str(n) for n in spec.layer_sizes)
            + f"  ({spec.n_layers} weight layer{'s' * (spec.n_layers != 1)})"
        )
        self.sum_acts.setText(", ".join(spec.activations))
        self.sum_params.setText(f"{spec.n_params:,}")
        self.sum_loss.setText(spec.loss if loss_value is None else f"{spec.loss} = {fmt(loss_value, 5)}")
        self.stack.setCurrentIndex(0)

    def show_layer(self, layer: int, spec, editable: bool = True) -> None:
        """Node layer ``layer`` (0 = input) of ``spec``; ``editable`` False while training."""
        self._shown = (self.show_layer, (layer, spec), {"editable": editable})
        self._layer = int(layer)
        n = len(spec.layer_sizes)
        self.title.setText(f"Layer {layer}: {layer_name(layer, n)}")
        self.layer_index.setText(f"{layer} of {n - 1}")
        inner = 0 < layer < n - 1
        with _Blocked(self.width_spin, self.act_combo):
            self.width_spin.setValue(spec.layer_sizes[layer])
            model = self.act_combo.model()
            for row, name in enumerate(ACTIVATIONS):  # softmax only on the output layer
                model.item(row).setEnabled(name != "softmax" or layer == n - 1)
            if layer > 0:
                act = spec.activations[layer - 1]
                self.act_combo.setCurrentIndex(ACTIVATIONS.index(act))
                self.act_desc.setText(DESCRIPTIONS[act])
            else:
                self.act_combo.setCurrentIndex(-1)
                self.act_desc.setText("Input neurons pass the (preprocessed) features on unchanged.")
        self.width_spin.setEnabled(editable and inner)
        self.act_combo.setEnabled(editable and layer > 0)
        notes = []
        if not inner:
            notes.append("The input and output widths are set by the data set.")
        if not editable:
            notes.append("Stop training to edit the network.")
        self.layer_note.setText(" ".join(notes))
        self.stack.setCurrentIndex(1)

    def show_node(
        self,
        layer: int,
        index: int,
        activation: str | None,
        bias: float | None,
        b: float | None,
        V: float | None,
        editable_bias: bool = True,
        delta: float | None = None,
        dropout: float | None = None,
    ) -> None:
        """Neuron ``index`` (0-based) of node layer ``layer``; ``bias`` None for input neurons.

        ``b`` (weighted input), ``V`` (output) and ``delta`` (the lecture's sign)
        are for the probe sample, if known; ``dropout`` is the hidden layer's
        rate (None: not a hidden layer, the row is hidden).
        """
        self._shown = (
            self.show_node,
            (layer, index, activation, bias, b, V),
            {"editable_bias": editable_bias, "delta": delta, "dropout": dropout},
        )
        self._node = (int(layer), int(index))
        n = self.notation
        self.title.setText(n.node_title(layer, index))
        self.node_where.setText(
            f"layer {layer}, {'neuron' if n.one_based else 'unit'} {n.unit(index)}"
            + (" (1-based, as in the lecture)" if n.one_based else " (0-based)")
        )
        f = self._node_form
        self._relabel(f, self.bias_edit, n.bias_label, n.bias_tip)
        self._relabel(f, self.node_b, n.preact_label, n.preact_tip)
        self._relabel(f, self.node_V, n.output_label, n.output_tip)
        self._relabel(f, self.node_delta, n.delta_label, n.delta_tip)
        self.node_act.setText(
            "— (input)" if not activation else f"{activation}: {DESCRIPTIONS.get(activation, '')}"
        )
        has_bias = bias is not None
        self._node_form.setRowVisible(self.bias_edit, has_bias)
        self._node_form.setRowVisible(self.node_bias, has_bias and n.use_theta)
        self._node_form.setRowVisible(self.node_delta, layer > 0)
        self._node_form.setRowVisible(self.dropout_spin, dropout is not None)
        if dropout is not None:
            with _Blocked(self.dropout_spin):
                self.dropout_spin.setValue(float(dropout))
        if has_bias:
            self.bias_edit.show_value(n.bias_shown(float(bias)))
            self.node_bias.setText(f"{fmt(bias)}  (θ = −bias)")
        self.bias_edit.setReadOnly(not editable_bias)
        self.node_message.hide()
        self.node_b.setText(fmt(b))
        self.node_V.setText(fmt(V))
        self.node_delta.setText(fmt(n.delta_shown(delta)))
        self.stack.setCurrentIndex(2)

    def show_edge(
        self, layer: int, i: int, j: int, weight: float, grad: float | None, editable: bool = True
    ) -> None:
        """Edge ``weights[layer][i, j]``: node ``i`` of layer ``layer`` → node ``j`` of ``layer + 1``."""
        self._shown = (self.show_edge, (layer, i, j, weight, grad), {"editable": editable})
        self._edge = (int(layer), int(i), int(j))
        n = self.notation
        self.title.setText(f"Weight {n.weight_symbol(layer, i, j)}")
        self.edge_where.setText(n.weight_connects(layer, i, j))
        self._relabel(
            self._edge_form,
            self.edge_grad,
            n.grad_w,
            f"{n.grad_w}: how the loss changes with this weight (probe sample).",
        )
        self.weight_edit.show_value(float(weight))
        self.weight_edit.setReadOnly(not editable)
        self.edge_grad.setText(fmt(grad))
        self.stack.setCurrentIndex(3)

    # ------------------------------------------------------------------ edits
    def _on_activation(self, row: int) -> None:
        if row < 0:
            return
        name = ACTIVATIONS[row]
        self.act_desc.setText(DESCRIPTIONS[name])
        self.activationEdited.emit(self._layer, name)


class _Blocked:
    """``with _Blocked(w1, w2):`` — signals of the widgets blocked inside the block."""

    def __init__(self, *widgets):
        self.widgets = widgets

    def __enter__(self):
        self.old = [w.blockSignals(True) for w in self.widgets]

    def __exit__(self, *exc):
        for w, old in zip(self.widgets, self.old):
            w.blockSignals(old)
