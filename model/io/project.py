"""Project files: one versioned JSON document that reproduces a run.

```
{"format": "mlp-studio", "version": 1, "name": ..., "description": ...,
 "network": {NetworkSpec fields}, "data": {DataSource fields},
 "preprocessing": {"inputs": "none|normalize|standardize|scale", "scaler": {...} | null},
 "training": {TrainSettings fields},
 "weights": {"W": [...], "b": [...]} | null, "history": {...} | null,
 "view": {"pace": "slow|10|100|epoch|full"}}
```
``view`` is optional (files written before it existed load with full speed).
``challenge`` is optional too (a teacher's locks, goal and hint; see
``model.teaching.challenge``); files without it load as before.
Loading validates everything and raises :class:`ProjectError` naming the JSON
path of the first problem. Saving is atomic (temp file + ``os.replace``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.data.preprocessing import METHODS, Scaler
from model.io import safe_read
from model.io.atomic import (  # noqa: F401 - atomic_write_* are imported from here by others
    atomic_write_bytes,
    atomic_write_text,
    clean_stale_temporaries,
)
from model.io.fields import check_fields, check_history
from model.io.numbers import NumberError, check_array
from model.io.numbers import show as _show
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.teaching.challenge import Challenge
from model.train.history import History
from model.train.pace import DEFAULT_PACE, pace_by_key
from model.train.trainer import TrainSettings

FORMAT = "mlp-studio"
VERSION = 2
#: Versions this app reads. Version 2 added training.regularization, weight_decay,
#: early_stopping, network.dropout, data.features and data.test_fraction, all
#: optional with defaults that mean "off", so a version-1 file loads unchanged.
READABLE_VERSIONS = (1, 2)
MAX_FILE_BYTES = 512 * 1024 * 1024


class ProjectError(ValueError):
    """A project file problem; ``path`` is the JSON path (e.g. ``network.layer_sizes``)."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}" if path else reason)


@dataclass
class DataSource:
    """Where the data comes from: a built-in generator, a CSV file or embedded points."""

    kind: str = "builtin"  # builtin | csv | embedded
    name: str = "xor"  # builtin: dataset name
    params: dict = field(default_factory=dict)  # builtin: n, noise, seed, …
    path: str = ""  # csv: file path (relative to the project or resources/datasets)
    inputs: list = field(default_factory=list)  # csv: input columns
    targets: list = field(default_factory=list)  # csv: target columns
    task: str | None = None  # csv/embedded: classification | regression
    X: list | None = None  # embedded rows
    T: list | None = None
    val_fraction: float = 0.0
    split_seed: int = 0
    names: dict | None = None  # embedded: {"inputs": [...], "targets": [...], "classes": [...]}
    test_fraction: float = 0.0  # held out, reported once at the end
    features: list | None = None  # engineered inputs, e.g. ["x1", "x2", "x1*x2"]; None = raw columns

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "val_fraction": self.val_fraction, "split_seed": self.split_seed}
        d["test_fraction"] = self.test_fraction
        if self.features is not None:
            d["features"] = list(self.features)
        if self.kind == "builtin":
            d.update(name=self.name, params=dict(self.params))
        elif self.kind == "csv":
            d.update(path=self.path, inputs=list(self.inputs), targets=list(self.targets), task=self.task)
        else:
            d.update(X=self.X, T=self.T, task=self.task)
            if self.names is not None:
                d["names"] = {k: list(v) for k, v in self.names.items()}
        return d


@dataclass
class Project:
    spec: NetworkSpec
    data: DataSource = field(default_factory=DataSource)
    training: TrainSettings = field(default_factory=TrainSettings)
    preprocessing: str = "none"
    scaler: Scaler | None = None
    weights: tuple[list, list] | None = None
    history: History | None = None
    name: str = "Untitled"
    description: str = ""
    pace: str = DEFAULT_PACE  # training pace key (model.train.pace.PACES)
    challenge: Challenge | None = None  # optional: locks, goal and hint (model.teaching.challenge)

    def network(self) -> Network:
        """A Network with the saved weights, or freshly initialised from the spec."""
        if self.weights is None:
            return Network(self.spec)
        return Network(self.spec, *self.weights)


# ------------------------------------------------------------------ to JSON
def project_to_dict(p: Project) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": p.name,
        "description": p.description,
        "network": p.spec.to_dict(),
        "data": p.data.to_dict(),
        "preprocessing": {
            "inputs": p.preprocessing,
            "scaler": p.scaler.to_dict() if p.scaler is not None else None,
        },
        "training": p.training.to_dict(),
        "weights": None
        if p.weights is None
        else {
            "W": [np.asarray(w, float).tolist() for w in p.weights[0]],
            "b": [np.asarray(b, float).tolist() for b in p.weights[1]],
        },
        "history": None if p.history is None else p.history.to_dict(),
        "view": {"pace": p.pace},
        **({"challenge": p.challenge.to_dict()} if p.challenge is not None else {}),
    }


def save_project(p: Project, path: str | os.PathLike) -> None:
    """Write atomically: a failure leaves any previous file at ``path`` intact.

    A project its own loader would refuse is not written (what the app
    writes, it reads): too large a file is one line, before any byte is written.
    """
    text = json.dumps(project_to_dict(p), indent=1, allow_nan=False)
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise ProjectError(
            "",
            f"the project would be {size / 2**20:,.0f} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB "
            "a project file may have (a very long training history?); export the weights instead",
        )
    atomic_write_text(path, text)


# ---------------------------------------------------------------- from JSON
def load_project(path: str | os.PathLike) -> Project:
    """Read and validate a project file; raises ProjectError (a ValueError).

    Every failure is one line: FIFOs, devices and directories are refused
    before opening, the size budget holds while reading, and anything the
    validators did not foresee (an overflow, a deep structure) is still
    reported as a ProjectError rather than a traceback.
    """
    path = Path(path)
    clean_stale_temporaries(path)
    try:
        text = safe_read.read_text(path, MAX_FILE_BYTES, "project file")
        d = safe_read.parse_json(text, path.name)
        if "true" in text or "false" in text:
            _refuse_booleans(d)
        p = project_from_dict(d)
    except ProjectError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, MemoryError) as e:
        raise ProjectError("", f"{path.name}: {_plain(e)}") from None
    if p.data.kind == "csv" and p.data.path and not os.path.isabs(p.data.path):
        p.data.path = str(resolve_data_path(p.data.path, path.parent))
    return p


def _plain(e: BaseException) -> str:
    """A one-line reason for an exception no validator anticipated."""
    if isinstance(e, RecursionError):
        return "the file is nested too deeply"
    if isinstance(e, MemoryError):
        return "the file needs more memory than is available"
    if isinstance(e, OverflowError):
        return "a number in the file is too large"
    text = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    return text.splitlines()[0] if text else type(e).__name__


#: Numeric sections holding arrays; booleans there would silently become 0/1.
_ARRAY_SECTIONS = (("weights",), ("data", "X"), ("data", "T"), ("history",), ("preprocessing", "scaler"))


def _refuse_booleans(d) -> None:
    if not isinstance(d, dict):
        return
    for keys in _ARRAY_SECTIONS:
        v = d
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        if v is None:
            continue
        where, _ = safe_read.find_first(v, lambda x: isinstance(x, bool))
        if where is not None:
            raise ProjectError(
                ".".join(keys) + (where if where.startswith("[") else f".{where}" if where else ""),
                "must be a number, not true/false",
            )


def resolve_data_path(rel: str, base: Path) -> Path:
    """Relative CSV paths: next to the project first, then the shipped datasets."""
    cand = base / rel
    if cand.exists():
        return cand
    shipped = Path(__file__).resolve().parents[2] / "resources" / "datasets" / Path(rel).name
    return shipped if shipped.exists() else cand


def project_from_dict(d) -> Project:
    """A validated Project from a parsed project dict; ProjectError names the JSON path."""
    if not isinstance(d, dict):
        raise ProjectError("", "the file must contain a JSON object")
    return _section("", d, _project_from_dict)


def _project_from_dict(d) -> Project:
    if not isinstance(d, dict):
        raise ProjectError("", "the file must contain a JSON object")
    if d.get("format") != FORMAT:
        raise ProjectError("format", f'expected "{FORMAT}", got {_show(d.get("format"))}')
    version = d.get("version")
    if (
        type(version) is not int or version not in READABLE_VERSIONS
    ):  # True == 1 and 1.0 == 1 are not versions
        raise ProjectError(
            "version",
            f"version {_show(version)} is not supported (this app reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))})",
        )
    check_fields(d)
    known = {
        "format",
        "version",
        "name",
        "description",
        "network",
        "data",
        "preprocessing",
        "training",
        "weights",
        "history",
        "view",
        "challenge",
    }
    for k in d:
        if k not in known:
            raise ProjectError(k, "unknown field")
    name = _typed(d, "name", str, "Untitled")
    desc = _typed(d, "description", str, "")
    spec = _section("network", d.get("network"), NetworkSpec.from_dict)
    data = _data_source(d.get("data", {"kind": "builtin", "name": "xor"}))
    pre = _typed(d, "preprocessing", dict, {"inputs": "none", "scaler": None})
    method = pre.get("inputs", "none")
    if method not in METHODS:
        raise ProjectError(
            "preprocessing.inputs", f"unknown method {method!r}; allowed: {', '.join(METHODS)}"
        )
    scaler = None
    if pre.get("scaler") is not None:
        scaler = _section("preprocessing.scaler", pre["scaler"], Scaler.from_dict)
        if len(scaler.offset) != spec.layer_sizes[0]:
            raise ProjectError(
                "preprocessing.scaler",
                f"fitted for {len(scaler.offset)} inputs but the network has {spec.layer_sizes[0]}",
            )
    training = _section("training", d.get("training", {}), TrainSettings.from_dict)
    weights = None
    if d.get("weights") is not None:
        weights = _weights(d["weights"], spec)
    history = None
    if d.get("history") is not None:
        check_history(d["history"], spec.n_layers)
        history = _section("history", d["history"], lambda h: History.from_dict(h, spec.n_layers))
    pace = _view(d.get("view", {}))
    challenge = None
    if d.get("challenge") is not None:
        challenge = _section("challenge", d["challenge"], Challenge.from_dict)
    return Project(
        spec=spec,
        data=data,
        training=training,
        preprocessing=method,
        scaler=scaler,
        weights=weights,
        history=history,
        name=name,
        description=desc,
        pace=pace,
        challenge=challenge,
    )


def _view(v) -> str:
    """The optional view section: the training pace."""
    if not isinstance(v, dict):
        raise ProjectError("view", f"must be an object, got {type(v).__name__}")
    unknown = set(v) - {"pace"}
    if unknown:
        raise ProjectError(f"view.{sorted(unknown)[0]}", "unknown field")
    pace = v.get("pace", DEFAULT_PACE)
    try:
        return pace_by_key(pace).key
    except (ValueError, TypeError) as e:
        raise ProjectError("view.pace", str(e)) from None


def _typed(d: dict, key: str, typ, default):
    v = d.get(key, default)
    if not isinstance(v, typ):
        raise ProjectError(
            key, f"must be {'a string' if typ is str else 'an object'}, got {type(v).__name__}"
        )
    return v


def _section(path: str, value, build):
    if value is None:
        raise ProjectError(path, "is missing")
    try:
        return build(value)
    except ProjectError:
        raise
    except NumberError as e:
        raise ProjectError(e.path, e.reason) from None
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
        raise ProjectError(path, _plain(e)) from None


def _data_source(d) -> DataSource:
    if not isinstance(d, dict):
        raise ProjectError("data", "must be an object")
    kind = d.get("kind")
    allowed = {
        "builtin": {"name", "params"},
        "csv": {"path", "inputs", "targets", "task"},
        "embedded": {"X", "T", "task", "names"},
    }
    if not isinstance(kind, str) or kind not in allowed:
        raise ProjectError("data.kind", f"must be one of builtin, csv, embedded; got {kind!r}")
    for k in d:
        if k not in allowed[kind] | {"kind", "val_fraction", "split_seed", "test_fraction", "features"}:
            raise ProjectError(f"data.{k}", f"unknown field for a {kind} data source")
    vf = d.get("val_fraction", 0.0)
    if not isinstance(vf, (int, float)) or isinstance(vf, bool) or not 0 <= vf < 1:
        raise ProjectError("data.val_fraction", f"must be a number in [0, 1), got {vf!r}")
    seed = d.get("split_seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ProjectError("data.split_seed", f"must be a whole number ≥ 0, got {seed!r}")
    tf = d.get("test_fraction", 0.0)
    if not isinstance(tf, (int, float)) or isinstance(tf, bool) or not 0 <= tf < 1:
        raise ProjectError("data.test_fraction", f"must be a number in [0, 1), got {tf!r}")
    if tf + vf >= 1:
        raise ProjectError(
            "data.test_fraction", f"val_fraction + test_fraction must be below 1, got {vf!r} + {tf!r}"
        )
    feats = d.get("features")
    if feats is not None and (
        not isinstance(feats, list) or not feats or not all(isinstance(f, str) and f.strip() for f in feats)
    ):
        raise ProjectError("data.features", 'must be a non-empty list of names like ["x1", "x2", "x1*x2"]')
    src = DataSource(
        kind=kind, val_fraction=float(vf), split_seed=seed, test_fraction=float(tf), features=feats
    )
    if kind == "builtin":
        src.name = d.get("name")
        if not isinstance(src.name, str):
            raise ProjectError("data.name", "must be a string")
        src.params = d.get("params", {})
        if not isinstance(src.params, dict):
            raise ProjectError("data.params", "must be an object")
    elif kind == "csv":
        src.path = d.get("path")
        if not isinstance(src.path, str) or not src.path:
            raise ProjectError("data.path", "must be a file path")
        for key in ("inputs", "targets"):
            cols = d.get(key)
            if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
                raise ProjectError(f"data.{key}", "must be a non-empty list of column names")
            setattr(src, key, cols)
    else:
        for key in ("X", "T"):
            arr = d.get(key)
            try:
                a = np.array(arr, dtype=float)
            except (TypeError, ValueError):
                raise ProjectError(f"data.{key}", "must be a list of rows of numbers") from None
            if a.ndim != 2 or a.shape[0] == 0:
                raise ProjectError(f"data.{key}", "must be a non-empty list of rows of equal length")
            if not np.isfinite(a).all():
                raise ProjectError(f"data.{key}", "contains NaN or infinite values")
            setattr(src, key, a.tolist())
        if len(src.X) != len(src.T):
            raise ProjectError("data.T", f"has {len(src.T)} rows but data.X has {len(src.X)}")
        if d.get("names") is not None:
            src.names = _embedded_names(d["names"], len(src.X[0]), len(src.T[0]))
    task = d.get("task")
    if task not in (None, "classification", "regression"):
        raise ProjectError("data.task", f"must be classification or regression, got {task!r}")
    src.task = task
    return src


def _embedded_names(d, n_in: int, n_out: int) -> dict:
    """Column names of embedded data: inputs, targets and (classification) classes."""
    if not isinstance(d, dict) or set(d) - {"inputs", "targets", "classes"}:
        raise ProjectError("data.names", "must be an object with inputs, targets and classes lists")
    for key, n in (("inputs", n_in), ("targets", n_out), ("classes", None)):
        v = d.get(key)
        if v is None:
            continue
        if (
            not isinstance(v, list)
            or not all(isinstance(s, str) for s in v)
            or (n is not None and len(v) != n)
        ):
            want = f"{n} strings" if n is not None else "a list of strings"
            raise ProjectError(f"data.names.{key}", f"must be {want}")
    return {k: list(v) for k, v in d.items() if v is not None}


def _weights(d, spec: NetworkSpec) -> tuple[list, list]:
    if not isinstance(d, dict) or "W" not in d or "b" not in d:
        raise ProjectError("weights", "must be an object with lists W and b")
    L = spec.n_layers
    Ws, bs = d["W"], d["b"]
    if not isinstance(Ws, list) or len(Ws) != L:
        raise ProjectError("weights.W", f"must hold {L} matrices (one per layer)")
    if not isinstance(bs, list) or len(bs) != L:
        raise ProjectError("weights.b", f"must hold {L} vectors (one per layer)")
    outW, outb = [], []
    sizes = spec.layer_sizes
    for l in range(L):
        for key, raw, shape, out in (
            ("W", Ws[l], (sizes[l], sizes[l + 1]), outW),
            ("b", bs[l], (sizes[l + 1],), outb),
        ):
            a = check_array(raw, f"weights.{key}[{l}]")
            if a.shape != shape:
                raise ProjectError(f"weights.{key}[{l}]", f"expected shape {shape}, got {a.shape}")
            out.append(a)
    return outW, outb


def is_finite_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
