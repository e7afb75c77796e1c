"""Text and geometry of the chain-rule graph, without widgets: what each node
is called, its definition and local derivatives as short formulas, and where
it sits (grid cells, then pixel centres)."""

from __future__ import annotations

import re

from model.teaching.chain_rule import ChainGraph
from model.teaching.chain_rule_ops import FUNCTIONS

EDGE_GAP, ROW_H = 105.0, 100.0
SYMBOL = {"+": "+", "-": "−", "*": "·", "/": "/", "**": "**", "neg": "−", "=": ""}


def num(x: float) -> str:
    s = str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:.4g}"
    return s.replace("-", "−")


def paren(x: float) -> str:
    s = num(x)
    return f"({s})" if s.startswith("−") else s


def _simple(name: str) -> bool:
    return name.replace(".", "").replace("−", "", 1).isalnum()


def wrap(name: str) -> str:
    return name if _simple(name) else f"({name})"


def _operand(name: str, op: str, right: bool) -> str:
    """``name`` as an operand of ``op``, in parentheses only where precedence needs it."""
    call = re.fullmatch(r"[A-Za-z_]\w*\(.*\)", name) is not None
    atom = (_simple(name) and not name.startswith("−")) or call
    summed = " + " in name or " − " in name or name.startswith("−")
    need = {
        "+": False,
        "-": right and summed,
        "*": summed,
        "/": summed or (right and not atom),
        "**": not atom,
    }.get(op, not atom)
    return f"({name})" if need else name


def _binary(op: str, a: str, b: str) -> str:
    sep = SYMBOL[op] if op in ("*", "**") else f" {SYMBOL[op]} "
    return f"{_operand(a, op, False)}{sep}{_operand(b, op, True)}"


def is_named(n) -> bool:
    return n.op not in ("input", "const") and n.label not in (n.op, "−")


def display_names(g: ChainGraph) -> list[str]:
    """What each node is called: its name, its number, or its expression (5·v)."""
    names: list[str] = []
    for n in g.nodes:  # topological order: inputs named first
        if n.op == "const":
            names.append(num(n.value))
        elif n.op == "input" or is_named(n):
            names.append(n.label)
        else:
            a = [names[i] for i in n.inputs]
            if n.op in FUNCTIONS:
                s = f"{n.op}({a[0]})"
            elif n.op == "neg":
                s = f"−{wrap(a[0])}"
            else:
                s = _binary(n.op, a[0], a[1])
            names.append(s if len(s) <= 16 else (f"{n.op}(…)" if n.op in FUNCTIONS else f"…{SYMBOL[n.op]}…"))
    return names


def definition(g: ChainGraph, n, names: list[str]) -> str:
    """'x + y' for a named node q = x + y (its operation on its inputs)."""
    a = [names[i] for i in n.inputs]
    if n.op in FUNCTIONS:
        return f"{n.op}({a[0]})"
    if n.op == "neg":
        return f"−{wrap(a[0])}"
    if n.op == "=":
        return a[0]
    return _binary(n.op, a[0], a[1])


def local_symbol(g: ChainGraph, n, i: int, names: list[str]) -> str | None:
    """The local derivative d n / d input_i as a formula, where it is short."""
    a = [names[k] for k in n.inputs]
    if n.op in ("+", "=") or (n.op == "-" and i == 0):
        return "1"
    if n.op in ("-", "neg"):
        return "−1"
    if n.op == "*":
        return wrap(a[1 - i])
    if n.op == "**" and i == 0 and g.nodes[n.inputs[1]].op == "const":
        k = g.nodes[n.inputs[1]].value
        return f"{num(k)}·{wrap(a[0])}" if k == 2 else f"{num(k)}·{wrap(a[0])}**{num(k - 1)}"
    return {
        "exp": f"exp({a[0]})",
        "log": f"1/{wrap(a[0])}",
        "sigmoid": "σ·(1 − σ)",
        "tanh": "1 − tanh²",
        "sin": f"cos({a[0]})",
        "cos": f"−sin({a[0]})",
    }.get(n.op)


def layout(g: ChainGraph) -> dict[int, tuple[float, float]]:
    """(column, row) per node: columns by depth, rows near the inputs' rows;
    a constant sits half a column left of (and beside) the node using it."""
    pos: dict[int, tuple[float, float]] = {}
    ops = [n for n in g.nodes if n.op != "const"]
    for d in range(max((n.depth for n in ops), default=0) + 1):
        col = [n for n in ops if n.depth == d]
        bary = []
        for n in col:
            rows = [pos[i][1] for i in n.inputs if i in pos]
            bary.append(sum(rows) / len(rows) if rows else (n.id if n.op == "input" else 0.0))
        last = None
        for b, n in sorted(zip(bary, col), key=lambda t: (t[0], t[1].id)):
            y = b if last is None else max(b, last + 1.0)
            pos[n.id] = (float(d), y)
            last = y
    for n in g.nodes:
        consts = [i for i in n.inputs if g.nodes[i].op == "const"]
        for k, i in enumerate(consts):
            x, y = pos[n.id]
            pos[i] = (x - 0.5, y + (0.55 if k == 0 else -0.55))
    return pos


def place(g: ChainGraph, pos, box_w, room) -> dict[int, tuple[float, float]]:
    """Pixel centres: columns as wide as their widest node plus a gap for edge
    labels; a constant just left of (and beside) the node using it."""
    width: dict[int, float] = {}
    for n in g.nodes:
        if n.op != "const":
            c = int(pos[n.id][0])
            width[c] = max(width.get(c, 0.0), room[n.id])
    xs, right = {}, None
    for c in sorted(width):
        xs[c] = width[c] / 2 if right is None else right + EDGE_GAP + width[c] / 2
        right = xs[c] + width[c] / 2
    px = {n.id: (xs[int(pos[n.id][0])], pos[n.id][1] * ROW_H) for n in g.nodes if n.op != "const"}
    for n in g.nodes:
        for i in n.inputs:
            if g.nodes[i].op == "const":
                cx, cy = px[n.id]
                px[i] = (cx - box_w[n.id] / 2 - 26 - box_w[i] / 2, cy + (pos[i][1] - pos[n.id][1]) * ROW_H)
    return px
