"""Challenge files: a project with locked controls, a goal and a hint.

The project file's optional ``"challenge"`` section::

    {"title": "Spiral with few neurons",
     "goal": "val_acc >= 95% and hidden_neurons <= 12",
     "hint": "Try tanh and a larger learning rate.",
     "locks": {"data": {...}, "optimizer": "sgd", ...},   # locked control -> its value
     "limits": {"max_hidden_neurons": 12, "max_hidden_layers": 3}}

Locks (:data:`LOCKABLE`) freeze a control at the value it had when the
teacher authored the challenge; limits bound the topology. The goal is a
small grammar, parsed here (never ``eval``)::

    goal   := clause (("and" | "," | "&&") clause)*
    clause := METRIC OP NUMBER ["%"]   |   "data" ("=" | "==" | "is") NAME
    OP     := >= | <= | > | < | = | == | ≥ | ≤

with METRIC one of :data:`METRICS` (accuracies are fractions: "95%" = 0.95).
:func:`check_goal` grades the figures of :func:`measure`; :func:`result_record`
is the file a student hands in (settings, figures, SHA-256 of the project).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Challenge",
    "Clause",
    "GoalError",
    "LOCKABLE",
    "METRICS",
    "parse_goal",
    "check_goal",
    "lock_values",
    "lock_violations",
    "measure",
    "result_record",
    "project_hash",
]

METRICS = {
    "train_acc": "training accuracy",
    "val_acc": "validation accuracy",
    "train_loss": "training loss",
    "val_loss": "validation loss",
    "hidden_neurons": "hidden neurons",
    "hidden_layers": "hidden layers",
    "params": "parameters",
    "epochs": "epochs trained",
}
ALIASES = {
    "accuracy": "train_acc",
    "training_accuracy": "train_acc",
    "validation_accuracy": "val_acc",
    "val_accuracy": "val_acc",
    "loss": "train_loss",
    "neurons": "hidden_neurons",
    "layers": "hidden_layers",
}
PERCENT_METRICS = ("train_acc", "val_acc")
OPS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}
_OP_NORMAL = {"≥": ">=", "≤": "<=", "=": "==", "is": "=="}
LOCKABLE = {  # lock name -> what it freezes (shown as "<what>: locked by the challenge")
    "data": "data set and split",
    "preprocessing": "input scaling",
    "topology": "layer sizes",
    "activations": "activation functions",
    "loss": "loss function",
    "init": "weight initialiser",
    "optimizer": "optimizer and its hyper-parameters",
    "lr": "learning rate",
    "batch_size": "batch size",
    "epochs": "epoch limit",
    "schedule": "learning-rate schedule",
    "seed": "seeds",
}
LIMITS = {"max_hidden_neurons": "hidden neurons", "max_hidden_layers": "hidden layers"}
_TOKEN = re.compile(
    r"\s*(>=|<=|==|≥|≤|&&|[<>=,%]|[A-Za-z_][A-Za-z0-9_\-]*|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
)


class GoalError(ValueError):
    """The goal text does not follow the grammar; the message says where."""


@dataclass(frozen=True)
class Clause:
    metric: str
    op: str
    value: float | str
    text: str

    def holds(self, figures: dict) -> tuple[bool, float | str | None]:
        actual = figures.get(self.metric)
        if actual is None or (isinstance(actual, float) and math.isnan(actual)):
            return False, None
        if isinstance(self.value, str):
            return str(actual) == self.value, actual
        return bool(OPS[self.op](float(actual), self.value)), actual


def _tokens(text: str) -> list[str]:
    out, pos, text = [], 0, str(text)
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise GoalError(f"goal: cannot read {text[pos:].strip()[:20]!r} (at character {pos + 1})")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse_goal(text: str) -> list[Clause]:
    """The clauses of a goal (see the module docstring); raises :class:`GoalError`."""
    toks = _tokens(text)
    if not toks:
        raise GoalError("goal: empty (e.g. 'val_acc >= 95% and hidden_neurons <= 12')")
    clauses, k = [], 0
    while True:
        if k + 2 >= len(toks):
            raise GoalError(f"goal: incomplete clause {' '.join(toks[k:])!r} (write e.g. 'val_acc >= 95%')")
        name, op, val = toks[k].lower(), toks[k + 1].lower(), toks[k + 2]
        op = _OP_NORMAL.get(op, op)
        if name in ("data", "dataset"):
            if op != "==" or not re.match(r"^[A-Za-z_]", val):
                raise GoalError(f"goal: write 'data = NAME', not {' '.join(toks[k : k + 3])!r}")
            clauses.append(Clause("data", "==", val.lower(), f"data = {val}"))
            k += 3
        else:
            metric = ALIASES.get(name, name)
            if metric not in METRICS:
                raise GoalError(f"goal: unknown quantity {toks[k]!r}; known: {', '.join(METRICS)}")
            if op not in OPS:
                raise GoalError(f"goal: {toks[k + 1]!r} is not a comparison (use >=, <=, >, <, =)")
            try:
                v = float(val)
            except ValueError:
                raise GoalError(f"goal: {val!r} after {toks[k]} {toks[k + 1]} is not a number") from None
            k += 3
            pct = k < len(toks) and toks[k] == "%"
            if pct:
                if metric not in PERCENT_METRICS:
                    raise GoalError(f"goal: % only makes sense for accuracies, not {metric}")
                v /= 100.0
                k += 1
            elif metric in PERCENT_METRICS and v > 1:
                v /= 100.0  # "val_acc >= 95" means 95 %
            clauses.append(Clause(metric, op, v, " ".join(toks[k - (4 if pct else 3) : k])))
        if k == len(toks):
            return clauses
        if toks[k].lower() not in ("and", ",", "&&"):
            raise GoalError(f"goal: expected 'and' before {toks[k]!r}")
        k += 1
        if k == len(toks):
            raise GoalError("goal: nothing after the last 'and'")


@dataclass
class Challenge:
    goal: str
    title: str = "Challenge"
    hint: str = ""
    locks: dict = field(default_factory=dict)  # lock name -> value at authoring time
    limits: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clauses = parse_goal(self.goal)
        for name in self.locks:
            if name not in LOCKABLE:
                raise ValueError(
                    f"challenge.locks: unknown control {name!r}; lockable: {', '.join(LOCKABLE)}"
                )
        for name, v in self.limits.items():
            if name not in LIMITS:
                raise ValueError(f"challenge.limits: unknown limit {name!r}; known: {', '.join(LIMITS)}")
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"challenge.limits.{name} must be a whole number ≥ 0, got {v!r}")

    def is_locked(self, name: str) -> bool:
        return name in self.locks

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "goal": self.goal,
            "hint": self.hint,
            "locks": copy.deepcopy(self.locks),
            "limits": dict(self.limits),
        }

    @classmethod
    def from_dict(cls, d) -> "Challenge":
        if not isinstance(d, dict):
            raise ValueError("challenge must be an object")
        unknown = set(d) - {"title", "goal", "hint", "locks", "limits"}
        if unknown:
            raise ValueError(f"challenge: unknown keys {', '.join(sorted(unknown))}")
        for k in ("title", "goal", "hint"):
            if k in d and not isinstance(d[k], str):
                raise ValueError(f"challenge.{k} must be text")
        if not isinstance(d.get("locks", {}), dict) or not isinstance(d.get("limits", {}), dict):
            raise ValueError("challenge.locks and challenge.limits must be objects")
        return cls(
            goal=d.get("goal", ""),
            title=d.get("title", "Challenge"),
            hint=d.get("hint", ""),
            locks=copy.deepcopy(d.get("locks", {})),
            limits=dict(d.get("limits", {})),
        )


def _jsonable(x):
    return json.loads(json.dumps(x))


def lock_values(project, names) -> dict:
    """The current values of the controls ``names`` of ``project`` (JSON-safe)."""
    p, t = project, project.training
    read = {
        "data": lambda: p.data.to_dict(),
        "preprocessing": lambda: p.preprocessing,
        "topology": lambda: list(p.spec.layer_sizes),
        "activations": lambda: list(p.spec.activations),
        "loss": lambda: p.spec.loss,
        "init": lambda: [p.spec.init, p.spec.init_range],
        "optimizer": lambda: [t.optimizer, dict(t.hyper)],
        "lr": lambda: t.lr,
        "batch_size": lambda: t.batch_size,
        "epochs": lambda: t.epochs,
        "schedule": lambda: t.schedule.to_dict(),
        "seed": lambda: [p.spec.seed, t.seed],
    }
    return {n: _jsonable(read[n]()) for n in names}


def hidden_neurons(layer_sizes) -> int:
    return int(sum(layer_sizes[1:-1]))


def lock_violations(challenge: Challenge, project) -> list[str]:
    """What in ``project`` breaks the challenge's locks or limits (empty: all fine)."""
    out = []
    now = lock_values(project, challenge.locks)
    for name, want in challenge.locks.items():
        if now[name] != want:
            out.append(f"{LOCKABLE[name]}: locked by the challenge")
    sizes = project.spec.layer_sizes
    lim = challenge.limits
    if "max_hidden_neurons" in lim and hidden_neurons(sizes) > lim["max_hidden_neurons"]:
        out.append(
            f"at most {lim['max_hidden_neurons']} hidden neurons are allowed (this network has {hidden_neurons(sizes)})"
        )
    if "max_hidden_layers" in lim and len(sizes) - 2 > lim["max_hidden_layers"]:
        out.append(
            f"at most {lim['max_hidden_layers']} hidden layers are allowed (this network has {len(sizes) - 2})"
        )
    return out


def _accuracy(Y: np.ndarray, T: np.ndarray) -> float:
    if len(T) == 0:
        return math.nan
    if Y.shape[1] == 1:
        return float(np.mean((Y[:, 0] > 0.5) == (T[:, 0] > 0.5)))
    return float(np.mean(Y.argmax(axis=1) == T.argmax(axis=1)))


def measure(project, net, data, epochs_trained: int = 0) -> dict:
    """The figures a goal can name, for ``net`` on the prepared ``data`` (see data_prep)."""
    from model.nn.losses import loss_value

    fig = {"data": project.data.name if project.data.kind == "builtin" else project.data.kind}
    for split, X, T in (("train", data.X_train, data.train.T), ("val", data.X_val, data.val.T)):
        if len(X) == 0:
            fig[f"{split}_loss"] = fig[f"{split}_acc"] = math.nan
            continue
        tr = net.forward(X)
        fig[f"{split}_loss"] = float(loss_value(net.spec.loss, tr.b[-1], tr.V[-1], T))
        fig[f"{split}_acc"] = _accuracy(tr.V[-1], T) if data.task == "classification" else math.nan
    sizes = net.layer_sizes
    fig.update(
        hidden_neurons=hidden_neurons(sizes),
        hidden_layers=len(sizes) - 2,
        params=int(sum(p.size for p in net.parameters())),
        epochs=int(epochs_trained),
    )
    return fig


def check_goal(challenge: Challenge, figures: dict) -> tuple[bool, list[dict]]:
    """(passed, one row per clause: {"clause", "actual", "passed"})."""
    rows = []
    for c in challenge.clauses:
        ok, actual = c.holds(figures)
        rows.append({"clause": c.text, "actual": actual, "passed": ok})
    return all(r["passed"] for r in rows), rows


def project_hash(project_dict: dict) -> str:
    """SHA-256 of the project's canonical JSON (sorted keys): what was handed in."""
    text = json.dumps(project_dict, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _finite(x):
    return None if isinstance(x, float) and not math.isfinite(x) else x


def result_record(challenge: Challenge, project_dict: dict, figures: dict, when: str) -> dict:
    """The hand-in file's content (JSON-safe)."""
    passed, rows = check_goal(challenge, figures)
    return {
        "format": "mlp-studio-challenge-result",
        "version": 1,
        "challenge": {"title": challenge.title, "goal": challenge.goal},
        "passed": passed,
        "clauses": [{**r, "actual": _finite(r["actual"])} for r in rows],
        "figures": {k: _finite(v) for k, v in figures.items()},
        "settings": {k: project_dict.get(k) for k in ("network", "data", "preprocessing", "training")},
        "project_sha256": project_hash(project_dict),
        "created": when,
    }
