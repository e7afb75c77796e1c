"""Trainer: batch, stochastic and mini-batch gradient descent around a Network.

The inner loop is vectorised over the batch, gathers batches into reused
buffers and calls :meth:`Network.gradients_into`, so one update costs a few
BLAS calls and no per-sample Python work.
"""

from __future__ import annotations

import math
import time

import numpy as np

from model.nn.network import Network
from model.optim.optimizers import make_optimizer
from model.train import divergence
from model.train.correct import correct as _correct
from model.train.correct import count_correct as _count_correct
from model.train.early_stopping import EarlyStopper
from model.train.history import History
from model.train.live_changes import LiveChanges
from model.train.regularization import add_penalty_gradient, penalty
from model.train.settings import TrainSettings  # also imported from here
from model.train.update_modes import UpdateRunner

STOP_EPOCHS = "epoch limit reached"
STOP_TARGET = "target loss reached"
STOP_DIVERGED = "diverged"
STOP_USER = "stopped"
STOP_EARLY = "stopped early"

_GATHER_EPOCH_BYTES = 8 << 20  # up to this size the whole data set is shuffled once per epoch
# the indices are a permutation (always valid): np.take(out=...) with the default
# mode='raise' gathers through a buffer, 2-3× slower (128 rows of 785: 77 µs against 23 µs)
_TAKE = "clip"


class Trainer(LiveChanges):
    """Trains ``net`` on (X, T) with ``settings``; validation data optional.

    ``X``/``T`` are already preprocessed, shapes (n, n_in) and (n, n_out).
    The history grows per epoch; ``stop_reason`` says why training ended.
    Passing an earlier ``history`` continues its epoch and update counters.
    The setters for changes mid-run come from :class:`LiveChanges`.
    """

    def __init__(
        self,
        net: Network,
        X,
        T,
        settings: TrainSettings,
        X_val=None,
        T_val=None,
        task: str = "classification",
        history: History | None = None,
    ):
        self.net = net
        dt = net.dtype
        self.X = np.ascontiguousarray(X, dtype=dt)
        self.T = np.ascontiguousarray(T, dtype=dt)
        if self.X.ndim != 2 or self.X.shape[1] != net.layer_sizes[0]:
            raise ValueError(
                f"the network has {net.layer_sizes[0]} inputs but the data has "
                f"{self.X.shape[1] if self.X.ndim == 2 else '?'} features"
            )
        if self.T.ndim != 2 or self.T.shape != (len(self.X), net.layer_sizes[-1]):
            raise ValueError(
                f"the network has {net.layer_sizes[-1]} outputs but the targets have shape {self.T.shape}"
            )
        if len(self.X) == 0:
            raise ValueError("the training set is empty")
        if not (np.isfinite(self.X).all() and np.isfinite(self.T).all()):
            raise ValueError("the training data contains NaN or infinite values")
        has_val = X_val is not None and len(X_val) > 0
        self.X_val = np.ascontiguousarray(X_val, dtype=dt) if has_val else None
        self.T_val = np.ascontiguousarray(T_val, dtype=dt) if has_val else None
        self.task = task
        self.settings = settings
        self.base_lr = settings.lr
        self.optimizer = make_optimizer(
            settings.optimizer, lr=settings.lr, weight_decay=settings.weight_decay, **settings.hyper
        )
        self.regularization = settings.regularization
        rates = list(getattr(net.spec, "dropout", []) or [])
        self.dropout_rates = rates if any(p > 0 for p in rates) else None
        self.last_masks = None  # the last update's dropout masks (for the canvas)
        self.last_batch = None  # that update's rows: (start, stop, order), see model.nn.dropout.dropped_units
        if settings.early_stopping is not None and not has_val:
            raise ValueError(
                "early stopping watches the validation loss: give the data a validation split "
                "(data.val_fraction > 0)"
            )
        self.stopper = EarlyStopper(settings.early_stopping) if settings.early_stopping is not None else None
        self.early_stop_message = ""
        self.rng = np.random.default_rng(settings.seed)
        # continuing an earlier run keeps its history and counters
        self.history = history if history is not None else History(net.n_layers)
        self.epoch = len(self.history)
        if not len(self.history.keyframes):  # the timeline starts at the initial weights
            self.history.keyframes.record(self.epoch, self.net.weights, self.net.biases)
        self.step = len(self.history.update_loss)
        self.stop_reason: str | None = None
        self.divergence_message = ""
        self.first_loss: float | None = (
            self.history.update_loss.first if len(self.history.update_loss) else None
        )
        self.last_grads: list[np.ndarray] | None = None
        self._good = net._flat.copy()  # the parameters at the last healthy epoch end
        self._start = net._flat.copy()  # the saturation test measures the distance from here
        # the divergence limit is fixed once the first loss is known; until then
        # it is -inf, so the first update takes the slow branch that sets it
        self._limit = -math.inf
        self._floor = divergence.loss_floor(net.spec.loss, self.T)
        if self.first_loss is not None:
            self._set_first_loss(self.first_loss)
        n = len(self.X)
        # inputs with a trailing ones column: each layer is one BLAS call (bias folded in)
        self._Xa = np.ones((n, self.X.shape[1] + 1), dt)
        self._Xa[:, :-1] = self.X
        self._set_batch_buffers(settings.batch_size)
        self._runner: UpdateRunner | None = None  # how updates run, measured (made at an epoch start)
        self.crowded = None  # see UpdateRunner.crowded (the GUI's worker sets it)
        # accuracy: predicted labels are written per update, compared once per epoch
        self._labels = self._pred = None
        if task == "classification":
            if self.T.shape[1] == 1:  # outputs kept: exactly 0.5 is undecided, not a class
                self._labels, self._pred = self.T[:, 0] > 0.5, np.empty(n, self.T.dtype)
            else:
                self._labels, self._pred = self.T.argmax(axis=1), np.empty(n, np.intp)

    def _set_batch_buffers(self, batch_size: int | None) -> None:
        n, dt = len(self.X), self.X.dtype
        self.batch_size = n if batch_size is None else min(batch_size, n)
        self._Xp = self._Tp = None
        if self.batch_size < n:
            self._xb = np.empty((self.batch_size,) + self.X.shape[1:], dt)
            self._tb = np.empty((self.batch_size,) + self.T.shape[1:], dt)
            if self._Xa.nbytes + self.T.nbytes <= _GATHER_EPOCH_BYTES:
                self._Xp, self._Tp = np.empty_like(self._Xa), np.empty_like(self.T)
            else:
                self._xab = np.empty((self.batch_size, self._Xa.shape[1]), dt)

    # ------------------------------------------------------------------ api
    @property
    def updates_per_epoch(self) -> int:
        return -(-len(self.X) // self.batch_size)

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    def batches(self):
        """Yield (X_batch, T_batch) for one epoch; arrays may be reused buffers."""
        n, bs = len(self.X), self.batch_size
        if bs >= n:
            yield self.X, self.T
            return
        order = self.rng.permutation(n)
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            if len(idx) == bs:
                np.take(self.X, idx, axis=0, out=self._xb, mode=_TAKE)
                np.take(self.T, idx, axis=0, out=self._tb, mode=_TAKE)
                yield self._xb, self._tb
            else:
                yield self.X[idx], self.T[idx]

    def updates(self):
        """Run one epoch, yielding ``(loss, lr, step, epoch)`` after each update.

        Stops early (returns) when the run diverges; then ``stop_reason`` is set
        and the weights are those of the last finite epoch end.  Big updates
        run in the measured fastest way (:mod:`model.train.update_modes`); a
        split's helper thread is joined when the epoch ends or the generator is closed.
        """
        runner = None
        if not self.dropout_rates:  # the runner (its tuner's measurements) is kept over epochs
            runner = UpdateRunner.reuse(self._runner, self.net.layer_sizes, self.batch_size, self.net.dtype)
            runner.crowded = self.crowded
            self._runner = runner
        try:
            yield from self._updates(runner if runner is not None and runner.needed else None)
        finally:
            if runner is not None:
                runner.close()

    @property
    def tuner(self):
        """The :class:`model.train.blas_tuner.UpdateTuner` choosing how updates run (None: no choice)."""
        return None if self._runner is None else self._runner.tuner

    def _updates(self, run):
        t0 = time.perf_counter()
        opt, net = self.optimizer, self.net
        opt.lr = float(self.settings.schedule.lr(self.base_lr, self.epoch))
        params = net.parameters()
        n, bs = len(self.X), self.batch_size
        grad = net.gradients_augmented
        add_loss, add_lr = self.history.update_loss.append, self.history.update_lr.append
        cls = self._labels is not None
        pred = self._pred
        if bs >= n:
            order = None
            Xs, Ts = self._Xa, self.T
        else:
            order = self.rng.permutation(n)
            if self._Xp is not None:  # small data: one gather per epoch, batches are slices
                np.take(self._Xa, order, axis=0, out=self._Xp, mode=_TAKE)
                np.take(self.T, order, axis=0, out=self._Tp, mode=_TAKE)
                Xs, Ts = self._Xp, self._Tp
        total = 0.0
        grads = None
        for start in range(0, n, bs):
            stop = min(start + bs, n)
            if order is None or self._Xp is not None:
                xb, tb = Xs[start:stop], Ts[start:stop]
            elif stop - start == bs:
                idx = order[start:stop]
                xb, tb = (
                    np.take(self._Xa, idx, axis=0, out=self._xab, mode=_TAKE),
                    np.take(self.T, idx, axis=0, out=self._tb, mode=_TAKE),
                )
            else:
                idx = order[start:stop]
                xb, tb = self._Xa[idx], self.T[idx]
            loss, grads = grad(xb, tb) if run is None else run.gradients(grad, xb, tb)
            if self.dropout_rates is not None:
                grads = self._dropout_gradients(xb, tb, grads)
                loss = self._dropout_loss
                self.last_batch = (start, stop, order)  # whose masks last_masks holds (the canvas)
            if self.regularization.active:
                add_penalty_gradient(self.regularization, net.weights, grads[: net.n_layers])
            if not loss <= self._limit:  # also NaN and ±inf
                if self.first_loss is None and math.isfinite(loss):
                    self._set_first_loss(loss)
                if not loss <= self._limit:
                    self._diverge(divergence.growth_reason(loss, self._limit))
                    return
            if cls:
                out = net.last_output
                if out.shape[1] == 1:
                    np.copyto(pred[start:stop], out[:, 0])
                else:
                    np.argmax(out, axis=1, out=pred[start:stop])
            opt = self.optimizer  # read per update: a live optimizer change applies at once
            opt.step(params, grads) if run is None else run.step(opt, params, grads)
            self.step += 1
            total += loss * (stop - start)
            lr = opt.lr
            add_loss(loss)
            add_lr(lr)
            yield loss, lr, self.step, self.epoch
        self.last_grads = grads
        flat = net._flat
        why = divergence.check_epoch(
            flat, self._start, total / n, self._floor, net.last_output, net.spec.activations[-1]
        )
        if why:
            self._diverge(why)
            return
        np.copyto(self._good, flat)
        acc = math.nan
        if cls:
            labels = self._labels if order is None else self._labels[order]
            acc = _correct(pred, labels) / n
        self.epoch += 1
        self._record_epoch(total / n, acc, time.perf_counter() - t0)

    def _dropout_gradients(self, xb, tb, grads):
        """The thinned network's gradients, written into the network's gradient buffer."""
        from model.nn.dropout import draw_masks, gradients_with_masks

        net = self.net
        masks = draw_masks(self.dropout_rates, net.layer_sizes[1:-1], len(xb), self.rng, net.dtype)
        loss, gW, gb, out = gradients_with_masks(net, xb[:, :-1], tb, masks)
        for g, src in zip(grads, gW + gb):
            g[...] = src
        net.last_output, self._dropout_loss, self.last_masks = out, loss, masks
        return grads

    def _set_first_loss(self, loss: float) -> None:
        self.first_loss = loss
        self._limit = divergence.loss_limit(self.settings.divergence_factor, loss, self._floor)

    def run_epoch(self) -> None:
        for _ in self.updates():
            pass

    def train(self, epochs: int | None = None, should_stop=None) -> str:
        """Train until the epoch limit (``epochs`` more, or the settings' limit),
        the target loss, divergence, or ``should_stop()`` returning True."""
        end = self.epoch + epochs if epochs is not None else self.settings.epochs
        while self.stop_reason is None:
            if self.epoch >= end:
                self.stop_reason = STOP_EPOCHS
                break
            if should_stop is not None and should_stop():
                self.stop_reason = STOP_USER
                break
            self.run_epoch()
        return self.stop_reason

    def evaluate(self, X, T) -> tuple[float, float]:
        """(loss, accuracy) on a data set; accuracy is NaN for regression."""
        if X is None or len(X) == 0:
            return math.nan, math.nan
        tr = self.net.forward(X)
        from model.nn.losses import loss_value

        loss = loss_value(self.net.spec.loss, tr.b[-1], tr.V[-1], T)
        acc = _count_correct(tr.V[-1], T) / len(X) if self.task == "classification" else math.nan
        return loss, acc

    # -------------------------------------------------------------- internal
    def _record_epoch(self, train_loss: float, train_acc: float, seconds: float) -> None:
        val_loss, val_acc = self.evaluate(self.X_val, self.T_val)
        gn = (
            [float(np.linalg.norm(gw)) for gw in self.last_grads[: self.net.n_layers]]
            if self.last_grads is not None
            else [math.nan] * self.net.n_layers
        )
        wn = [float(np.linalg.norm(w)) for w in self.net.weights]
        self.history.add_epoch(
            {
                "epoch": self.epoch,
                "train_loss": train_loss,
                "val_loss": val_loss,
                "train_acc": train_acc,
                "val_acc": val_acc,
                "lr": self.optimizer.lr,
                "updates": self.step,
                "seconds": seconds,
                "penalty": penalty(self.regularization, self.net.weights)
                if self.regularization.active
                else 0.0,
            },
            gn,
            wn,
        )
        self.history.keyframes.record(self.epoch, self.net.weights, self.net.biases, train_loss)
        target = self.settings.target_loss
        if target is not None and train_loss <= target:
            self.stop_reason = STOP_TARGET
        if self.stopper is not None and self.stop_reason is None:
            self._check_early_stop(val_loss)

    def _check_early_stop(self, val_loss: float) -> None:
        st = self.stopper
        if not st.update(self.epoch, val_loss, self.net._flat):
            return
        self.stop_reason = STOP_EARLY
        if st.restore(self.net._flat):
            np.copyto(self._good, self.net._flat)
            self.early_stop_message = f"stopped early at epoch {self.epoch}, restored epoch {st.best_epoch}"
        else:
            self.early_stop_message = (
                f"stopped early at epoch {self.epoch} (best epoch {st.best_epoch}, not restored)"
            )
        self.history.mark("early_stop", self.early_stop_message)

    def _diverge(self, why: str) -> None:
        saturated = why.startswith(divergence.SATURATED)
        np.copyto(self.net._flat, self._start if saturated else self._good)
        self.stop_reason = STOP_DIVERGED
        self.divergence_message = (
            f"training diverged at epoch {self.epoch + 1} ({why}); "
            f"learning rate {self.optimizer.lr:g} is probably too large. "
            + (
                "The starting weights were restored."
                if saturated
                else "The weights from the last healthy epoch were kept."
            )
        )
        self.history.mark("diverged", self.divergence_message)
