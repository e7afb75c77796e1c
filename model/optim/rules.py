"""The update rules of the six optimizers and adamw (``torch.optim`` semantics,
see :mod:`model.optim.optimizers`), each an :class:`Optimizer` subclass whose
``_update`` writes into reused scratch and state arrays."""

from __future__ import annotations

import math

import numpy as np

from model.nn import blas_level1
from model.optim.optimizer_base import Optimizer


def _fusable(*arrays) -> bool:
    """All C-contiguous and writeable (state loaded from a file might not be)."""
    return all(a.flags.c_contiguous and a.flags.writeable for a in arrays)


class SGD(Optimizer):
    name = "sgd"

    def _update(self, params, grads, scratch, state):
        lr = self._lr
        for p, g, s in zip(params, grads, scratch):
            if self._level1 and _fusable(p, g):
                blas_level1.axpy(-lr, g, p)  # p += (−lr)·g, fused (torch: add_(g, alpha=−lr))
                continue
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
            fused = self._level1 and not self.nesterov and _fusable(p, g, buf)
            if first:
                np.copyto(buf, g)  # torch: buf = clone(grad)
            elif fused:  # the same bits as the two ufuncs, in two threaded passes
                blas_level1.scal(mu, buf)
                blas_level1.axpy(1.0, g, buf)
            else:
                np.multiply(buf, mu, out=buf)
                np.add(buf, g, out=buf)
            if fused:
                blas_level1.axpy(-lr, buf, p)  # fused, as torch's add_(buf, alpha=−lr)
                continue
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
        # (lr/bc₁) / (√v/√bc₂ + eps) as (lr/bc₁·√bc₂) / (√v + eps·√bc₂): the same
        # step, one whole-array pass fewer (13 → 12; the step is ~30 % of an MNIST-size update)
        top, eps_bc2 = step_size * bc2_sqrt, eps * bc2_sqrt
        st = state
        for p, g, s, m, v, eff in zip(params, grads, scratch, st["m"], st["v"], st["effective_step"]):
            np.multiply(m, b1, out=m)
            np.multiply(g, 1.0 - b1, out=s)
            np.add(m, s, out=m)
            np.multiply(v, b2, out=v)
            np.multiply(g, g, out=s)
            np.multiply(s, 1.0 - b2, out=s)
            np.add(v, s, out=v)
            np.sqrt(v, out=s)
            np.add(s, eps_bc2, out=s)
            np.divide(top, s, out=eff)
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
