"""Every numeric field of a project file, with the range it may take.

:func:`check_fields` runs before any section is turned into objects, so an
overflow, a NaN or an absurd value never reaches NumPy or the trainer; each
refusal is one line naming the JSON path and what is allowed.  The limits
agree with what the app itself can write (the GUI's spin boxes, the CLI's
options), so what the app saves it loads again.
"""

from __future__ import annotations

import math

import numpy as np

from model.io.numbers import (
    FINITE,
    MAX_EPOCHS,
    NON_NEGATIVE,
    POSITIVE,
    SEED,
    NumberError,
    Rule,
    check_array,
    check_number,
)
from model.train.history import EPOCH_FIELDS

WHOLE_POSITIVE = Rule(lo=1, hi=10**9, integer=True)

#: (section, key) -> rule; "*" means every key of that object.
RULES: dict[tuple[str, ...], Rule] = {
    # network.layer_sizes: NetworkSpec names the layer ("hidden layer 1 has 0 neurons")
    ("network", "seed"): SEED,
    ("network", "init_range"): Rule(lo=0, hi=1e3, lo_open=True),
    ("data", "val_fraction"): Rule(lo=0, hi=1, hi_open=True),
    ("data", "test_fraction"): Rule(lo=0, hi=1, hi_open=True),
    ("training", "weight_decay"): Rule(lo=0, hi=1e3),
    ("training", "regularization", "l1"): Rule(lo=0, hi=1e3),
    ("training", "regularization", "l2"): Rule(lo=0, hi=1e3),
    ("training", "early_stopping", "patience"): Rule(lo=1, hi=MAX_EPOCHS, integer=True),
    ("training", "early_stopping", "min_delta"): NON_NEGATIVE,
    ("training", "schedule", "base_lr"): NON_NEGATIVE,
    ("training", "schedule", "max_lr"): NON_NEGATIVE,
    ("data", "split_seed"): SEED,
    ("data", "params", "n"): Rule(lo=1, hi=1_000_000, integer=True),
    ("data", "params", "noise"): Rule(lo=0, hi=100),
    ("data", "params", "seed"): SEED,
    ("data", "params", "*"): FINITE,
    ("training", "lr"): POSITIVE,
    ("training", "hyper", "*"): FINITE,
    ("training", "batch_size"): Rule(lo=1, hi=10**9, integer=True, optional=True),
    ("training", "epochs"): Rule(lo=1, hi=MAX_EPOCHS, integer=True),
    ("training", "target_loss"): Rule(lo=0, optional=True),
    ("training", "seed"): SEED,
    ("training", "schedule", "step_size"): WHOLE_POSITIVE,
    ("training", "schedule", "period"): WHOLE_POSITIVE,
    ("training", "schedule", "gamma"): Rule(lo=0, hi=1, lo_open=True),
    ("training", "schedule", "decay"): NON_NEGATIVE,
    ("training", "schedule", "min_lr"): NON_NEGATIVE,
}


def check_fields(d: dict) -> None:
    """Validate (and normalise in place) the scalar numeric fields of a project dict."""
    for keys, rule in RULES.items():
        parent = d
        for k in keys[:-1]:
            parent = parent.get(k) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue
        last = keys[-1]
        names = [k for k in parent if _unruled(keys[:-1], k)] if last == "*" else [last]
        for k in names:
            if k in parent and not (isinstance(parent[k], (list, dict, str))):
                parent[k] = check_number(parent[k], ".".join((*keys[:-1], k)), rule)
    data = d.get("data")
    if isinstance(data, dict) and data.get("kind") == "embedded":
        for key in ("X", "T"):
            if key in data:
                check_array(data[key], f"data.{key}", ndim=2)
    pre = d.get("preprocessing")
    if isinstance(pre, dict) and isinstance(pre.get("scaler"), dict):
        for key in ("offset", "scale"):
            if key in pre["scaler"]:
                check_array(pre["scaler"][key], f"preprocessing.scaler.{key}", ndim=1)


def _unruled(section: tuple[str, ...], key: str) -> bool:
    """A key under a "*" rule that has no rule of its own."""
    return (*section, key) not in RULES


HISTORY_1D = (*EPOCH_FIELDS, "update_loss", "update_lr")


def check_history(h, n_layers: int) -> None:
    """Plain-words checks of a history object before :meth:`History.from_dict`."""
    if not isinstance(h, dict):
        raise NumberError("history", "must be an object")
    n = None
    for key in HISTORY_1D:
        raw = h.get(key, [])
        _numbers_or_null(raw, f"history.{key}")
        if key == "epoch":
            n = len(raw)
    for key in ("grad_norms", "weight_norms"):
        raw = h.get(key, [])
        if not isinstance(raw, list) or len(raw) != n:
            raise NumberError(f"history.{key}", f"must be a list of {n} rows (one per epoch)")
        for i, row in enumerate(raw):
            if not isinstance(row, list) or len(row) != n_layers:
                raise NumberError(
                    f"history.{key}[{i}]", f"must be a list of {n_layers} numbers (one per layer)"
                )
            _numbers_or_null(row, f"history.{key}[{i}]")
    events = h.get("events", [])
    if not isinstance(events, list):
        raise NumberError("history.events", "must be a list of [update, kind, text] entries")
    for i, e in enumerate(events):
        if not (isinstance(e, list) and len(e) == 3 and isinstance(e[1], str) and isinstance(e[2], str)):
            raise NumberError(f"history.events[{i}]", "must be [update number, kind, text]")
        check_number(e[0], f"history.events[{i}][0]", Rule(lo=0, hi=math.inf, integer=True))


def _numbers_or_null(raw, path: str) -> None:
    """A list of finite numbers or nulls: vectorised, the slow loop only to name an offender."""
    if not isinstance(raw, list):
        raise NumberError(path, "must be a list of numbers (null for missing)")
    vals = [math.nan if v is None else v for v in raw]
    try:
        a = np.array(vals, dtype=np.float64) if not any(type(v) is bool for v in vals) else None
    except (TypeError, ValueError, OverflowError):
        a = None
    if a is not None and not np.isinf(a).any():
        return
    for i, v in enumerate(raw):
        if v is not None:
            check_number(v, f"{path}[{i}]")
