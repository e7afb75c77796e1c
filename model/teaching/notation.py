"""One notation for every label a student reads: the lecture's, or the code's.

The storage is the code's: ``weights[l][i, j]`` is the weight from unit ``i``
of node layer ``l`` to unit ``j`` of node layer ``l + 1`` (0-based), ``a = x W + b``.
The lecture writes the same number as w_ji^(ℓ) (ℓ = l + 1, 1-based unit
indices, the *receiving* unit first), a threshold θ = −b, the net input
b = Σ w·V − θ, the output V = g(b) and the error signal δ = g′(b)·(t − V) at
the output — δ = −∂E/∂b, so Δw = +η·δ·V.  The code's notation names the
same quantities z (pre-activation), a (activation), b (bias) and ∂L/∂z = −δ.

Widgets (Inspector, step-through, tooltips) and exports ask one
:class:`Notation` for every label, so switching it changes all of them
together.  Pure strings: no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Notation", "LECTURE", "CODE", "NOTATIONS", "get_notation", "signed", "short"]

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def signed(v: float | None, digits: int = 6) -> str:
    """A number with a true minus sign, never "−0" (tiny negatives round to 0)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    s = f"{float(v):.{digits}g}"
    if s.lstrip("-").rstrip("0").rstrip(".") in ("0", ""):
        s = s.lstrip("-")
    return s.replace("-", "−")


@dataclass(frozen=True)
class Notation:
    key: str
    title: str
    one_based: bool
    receiver_first: bool  # w_ij from j to i (lecture) vs W[i, j] from i to j (code)
    use_theta: bool  # show θ = −b beside the bias
    z: str  # pre-activation symbol
    a: str  # activation symbol
    delta_name: str
    delta_sign: float  # displayed δ = delta_sign × the lecture's δ
    grad_w: str
    # the labels and tips that differ in words, not only in symbols: one table per notation
    bias_label: str
    bias_tip: str
    preact_tip: str
    delta_tip: str
    net_input_formula: str
    export_note: str  # how to use exported weights (the export README)

    # ------------------------------------------------------------ indices
    def unit(self, index: int) -> int:
        return index + 1 if self.one_based else index

    def node_title(self, layer: int, index: int) -> str:
        """'Neuron 2 of layer 1' (lecture) / 'Unit 1 of layer 1' (code); ``index`` 0-based."""
        word = "Neuron" if self.one_based else "Unit"
        return f"{word} {self.unit(index)} of layer {layer}"

    def weight_symbol(self, l: int, i: int, j: int) -> str:
        """``weights[l][i, j]``: w₂₁⁽¹⁾ (lecture, to-from) or W1[0, 1] (code, from-to)."""
        if self.receiver_first:
            sep = "," if i >= 9 or j >= 9 else ""
            to, frm = str(j + 1).translate(_SUB), str(i + 1).translate(_SUB)
            return f"w{to}{sep}{frm}⁽{str(l + 1).translate(_SUP)}⁾"
        return f"W{l + 1}[{i}, {j}]"

    def weight_connects(self, l: int, i: int, j: int) -> str:
        word = "neuron" if self.one_based else "unit"
        return (
            f"from {word} {self.unit(i)} of layer {l} to {word} {self.unit(j)} of layer {l + 1}\n"
            f"(W{l + 1}[{i}, {j}] in the weight export: row = from, column = to, 0-based)"
        )

    # ------------------------------------------------------------- labels
    def bias_shown(self, bias: float) -> float:
        """The number the bias field shows (θ = −bias in the lecture's notation)."""
        return -bias if self.use_theta else bias

    def bias_stored(self, shown: float) -> float:
        """The bias to store for a typed value."""
        return -shown if self.use_theta else shown

    @property
    def preact_label(self) -> str:
        return f"{self.z} (probe)"

    @property
    def output_label(self) -> str:
        return f"{self.a} (probe)"

    @property
    def output_tip(self) -> str:
        return f"{self.a} = g({self.z}): the output for the probe sample."

    @property
    def delta_label(self) -> str:
        return f"{self.delta_name} (probe)"

    def delta_shown(self, lecture_delta: float | None) -> float | None:
        return None if lecture_delta is None else self.delta_sign * lecture_delta


#: One table, one column per notation: every label that differs between them.
_TABLE = {  # field: (lecture, code)
    "key": ("lecture", "code"),
    "title": ("Lecture (w_ij from j to i, θ, δ)", "Code (a = xW + b, ∂L/∂z)"),
    "one_based": (True, False),
    "receiver_first": (True, False),
    "use_theta": (True, False),
    "z": ("b", "z"),
    "a": ("V", "a"),
    "delta_name": ("δ", "∂L/∂z"),
    "delta_sign": (1.0, -1.0),
    "grad_w": ("∂E/∂w", "∂L/∂W"),
    "bias_label": ("Threshold θ", "Bias b"),
    "bias_tip": (
        "The threshold θ = −bias: b = Σ w·V − θ. Type θ and press Enter "
        "(the weight export stores the bias b = −θ).",
        "The bias b added to the pre-activation: z = Σ a·W + b. Type it and press Enter.",
    ),
    "preact_tip": (
        "b = Σ w·V − θ: the neuron's net input for the probe sample.",
        "z = Σ a·W + b: the unit's pre-activation for the probe sample.",
    ),
    "delta_tip": (
        "δ, the lecture's sign: δ = g′(b)·(t − V) at the output, δ = g′(b)·Σ w·δ "
        "in a hidden layer; δ = −∂E/∂b, so the update is Δw = +η·δ·V.",
        "∂L/∂z: the loss gradient w.r.t. the pre-activation (= −δ of the lecture); ΔW = −η·∂L/∂W.",
    ),
    "net_input_formula": ("b = Σ w·V − θ,  V = g(b)", "z = a·W + b,  a = g(z)"),
    "export_note": (
        "To use the weights without MLP Studio: for each layer ℓ the net input of unit i is "
        "b_i = Σ_j w_ij V_j − θ_i with w_ij = `Wℓ[j, i]` (the file stores from → to) and "
        "θ_i = −`bℓ[i]`, then V_i = g(b_i) with the layer's activation (see `activations`); "
        "inputs are scaled first with `preprocessing.json` (the ONNX model does this itself).",
        "To use the weights without MLP Studio: for each layer ℓ, `z = a @ Wℓ + bℓ`, "
        "then `a = g(z)` with the layer's activation (see `activations`); inputs are scaled "
        "first with `preprocessing.json` (the ONNX model does this itself).",
    ),
}
LECTURE, CODE = (Notation(**{k: v[i] for k, v in _TABLE.items()}) for i in (0, 1))
NOTATIONS = {n.key: n for n in (LECTURE, CODE)}


def get_notation(key: str) -> Notation:
    try:
        return NOTATIONS[key]
    except KeyError:
        raise ValueError(f"unknown notation {key!r}; allowed: {', '.join(NOTATIONS)}") from None


def short(x: float) -> str:
    """Two decimals for a node's read-out on the canvas, never "−0.00"."""
    s = f"{float(x):.2f}"
    return "0.00" if s == "-0.00" else s
