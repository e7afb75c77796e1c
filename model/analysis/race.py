"""The optimizer race: several optimizers descend the same 2-D surface.

Each racer is one :mod:`model.optim.optimizers` object — the very code that trains
networks — stepping ``params = [np.array([x, y])]`` with gradients from
``surface.grad``. A racer whose position or gradient stops being finite, or
that leaves the surface's extent by far (:data:`DIVERGE_MARGIN`), is marked
diverged and stops.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import numpy as np

from model.optim.optimizers import DEFAULTS, OPTIMIZERS, STATE_KEYS, Optimizer, make_optimizer

__all__ = [
    "loss_text",
    "OptimizerRace",
    "Racer",
    "RACERS",
    "DIVERGE_MARGIN",
    "DEFAULT_LR",
    "KEY_HYPER",
    "default_racers",
    "batch_lr_limit",
    "racer_default_lr",
    "STOCHASTIC_SAFETY",
]

#: The optimizers that race on 2-D surfaces: adamw is left out, its decay
#: pulls towards (0, 0), which is no property of the surface.
RACERS = tuple(name for name in OPTIMIZERS if name != "adamw")

#: A racer diverges when it is this many extent-widths outside the extent.
DIVERGE_MARGIN = 5.0

#: The hyper-parameter (besides lr) the panel exposes for each optimizer.
KEY_HYPER: dict[str, str | None] = {
    "sgd": None,
    "momentum": "momentum",
    "nesterov": "momentum",
    "adagrad": None,
    "rmsprop": "rho",
    "adam": "beta1",
}

#: Learning rates per surface that make the race instructive (other
#: hyper-parameters take :data:`model.optim.optimizers.DEFAULTS`).
DEFAULT_LR: dict[str, dict[str, float]] = {
    # condition number 14: SGD zig-zags across the valley, momentum overshoots
    "bowl": {"sgd": 1.3, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.05},
    # SGD crawls along the valley floor; Adam and RMSProp arrive
    "rosenbrock": {
        "sgd": 0.001,
        "momentum": 0.0005,
        "nesterov": 0.0005,
        "adagrad": 0.3,
        "rmsprop": 0.005,
        "adam": 0.1,
    },
    "beale": {
        "sgd": 0.01,
        "momentum": 0.002,
        "nesterov": 0.002,
        "adagrad": 0.5,
        "rmsprop": 0.01,
        "adam": 0.05,
    },
    "saddle": {
        "sgd": 0.05,
        "momentum": 0.02,
        "nesterov": 0.02,
        "adagrad": 0.2,
        "rmsprop": 0.01,
        "adam": 0.02,
    },
    "himmelblau": {
        "sgd": 0.01,
        "momentum": 0.003,
        "nesterov": 0.003,
        "adagrad": 0.5,
        "rmsprop": 0.03,
        "adam": 0.1,
    },
    "plateau": {"sgd": 0.5, "momentum": 0.5, "nesterov": 0.5, "adagrad": 0.3, "rmsprop": 0.02, "adam": 0.05},
    "network_slice": {
        "sgd": 0.5,
        "momentum": 0.1,
        "nesterov": 0.1,
        "adagrad": 0.1,
        "rmsprop": 0.01,
        "adam": 0.02,
    },
    "random_directions": {
        "sgd": 0.05,
        "momentum": 0.01,
        "nesterov": 0.01,
        "adagrad": 0.05,
        "rmsprop": 0.005,
        "adam": 0.01,
    },
}


#: A stochastic racer's default η is at most this fraction of its batch limit.
STOCHASTIC_SAFETY = 0.5

#: Optimizers whose step is linear in the gradient: the curvature limit applies to them.
_LINEAR_STEP = {"sgd": 0.0, "momentum": None, "nesterov": None}


def batch_lr_limit(surface, batch_size: int | None) -> float:
    """2/λ_max of the worst mini-batch Hessian X_Bᵀ X_B/|B| over every batch of
    ``batch_size`` samples of a sample surface (the linear-neuron bowl): below it
    plain SGD on *any* batch of that size contracts. None / ≥ n: the full batch's
    2/λ_max. NaN for a surface without samples."""
    if not hasattr(surface, "samples"):
        return math.nan
    X = np.asarray(surface.samples[0], float)
    n = len(X)
    b = n if batch_size is None else min(int(batch_size), n)
    lam = max(
        float(np.linalg.eigvalsh(X[list(c)].T @ X[list(c)] / b)[-1])
        for c in itertools.combinations(range(n), b)
    )
    return 2.0 / lam if lam > 0 else math.inf


def racer_default_lr(surface_name: str, name: str, surface=None, batch_size: int | None = None) -> float:
    """The racer's default η: :data:`DEFAULT_LR` for the surface; on mini-batches of a
    sample surface, gradient-linear racers (SGD, momentum, Nesterov) are capped at
    :data:`STOCHASTIC_SAFETY` × their stable limit on the worst batch (2/λ for SGD,
    2(1 + μ)/λ with momentum μ), so online learning (batch 1) converges instead of
    flying off at the full batch's edge-of-stability η."""
    lr = DEFAULT_LR.get(surface_name, {}).get(name, DEFAULTS[name]["lr"])
    n = len(surface.samples[0]) if hasattr(surface, "samples") else 0
    if batch_size is None or batch_size >= n or name not in _LINEAR_STEP:
        return lr  # exact gradients: the table's (edge-of-stability) η
    limit = batch_lr_limit(surface, batch_size)
    if not math.isfinite(limit):
        return lr
    mu = DEFAULTS[name].get("momentum", 0.0)
    return min(lr, STOCHASTIC_SAFETY * limit * (1.0 + mu))


def default_racers(
    surface_name: str, names: Sequence[str] = RACERS, surface=None, batch_size: int | None = None
):
    """[(name, lr, {}), ...] with :func:`racer_default_lr` for the surface (optimizer
    defaults for an unknown surface; capped on mini-batches of ``surface``)."""
    return [(n, racer_default_lr(surface_name, n, surface, batch_size), {}) for n in names]


class Racer:
    """One optimizer on the surface: its path, losses, gradient and status."""

    def __init__(self, name: str, optimizer: Optimizer):
        self.name = name
        self.optimizer = optimizer
        self.params = np.zeros(2)
        self.grad = np.zeros(2)
        self.path: list[tuple[float, float]] = []
        self.losses: list[float] = []
        self.diverged = False
        self.reason = ""

    def stop(self, reason: str) -> None:
        self.diverged, self.reason = True, reason


class OptimizerRace:
    """Race optimizers from ``start`` on ``surface``.

    Parameters
    ----------
    surface : a :class:`model.analysis.surfaces.Surface`
    start : (x, y)
    racers : iterable of (name, lr, hyper) with ``name`` one of
        :data:`model.optim.optimizers.OPTIMIZERS` (each at most once) and ``hyper``
        a dict of its other hyper-parameters (may be empty or None).
    """

    def __init__(
        self,
        surface,
        start,
        racers: Iterable[tuple[str, float, dict | None]],
        batch_size: int | None = None,
        seed: int = 0,
    ):
        self.surface = surface
        n = len(surface.samples[0]) if hasattr(surface, "samples") else 0
        if batch_size is not None:
            if not n:
                raise ValueError("mini-batches need a surface made of samples (the linear-neuron bowl)")
            if isinstance(batch_size, bool) or int(batch_size) != batch_size or not 1 <= batch_size:
                raise ValueError(f"batch size must be a whole number ≥ 1, got {batch_size!r}")
            batch_size = min(int(batch_size), n)
        #: None: every racer steps with the exact gradient (batch learning)
        self.batch_size = None if batch_size is None or batch_size >= n else batch_size
        self._n_samples, self._seed = n, int(seed)
        self._racers: dict[str, Racer] = {}
        for spec in racers:
            name, lr, hyper = (tuple(spec) + (None,))[:3]
            if name in self._racers:
                raise ValueError(f"optimizer {name!r} is in the race twice")
            self._racers[name] = Racer(name, make_optimizer(name, lr, **(hyper or {})))
        x0, x1, y0, y1 = surface.extent
        mx, my = DIVERGE_MARGIN * (x1 - x0), DIVERGE_MARGIN * (y1 - y0)
        self._limits = (x0 - mx, x1 + mx, y0 - my, y1 + my)
        self.steps = 0
        self.reset(start)

    # ------------------------------------------------------------- running
    def reset(self, start=None) -> None:
        """Every racer back to ``start`` (default: the current start) with
        fresh optimizer state; lr and hyper-parameters are kept."""
        if start is not None:
            x, y = (float(v) for v in start)
            self.start = (x, y)
        self.steps = 0
        self._rng = np.random.default_rng(self._seed)
        self._order: list[int] = []
        first = next(iter(self._racers.values()), None)
        #: the batch-learning path (exact gradient, the first racer's η) that
        #: stochastic racers zig-zag around; None when racing on exact gradients
        self._batch = None
        if self.batch_size is not None and first is not None:
            self._batch = {"lr": first.optimizer.lr, "w": np.array(self.start, float), "path": [self.start]}
        for r in self._racers.values():
            r.optimizer.reset()
            r.params = np.array(self.start, dtype=float)
            r.path = [self.start]
            r.diverged, r.reason = False, ""
            loss, gx, gy = self.surface.value_and_grad(*self.start)
            r.losses = [loss]
            r.grad = np.array([gx, gy])
            self._check(r)

    def step(self, n: int = 1) -> None:
        """Take ``n`` steps with every racer still running."""
        for _ in range(int(n)):
            running = [r for r in self._racers.values() if not r.diverged]
            if not running:
                return
            self.steps += 1
            idx = self._next_batch()
            if self._batch is not None:
                b = self._batch
                b["w"] = b["w"] - b["lr"] * np.array(self.surface.grad(*b["w"]), float)
                b["path"].append((float(b["w"][0]), float(b["w"][1])))
            for r in running:
                g = r.grad.copy() if idx is None else self.surface.batch_gradient(r.params, idx)
                r.optimizer.step([r.params], [g])
                if np.isfinite(r.params).all():
                    r.path.append((float(r.params[0]), float(r.params[1])))
                    loss, gx, gy = self.surface.value_and_grad(*r.params)
                    r.losses.append(loss)
                    r.grad = np.array([gx, gy])
                self._check(r)

    def _next_batch(self):
        """The samples of this step's mini-batch (a fresh shuffle each epoch), or None."""
        if self.batch_size is None:
            return None
        if len(self._order) < self.batch_size:
            self._order = list(self._rng.permutation(self._n_samples))
        idx, self._order = self._order[: self.batch_size], self._order[self.batch_size :]
        return np.array(idx)

    @property
    def batch_path(self) -> np.ndarray | None:
        """(k, 2) the exact-gradient (batch) path beside stochastic racers, else None."""
        return None if self._batch is None else np.array(self._batch["path"], dtype=float)

    def _check(self, r: Racer) -> None:
        x, y = r.params
        lo_x, hi_x, lo_y, hi_y = self._limits
        if not (np.isfinite(r.params).all() and np.isfinite(r.grad).all() and np.isfinite(r.losses[-1])):
            r.stop("non-finite value")
        elif not (lo_x <= x <= hi_x and lo_y <= y <= hi_y):
            r.stop("left the surface")

    # ------------------------------------------------------------ querying
    @property
    def names(self) -> list[str]:
        return list(self._racers)

    @property
    def running(self) -> list[str]:
        return [n for n, r in self._racers.items() if not r.diverged]

    @property
    def paths(self) -> dict[str, np.ndarray]:
        """name → (k, 2) positions, the start first (finite points only)."""
        return {n: np.array(r.path, dtype=float) for n, r in self._racers.items()}

    @property
    def losses(self) -> dict[str, np.ndarray]:
        """name → (k,) loss at each point of the path."""
        return {n: np.array(r.losses, dtype=float) for n, r in self._racers.items()}

    def racer(self, name: str) -> Racer:
        try:
            return self._racers[name]
        except KeyError:
            raise ValueError(f"no racer {name!r}; racing: {', '.join(self._racers)}") from None

    def position(self, name: str) -> np.ndarray:
        return self.racer(name).params.copy()

    def gradient(self, name: str) -> np.ndarray:
        """∇f at the racer's current position, shape (2,)."""
        return self.racer(name).grad.copy()

    def diverged(self, name: str) -> bool:
        return self.racer(name).diverged

    def optimizer(self, name: str) -> Optimizer:
        return self.racer(name).optimizer

    def state(self, name: str) -> dict[str, np.ndarray]:
        """The optimizer's internal buffers as (2,) arrays: ``velocity``
        (momentum, nesterov), ``sum_sq`` (adagrad), ``square_avg`` (rmsprop),
        ``m``, ``v``, ``effective_step`` (adam); zeros before the first step,
        ``{}`` for sgd."""
        opt = self.racer(name).optimizer
        st = opt.state()
        return {k: (st[k][0].copy() if st.get(k) else np.zeros(2)) for k in STATE_KEYS[opt.name]}


def loss_text(v: float) -> str:
    """A racer's E: below 1e-12 in size it is 0 up to rounding (no "E = −5.551e-17" on a
    sum of squares)."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    return "0" if abs(v) < 1e-12 else f"{v:.4g}"
