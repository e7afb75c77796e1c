"""Predict, then reveal: the quiz mode of the step-through.

Before a stage reveals V, δ, Δw or Δθ of the selected node or edge, the
student types the value; :func:`grade` compares it with the model's number
(relative tolerance ``rtol``, plus ``atol`` for values that are 0) and the
:class:`Quiz` keeps the score. The formula shown after grading is the
step-through's own equation with the numbers substituted.

Selections use the canvas's keys: ``("node", layer, i)`` with node layer
0…L and 0-based i, ``("edge", l, i, j)`` for ``weights[l][i, j]`` (node i of
layer l → node j of layer l+1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from model.teaching.stepthrough import Stage
from model.teaching.stepthrough_text import Symbols, fac, num

__all__ = ["Question", "Grade", "Quiz", "question_for", "grade", "parse_answer", "RTOL", "ATOL"]

RTOL = 0.01  # 1 %: the step-through shows three decimals
ATOL = 5e-4  # half a unit in the third decimal, for values that are (nearly) 0
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Question:
    """What the student predicts: ``quantity`` V | δ | Δw | Δθ of ``symbol``."""

    key: tuple  # (stage index, selection): one score entry per question
    quantity: str
    symbol: str
    truth: float
    formula: str

    @property
    def prompt(self) -> str:
        return f"Predict {self.symbol} ="


@dataclass(frozen=True)
class Grade:
    correct: bool
    value: float | None  # the parsed answer (None: not a number)
    truth: float
    rel_error: float
    message: str


def parse_answer(text: str) -> float | None:
    """A decimal number as a student types it: '−0.25', '0,25', '.5', '1e-3'. Never eval."""
    s = str(text).strip().replace("−", "-").replace("–", "-").replace(" ", "")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if not _NUMBER.match(s):
        return None
    v = float(s)
    return v if math.isfinite(v) else None


def grade(text: str, truth: float, rtol: float = RTOL, atol: float = ATOL) -> Grade:
    """Right when |answer − truth| ≤ max(rtol·|truth|, atol)."""
    v = parse_answer(text)
    truth = float(truth)
    if v is None:
        return Grade(False, None, truth, math.inf, f"'{text}' is not a number (type e.g. 0.25 or −1.3e-2)")
    err = abs(v - truth)
    rel = err / abs(truth) if truth != 0 else (0.0 if err == 0 else math.inf)
    ok = err <= max(rtol * abs(truth), atol) * (1 + 1e-9)  # 0.101 vs 0.1 at 1 %: rounding
    if ok:
        msg = f"Right: {num(v)} (exact {num(truth)})"
    else:
        off = f"{rel * 100:.0f} % off" if math.isfinite(rel) else "the answer is 0"
        msg = f"Not quite: you said {num(v)}, the value is {num(truth)} ({off})"
    return Grade(ok, v, truth, rel, msg)


def _node(stage: Stage, layer: int, selection) -> int:
    """The selected node's index when it lies in ``layer``, else the stage's highlighted one."""
    if selection and selection[0] == "node" and selection[1] == layer:
        return int(selection[2])
    return int(stage.highlight or 0)


def question_for(stage: Stage, index: int, selection=None, eta: float | None = None) -> Question | None:
    """The question stage ``index`` answers for ``selection`` (None: nothing to predict).

    forward ℓ → V of a node of layer ℓ; output_error / backward → its δ;
    update → Δw of the selected edge (default w₁₁ of the last layer) or Δθ
    of the selected node. ``eta`` is needed for the Δw/Δθ formulas.
    """
    k, sym = stage.kind, Symbols(stage.notation)  # the symbols and signs of the stage's notation
    if k == "forward":
        i = _node(stage, stage.layer, selection)
        return Question(
            (index, "node", stage.layer, i),
            "V",
            sym.a(stage.layer, i),
            float(stage.node_values[stage.layer][i]),
            stage.equations.get(i, stage.equation),
        )
    if k in ("output_error", "backward"):
        i = _node(stage, stage.layer, selection)
        return Question(
            (index, "node", stage.layer, i),
            "δ",
            sym.d(stage.layer, i),
            float(sym.delta(stage.deltas[stage.layer][i])),
            stage.equations.get(i, stage.equation),
        )
    if k != "update" or stage.delta_W is None:
        return None
    e = "η" if eta is None else num(eta)
    if selection and selection[0] == "node" and selection[1] >= 1:
        lay, i = int(selection[1]), int(selection[2])
        d = float(sym.delta(stage.deltas[lay][i]))
        dth = float(stage.delta_theta[lay - 1][i])
        shown = dth if sym.lecture else -dth  # Δθ, or the bias's change Δb = −Δθ
        q = sym.b(lay, i, "Δ")
        formula = f"{q} = −η·{sym.d(lay, i)}\n    = −{e}·{fac(d)} = {num(shown)}"
        return Question((index, "node", lay, i), "Δθ", q, shown, formula)
    if selection and selection[0] == "edge":
        l, i, j = (int(v) for v in selection[1:4])
    else:
        l, i, j = len(stage.weights) - 1, 0, 0
    dw = float(stage.delta_W[l][i, j])
    q = sym.w(l, i, j, "Δ")
    d, V = float(sym.delta(stage.deltas[l + 1][j])), float(stage.node_values[l][i])
    rate = "η" if sym.lecture else "−η"
    rule = f"{sym.d(l + 1, j)}·{sym.a(l, i)}" if sym.lecture else f"{sym.a(l, i)}·{sym.d(l + 1, j)}"
    if stage.title.endswith(")") and "batch" in stage.title:
        formula = f"{q} = {rate}·⟨{rule}⟩ (mean over the batch)\n    = {num(dw)}"
    else:
        pair = f"{fac(d)}·{fac(V)}" if sym.lecture else f"{fac(V)}·{fac(d)}"
        formula = f"{q} = {rate}·{rule}\n    = {'' if sym.lecture else '−'}{e}·{pair} = {num(dw)}"
    return Question((index, "edge", l, i, j), "Δw", q, dw, formula)


@dataclass
class Quiz:
    """The score: the first answer to each question counts; ``teacher`` shows everything."""

    rtol: float = RTOL
    atol: float = ATOL
    teacher: bool = False
    answered: dict = field(default_factory=dict)  # question key -> Grade (this walk)
    earlier_right: int = 0  # totals of earlier walks (new_round)
    earlier_asked: int = 0

    def answer(self, q: Question, text: str) -> Grade:
        g = grade(text, q.truth, self.rtol, self.atol)
        if g.value is not None and q.key not in self.answered:
            self.answered[q.key] = g
        return g

    def is_answered(self, q: Question | None) -> bool:
        return q is None or self.teacher or q.key in self.answered

    @property
    def right(self) -> int:
        return self.earlier_right + sum(g.correct for g in self.answered.values())

    @property
    def asked(self) -> int:
        return self.earlier_asked + len(self.answered)

    def new_round(self) -> None:
        """A new walk (another pattern): its questions are new, the score carries on."""
        self.earlier_right, self.earlier_asked = self.right, self.asked
        self.answered.clear()

    def score_text(self) -> str:
        if not self.asked:
            return "score: no answers yet"
        return f"score: {self.right} of {self.asked} right ({100 * self.right / self.asked:.0f} %)"

    def reset(self) -> None:
        self.answered.clear()
        self.earlier_right = self.earlier_asked = 0
