"""The multilayer perceptron: a = x @ W + b per layer, V = g(a).

Per layer ℓ (0-based here, 1-based ``Wℓ`` in exports): ``weights[l]`` has shape
(layer_sizes[l], layer_sizes[l+1]), ``biases[l]`` (layer_sizes[l+1],). The
lecture's threshold θ is −bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.nn import activations, backprop, losses
from model.nn.spec import NetworkSpec

__all__ = ["NetworkSpec", "Network", "Trace", "Backward", "MAX_PARAMS"]

#: Largest network built: parameters, gradients and optimizer state together
#: then stay around 2 GB in float64 (the spec alone allows 32 × 4096² weights).
MAX_PARAMS = 50_000_000
#: predict() runs its rows in blocks of this many: all 48,000 MNIST-size training rows at
#: once (the worker's dataset-view refresh) took 0.4-1.1 s and a ~300 MB trace, in
#: blocks 0.39-0.49 s and a few MB; each row's outputs come from the same products
PREDICT_ROWS = 2048


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
        if spec.n_params > MAX_PARAMS:  # refuse before allocating anything
            raise ValueError(
                f"the network has {spec.n_params:,} parameters; at most {MAX_PARAMS:,} "
                "are allowed (use fewer or narrower hidden layers)"
            )
        self.spec = spec
        self.dtype = np.dtype(spec.dtype)
        W0, b0 = initial_parameters(spec)
        # all parameters live in one flat buffer, layer by layer as [W; b] blocks
        # of shape (n_in + 1, n_out); weights/biases are views into it (write in
        # place). Gradients use the same layout, so an optimizer can update every
        # parameter with a few whole-buffer NumPy calls.
        self._flat, self.weights, self.biases = _flat_layout(spec.layer_sizes, self.dtype)
        self._gflat, gW, gb = _flat_layout(spec.layer_sizes, self.dtype)
        self._grads = gW + gb
        self._views = backprop.LayerViews(self._flat, self._gflat, spec.layer_sizes)
        for l in range(len(W0)):
            self.weights[l][...] = W0[l]
            self.biases[l][...] = b0[l]
        self.last_output = None
        if weights is not None or biases is not None:
            self.set_parameters(
                weights if weights is not None else self.weights,
                biases if biases is not None else self.biases,
            )
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
            raise ValueError(
                f"expected {L} weight matrices and {L} bias vectors, got {len(weights)} and {len(biases)}"
            )
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
        return Network(self.spec, [w.copy() for w in self.weights], [b.copy() for b in self.biases])

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
        """Network outputs, shape (n, layer_sizes[-1]) (in blocks of PREDICT_ROWS rows)."""
        X = self._as_input(X)
        n = len(X)
        if n <= PREDICT_ROWS:
            return self.forward(X).output
        out = np.empty((n, self.layer_sizes[-1]), self.dtype)
        for start in range(0, n, PREDICT_ROWS):
            out[start : start + PREDICT_ROWS] = self.forward(X[start : start + PREDICT_ROWS]).output
        return out

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
        into reused buffers. Returns the loss and the gradient list ordered like
        :meth:`parameters` (views of one flat buffer, overwritten by the next call)."""
        buf = self.batch_buffers(len(X))
        buf.Xa[:, :-1] = X
        return self.gradients_augmented(buf.Xa, T, buf)

    def batch_buffers(self, n: int) -> "_Buffers":
        """The reusable work arrays for batches of ``n`` samples (cached)."""
        buf = self._buffers.get(n)
        if buf is None:
            if len(self._buffers) > 4:  # only full and last partial batch sizes recur
                self._buffers.clear()
            buf = self._buffers[n] = _Buffers(self.spec.layer_sizes, n, self.dtype)
        return buf

    def gradients_augmented(self, Xa: np.ndarray, T: np.ndarray, buf: "_Buffers | None" = None, pair=None):
        """:meth:`gradients_into` for inputs that already carry a trailing column
        of ones (n, n_in + 1), so the first layer is one BLAS call ``[X 1] @ [W; b]``
        forward and one ``[X 1]ᵀ @ δ`` for both ∂E/∂W and ∂E/∂b (the layer loop is
        :func:`model.nn.backprop.gradients`). ``Xa``/``T`` must have the network's
        dtype. The batch outputs stay in ``last_output``. ``pair``: a started
        :class:`model.nn.parallel_update.PairWorker` to compute the big products
        two at a time (the same results)."""
        n = len(Xa)
        if buf is None or buf.n != n:
            buf = self.batch_buffers(n)
        loss = backprop.gradients(
            np.dot, Xa, T, self._views, buf, self.spec.activations, self.spec.loss, pair
        )
        self.last_output = buf.Y
        return loss, self._grads

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


class _Buffers(backprop.LayerBuffers):
    """:class:`~model.nn.backprop.LayerBuffers` plus ``Xa``, the augmented
    inputs (n, n_in + 1) that :meth:`Network.gradients_into` fills."""

    def __init__(self, sizes: list[int], n: int, dtype):
        super().__init__(sizes, n, dtype)
        self.Xa = np.ones((n, sizes[0] + 1), dtype)


def _flat_layout(sizes: list[int], dtype):
    """One flat zeroed buffer with per-layer (n_in + 1, n_out) blocks [W; b]."""
    flat = np.zeros(sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])), dtype)
    Ws, bs, off = [], [], 0
    for a, b in zip(sizes[:-1], sizes[1:]):
        block = flat[off : off + (a + 1) * b].reshape(a + 1, b)
        Ws.append(block[:a])
        bs.append(block[a])
        off += (a + 1) * b
    return flat, Ws, bs


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
