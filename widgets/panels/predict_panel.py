"""Predict panel: type one sample in raw units and see what the network says.

One line edit per numeric feature and one combo per categorical column (its
one-hot group ``col=value`` in the training features). The panel applies the
project's fitted scaler exactly as training did — ``net.predict(scaler.
transform(x))`` — and shows the outputs; for classification the class
probabilities as a bar chart and the predicted class. Text that is not a
number turns its field red and says why; nothing is predicted until it is
fixed. Predicts on Enter and, by default, as soon as any field changes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from model.data.table import parse_float
from widgets.common.fit import scroll_body
from widgets.common.plot_style import light_grid
from widgets.common.themed import Ink, paint
from widgets.common.themed_widgets import set_sheet

__all__ = ["PredictPanel", "feature_groups", "class_probabilities"]

BAR = "#9bb7ea"
BAR_WINNER = "#2f6fdf"
BAD_STYLE = "QLineEdit { background: @error_fill; border: 1px solid @error_border; }"
ERROR_STYLE = "color: @error;"


def feature_groups(feature_names) -> list[tuple[str, list[str] | None, list[int]]]:
    """Raw input columns behind the training features, in order.

    Returns ``(name, categories, feature_indices)`` per column: categories
    None for a numeric feature; for a one-hot group ``col=a, col=b, …`` (adjacent
    features sharing the prefix before the first "=") the category names.
    """
    out: list[tuple[str, list[str] | None, list[int]]] = []
    for i, f in enumerate(feature_names):
        if "=" in f:
            col, val = f.split("=", 1)
            if out and out[-1][1] is not None and out[-1][0] == col:
                out[-1][1].append(val)
                out[-1][2].append(i)
                continue
            out.append((col, [val], [i]))
        else:
            out.append((f, None, [i]))
    return out


def class_probabilities(y: np.ndarray, output_activation: str) -> tuple[np.ndarray, bool]:
    """(per-class values, are_probabilities) from one output row ``y`` (k,).

    One sigmoid output ``p`` is the two classes ``[1 - p, p]``; softmax
    outputs are probabilities already; any other output layer gives scores
    (the largest wins), reported as not probabilities.
    """
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if y.size == 1:
        p = float(y[0]) if output_activation in ("sigmoid", "step") else float(y[0] >= 0.5)
        probs = np.array([1.0 - p, p])
        return probs, output_activation in ("sigmoid", "step")
    return y.copy(), output_activation == "softmax"


class PredictPanel(QWidget):
    """``set_model(net, scaler, feature_names, class_names, task)``; see the module docstring."""

    predicted = Signal(object)  # the (k,) output row after each successful prediction

    def __init__(self, parent=None):
        super().__init__(parent)
        self.net = self.scaler = None
        self.feature_names: list[str] = []
        self.class_names: list[str] = []
        self.target_names: list[str] = []
        self.task = "regression"
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self._groups: list = []
        self._outputs: np.ndarray | None = None
        self._probs: np.ndarray | None = None

        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_host)
        scroll.setMinimumWidth(230)
        self.auto = QCheckBox("predict while typing")
        self.auto.setChecked(True)
        self.auto.setToolTip("Predict again after every change of an input")
        self.predict_button = QPushButton("Predict", toolTip="Run the network on these inputs")
        self.predict_button.clicked.connect(self.predict)
        buttons = QHBoxLayout()
        buttons.addWidget(self.auto)
        buttons.addStretch(1)
        buttons.addWidget(self.predict_button)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        set_sheet(self.message, ERROR_STYLE)
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Inputs</b> (raw units, as in the data file)"))
        left.addWidget(scroll, 1)
        left.addLayout(buttons)
        left.addWidget(self.message)

        self.result = QLabel("No model yet.")
        self.result.setWordWrap(True)
        self.outputs_label = QLabel("")
        self.outputs_label.setWordWrap(True)
        set_sheet(self.outputs_label, "color: @hint;")
        self.plot = pg.PlotWidget(background="default")
        light_grid(self.plot)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(True)
        self.plot.setLabel("left", "probability")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=BAR, pen=None)
        self.plot.addItem(self.bars)
        self._bar_labels: list[pg.TextItem] = []
        right = QVBoxLayout()
        right.addWidget(self.result)
        right.addWidget(self.plot, 1)
        right.addWidget(self.outputs_label)
        lay = QHBoxLayout(scroll_body(self))
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(left, 2)
        lay.addLayout(right, 3)

    # ---------------------------------------------------------------- api
    def set_model(
        self, net, scaler, feature_names, class_names, task: str, *, target_names=None, defaults=None
    ) -> None:
        """Show fields for ``feature_names`` (the training features, one-hot
        groups as ``col=value``). ``scaler`` maps raw inputs to the network's
        (None: identity). ``defaults``: (d,) raw feature values to start with
        (default: the scaler's centre)."""
        feature_names = [str(f) for f in feature_names]
        if len(feature_names) != net.layer_sizes[0]:
            raise ValueError(
                f"{len(feature_names)} feature names for a network with {net.layer_sizes[0]} inputs"
            )
        if scaler is not None and scaler.n_features != len(feature_names):
            raise ValueError(f"the scaler is fitted for {scaler.n_features} inputs, not {len(feature_names)}")
        self.net, self.scaler, self.task = net, scaler, task
        self.feature_names = feature_names
        self.class_names = [str(c) for c in class_names]
        self.target_names = [str(t) for t in (target_names or [])]
        self._groups = feature_groups(feature_names)
        if defaults is None:
            defaults = self._scaler_centre(len(feature_names))
        defaults = np.asarray(defaults, dtype=np.float64).reshape(-1)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        for name, cats, idx in self._groups:
            if cats is None:
                edit = QLineEdit(f"{defaults[idx[0]]:.4g}")
                edit.setToolTip(f"{name} in raw units")
                edit.textChanged.connect(self._changed)
                edit.returnPressed.connect(self.predict)
                self.fields[name] = edit
            else:
                combo = QComboBox()
                combo.addItems(cats)
                combo.setCurrentIndex(int(np.argmax(defaults[idx])))
                combo.setToolTip(f"{name}: categorical, one-hot encoded over {len(cats)} inputs")
                combo.currentIndexChanged.connect(self._changed)
                self.fields[name] = combo
            self.form.addRow(name, self.fields[name])
        classify = task == "classification"
        self.plot.setVisible(classify)
        self.plot.setLabel("left", "probability")
        self.predict()

    def _scaler_centre(self, d: int) -> np.ndarray:
        sc = self.scaler
        if sc is None or sc.method == "none":
            return np.zeros(d)
        if sc.method == "normalize":  # offset = min, scale = range
            return sc.offset + sc.scale / 2
        return sc.offset.copy()  # standardize: mean; scale: midpoint

    def set_text(self, feature: str, text: str) -> None:
        """Type into a numeric field (or choose a category of a categorical one)."""
        w = self.fields[feature]
        if isinstance(w, QComboBox):
            w.setCurrentText(text)
        else:
            w.setText(text)

    def raw_inputs(self) -> np.ndarray:
        """(d,) raw feature vector from the fields; ValueError naming the bad field."""
        x = np.zeros(len(self.feature_names))
        for name, cats, idx in self._groups:
            w = self.fields[name]
            if cats is not None:
                x[idx[w.currentIndex()]] = 1.0
                continue
            text = w.text()
            v = parse_float(text)
            if v is None or not np.isfinite(v):
                what = "is empty" if not text.strip() else f"{text.strip()!r} is not a finite number"
                raise ValueError(f"{name}: {what}", name)
            x[idx[0]] = v
        return x

    def outputs(self) -> np.ndarray | None:
        """(k,) network outputs of the last successful prediction."""
        return self._outputs

    def probabilities(self) -> np.ndarray | None:
        """(n_classes,) class values shown in the bar chart (classification only)."""
        return self._probs

    def predicted_class(self) -> str | None:
        if self._probs is None:
            return None
        return self._class_name(int(np.argmax(self._probs)))

    def error_text(self) -> str:
        return self.message.text()

    def predict(self) -> np.ndarray | None:
        """Run the network on the fields; returns the (k,) outputs or None if a field is bad."""
        if self.net is None:
            return None
        for w in self.fields.values():
            if isinstance(w, QLineEdit):
                w.setStyleSheet("")
        try:
            x = self.raw_inputs()
        except ValueError as exc:
            message, name = exc.args if len(exc.args) == 2 else (str(exc), None)
            if name in self.fields:
                set_sheet(self.fields[name], BAD_STYLE)
            self.message.setText(message)
            self.result.setText("Fix the highlighted input to predict.")
            self._outputs = self._probs = None
            self.bars.setOpacity(0.25)  # the bars belong to the last valid input
            return None
        try:
            z = self.scaler.transform(x[None, :]) if self.scaler is not None else x[None, :]
            y = self.net.predict(z)[0]
        except (ValueError, FloatingPointError) as exc:
            self.message.setText(str(exc))
            return None
        self.message.setText("")
        self.bars.setOpacity(1.0)
        self._outputs = np.asarray(y, dtype=np.float64).copy()
        if self.task == "classification":
            self._show_classes(self._outputs)
        else:
            self._probs = None
            names = self.target_names or [f"y{j + 1}" for j in range(len(y))]
            self.result.setText(
                "<b>Prediction:</b> " + ", ".join(f"{n} = {v:.4g}" for n, v in zip(names, self._outputs))
            )
            self.outputs_label.setText("")
        self.predicted.emit(self._outputs)
        return self._outputs

    # ------------------------------------------------------------ internal
    def _changed(self, *_args) -> None:
        if self.auto.isChecked():
            self.predict()

    def _class_name(self, i: int) -> str:
        return self.class_names[i] if i < len(self.class_names) else f"class {i}"

    def _show_classes(self, y: np.ndarray) -> None:
        act = self.net.spec.activations[-1]
        probs, are_probs = class_probabilities(y, act)
        self._probs = probs
        win = int(np.argmax(probs))
        k = len(probs)
        brushes = [pg.mkBrush(BAR_WINNER if i == win else BAR) for i in range(k)]
        self.bars.setOpts(x=np.arange(k), height=probs, width=0.6, brushes=brushes)
        ax = self.plot.getAxis("bottom")
        ax.setTicks([[(i, self._class_name(i)) for i in range(k)]])
        top = 1.0 if are_probs else max(float(np.max(probs)), 1e-9)
        bottom = 0.0 if are_probs else min(float(np.min(probs)), 0.0)
        self.plot.setYRange(bottom, top * 1.12, padding=0)
        self.plot.setXRange(-0.6, k - 0.4, padding=0)
        self.plot.setLabel("left", "probability" if are_probs else f"output ({act})")
        for t in self._bar_labels:
            self.plot.removeItem(t)
        self._bar_labels = []
        if k <= 12:
            for i, p in enumerate(probs):
                t = paint(
                    pg.TextItem(f"{p:.2f}" if are_probs else f"{p:.3g}", anchor=(0.5, 1.0)), text=Ink("ink")
                )
                t.setPos(i, float(p))
                self.plot.addItem(t)
                self._bar_labels.append(t)
        word = "probability" if are_probs else "score"
        self.result.setText(f"<b>Predicted class: {self._class_name(win)}</b> ({word} {probs[win]:.3f})")
        self.outputs_label.setText("network outputs: " + ", ".join(f"{v:.4g}" for v in y))
