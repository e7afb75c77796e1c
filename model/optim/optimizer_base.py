"""The optimizer base class: validated lr, hyper-parameters and weight decay,
lazily allocated state, the whole-buffer fast path, per-run learning rates for
stacked runs.  The update rules themselves are in :mod:`model.optim.rules`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import is_
from typing import Any

import numpy as np

from model.nn import blas_level1
from model.optim.hyper import (
    DEFAULT_WEIGHT_DECAY,
    DEFAULTS,
    STATE_KEYS,
    check_hyper,
    check_lr,
    check_weight_decay,
)
from model.optim.tiling import flat_pair


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
        self._lr = check_lr(lr)
        self._hyper = self._validated(hyper, complete=True)
        self._wd = check_weight_decay(
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
        self._level1 = False  # rules that can use BLAS axpy/scal do (model.nn.blas_level1)

    @property
    def blas_step(self) -> bool:
        """True when a step calls BLAS (sgd and momentum on a network-sized vector),
        so a caller limiting BLAS threads has to for the step too."""
        return self._level1

    # ---------------------------------------------------------------- hyper
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_lr(value, allow_zero=True)

    @property
    def weight_decay(self) -> float:
        return self._wd

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._wd = check_weight_decay(value)

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
            out[key] = check_hyper(self.name, key, value)
        return out

    # ---------------------------------------------------------------- steps
    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray], pair=None) -> None:
        """Update every ``params[i]`` in place from ``grads[i]`` (same shape).

        ``pair`` (a :class:`model.nn.parallel_update.PairWorker`): when the arrays
        tile one buffer, its second half is updated on the helper thread at the
        same time (element-wise rules: the same bits)."""
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
            if pair is None or flat[0][0].size < SPLIT_MIN_SIZE:
                self._update(flat[0], fg, self._flat_scratch, self._flat_state)
            else:
                first, second = _halves(flat[0], fg, self._flat_scratch, self._flat_state)
                pair.submit(self._update, *second)
                self._update(*first)
                pair.wait()
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
        pair = flat_pair(params, grads) if self._offsets is not None else None
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
        flat = flat_pair(params, grads)
        self._offsets = None if flat is None else flat[4]
        self._level1 = _level1_pays(flat[0][0] if flat is not None else params)
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
        self._level1 = False

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


#: A split step (``step(pair=)``) only from this many parameters: below, the hand-off
#: (~10-30 µs) costs more than half the step (wide 784-256-128-10 has 235,146).
SPLIT_MIN_SIZE = 65_536


#: Parameters per network from which SGD and momentum steps use BLAS axpy/scal
#: (which OpenBLAS threads above 10,000): 784-256-128-10 has 235,146, digits 17,226.
LEVEL1_MIN = 65_536


def _level1_pays(params) -> bool:
    """Use BLAS level 1 for these parameters: one network's flat vector, or one
    (K, P) array of stacked runs, with P ≥ LEVEL1_MIN.  Decided on a network's
    size, so a stack and its runs one by one take the same path (the same bits)."""
    if isinstance(params, np.ndarray):
        arr = params
    elif len(params) == 1 and params[0].ndim == 2:
        arr = params[0]
    else:
        return False
    return arr.flags.c_contiguous and arr.shape[-1] >= LEVEL1_MIN and blas_level1.usable(arr.dtype)


def _halves(params, grads, scratch, state):
    """The flat buffers' (params, grads, scratch, state) as two halves (views)."""
    h = params[0].size // 2
    if h >= blas_level1.BLOCK:  # at a whole block: each half's axpy rounds as the whole one's
        h -= h % blas_level1.BLOCK
    cut = (slice(0, h), slice(h, None))
    return [
        ([params[0][c]], [grads[0][c]], [scratch[0][c]], {k: [v[0][c]] for k, v in state.items()})
        for c in cut
    ]
