"""Scalar computational graphs built from expression text, for chain-rule demos.

The text is parsed with ``ast.parse`` and walked by a small interpreter here (no
eval/exec/compile). The operations' forward and backward rules (the local
derivative on every incoming edge) are in :mod:`model.teaching.chain_rule_ops`.
"""

from __future__ import annotations

import ast
import math
from dataclasses import asdict, dataclass, field

from model.teaching.chain_rule_ops import BINARY, FUNCTIONS, ChainRuleError, _finite, _ident, _neg

MAX_CHARS = 2000
MAX_NODES = 200
ALLOWED = "only numbers, variables, + - * / ** and exp, log, sin, cos, tanh, sigmoid, relu"


# --- parsing / validation ------------------------------------------------------


@dataclass
class ParsedExpression:
    text: str
    statements: list  # [(target name | None, ast.expr)]
    variables: list[str]  # free inputs, first-appearance order
    assigned: list[str]  # intermediate names, assignment order
    output: str | None  # name of the output, None for a bare final expression
    node_count: int


class _Source:
    def __init__(self, text: str):
        lines = text.splitlines() or [""]
        self.indent = [len(s) - len(s.lstrip()) for s in lines]
        self.code = "\n".join(s.lstrip() for s in lines)  # tolerate indented lines
        self.multiline = len(lines) > 1

    def where(self, lineno: int, col: int) -> str:
        col += self.indent[lineno - 1] + 1 if 0 < lineno <= len(self.indent) else 1
        return f"line {lineno}, column {col}" if self.multiline else f"column {col}"

    def reject(self, node: ast.AST, why: str = ALLOWED) -> ChainRuleError:
        seg = ast.get_source_segment(self.code, node) or type(node).__name__
        seg = seg if len(seg) <= 40 else seg[:37] + "..."
        return ChainRuleError(f"{seg!r} is not allowed ({self.where(node.lineno, node.col_offset)}): {why}")


def parse_expression(text: str) -> ParsedExpression:
    """Validate expression text and find its free variables (raises ChainRuleError)."""
    if not isinstance(text, str):
        raise ChainRuleError("expression must be text")
    if len(text) > MAX_CHARS:
        raise ChainRuleError(f"expression is too long ({len(text)} characters; at most {MAX_CHARS})")
    src = _Source(text)
    try:
        tree = ast.parse(src.code, mode="exec")
    except SyntaxError as e:
        where = src.where(e.lineno or 1, (e.offset or 1) - 1)
        raise ChainRuleError(f"syntax error ({where}): {e.msg}") from None
    except (RecursionError, MemoryError):
        raise ChainRuleError("expression is too deeply nested") from None
    except ValueError as e:  # e.g. null bytes
        raise ChainRuleError(f"invalid text: {e}") from None
    if not tree.body:
        raise ChainRuleError("expression is empty")
    count = sum(1 for n in ast.walk(tree) if isinstance(n, ast.expr))
    if count > MAX_NODES:
        raise ChainRuleError(f"expression is too large ({count} nodes; at most {MAX_NODES})")

    free: list[str] = []
    assigned: list[str] = []

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise src.reject(node)
            try:
                if not math.isfinite(float(node.value)):
                    raise OverflowError
            except OverflowError:
                raise src.reject(node, "number is too large") from None
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise src.reject(node, f"'{node.id}' is a function; call it like {node.id}(x)")
            if node.id.startswith("__"):
                raise src.reject(node)
            if node.id not in assigned and node.id not in free:
                free.append(node.id)
        elif isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            check(node.left)
            check(node.right)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
            raise src.reject(node, "use ** for powers. " + ALLOWED)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            check(node.operand)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS
            and not node.keywords
        ):
            if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise src.reject(node, f"{node.func.id}() takes exactly one argument")
            check(node.args[0])
        else:
            raise src.reject(node)

    statements = []
    for i, stmt in enumerate(tree.body):
        last = i == len(tree.body) - 1
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            check(stmt.value)
            if name in FUNCTIONS or name.startswith("__"):
                raise src.reject(stmt.targets[0], "cannot assign to this name")
            if name in assigned:
                raise src.reject(stmt.targets[0], f"'{name}' is assigned twice; use a new name")
            if name in free:
                raise src.reject(stmt.targets[0], f"'{name}' is used as an input before it is assigned")
            assigned.append(name)
            statements.append((name, stmt.value))
        elif isinstance(stmt, ast.Expr) and last:
            check(stmt.value)
            statements.append((None, stmt.value))
        elif isinstance(stmt, ast.Expr):
            raise src.reject(
                stmt, "only the last statement may be a bare expression; assign the others, e.g. q = x + y"
            )
        else:
            raise src.reject(
                stmt,
                "statements must be 'name = expression' (the last may be a bare expression) using " + ALLOWED,
            )
    out = statements[-1][0]
    return ParsedExpression(text, statements, free, assigned, out, count)


# --- graph ----------------------------------------------------------------------


@dataclass
class GraphNode:
    id: int
    op: str  # input const + - * / ** neg exp log sin cos tanh sigmoid relu =
    label: str  # display text: variable/assigned name, operator or number
    inputs: list[int]
    value: float
    grad: float = 0.0  # d output / d node
    local_grads: list[float] = field(default_factory=list)  # d node / d input_i
    depth: int = 0  # longest distance from a leaf


@dataclass
class ChainGraph:
    nodes: list[GraphNode]  # topological order, leaves (inputs, then constants) first
    output: int
    variables: list[str]
    text: str = ""

    @property
    def value(self) -> float:
        return self.nodes[self.output].value

    def node_for(self, name: str) -> GraphNode:
        """Input node of a free variable, or the node an assigned name labels."""
        for n in self.nodes:
            if n.label == name:
                return n
        raise KeyError(name)

    def gradients(self) -> dict[str, float]:
        grads = {n.label: n.grad for n in self.nodes if n.op == "input"}
        return {v: grads[v] for v in self.variables}

    def backward_order(self) -> list[int]:
        return [self.output] + [n.id for n in reversed(self.nodes) if n.id != self.output]

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "nodes": [asdict(n) for n in self.nodes],
            "output": self.output,
            "value": self.value,
            "variables": list(self.variables),
            "gradients": self.gradients(),
            "backward_order": self.backward_order(),
        }


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def build_graph(text: str, values: dict[str, float]) -> ChainGraph:
    """Parse ``text``, run the forward pass with ``values`` and the backward pass."""
    parsed = parse_expression(text)
    missing = [v for v in parsed.variables if v not in values]
    if missing:
        raise ChainRuleError(f"no value given for variable {', '.join(repr(m) for m in missing)}")
    nodes: list[GraphNode] = []
    varies: list[bool] = []  # does node depend on a free variable?
    env: dict[str, int] = {}
    named: set[int] = set()

    def add(op, label, inputs, value, local, vary):
        nodes.append(
            GraphNode(
                len(nodes), op, label, list(inputs), float(value), local_grads=[float(g) for g in local]
            )
        )
        varies.append(vary)
        return len(nodes) - 1

    def apply(op, fn, args, label=None):
        vals = [nodes[a].value for a in args]
        extra = (varies[args[1]],) if op == "**" else ()
        value, local = fn(*vals, *extra)
        _finite(value, f"the result of {op}")
        return add(op, label or op, args, value, local, any(varies[a] for a in args))

    def walk(node: ast.expr) -> int:
        if isinstance(node, ast.Constant):
            return add("const", _fmt(node.value), [], float(node.value), [], False)
        if isinstance(node, ast.Name):
            if node.id not in env:
                try:
                    v = _finite(float(values[node.id]), f"value of {node.id}")
                except (TypeError, ValueError):
                    raise ChainRuleError(f"value for {node.id!r} is not a number") from None
                env[node.id] = add("input", node.id, [], v, [], True)
                named.add(env[node.id])
            return env[node.id]
        if isinstance(node, ast.BinOp):
            op, fn = BINARY[type(node.op)]
            return apply(op, fn, [walk(node.left), walk(node.right)])
        if isinstance(node, ast.UnaryOp):
            a = walk(node.operand)
            return a if isinstance(node.op, ast.UAdd) else apply("neg", _neg, [a], "−")
        name = node.func.id  # validated call
        return apply(name, FUNCTIONS[name], [walk(node.args[0])])

    try:
        for target, expr in parsed.statements:
            idx = walk(expr)
            if target is not None:
                if idx in named:  # alias of a named node: add an identity node
                    idx = apply("=", _ident, [idx], target)
                nodes[idx].label = target
                named.add(idx)
                env[target] = idx
        out = idx
    except RecursionError:
        raise ChainRuleError("expression is too deeply nested") from None

    # backward pass: creation order is topological, so walk it in reverse
    nodes[out].grad = 1.0
    for n in reversed(nodes):
        for i, g in zip(n.inputs, n.local_grads):
            nodes[i].grad += n.grad * g
    for n in nodes:
        _finite(n.grad, f"the gradient at {n.label}")

    # reorder: inputs (variable order), constants, then operations; renumber ids
    rank = {"input": 0, "const": 1}
    order = sorted(
        range(len(nodes)),
        key=lambda i: (
            rank.get(nodes[i].op, 2),
            parsed.variables.index(nodes[i].label) if nodes[i].op == "input" else i,
        ),
    )
    new_id = {old: new for new, old in enumerate(order)}
    result = []
    for old in order:
        n = nodes[old]
        n.id, n.inputs = new_id[old], [new_id[i] for i in n.inputs]
        n.depth = 1 + max(result[i].depth for i in n.inputs) if n.inputs else 0
        result.append(n)
    return ChainGraph(result, new_id[out], list(parsed.variables), text)


EXAMPLES = {
    "lecture_fxyz": {
        "text": "q = x + y; f = q * z",
        "values": {"x": -2, "y": 5, "z": -4},
        "title": "f = (x + y)·z",
    },
    "lecture_chain": {
        "text": "x = 5*v - 2; y = 3*x - 2; z = y**2",
        "values": {"v": 1.0},
        "title": "x = 5v − 2, y = 3x − 2, z = y²",
    },
}
