"""Reading a parsed project dict: every section validated, the first problem a
:class:`ProjectError` naming its JSON path (e.g. ``network.layer_sizes``)."""

from __future__ import annotations

import numpy as np

from model.data.preprocessing import METHODS, Scaler
from model.io.fields import check_fields, check_history
from model.io.numbers import NumberError, check_array
from model.io.numbers import show as _show
from model.io.project_types import FORMAT, READABLE_VERSIONS, DataSource, Project, ProjectError
from model.nn.spec import NetworkSpec
from model.teaching.challenge import Challenge
from model.train.history import History
from model.train.pace import DEFAULT_PACE, pace_by_key
from model.train.trainer import TrainSettings


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
        raise ProjectError(path, plain_reason(e)) from None


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


def plain_reason(e: BaseException) -> str:
    """A one-line reason for an exception no validator anticipated."""
    if isinstance(e, RecursionError):
        return "the file is nested too deeply"
    if isinstance(e, MemoryError):
        return "the file needs more memory than is available"
    if isinstance(e, OverflowError):
        return "a number in the file is too large"
    text = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    return text.splitlines()[0] if text else type(e).__name__
