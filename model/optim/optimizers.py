"""Gradient-descent optimizers in pure NumPy, with ``torch.optim`` semantics.

Every optimizer updates a list of parameter arrays *in place* from a list of
gradient arrays of the same shapes.  The update rules equal ``torch.optim``
with the same hyper-parameters:

=========  ==============================================================
sgd        ``p -= lr·g``
momentum   ``buf = μ·buf + g`` (``buf = g`` on the first step); ``p -= lr·buf``
nesterov   ``buf`` as above; ``p -= lr·(g + μ·buf)``
adagrad    ``sum += g²``; ``p -= lr·g / (√sum + eps)``            (eps 1e-10)
rmsprop    ``sq = ρ·sq + (1−ρ)·g²``; ``p -= lr·g / (√sq + eps)``  (eps 1e-8)
adam       ``m = β₁m + (1−β₁)g``; ``v = β₂v + (1−β₂)g²``;
           ``p -= (lr/bc₁)·m / (√v/√bc₂ + eps)`` with ``bcᵢ = 1−βᵢᵗ`` (eps 1e-8)
adamw      ``p *= 1 − lr·λ`` (decoupled weight decay), then the adam step
=========  ==============================================================

``weight_decay`` λ (default 0; adamw 0.01) is torch's *coupled* decay for the
first six: the gradient becomes ``g + λ·p`` before the rule above (on every
array passed, biases too, as torch does with one parameter group).  adamw
decays the parameters themselves instead (``torch.optim.AdamW``).

State buffers are allocated lazily on the first step (matching each
parameter's shape and dtype) and reused afterwards, together with one scratch
buffer per parameter, so a step allocates no new arrays.  The same
optimizers run on tiny vectors, e.g. ``params=[np.array([x, y])]`` for the
optimizer race on 2-D error surfaces.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from operator import is_
from typing import Any

import numpy as np

__all__ = [
    "OPTIMIZERS",
    "DEFAULTS",
    "STATE_KEYS",
    "DEFAULT_WEIGHT_DECAY",
    "Optimizer",
    "make_optimizer",
    "optimizer_from_dict",
]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")

#: Hyper-parameters (including ``lr``) and their defaults, per optimizer.
DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.1},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "nesterov": {"lr": 0.1, "momentum": 0.9},
    "adagrad": {"lr": 0.1, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "rho": 0.9, "eps": 1e-8},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

#: ``weight_decay`` when none is given (torch's defaults).
DEFAULT_WEIGHT_DECAY: dict[str, float] = {name: 0.0 for name in DEFAULTS} | {"adamw": 0.01}

#: Names of the arrays that :meth:`Optimizer.state` returns, per optimizer.
STATE_KEYS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("velocity",),
    "nesterov": ("velocity",),
    "adagrad": ("sum_sq",),
    "rmsprop": ("square_avg",),
    "adam": ("m", "v", "effective_step"),
    "adamw": ("m", "v", "effective_step"),
}


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------


def _as_float(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def _check_lr(value: Any, *, allow_zero: bool = False) -> float:
    lr = _as_float("lr", value)
    if not math.isfinite(lr) or lr < 0 or (lr == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"lr must be a finite number {bound}, got {value!r}")
    return lr


def _check_weight_decay(value: Any) -> float:
    wd = _as_float("weight_decay", value)
    if not (math.isfinite(wd) and wd >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0, got {value!r}")
    return wd


def _check_hyper(name: str, key: str, value: Any) -> float:
    x = _as_float(key, value)
    if key == "eps":
        if not (math.isfinite(x) and x > 0):
            raise ValueError(f"{name}: eps must be a finite number > 0, got {value!r}")
    elif not (0.0 <= x < 1.0):  # momentum, rho, beta1, beta2
        raise ValueError(f"{name}: {key} must be in [0, 1), got {value!r}")
    return x


# --------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------


class Optimizer:
    """In-place optimizer over a list of parameter arrays.

    Attributes
    ----------
    name : str
        One of :data:`OPTIMIZERS`.
    lr : float
        Learning rate; settable at any time, used from the next step on.
        Setting accepts any finite value >= 0 (a schedule may decay to 0);
        construction requires lr > 0.
    t : int
        Number of steps taken since construction or :meth:`reset`.
    hyper : dict
        Copy of the hyper-parameters in use (without ``lr``); change them
        with :meth:`set_hyper`.
    weight_decay : float
        λ ≥ 0, settable; coupled (added to the gradient) except for adamw.
    """

    name = ""
    decoupled = False  # adamw: decay the parameters, not the gradient

    def __init__(self, lr: float, weight_decay: float | None = None, **hyper: float) -> None:
        self._lr = _check_lr(lr)
        self._hyper = self._validated(hyper, complete=True)
        self._wd = _check_weight_decay(
            DEFAULT_WEIGHT_DECAY[self.name] if weight_decay is None else weight_decay
        )
        self._decayed: dict[bool, list[np.ndarray]] = {}  # scratch for g + λ·p (flat / per array)
        self.t = 0
        self._state: dict[str, list[np.ndarray]] = {}
        self._scratch: list[np.ndarray] = []
        self._shapes: list[tuple[int, ...]] | None = None
        self._flat = None  # (flat params, flat grads, params, grads, offsets) when they tile buffers
        self._offsets: list[int] | None = None  # the tiling the flat state was built for
        self._flat_scratch: list[np.ndarray] = []
        self._flat_state: dict[str, list[np.ndarray]] = {}

    # ---------------------------------------------------------------- hyper
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _check_lr(value, allow_zero=True)

    @property
    def weight_decay(self) -> float:
        return self._wd

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._wd = _check_weight_decay(value)

    @property
    def hyper(self) -> dict[str, float]:
        return dict(self._hyper)

    def set_hyper(self, **hyper: float) -> None:
        """Change hyper-parameters (validated); they apply from the next step."""
        self._hyper.update(self._validated(hyper, complete=False))

    def _validated(self, hyper: Mapping[str, Any], *, complete: bool) -> dict[str, float]:
        allowed = [k for k in DEFAULTS[self.name] if k != "lr"]
        unknown = sorted(set(hyper) - set(allowed))
        if unknown:
            raise ValueError(
                f"unknown hyper-parameter(s) {unknown} for optimizer {self.name!r}; "
                f"allowed: {['lr'] + allowed}"
            )
        out = {k: DEFAULTS[self.name][k] for k in allowed} if complete else {}
        for key, value in hyper.items():
            out[key] = _check_hyper(self.name, key, value)
        return out

    # ---------------------------------------------------------------- steps
    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every ``params[i]`` in place from ``grads[i]`` (same shape)."""
        flat = self._flat
        if (
            flat is not None
            and len(params) == len(flat[2])
            and len(grads) == len(flat[3])
            and all(map(is_, params, flat[2]))
            and all(map(is_, grads, flat[3]))
        ):
            # the same arrays as last time, all views tiling one buffer each:
            # update the whole buffer at once (same maths, far fewer calls)
            self.t += 1
            fg = self._coupled_grads(flat[0], flat[1], True)
            self._update(flat[0], fg, self._flat_scratch, self._flat_state)
            return
        n = len(params)
        if len(grads) != n:
            raise ValueError(f"got {n} parameter arrays but {len(grads)} gradient arrays")
        shapes = self._shapes
        if shapes is None:
            self._allocate(params, grads)
        else:
            if len(shapes) != n:
                raise ValueError(
                    f"optimizer state holds {len(shapes)} arrays but step() got {n}; "
                    "call reset() before optimizing different parameters"
                )
            for i in range(n):
                p, g = params[i], grads[i]
                if p.shape != shapes[i] or g.shape != shapes[i]:
                    raise ValueError(
                        f"array {i}: params shape {np.shape(p)}, grads shape "
                        f"{np.shape(g)}, optimizer state shape {shapes[i]}; "
                        "call reset() before optimizing different parameters"
                    )
        self.t += 1
        pair = _flat_pair(params, grads) if self._offsets is not None else None
        self._flat = pair if pair is not None and pair[4] == self._offsets else None
        self._update(params, self._coupled_grads(params, grads, False), self._scratch, self._state)

    def _coupled_grads(self, params, grads, flat: bool):
        """``grads`` or, with coupled weight decay, ``g + λ·p`` in reused scratch
        (never the caller's arrays)."""
        wd = self._wd
        if wd == 0.0 or self.decoupled:
            return grads
        out = self._decayed.get(flat)
        if out is None or len(out) != len(grads) or any(o.shape != g.shape for o, g in zip(out, grads)):
            out = self._decayed[flat] = [np.empty_like(g) for g in grads]
        for o, p, g in zip(out, params, grads):
            np.multiply(p, wd, out=o)
            np.add(o, g, out=o)
        return out

    def _allocate(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        for i, (p, g) in enumerate(zip(params, grads)):
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError(
                    f"params[{i}] must be a floating-point numpy array (updated in place), "
                    f"got {type(p).__name__}" + (f" of dtype {p.dtype}" if isinstance(p, np.ndarray) else "")
                )
            if not isinstance(g, np.ndarray):
                raise ValueError(f"grads[{i}] must be a numpy array, got {type(g).__name__}")
            if p.shape != g.shape:
                raise ValueError(f"array {i}: params shape {p.shape} != grads shape {g.shape}")
        self._shapes = [p.shape for p in params]
        # state and scratch are single flat buffers too; the per-parameter
        # arrays are views into them, so both update paths share one state
        flat = _flat_pair(params, grads)
        self._offsets = None if flat is None else flat[4]
        if flat is None:
            self._scratch = [np.zeros_like(p) for p in params]
            self._state = {k: [np.zeros_like(p) for p in params] for k in STATE_KEYS[self.name]}
            return
        offsets, size, dtype = flat[4], flat[0][0].size, flat[0][0].dtype

        def buffer():
            b = np.zeros(size, dtype)
            return [b], [b[o : o + p.size].reshape(p.shape) for o, p in zip(offsets, params)]

        self._flat_scratch, self._scratch = buffer()
        self._flat_state, self._state = {}, {}
        for k in STATE_KEYS[self.name]:
            self._flat_state[k], self._state[k] = buffer()

    def _update(self, params, grads, scratch, state) -> None:
        """One step over matching lists of params, grads, scratch and state arrays."""
        raise NotImplementedError

    # ---------------------------------------------------------------- state
    def state(self) -> dict[str, list[np.ndarray]]:
        """Copies of the internal buffers, e.g. ``{"velocity": [...]}``.

        Keys are :data:`STATE_KEYS` ``[name]``; the lists are empty before the
        first step.  The arrays are copies, safe to hand to another thread.
        """
        return {k: [a.copy() for a in self._state.get(k, [])] for k in STATE_KEYS[self.name]}

    def reset(self) -> None:
        """Forget all state (t = 0); lr and hyper-parameters are kept."""
        self.t = 0
        self._state = {}
        self._scratch = []
        self._shapes = None
        self._flat, self._offsets = None, None
        self._flat_scratch, self._flat_state = [], {}
        self._decayed = {}

    def set_run_lrs(self, lrs: np.ndarray) -> None:
        """One learning rate per stacked run, as a (K, 1) column that broadcasts
        over (K, P) parameter rows (:mod:`model.train.batched`); the dtype is
        kept, so float32 runs stay float32."""
        self._lr = np.asarray(lrs).reshape(-1, 1)

    def take_rows(self, rows) -> None:
        """Keep only ``rows`` of the leading run axis of every state array and of
        a per-run lr column (stacked runs, :mod:`model.train.batched`)."""
        self._state = {k: [a[rows].copy() for a in v] for k, v in self._state.items()}
        self._scratch = [a[rows].copy() for a in self._scratch]
        self._decayed = {}
        if self._shapes is not None:
            self._shapes = [(len(rows),) + s[1:] for s in self._shapes]
        if isinstance(self._lr, np.ndarray):
            self._lr = self._lr[rows]

    def to_dict(self) -> dict[str, Any]:
        """``{"name": ..., "lr": ..., **hyper}`` (+ ``weight_decay`` unless the default) — JSON-safe."""
        d = {"name": self.name, "lr": float(self._lr), **{k: float(v) for k, v in self._hyper.items()}}
        if self._wd != DEFAULT_WEIGHT_DECAY[self.name]:
            d["weight_decay"] = float(self._wd)
        return d

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "name")
        return f"<Optimizer {self.name}({args}) t={self.t}>"


# --------------------------------------------------------------------------
# the six optimizers
# --------------------------------------------------------------------------


class SGD(Optimizer):
    name = "sgd"

    def _update(self, params, grads, scratch, state):
        lr = self._lr
        for p, g, s in zip(params, grads, scratch):
            np.multiply(g, lr, out=s)
            np.subtract(p, s, out=p)


class Momentum(Optimizer):
    """torch ``SGD(momentum=μ, dampening=0)``; ``nesterov`` subclass below."""

    name = "momentum"
    nesterov = False

    def _update(self, params, grads, scratch, state):
        lr, mu = self._lr, self._hyper["momentum"]
        first = self.t == 1
        for p, g, s, buf in zip(params, grads, scratch, state["velocity"]):
            if first:
                np.copyto(buf, g)  # torch: buf = clone(grad)
            else:
                np.multiply(buf, mu, out=buf)
                np.add(buf, g, out=buf)
            if self.nesterov:
                np.multiply(buf, mu, out=s)  # g + μ·buf
                np.add(s, g, out=s)
                np.multiply(s, lr, out=s)
            else:
                np.multiply(buf, lr, out=s)
            np.subtract(p, s, out=p)


class Nesterov(Momentum):
    name = "nesterov"
    nesterov = True


class Adagrad(Optimizer):
    name = "adagrad"

    def _update(self, params, grads, scratch, state):
        lr, eps = self._lr, self._hyper["eps"]
        for p, g, s, acc in zip(params, grads, scratch, state["sum_sq"]):
            np.multiply(g, g, out=s)
            np.add(acc, s, out=acc)
            _scaled_step(p, g, s, acc, lr, eps)


def _scaled_step(p, g, s, sq_sum, lr, eps) -> None:
    """p −= lr · g / (√sq_sum + eps), in place, using ``s`` as scratch
    (AdaGrad's and RMSProp's shared step)."""
    np.sqrt(sq_sum, out=s)
    np.add(s, eps, out=s)
    np.divide(g, s, out=s)
    np.multiply(s, lr, out=s)
    np.subtract(p, s, out=p)


class RMSprop(Optimizer):
    name = "rmsprop"

    def _update(self, params, grads, scratch, state):
        lr, rho, eps = self._lr, self._hyper["rho"], self._hyper["eps"]
        for p, g, s, sq in zip(params, grads, scratch, state["square_avg"]):
            np.multiply(sq, rho, out=sq)
            np.multiply(g, g, out=s)
            np.multiply(s, 1.0 - rho, out=s)
            np.add(sq, s, out=sq)
            _scaled_step(p, g, s, sq, lr, eps)


class Adam(Optimizer):
    """torch ``Adam`` (amsgrad off).

    ``effective_step`` holds ``(lr/bc₁) / (√v/√bc₂ + eps)``, the positive
    per-parameter step size of the last step: ``Δp = −effective_step · m``.
    """

    name = "adam"

    def _update(self, params, grads, scratch, state):
        h = self._hyper
        b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
        step_size = self._lr / (1.0 - b1**self.t)
        bc2_sqrt = math.sqrt(1.0 - b2**self.t)
        st = state
        for p, g, s, m, v, eff in zip(params, grads, scratch, st["m"], st["v"], st["effective_step"]):
            np.multiply(m, b1, out=m)
            np.multiply(g, 1.0 - b1, out=s)
            np.add(m, s, out=m)
            np.multiply(v, b2, out=v)
            np.multiply(g, g, out=s)
            np.multiply(s, 1.0 - b2, out=s)
            np.add(v, s, out=v)
            np.sqrt(v, out=s)  # denom = √v/√bc₂ + eps
            np.divide(s, bc2_sqrt, out=s)
            np.add(s, eps, out=s)
            np.divide(step_size, s, out=eff)
            np.multiply(m, eff, out=s)
            np.subtract(p, s, out=p)


class AdamW(Adam):
    """torch ``AdamW``: ``p *= 1 − lr·λ`` first, then the Adam step on the raw gradient."""

    name = "adamw"
    decoupled = True

    def _update(self, params, grads, scratch, state):
        keep = 1.0 - self._lr * self._wd  # a (K, 1) column for stacked runs
        if self._wd != 0.0:
            for p in params:
                np.multiply(p, keep, out=p)
        super()._update(params, grads, scratch, state)


def _flat_pair(params, grads):
    """``([flat params], [flat grads], params, grads, offsets)`` when the params
    exactly tile one contiguous buffer and the grads another at the same
    offsets (e.g. :class:`~model.nn.network.Network` parameters); else None."""
    fp, op = _tiling(params)
    fg, og = _tiling(grads)
    if fp is None or fg is None or op != og or fp.dtype != fg.dtype or fp.size != fg.size:
        return None
    return [fp], [fg], tuple(params), tuple(grads), op


def _tiling(arrays):
    """(flat view of the shared base, element offsets) or (None, None)."""
    if not arrays or not all(isinstance(a, np.ndarray) for a in arrays):
        return None, None
    base = arrays[0].base
    if not isinstance(base, np.ndarray) or not base.flags.c_contiguous:
        return None, None
    start, item = base.__array_interface__["data"][0], base.itemsize
    offsets, spans = [], []
    for a in arrays:
        if a.base is not base or not a.flags.c_contiguous or a.dtype != base.dtype:
            return None, None
        off, rem = divmod(a.__array_interface__["data"][0] - start, item)
        if rem:
            return None, None
        offsets.append(off)
        spans.append((off, off + a.size))
    spans.sort()
    if spans[0][0] != 0 or spans[-1][1] != base.size or any(a[1] != b[0] for a, b in zip(spans, spans[1:])):
        return None, None  # gaps or overlaps
    return base.reshape(-1), offsets


_CLASSES: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW)
}


# --------------------------------------------------------------------------
# factories
# --------------------------------------------------------------------------


def make_optimizer(
    name: str, lr: float | None = None, weight_decay: float | None = None, **hyper: float
) -> Optimizer:
    """Build an optimizer by name; missing hyper-parameters take :data:`DEFAULTS`,
    a missing ``weight_decay`` :data:`DEFAULT_WEIGHT_DECAY` (0, adamw 0.01).

    Raises ``ValueError`` for an unknown name, an invalid lr (not finite or
    <= 0), an out-of-range or unknown hyper-parameter, a negative weight decay.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in _CLASSES:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}")
    if lr is None:
        lr = DEFAULTS[key]["lr"]
    return _CLASSES[key](lr, weight_decay, **hyper)


def optimizer_from_dict(d: Mapping[str, Any]) -> Optimizer:
    """Inverse of :meth:`Optimizer.to_dict` (a fresh optimizer, t = 0)."""
    if not isinstance(d, Mapping) or "name" not in d:
        raise ValueError(f"optimizer dict needs a 'name' key, got {d!r}")
    rest = {k: v for k, v in d.items() if k not in ("name", "lr", "weight_decay")}
    return make_optimizer(d["name"], d.get("lr"), d.get("weight_decay"), **rest)
