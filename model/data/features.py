"""Engineered input features (TensorFlow Playground's x₁², x₁x₂, sin x₁, …).

A feature is a name such as ``"x1"``, ``"x1*x2"``, ``"x1^2"`` or ``"sin(x1)"``,
read by a tiny recursive-descent parser (never ``eval``)::

    product := power ('*' power)*
    power   := atom ('^' whole number 1…9)?
    atom    := column | ('sin' | 'cos') '(' product ')' | '(' product ')'

``column`` is a raw input column's name (letters, digits, ``_``, ``.``).  The
network's inputs are the features in list order; the scaler is fitted on them.
A parsed feature is a small tree of tuples — ``("col", j)``, ``("mul", [a, b,
…])``, ``("pow", a, k)``, ``("fn", "sin", a)`` — that NumPy evaluates here and
the ONNX export turns into graph nodes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "FeatureSet",
    "parse_feature",
    "parse_tree",
    "evaluate",
    "candidate_features",
    "pretty_name",
    "display_name",
    "InputEncoder",
    "toggled",
]

MAX_FEATURES = 64
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)|(?P<op>[*^()]))")
_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {"sin": np.sin, "cos": np.cos}


class _Parser:
    def __init__(self, text: str, columns: Sequence[str]):
        self.text, self.columns, self.pos = text, list(columns), 0
        self.tokens: list[tuple[str, str]] = []
        i = 0
        while i < len(text):
            if text[i:].strip() == "":
                break
            m = _TOKEN.match(text, i)
            if not m:
                raise ValueError(
                    f"feature {text!r}: unexpected {text[i:].strip()[:1]!r} (use *, ^, sin(...))"
                )
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind)))
            i = m.end()

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise ValueError(f"feature {self.text!r}: expected {value!r}, got {tok[1] or 'the end'!r}")
        self.pos += 1
        return tok

    def product(self):
        terms = [self.power()]
        while self.peek() == ("op", "*"):
            self.take()
            terms.append(self.power())
        return terms[0] if len(terms) == 1 else ("mul", terms)

    def power(self):
        base = self.atom()
        if self.peek() != ("op", "^"):
            return base
        self.take()
        kind, num = self.take()
        if kind != "num" or not 1 <= int(num) <= 9:
            raise ValueError(f"feature {self.text!r}: the power after ^ must be a whole number 1…9")
        return ("pow", base, int(num))

    def atom(self):
        kind, value = self.take()
        if kind == "name" and value in _FUNCS and self.peek() == ("op", "("):
            self.take("(")
            inner = self.product()
            self.take(")")
            return ("fn", value, inner)
        if kind == "name":
            if value not in self.columns:
                raise ValueError(
                    f"feature {self.text!r}: no input column {value!r}; columns: {', '.join(self.columns)}"
                )
            return ("col", self.columns.index(value))
        if (kind, value) == ("op", "("):
            inner = self.product()
            self.take(")")
            return inner
        raise ValueError(f"feature {self.text!r}: unexpected {value or 'end'!r}")


def parse_tree(text: str, columns: Sequence[str]) -> tuple:
    """The feature's tree (see the module docstring); ValueError if malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a feature must be a non-empty name like 'x1*x2', got {text!r}")
    p = _Parser(text, columns)
    tree = p.product()
    if p.pos != len(p.tokens):
        raise ValueError(f"feature {text!r}: unexpected {p.peek()[1]!r}")
    return tree


def evaluate(tree: tuple, X: np.ndarray) -> np.ndarray:
    """(n,) values of a feature tree on raw inputs X (n, columns)."""
    kind = tree[0]
    if kind == "col":
        return X[:, tree[1]]
    if kind == "mul":
        out = evaluate(tree[1][0], X).copy()
        for t in tree[1][1:]:
            out *= evaluate(t, X)
        return out
    if kind == "pow":
        return evaluate(tree[1], X) ** tree[2]
    return _FUNCS[tree[1]](evaluate(tree[2], X))


def parse_feature(text: str, columns: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
    """A function (n, len(columns)) raw inputs -> (n,) feature values; ValueError if malformed."""
    tree = parse_tree(text, columns)
    return lambda X: evaluate(tree, X)


def canonical(text: str) -> str:
    return re.sub(r"\s+", "", text)


class FeatureSet:
    """The network's input features, computed from the raw columns."""

    def __init__(self, names: Sequence[str], columns: Sequence[str]):
        names = [canonical(n) if isinstance(n, str) else n for n in names]
        if not names:
            raise ValueError("data.features must list at least one feature")
        if len(names) > MAX_FEATURES:
            raise ValueError(f"data.features lists {len(names)} features; at most {MAX_FEATURES}")
        if len(set(names)) != len(names):
            raise ValueError("data.features lists a feature twice")
        self.names, self.columns = list(names), list(columns)
        self.trees = [parse_tree(n, columns) for n in names]

    def __len__(self) -> int:
        return len(self.names)

    def apply(self, X: np.ndarray) -> np.ndarray:
        """(n, len(columns)) raw -> (n, len(names)) features, float64."""
        X = np.asarray(X, np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.columns):
            raise ValueError(f"features need inputs with {len(self.columns)} columns, got shape {X.shape}")
        out = np.empty((len(X), len(self.names)))
        for j, tree in enumerate(self.trees):
            out[:, j] = evaluate(tree, X)
        return out


def candidate_features(columns: Sequence[str]) -> list[str]:
    """TensorFlow Playground's inputs for 2-D data; for other data the columns,
    their squares and pairwise products (the first 6 columns)."""
    cols = list(columns)
    if len(cols) == 2:
        a, b = cols
        return [a, b, f"{a}^2", f"{b}^2", f"{a}*{b}", f"sin({a})", f"sin({b})"]
    few = [c for c in cols[:6] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", c)]
    return cols + [f"{c}^2" for c in few] + [f"{a}*{b}" for i, a in enumerate(few) for b in few[i + 1 :]]


_SUPER = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def pretty_name(name: str) -> str:
    """For display: x1^2 -> x1², x1*x2 -> x1·x2, sin(x1) -> sin x1."""
    s = re.sub(r"\^(\d)", lambda m: m.group(1).translate(_SUPER), name)
    s = s.replace("*", "·")
    return re.sub(r"\b(sin|cos)\(([A-Za-z_][A-Za-z0-9_.]*)\)", r"\1 \2", s)


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def display_name(name: str) -> str:
    """pretty_name with the lecture's subscripts: x1*x2 -> x₁·x₂, x1^2 -> x₁², sin(x1) -> sin x₁."""
    return re.sub(
        r"(?<![A-Za-z0-9_])x(\d+)(?!\d)", lambda m: "x" + m.group(1).translate(_SUB), pretty_name(name)
    )


class InputEncoder:
    """Raw input columns -> network inputs: features (if any), then the scaler."""

    def __init__(self, features: FeatureSet | None, scaler):
        self.features, self.scaler = features, scaler

    @property
    def n_features(self) -> int:
        """Raw columns expected."""
        return len(self.features.columns) if self.features is not None else self.scaler.n_features

    def transform(self, X_raw: np.ndarray) -> np.ndarray:
        X = self.features.apply(X_raw) if self.features is not None else X_raw
        return self.scaler.transform(X)


def toggled(current: Sequence[str] | None, columns: Sequence[str], name: str, on: bool) -> list[str] | None:
    """The feature list after switching ``name`` on or off (None = the raw columns).

    Features keep the order of :func:`candidate_features`, features typed by
    hand follow in their own order; a list equal to the raw columns is None, so
    a project without engineered inputs stays one without."""
    cols = list(columns)
    have = [canonical(n) for n in (current if current is not None else cols)]
    name = canonical(name)
    chosen = set(have) | {name} if on else set(have) - {name}
    if not chosen:
        raise ValueError("the network needs at least one input: switch another input on first")
    order = candidate_features(cols)
    names = [n for n in order if n in chosen] + [n for n in have if n in chosen and n not in order]
    if on and name not in names:
        names.append(name)
    return None if names == cols else names
