"""Text pieces of step-through mode: numbers, lecture symbols, equations.

Pure string formatting (no NumPy maths beyond reading values). Numbers use a
true minus sign (U+2212); node and weight indices are shown 1-based like the
lecture: ``b₁⁽¹⁾`` is the pre-activation of node 1 in layer ℓ = 1 and
``w₂₁⁽¹⁾`` the weight *to* node 2 of layer 1 *from* node 1 of layer 0,
which is ``weights[0][0, 1]`` in our (from, to) storage.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "num",
    "fac",
    "sub",
    "sup",
    "node_sym",
    "w_sym",
    "joined",
    "activation_text",
    "gprime_text",
    "MAX_TERMS",
    "Symbols",
]

MAX_TERMS = 6  # longer sums show their first terms and "… (k more)"
_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
_SUP = str.maketrans("0123456789-=", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁼")


def num(x: float) -> str:
    """3 decimals (0.380, −1.200); 3 significant digits below 0.01 (0.00297);
    e-notation below 1e−5 and from 1e4."""
    x = float(x)
    if x == 0 or 1e-2 <= abs(x) < 1e4 or not np.isfinite(x):
        s = f"{x:.3f}"
        s = "0.000" if s == "-0.000" else s
    elif 1e-5 <= abs(x) < 1e-2:
        s = f"{x:.3g}"
    else:
        s = f"{x:.3g}" if abs(x) >= 1e4 else f"{x:.2e}"
    return s.replace("-", "−")


def fac(x: float) -> str:
    """``num`` in parentheses when negative, for use as a factor or a summand."""
    s = num(x)
    return f"({s})" if s.startswith("−") else s


def sub(n: int) -> str:
    return str(int(n)).translate(_SUB)


def sup(n: int) -> str:
    return str(int(n)).translate(_SUP)


def node_sym(sym: str, layer: int, index: int) -> str:
    """``b₁⁽¹⁾``: symbol of 0-based node ``index`` in node layer ``layer``."""
    return f"{sym}{sub(index + 1)}⁽{sup(layer)}⁾"


def w_sym(l: int, i: int, j: int, sym: str = "w") -> str:
    """Lecture symbol of ``weights[l][i, j]`` (from node i to node j): w_{j i}^{(l+1)}."""
    sep = "," if i >= 9 or j >= 9 else ""
    return f"{sym}{sub(j + 1)}{sep}{sub(i + 1)}⁽{sup(l + 1)}⁾"


def joined(terms: list[str], sep: str = " + ") -> str:
    """Join summands, eliding the middle of long sums."""
    if len(terms) <= MAX_TERMS:
        return sep.join(terms)
    keep = MAX_TERMS - 1
    return sep.join(terms[:keep]) + f"{sep}… ({len(terms) - keep} more terms)"


def _softmax_text(b: float, b_layer) -> str:
    others = [f"e^{fac(v)}" for v in (b_layer if b_layer is not None else [b])]
    return f"e^{fac(b)} / ({joined(others)})"


# activation name -> g(b) written with the number (others: "name(b)")
G_TEXT = {
    "linear": lambda b, _layer: num(b),
    "sigmoid": lambda b, _layer: f"σ({num(b)})",
    "relu": lambda b, _layer: f"max(0, {num(b)})",
    "softmax": _softmax_text,
}

# activation name -> g′(b) as a formula in the node's numbers (others: "name′(b)")
GPRIME_TEXT = {
    "tanh": lambda b, V: f"(1 − {fac(V)}²)",
    "sigmoid": lambda b, V: f"{num(V)}·(1 − {num(V)})",
    "softmax": lambda b, V: f"{num(V)}·(1 − {num(V)})",
    "linear": lambda b, V: "1",
    "relu": lambda b, V: "1 [b > 0]" if b > 0 else "0 [b ≤ 0]",
    "leaky_relu": lambda b, V: "1 [b > 0]" if b > 0 else "0.01 [b ≤ 0]",
    "step": lambda b, V: "0 [step: g′ = 0]",
}


def activation_text(act: str, b: float, b_layer: np.ndarray | None = None) -> str:
    """g(b) written out with the number: tanh(0.400), σ(0.400), max(0, 0.400)."""
    text = G_TEXT.get(act)
    return text(b, b_layer) if text is not None else f"{act}({num(b)})"


def gprime_text(act: str, b: float, V: float) -> str:
    """g′(b) as a formula in the node's numbers: (1 − 0.380²) for tanh."""
    text = GPRIME_TEXT.get(act)
    return text(b, V) if text is not None else f"{act}′({num(b)})"


class Symbols:
    """The step-through's symbols in one :class:`~model.teaching.notation.Notation`.

    Lecture: b (net input), V (output), δ (the lecture's sign), θ = −bias,
    w_ji⁽ℓ⁾ from unit i to unit j, 1-based.  Code: z, a, ∂L/∂z (= −δ), the bias b,
    Wℓ[i, j] from unit i to unit j, 0-based.  ``bias``/``delta`` turn the stored
    bias and the lecture's δ into the number this notation shows.
    """

    def __init__(self, notation=None):
        self.lecture = notation is None or notation.use_theta
        lec = self.lecture
        self.z_name, self.a_name = ("b", "V") if lec else ("z", "a")
        self.d_name = "δ" if lec else "∂L/∂z"
        self.bias_name = "θ" if lec else "b"
        self.unit_word = "node" if lec else "unit"

    def unit(self, j: int) -> str:
        return str(j + 1 if self.lecture else j)

    def z(self, layer: int, j: int) -> str:
        return node_sym("b", layer, j) if self.lecture else f"z{layer}[{j}]"

    def a(self, layer: int, j: int) -> str:
        return node_sym("V", layer, j) if self.lecture else f"a{layer}[{j}]"

    def d(self, layer: int, j: int) -> str:
        return node_sym("δ", layer, j) if self.lecture else f"∂L/∂z{layer}[{j}]"

    def w(self, l: int, i: int, j: int, prefix: str = "") -> str:
        """``weights[l][i, j]``: w_ji⁽ˡ⁺¹⁾ (lecture) or W{l+1}[i, j] (code)."""
        return w_sym(l, i, j, prefix + "w") if self.lecture else f"{prefix}W{l + 1}[{i}, {j}]"

    def b(self, layer: int, j: int, prefix: str = "") -> str:
        """The threshold θ_j⁽ℓ⁾ (lecture) or the bias b{ℓ}[j] (code)."""
        return node_sym(prefix + "θ", layer, j) if self.lecture else f"{prefix}b{layer}[{j}]"

    def bias(self, stored: float) -> float:
        """The shown number for a stored bias: θ = −bias (lecture) or the bias (code)."""
        return -stored if self.lecture else stored

    def delta(self, lecture_delta: float) -> float:
        """The shown number for the lecture's δ: δ, or ∂L/∂z = −δ (code)."""
        return lecture_delta if self.lecture else -lecture_delta

    def gprime(self, act: str, z: float, V: float) -> str:
        text = gprime_text(act, z, V)
        return text if self.lecture else text.replace("[b ", "[z ")
