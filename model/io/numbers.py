"""The one validator every numeric field of a file passes before it is used.

``check_number(value, path, rule)`` refuses booleans, strings, non-finite
values, integers too large for a float and anything outside the rule's range,
with one line naming the JSON path and what is allowed.  ``check_array``
does the same for lists of numbers, vectorised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_SEED = 2**63 - 1
MAX_EPOCHS = 10_000_000  # the same limit the trainer, the CLI and the loader use


class NumberError(ValueError):
    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}" if path else reason)


@dataclass(frozen=True)
class Rule:
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False
    optional: bool = False  # JSON null allowed

    def describe(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        if self.lo == -math.inf and self.hi == math.inf:
            return f"{kind} (finite)"
        if self.hi == math.inf:
            return f"{kind} {'>' if self.lo_open else '≥'} {self.lo:g}"
        if self.lo == -math.inf:
            return f"{kind} {'<' if self.hi_open else '≤'} {self.hi:g}"
        left, right = "(" if self.lo_open else "[", ")" if self.hi_open else "]"
        fmt = "{:,}" if self.integer and max(abs(self.lo), abs(self.hi)) < 1e15 else "{:g}"
        return f"{kind} in {left}{fmt.format(self.lo)}, {fmt.format(self.hi)}{right}"


FINITE = Rule()
POSITIVE = Rule(lo=0, lo_open=True)
NON_NEGATIVE = Rule(lo=0)
SEED = Rule(lo=0, hi=MAX_SEED, integer=True)


def show(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def check_number(value, path: str, rule: Rule = FINITE):
    """The value (int for integer rules, else float) or NumberError."""
    if value is None and rule.optional:
        return None
    allowed = rule.describe() + (" or null" if rule.optional else "")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NumberError(path, f"must be {allowed}, got {show(value)}")
    if isinstance(value, int) and value.bit_length() > 1023:
        raise NumberError(path, f"must be {allowed}; the integer given is too large for a float")
    if not math.isfinite(value):
        raise NumberError(path, f"must be {allowed}, got {value}")
    if rule.integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise NumberError(path, f"must be {allowed}, got {show(value)}")
            value = int(value)
    else:
        value = float(value)
    if (
        value < rule.lo
        or value > rule.hi
        or (rule.lo_open and value == rule.lo)
        or (rule.hi_open and value == rule.hi)
    ):
        raise NumberError(path, f"must be {allowed}, got {show(value)}")
    return value


def check_array(raw, path: str, ndim: int | None = None) -> np.ndarray:
    """float64 array from nested lists of numbers; NumberError names what is wrong.

    Booleans, strings, nulls and ragged rows are refused, as are NaN/inf.
    """
    try:
        a = np.array(raw)
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise NumberError(path, "must be a list of numbers (rows of equal length)") from None
    if a.dtype.kind == "b":
        raise NumberError(path, "must hold numbers, not true/false")
    if a.dtype.kind not in "iuf":
        if a.dtype.kind == "O" and a.size and any(isinstance(x, bool) for x in a.ravel()[:1000]):
            raise NumberError(path, "must hold numbers, not true/false")
        raise NumberError(path, "must be a list of numbers (rows of equal length)")
    if ndim is not None and a.ndim != ndim:
        raise NumberError(path, f"must be {ndim}-D ({_dims(ndim)}), got shape {a.shape}")
    a = a.astype(np.float64)
    bad = ~np.isfinite(a)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise NumberError(path + "".join(f"[{k}]" for k in i), "must be a finite number")
    return a


def _dims(ndim: int) -> str:
    return {1: "a list of numbers", 2: "a list of rows"}.get(ndim, f"{ndim} nested lists")
