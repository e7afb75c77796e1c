"""The operations of a chain-rule graph: each forward rule beside its backward rule.

Each rule takes operand values and returns (value, [d value / d operand_i, ...]),
as in micrograd's ``engine.py``; a math domain error raises :class:`ChainRuleError`.
"""

from __future__ import annotations

import ast
import math


class ChainRuleError(ValueError):
    """Invalid expression text, missing value or a math domain error."""


def _finite(x: float, what: str) -> float:
    if not math.isfinite(x):
        raise ChainRuleError(f"overflow: {what} is too large to represent")
    return x


def _add(a, b):
    return a + b, [1.0, 1.0]


def _sub(a, b):
    return a - b, [1.0, -1.0]


def _mul(a, b):
    return a * b, [b, a]


def _neg(a):
    return -a, [-1.0]


def _ident(a):
    return a, [1.0]


def _div(a, b):
    if b == 0:
        raise ChainRuleError(f"division by zero: {a:g} / 0")
    return a / b, [1.0 / b, -a / (b * b)]


def _pow(a, b, exponent_varies=True):
    integer = float(b).is_integer()
    if a < 0 and not integer:
        raise ChainRuleError(f"{a:g} ** {b:g}: a negative base needs an integer exponent")
    if a == 0 and b < 0:
        raise ChainRuleError(f"division by zero: 0 ** {b:g}")
    if a == 0 and 0 < b < 1:
        raise ChainRuleError(f"the derivative of a ** {b:g} is undefined at a = 0")
    try:
        out = a ** (int(b) if integer and abs(b) < 1e6 else b)
        d_base = 0.0 if b == 0 else b * a ** (b - 1)
    except OverflowError:
        raise ChainRuleError(f"overflow: {a:g} ** {b:g} is too large") from None
    if a > 0:
        d_exp = out * math.log(a)  # d(a^b)/db = a^b ln a
    elif a == 0 or not exponent_varies:
        d_exp = 0.0  # limit (a=0) / unused (constant exponent)
    else:
        raise ChainRuleError(
            f"{a:g} ** b: the derivative with respect to a variable exponent b needs a positive base"
        )
    return float(out), [float(d_base), float(d_exp)]


def _exp(a):
    try:
        out = math.exp(a)
    except OverflowError:
        raise ChainRuleError(f"overflow: exp({a:g}) is too large") from None
    return out, [out]


def _log(a):
    if a <= 0:
        raise ChainRuleError(f"log({a:g}) is undefined: log needs a positive argument")
    return math.log(a), [1.0 / a]


def _sin(a):
    return math.sin(a), [math.cos(a)]


def _cos(a):
    return math.cos(a), [-math.sin(a)]


def _tanh(a):
    t = math.tanh(a)
    return t, [1.0 - t * t]


def _sigmoid(a):
    s = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
    return s, [s * (1.0 - s)]


def _relu(a):
    return max(0.0, a), [1.0 if a > 0 else 0.0]


BINARY = {
    ast.Add: ("+", _add),
    ast.Sub: ("-", _sub),
    ast.Mult: ("*", _mul),
    ast.Div: ("/", _div),
    ast.Pow: ("**", _pow),
}
FUNCTIONS = {
    "exp": _exp,
    "log": _log,
    "sin": _sin,
    "cos": _cos,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "relu": _relu,
}
OP_RULES = {**{op: fn for op, fn in BINARY.values()}, **FUNCTIONS, "neg": _neg, "=": _ident}
