"""The multilayer perceptron: a = x @ W + b per layer, V = g(a).

Per layer ℓ (0-based here, 1-based ``Wℓ`` in exports): ``weights[l]`` has shape
(layer_sizes[l], layer_sizes[l+1]), ``biases[l]`` (layer_sizes[l+1],). The
lecture's threshold θ is −bias.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations, losses
from .spec import NetworkSpec

__all__ = ["NetworkSpec", "Network", "Trace", "Backward"]


@dataclass
class Trace:
    """Forward pass record. ``V[0]`` is the input (n, n_in); for layer l
    (0-based), ``b[l]`` is the pre-activation and ``V[l+1] = g(b[l])``."""

    b: list[np.ndarray]
    V: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.V[-1]


@dataclass
class Backward:
    """Backward pass record: ``deltas[l]`` = −∂(n·E)/∂b[l] per sample (the
    lecture's δ sign), gradients of the *mean* loss ``grad_W``/``grad_b``."""

    loss: float
    deltas: list[np.ndarray]
    grad_W: list[np.ndarray]
    grad_b: list[np.ndarray]


class Network:
    """A fully connected feed-forward network built from a :class:`NetworkSpec`.

    Explicit ``weights``/``biases`` (lists of arrays) override the initialiser.
    """

    def __init__(self, spec: NetworkSpec, weights=None, biases=None):
        spec.validate()
        self.spec = spec
        self.dtype = np.dtype(spec.dtype)
        self.weights, self.biases = initial_parameters(spec)
        if weights is not None or biases is not None:
            self.set_parameters(weights if weights is not None else self.weights,
                                biases if biases is not None else self.biases)
        self._buffers: dict[int, _Buffers] = {}

    # ----------------------------------------------------------------- params
    @property
    def layer_sizes(self) -> list[int]:
        return self.spec.layer_sizes

    @property
    def n_layers(self) -> int:
        return self.spec.n_layers

    def parameters(self) -> list[np.ndarray]:
        """Weights then biases, the live arrays (optimizers update them in place)."""
        return self.weights + self.biases

    def set_parameters(self, weights, biases) -> None:
        """Replace all weights and biases, checking shapes and finiteness."""
        sizes = self.spec.layer_sizes
        L = len(sizes) - 1
        if len(weights) != L or len(biases) != L:
            raise ValueError(f"expected {L} weight matrices and {L} bias vectors, got "
                             f"{len(weights)} and {len(biases)}")
        new_w, new_b = [], []
        for l in range(L):
            w = np.array(weights[l], dtype=self.dtype)
            b = np.array(biases[l], dtype=self.dtype).reshape(-1)
            want = (sizes[l], sizes[l + 1])
            if w.shape != want:
                raise ValueError(f"W{l + 1}: expected shape {want}, got {w.shape}")
            if b.shape != (sizes[l + 1],):
                raise ValueError(f"b{l + 1}: expected shape ({sizes[l + 1]},), got {b.shape}")
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise ValueError(f"layer {l + 1} contains NaN or infinite values")
            new_w.append(w)
            new_b.append(b)
        # write in place so optimizers and views holding the arrays stay valid
        for l in range(L):
            self.weights[l][...] = new_w[l]
            self.biases[l][...] = new_b[l]

    def copy(self) -> "Network":
        return Network(self.spec, [w.copy() for w in self.weights],
                       [b.copy() for b in self.biases])

    # ---------------------------------------------------------------- forward
    def forward(self, X) -> Trace:
        """Full forward trace for inputs X (n, n_in); fresh arrays."""
        X = self._as_input(X)
        bs, Vs = [], [X]
        for W, bias, act in zip(self.weights, self.biases, self.spec.activations):
            b = Vs[-1] @ W
            b += bias
            bs.append(b)
            Vs.append(activations.forward(act, b))
        return Trace(bs, Vs)

    def predict(self, X) -> np.ndarray:
        """Network outputs, shape (n, layer_sizes[-1])."""
        return self.forward(X).output

    def loss(self, X, T) -> float:
        tr = self.forward(X)
        return losses.loss_value(self.spec.loss, tr.b[-1], tr.V[-1], self._as_target(T, len(tr.V[0])))

    # --------------------------------------------------------------- backward
    def backward(self, trace: Trace, T) -> Backward:
        """Error signals δ of every layer and gradients of the mean loss."""
        T = self._as_target(T, len(trace.V[0]))
        n = max(len(T), 1)
        acts = self.spec.activations
        L = self.n_layers
        deltas: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        gW: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        gb: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        loss = losses.loss_value(self.spec.loss, trace.b[-1], trace.V[-1], T)
        d = losses.output_delta(self.spec.loss, acts[-1], trace.b[-1], trace.V[-1], T)
        for l in range(L - 1, -1, -1):
            deltas[l] = d
            gW[l] = trace.V[l].T @ d
            gW[l] *= -1.0 / n
            gb[l] = d.sum(axis=0)
            gb[l] *= -1.0 / n
            if l > 0:
                d = d @ self.weights[l].T
                d *= activations.derivative(acts[l - 1], trace.b[l - 1], trace.V[l])
        return Backward(loss, deltas, gW, gb)

    def loss_and_gradients(self, X, T):
        """(loss, grad_W, grad_b) of the mean loss over the batch; fresh arrays."""
        bw = self.backward(self.forward(X), T)
        return bw.loss, bw.grad_W, bw.grad_b

    def gradients_into(self, X: np.ndarray, T: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """Fast path for training: same maths as :meth:`loss_and_gradients` but
        into reused buffers. ``X``/``T`` must already have the network's dtype.
        Returns the loss and the gradient list ordered like :meth:`parameters`
        (overwritten by the next call)."""
        n = len(X)
        buf = self._buffers.get(n)
        if buf is None:
            if len(self._buffers) > 4:  # only full and last partial batch sizes recur
                self._buffers.clear()
            buf = self._buffers[n] = _Buffers(self.spec.layer_sizes, n, self.dtype)
        acts = self.spec.activations
        V = X
        for l, (W, bias) in enumerate(zip(self.weights, self.biases)):
            np.dot(V, W, out=buf.b[l])
            buf.b[l] += bias
            V = activations.forward(acts[l], buf.b[l], out=buf.V[l])
        self.last_output = V  # the batch outputs, for accuracy without another pass
        L = self.n_layers
        loss = losses.loss_value(self.spec.loss, buf.b[-1], V, T)
        d = losses.output_delta(self.spec.loss, acts[-1], buf.b[-1], V, T, out=buf.d[-1])
        scale = -1.0 / max(n, 1)
        for l in range(L - 1, -1, -1):
            Vprev = X if l == 0 else buf.V[l - 1]
            np.dot(Vprev.T, d, out=buf.gW[l])
            buf.gW[l] *= scale
            np.sum(d, axis=0, out=buf.gb[l])
            buf.gb[l] *= scale
            if l > 0:
                nd = buf.d[l - 1]
                np.dot(d, self.weights[l].T, out=nd)
                nd *= activations.derivative(acts[l - 1], buf.b[l - 1], buf.V[l - 1], out=buf.g[l - 1])
                d = nd
        return loss, buf.grads

    # ---------------------------------------------------------------- helpers
    def _as_input(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"inputs must have shape (n, {self.layer_sizes[0]}), got {X.shape}")
        return X

    def _as_target(self, T, n: int) -> np.ndarray:
        T = np.asarray(T, dtype=self.dtype)
        if T.ndim == 1:
            T = T.reshape(n, -1) if n else T.reshape(0, self.layer_sizes[-1])
        if T.shape != (n, self.layer_sizes[-1]):
            raise ValueError(f"targets must have shape ({n}, {self.layer_sizes[-1]}), got {T.shape}")
        return T


class _Buffers:
    """Preallocated per-batch-size arrays for :meth:`Network.gradients_into`."""

    def __init__(self, sizes: list[int], n: int, dtype):
        outs = sizes[1:]
        self.b = [np.empty((n, k), dtype) for k in outs]
        self.V = [np.empty((n, k), dtype) for k in outs]
        self.d = [np.empty((n, k), dtype) for k in outs]
        self.g = [np.empty((n, k), dtype) for k in outs]
        self.gW = [np.empty((sizes[i], sizes[i + 1]), dtype) for i in range(len(outs))]
        self.gb = [np.empty(k, dtype) for k in outs]
        self.grads = self.gW + self.gb


def initial_parameters(spec: NetworkSpec) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Seeded initial weights (per ``spec.init``) and zero biases."""
    rng = np.random.default_rng(spec.seed)
    dtype = np.dtype(spec.dtype)
    Ws, bs = [], []
    for fan_in, fan_out in zip(spec.layer_sizes[:-1], spec.layer_sizes[1:]):
        if spec.init == "xavier":
            r = np.sqrt(6.0 / (fan_in + fan_out))
            W = rng.uniform(-r, r, size=(fan_in, fan_out))
        elif spec.init == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        elif spec.init == "uniform":
            W = rng.uniform(-spec.init_range, spec.init_range, size=(fan_in, fan_out))
        else:
            W = np.zeros((fan_in, fan_out))
        Ws.append(W.astype(dtype))
        bs.append(np.zeros(fan_out, dtype))
    return Ws, bs
