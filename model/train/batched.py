"""Train K runs of one topology as one computation (a leading run axis).

A learning-rate sweep trains the same network from the same weights on the
same batches with K learning rates.  Done one run after another, K small
networks cost K times the Python and NumPy call overhead; stacked, every
layer is one ``np.matmul`` over the run axis and every optimizer step one
set of whole-array calls, so 16 small runs cost about as much as one.

The maths is the trainer's (:class:`~model.train.trainer.Trainer`):
the bias folded in as an augmented ones column, the same shuffle
(``default_rng(seed).permutation(n)`` per epoch, shared by all runs), the
same optimizer code (each run's learning rate broadcast as a (K, 1)
column), the same divergence rules per run (the per-update loss limit and
:func:`~model.train.divergence.check_epoch` at each epoch end).  A run that
diverges is frozen at once with the weights the trainer would keep, and
dropped from the stack, so the remaining runs get faster.  In float64 the
per-epoch losses and final weights equal the sequential runs to ~1e-12.

Runs may differ in their start weights and hidden activations (``nets=``:
the stack applies each run's activation to its rows, as contiguous groups
of runs).  Runs that differ in topology, output activation, loss,
optimizer, batch size or shuffling seed do not share batches or layer
shapes and cannot be stacked; nor can runs with dropout or early stopping
(:func:`stackable`).  L1/L2 penalties and weight decay stack (they act per
element).
"""

from __future__ import annotations

import math

import numpy as np

from model.nn import backprop
from model.nn.network import Network
from model.optim.optimizers import make_optimizer
from model.train import divergence
from model.train.regularization import add_penalty_gradient
from model.train.trainer import STOP_DIVERGED, STOP_EPOCHS, STOP_USER, TrainSettings

_GATHER_EPOCH_BYTES = 8 << 20  # as the trainer: small data is shuffled once per epoch


#: The work arrays of one stack of runs stay below this size (bytes).
STACK_BYTES = 256 << 20


def stack_size(net: Network, n: int, batch_size: int | None, limit: int = STACK_BYTES) -> int:
    """How many runs of ``net`` on ``n`` samples to stack at once: per run, the
    parameters, gradients, optimizer state (up to 3) and a copy each for the
    healthy and start weights, plus 4 work arrays per layer per batch sample."""
    m = n if batch_size is None else min(batch_size, n)
    per_run = net.dtype.itemsize * (8 * net.spec.n_params + 5 * m * sum(net.layer_sizes[1:]))
    return max(1, int(limit // max(per_run, 1)))


def flops_per_sample(sizes) -> int:
    """Exact matmul FLOPs of one update per batch row: the forward pass (the first
    layer with its bias row folded in), ∂E/∂W and the bias sums of every layer,
    and ∂E/∂V for every layer but the first (its input gradient is not needed)."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    fwd = (pairs[0][0] + 1) * pairs[0][1] + sum(a * b for a, b in pairs[1:])
    back = fwd + sum(b for _, b in pairs[1:]) + sum(a * b for a, b in pairs[1:])
    return 2 * (fwd + back)


def stackable(net: Network, settings: TrainSettings) -> bool:
    """Can runs of ``net`` with ``settings`` be stacked?  Not with dropout (each
    run draws its own masks from its own generator) or early stopping (it
    watches a validation split the stack does not evaluate)."""
    return not any(p > 0 for p in getattr(net.spec, "dropout", []) or []) and settings.early_stopping is None


class BatchedTrainer:
    """K runs of ``net`` (same start weights) with learning rates ``lrs``.

    ``nets`` (K networks of ``net``'s topology, loss and output activation)
    gives each run its own start weights and hidden activations instead.
    Everything but the learning rate comes from ``settings``.  After
    training: ``epoch_loss`` (K, epochs) mean training loss per epoch (NaN
    from the epoch a run diverged), ``diverged_at`` (K,) the 1-based epoch
    of divergence (0 = never), ``reasons`` the trainer's divergence message
    per run, and :meth:`network` the trained network of run k.  During an
    epoch, after each update: ``last_loss`` and ``last_output`` of the
    active rows, ``order`` the epoch's shuffle (None for full batches).
    """

    def __init__(self, net: Network, X, T, settings: TrainSettings, lrs, nets=None):
        dt = net.dtype
        self.spec = net.spec
        self.X = np.ascontiguousarray(X, dtype=dt)
        self.T = np.ascontiguousarray(T, dtype=dt)
        n = len(self.X)
        if self.X.ndim != 2 or self.X.shape[1] != net.layer_sizes[0] or n == 0:
            raise ValueError(f"the data must have shape (n ≥ 1, {net.layer_sizes[0]})")
        if self.T.shape != (n, net.layer_sizes[-1]):
            raise ValueError(f"the targets must have shape ({n}, {net.layer_sizes[-1]})")
        lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
        if lrs.size == 0 or not (np.isfinite(lrs).all() and (lrs > 0).all()):
            raise ValueError("learning rates must be a non-empty list of positive numbers")
        self.K = K = len(lrs)
        self.settings = settings
        self.base_lr = lrs
        starts = [net._flat] * K if nets is None else [m._flat for m in nets]
        if len(starts) != K or any(not _same_shape(m.spec, net.spec) for m in nets or ()):
            raise ValueError("every run needs a network of the same topology, loss and output activation")
        self._specs = [net.spec] * K if nets is None else [m.spec for m in nets]
        self._flat = np.array(np.stack(starts), dtype=dt)  # (K, P) every run's [W; b] blocks
        self._gflat = np.zeros_like(self._flat)
        self._runs = np.arange(K)  # original index of each stacked row
        self._relayout()
        if not all(stackable(m, settings) for m in nets or [net]):
            raise ValueError("dropout and early stopping runs cannot be stacked (train them one by one)")
        self.optimizer = make_optimizer(
            settings.optimizer, lr=settings.lr, weight_decay=settings.weight_decay, **settings.hyper
        )
        self.regularization = settings.regularization
        self.rng = np.random.default_rng(settings.seed)
        self._lr_runs = None  # the runs whose constant rates the optimizer holds
        self.epoch = 0
        self.step = 0
        self.run_samples = 0  # Σ over updates of active runs × batch rows (the work done)
        # per-run state of the runs still training (rows of the stack) ...
        self._good = self._flat.copy()
        self._start = self._flat.copy()
        self._reach = StepReach(self._start)  # for _suspects
        self._first = np.full(K, np.nan)
        self._limit = np.full(K, -math.inf)
        # ... and per-run results of all K runs
        self.final = self._flat.copy()
        self._losses: list[np.ndarray] = []
        self.diverged_at = np.zeros(K, dtype=np.int64)
        self.reasons = [""] * K
        self.stop_reason: str | None = None
        self._floor = divergence.loss_floor(self.spec.loss, self.T)
        self._Xa = np.ones((n, self.X.shape[1] + 1), dt)
        self._Xa[:, :-1] = self.X
        self.batch_size = n if settings.batch_size is None else min(settings.batch_size, n)
        self._small = self._Xa.nbytes + self.T.nbytes <= _GATHER_EPOCH_BYTES
        self._buffers: dict[int, backprop.LayerBuffers] = {}

    # ------------------------------------------------------------------ api
    @property
    def active(self) -> np.ndarray:
        """Original indices of the runs still training."""
        return self._runs.copy()

    @property
    def epoch_loss(self) -> np.ndarray:
        out = np.full((self.K, len(self._losses)), np.nan)
        for k, row in enumerate(self._losses):
            out[:, k] = row
        return out

    def network(self, k: int) -> Network:
        """Run ``k``'s network: its current weights (or those kept at divergence)."""
        rows = np.flatnonzero(self._runs == k)
        return network_from_flat(self._specs[k], self._flat[rows[0]] if len(rows) else self.final[k])

    def run_flats(self) -> np.ndarray:
        """(K, P): every run's :meth:`network` weights, as one array."""
        out = self.final.copy()
        out[self._runs] = self._flat
        return out

    def train(self, epochs: int, should_stop=None, on_epoch=None) -> str:
        """``epochs`` more epochs, or until every run diverged or ``should_stop()``
        (asked after every update); ``on_epoch(epoch)`` after each epoch that
        leaves runs training."""
        end = self.epoch + int(epochs)
        self.stop_reason = None
        while self.stop_reason is None:
            if self.epoch >= end:
                self.stop_reason = STOP_EPOCHS
            elif len(self._runs) == 0:
                self.stop_reason = STOP_DIVERGED
            else:
                for _ in self.updates():
                    if should_stop is not None and should_stop():
                        self.stop_reason = STOP_USER
                        break
                else:
                    if on_epoch is not None and len(self._runs):
                        on_epoch(self.epoch)
        return self.stop_reason

    def updates(self):
        """One epoch of every active run, yielding the update count after each update.

        Stop iterating to cancel: the epoch's losses are then not recorded."""
        n, bs = len(self.X), self.batch_size
        sched, opt = self.settings.schedule, self.optimizer
        if sched.kind != "constant":
            lr_col = np.array([[sched.lr(float(self.base_lr[k]), self.epoch)] for k in self._runs])
            opt.set_run_lrs(lr_col.astype(self._flat.dtype))
        elif self._lr_runs is not self._runs:  # η = η₀: set once per set of runs
            self._lr_runs = self._runs
            opt.set_run_lrs(self.base_lr[self._runs, None].astype(self._flat.dtype))
        order = None
        Xs, Ts = self._Xa, self.T
        if bs < n:
            order = self.rng.permutation(n)
            if self._small:
                Xs, Ts = self._Xa[order], self.T[order]
        self.order = order
        total = np.zeros(len(self._runs))
        for start in range(0, n, bs):
            stop = min(start + bs, n)
            if order is None or self._small:
                xb, tb = Xs[start:stop], Ts[start:stop]
            else:
                idx = order[start:stop]
                xb, tb = self._Xa[idx], self.T[idx]
            loss = self._gradients(xb, tb)
            if self.regularization.active:
                add_penalty_gradient(self.regularization, self._views.W, self._views.gW)
            if not (loss <= self._limit).all():  # also NaN and ±inf
                self._check_updates(loss)
                if len(self._runs) == 0:
                    return
                loss, total, opt = loss[self._keep], total[self._keep], self.optimizer
            opt.step([self._flat], [self._gflat])
            self.step += 1
            self.run_samples += len(self._runs) * (stop - start)
            total += loss * (stop - start)
            self.last_loss = loss
            yield self.step
        self._end_epoch(total / n)

    # -------------------------------------------------------------- internal
    def _relayout(self) -> None:
        """Per-layer (K, n_in + 1, n_out) views of the stacked parameter and gradient rows."""
        self._views = backprop.LayerViews(self._flat, self._gflat, self.spec.layer_sizes)
        self._acts = backprop.run_groups([self._specs[k].activations for k in self._runs])

    def _gradients(self, Xa: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Forward and backward for every run (the network's layer loop with
        ``np.matmul`` over the run axis); the gradients land in ``_gflat``;
        returns the per-run mean loss (K,)."""
        m, K = len(Xa), len(self._flat)
        buf = self._buffers.get(m)
        if buf is None or buf.lead != (K,):
            buf = self._buffers[m] = backprop.LayerBuffers(self.spec.layer_sizes, m, self._flat.dtype, (K,))
        loss = backprop.gradients(np.matmul, Xa, T, self._views, buf, self._acts, self.spec.loss)
        self.last_output = buf.Y
        return loss

    def _check_updates(self, loss: np.ndarray) -> None:
        """The trainer's per-update test, per run: the first finite loss fixes the
        limit; a loss above it (or not finite) freezes the run."""
        factor = self.settings.divergence_factor
        for r in np.flatnonzero(np.isnan(self._first)):
            if math.isfinite(loss[r]):
                self._first[r] = loss[r]
                self._limit[r] = divergence.loss_limit(factor, float(loss[r]), self._floor)
        bad = np.flatnonzero(~(loss <= self._limit))
        self._keep = np.setdiff1d(np.arange(len(self._runs)), bad)
        if len(bad):
            why = {int(r): divergence.growth_reason(float(loss[r]), float(self._limit[r])) for r in bad}
            self._freeze(why)

    def _end_epoch(self, mean_loss: np.ndarray) -> None:
        act, floor, Y = self.spec.activations[-1], self._floor, self.last_output
        why = {}
        for r in _suspects(self._flat, self._start, mean_loss, floor, Y, act, self._reach):
            w = divergence.check_epoch(self._flat[r], self._start[r], float(mean_loss[r]), floor, Y[r], act)
            if w:
                why[r] = w
        row = np.full(self.K, np.nan)
        if why:
            ok = np.ones(len(self._runs), dtype=bool)
            ok[list(why)] = False
            row[self._runs[ok]] = mean_loss[ok]
            np.copyto(self._good, self._flat, where=ok[:, None])
        else:
            row[self._runs] = mean_loss
            np.copyto(self._good, self._flat)
        self._losses.append(row)
        if why:
            self._freeze(why)
        self.epoch += 1

    def _freeze(self, why: dict[int, str]) -> None:
        """Drop the rows in ``why`` from the stack, keeping the weights the
        trainer keeps (start when saturated, else the last healthy epoch)."""
        for r, w in why.items():
            k = int(self._runs[r])
            saturated = w.startswith(divergence.SATURATED)
            self.final[k] = self._start[r] if saturated else self._good[r]
            self.diverged_at[k] = self.epoch + 1
            lr = float(self.optimizer.lr[r, 0])
            self.reasons[k] = (
                f"training diverged at epoch {self.epoch + 1} ({w}); learning rate {lr:g} "
                "is probably too large. "
                + (
                    "The starting weights were restored."
                    if saturated
                    else "The weights from the last healthy epoch were kept."
                )
            )
        keep = np.array([r for r in range(len(self._runs)) if r not in why], dtype=np.intp)
        self._keep = keep
        self._runs = self._runs[keep]
        # fresh owning arrays: the optimizer must see one (K, P) array, not a view
        self._flat, self._gflat = self._flat[keep].copy(), self._gflat[keep].copy()
        self.last_output = self.last_output[keep]
        self._good, self._start = self._good[keep], self._start[keep]
        self._reach = self._reach.rows(keep)
        self._first, self._limit = self._first[keep], self._limit[keep]
        self.optimizer.take_rows(keep)
        self._buffers.clear()
        self._relayout()


def network_from_flat(spec, flat) -> Network:
    """A network of ``spec`` holding the parameters ``flat`` (its [W; b] blocks in a row)."""
    net = Network(spec)
    np.copyto(net._flat, flat)
    return net


def _same_shape(a, b) -> bool:
    """Can runs of specs ``a`` and ``b`` share a stack (hidden activations may differ)?"""
    return all(f(a) == f(b) for f in _STACK_KEY)


_STACK_KEY = (lambda s: s.layer_sizes, lambda s: s.loss, lambda s: s.activations[-1], lambda s: s.dtype)


class StepReach:
    """Per run of a stack, from its start weights: ‖start‖, the distance limit
    (0.99 × the saturation test's, for rounding) and their extremes, kept
    so each epoch end need not recompute them."""

    def __init__(self, start: np.ndarray, norm: np.ndarray | None = None):
        self.norm = np.sqrt((start**2).sum(axis=1)) if norm is None else norm
        self.limit = 0.99 * divergence.STEP_RATIO_LIMIT * np.maximum(self.norm, 1.0)
        self.norm_max = float(self.norm.max()) if self.norm.size else 0.0
        self.limit_min = float(self.limit.min()) if self.limit.size else math.inf

    def rows(self, keep) -> "StepReach":
        return StepReach(None, self.norm[keep])


_NONE = np.empty(0, dtype=np.intp)
_NONE.flags.writeable = False


def _suspects(flat, start, loss, floor: float, Y: np.ndarray, act: str, reach=None) -> np.ndarray:
    """Rows for which :func:`~model.train.divergence.check_epoch` may fire: a
    non-finite or too large parameter or loss, or a loss no better than the
    floor with saturated outputs and weights moved (nearly) beyond the step
    limit; the other rows are healthy, and need no call.  ``reach``: the
    :class:`StepReach` of ``start``, if the caller keeps it."""
    # the usual epoch: every parameter finite and small, every loss below the floor
    # (abs, max and comparisons never warn, NaN included: no errstate, whose
    # context costs ~1.2 µs, a 1/100 of a circles half-stack's epoch)
    top = np.abs(flat).max()
    if top <= divergence.MAGNITUDE_LIMIT and (loss < floor).all():
        return _NONE
    if reach is None:
        reach = StepReach(start)
    # the next most usual (slow runs above the floor for many epochs; circles'
    # full batches end an epoch every update): all finite and small, and no
    # row can have moved 1000× its start, as ‖flat − start‖ ≤ √P·max|flat| + ‖start‖
    sqrt_p = math.sqrt(flat.shape[1])
    if (
        top <= divergence.MAGNITUDE_LIMIT
        and np.isfinite(loss).all()
        and sqrt_p * top + reach.norm_max <= reach.limit_min
    ):
        return _NONE
    norm, limit = reach.norm, reach.limit
    with np.errstate(all="ignore"):
        biggest = np.maximum(flat.max(axis=1), -flat.min(axis=1))
        sane = (biggest <= divergence.MAGNITUDE_LIMIT) & np.isfinite(loss)
        stuck = ~(loss < floor) & sane
        # the rarest condition: weights moved ~1000× their starting size.  Rows whose
        # weights cannot have moved that far skip the norms
        if stuck.any():
            stuck &= sqrt_p * biggest + norm > limit
        if stuck.any():
            moved = np.sqrt(((flat - start) ** 2).sum(axis=1))
            stuck &= moved > limit  # check_epoch decides
        if stuck.any():
            stuck &= _saturated(Y, act)
    return np.flatnonzero(~sane | stuck)


def _saturated(Y: np.ndarray, act: str) -> np.ndarray:
    """:func:`~model.train.divergence.output_saturated` per run (K,)."""
    bounds = divergence.BOUNDED.get(act)
    if bounds is None or Y.size == 0:
        return np.zeros(len(Y), dtype=bool)
    lo, hi = bounds
    near = divergence.NEAR_BOUND * (hi - lo)
    at = (Y - lo <= near) | (hi - Y <= near)
    return at.mean(axis=(1, 2)) >= 0.5
