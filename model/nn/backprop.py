"""The training fast path's layer loop, shared by one network and a stack of runs.

One network (:meth:`Network.gradients_augmented`) works on (n, k) arrays with
``np.dot``; K stacked runs (:mod:`model.train.batched`) on (K, n, k) arrays
with ``np.matmul`` over the leading run axis.  The maths is the same, so the
loop lives here once and the two callers differ only in ``mm`` and in the
shapes of the :class:`LayerViews` and :class:`LayerBuffers` they pass.

Layout: parameters are [W; b] blocks (n_in + 1, n_out) (a leading run axis
when stacked).  The first layer's inputs carry a trailing ones column, so
that layer is one BLAS call with the bias folded in, and its ∂E/∂[W; b] one
more.  Hidden activations stay *contiguous* (n, k) arrays with the bias added
separately: an element-wise ufunc over a strided (n, k) view of an (n, k + 1)
array runs an inner loop per row (measured 45 µs instead of 6.5 µs for a
16 × 200 × 8 float64 multiply), and for small layers those loops cost more
than the matmuls.
"""

from __future__ import annotations

import numpy as np

from model.nn import activations, losses, parallel_update

__all__ = ["LayerViews", "LayerBuffers", "gradients", "run_groups"]


class LayerViews:
    """Per-layer views of one parameter buffer and one gradient buffer laid out
    as [W; b] blocks: ``aug`` the blocks, ``W``/``b`` weights and bias rows
    (``b`` broadcasts over the sample axis), ``WT`` the weights transposed,
    ``WTc`` contiguous copies of ``WT`` for small layers (else None),
    ``gaug``/``gW``/``gb`` the same for the gradients.  ``flat``/``gflat``
    are (P,) for one network or (K, P) for K runs."""

    def __init__(self, flat: np.ndarray, gflat: np.ndarray, sizes: list[int]):
        lead = flat.shape[:-1]
        self.aug, self.gaug, off = [], [], 0
        for a, b in zip(sizes[:-1], sizes[1:]):
            span = (a + 1) * b
            self.aug.append(flat[..., off : off + span].reshape(lead + (a + 1, b)))
            self.gaug.append(gflat[..., off : off + span].reshape(lead + (a + 1, b)))
            off += span
        self.W = [a[..., :-1, :] for a in self.aug]
        self.b = [a[..., -1:, :] for a in self.aug]
        self.WT = [np.swapaxes(w, -1, -2) for w in self.W]
        # small layers: matmul with a transposed view per run is ~2.5× slower than
        # copying Wᵀ contiguous first (16 runs of 8×8: 26 µs against 1 + 10 µs); for
        # large layers the copy costs more than it saves.  One network copies too, so
        # both run the same BLAS kernel and stacked runs equal sequential ones
        self.WTc = [
            np.empty(w.shape, w.dtype) if w.shape[-1] * w.shape[-2] <= 1024 else None for w in self.WT
        ]
        self.gW = [g[..., :-1, :] for g in self.gaug]
        self.gb = [g[..., -1:, :] for g in self.gaug]  # (…, 1, n_out): the output of 1ᵀ·D


class LayerBuffers:
    """Work arrays for batches of ``n`` samples (a leading ``lead`` axis when
    stacked): ``Z`` pre-activations, ``V`` hidden activations (``VT`` their
    transposes), ``Y`` outputs, ``D`` ∂E/∂Z per layer, ``G`` g′ scratch,
    ``ones`` a (1, n) row (bias gradients are ``ones @ D``)."""

    def __init__(self, sizes: list[int], n: int, dtype, lead: tuple[int, ...] = ()):
        outs = sizes[1:]
        self.n, self.lead = n, lead
        self.ones = np.ones((1, n), dtype)
        self.Z = [np.empty(lead + (n, k), dtype) for k in outs]
        self.V = [np.empty(lead + (n, k), dtype) for k in outs[:-1]]
        self.VT = [np.swapaxes(v, -1, -2) for v in self.V]
        self.Y = np.empty(lead + (n, outs[-1]), dtype)
        self.D = [np.empty(lead + (n, k), dtype) for k in outs]
        self.G = [np.empty(lead + (n, k), dtype) for k in outs]
        self.tiles = [_bias_tile(Z, dtype) if lead and l else None for l, Z in enumerate(self.Z)]
        self.groups: dict[int, tuple] = {}  # per hidden layer: run groups' views (_group_views)
        self._T: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._pad: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def padded(self, l: int, WT: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Zero-padded (…, n, 2) and (…, 2, n_in) scratch for a layer ``l`` of one
        unit (its ∂E/∂Z and Wᵀ go in the first column and row; the others stay 0)."""
        pair = self._pad.get(l)
        if pair is None:
            pair = self._pad[l] = (
                np.zeros(self.lead + (self.n, 2), WT.dtype),
                np.zeros(self.lead + (2, WT.shape[-1]), WT.dtype),
            )
        return pair

    def transposed(self, l: int) -> tuple[np.ndarray, np.ndarray]:
        """Contiguous (…, k, n) scratch for ∂E/∂Z of layer ``l`` and of the layer below."""
        pair = self._T.get(l)
        if pair is None:
            sw = [np.empty(self.lead + (d.shape[-1], self.n), d.dtype) for d in (self.D[l], self.D[l - 1])]
            pair = self._T[l] = (sw[0], sw[1])
        return pair


def _bias_tile(Z: np.ndarray, dtype):
    """For stacked (K, n, k) pre-activations of a narrow layer: a (K, 1, t·k)
    row holding the bias t times and Z seen as (K, n/t, t·k), so the bias add
    runs inner loops of t·k elements instead of k (16 runs of 200 × 8:
    15 µs broadcast against 8.7 in all); None where k is wide enough already,
    or where t would be the whole batch (16 runs of 10 × 8: the copy does the
    broadcast's work again, 2.1 µs against 1.6)."""
    K, n, k = Z.shape
    if k > 16:
        return None
    t = max(d for d in range(1, max(1, 256 // k) + 1) if n % d == 0)
    if t == 1 or t == n:  # one row of the whole batch: copying it costs as much as the add
        return None
    return np.empty((K, 1, t * k), dtype), Z.reshape(K, n // t, t * k)


def run_groups(run_acts) -> list:
    """Per layer, the activation of K stacked runs (``run_acts[k]`` run k's list):
    a name when every run has the same, else ((slice of runs, name), ...) for
    each stretch of consecutive runs sharing one (see :func:`gradients`)."""
    out = []
    for layer in zip(*run_acts):
        if all(a == layer[0] for a in layer):
            out.append(layer[0])
            continue
        groups, start = [], 0
        for k in range(1, len(layer) + 1):
            if k == len(layer) or layer[k] != layer[start]:
                groups.append((slice(start, k), layer[start]))
                start = k
        out.append(tuple(groups))
    return out


def _group_views(buf: "LayerBuffers", l: int, groups) -> tuple:
    """Hidden layer ``l``'s run groups as (activation, Z, V, G views), made once per
    buffer set: per group and update the slicing would cost more than the ufuncs."""
    got = buf.groups.get(l)
    if got is None or got[0] is not groups:
        views = tuple(
            (activations.TABLE[a], buf.Z[l][rows], buf.V[l][rows], buf.G[l][rows]) for rows, a in groups
        )
        got = buf.groups[l] = (groups, views)
    return got[1]


def gradients(mm, Xa, T, p: LayerViews, buf: LayerBuffers, acts, kind: str, pair=None):
    """Forward and backward pass: ∂(mean loss)/∂[W; b] into ``p.gaug``, outputs
    into ``buf.Y``; returns the mean loss (a float, or (K,) for stacked runs).

    ``mm`` is ``np.dot`` for one network, ``np.matmul`` for a stack; ``Xa``
    (n, n_in + 1) the inputs with a ones column, ``T`` (n, n_out) the targets,
    both of the parameters' dtype.  ``acts[l]`` is layer l's activation name,
    or for a stack whose runs differ in a hidden layer's activation the
    :func:`run_groups` entry ((runs, name), ...); the output layer's is a name.  ``pair`` (one network only): a
    :class:`model.nn.parallel_update.PairWorker` that computes half of the big
    products at the same time, with the same bits."""
    L = len(acts)
    # softmax + cross-entropy: the loss reuses the softmax's max and normaliser
    fused = kind == "cross_entropy" and acts[-1] == "softmax"
    A, first = Xa, 0
    if buf.n < 2 or buf.lead:
        pair = None
    if pair is not None and L > 1:  # the hidden layers on the two halves of the rows at once
        h = buf.n // 2
        pair.submit(_hidden_rows, mm, Xa, p, buf, acts, 0, h)
        _hidden_rows(mm, Xa, p, buf, acts, h, buf.n)
        pair.wait()
        A, first = buf.V[L - 2], L - 1
    for l in range(first, L):
        Z = buf.Z[l]
        if l == 0:
            mm(A, p.aug[0], out=Z)
        else:
            mm(A, p.W[l], out=Z)
            tile = buf.tiles[l] if buf.lead else None
            if tile is None:
                Z += p.b[l]
            else:
                row, Zt = tile
                np.copyto(row.reshape(Z.shape[0], -1, Z.shape[-1]), p.b[l])
                Zt += row
        out = buf.V[l] if l < L - 1 else buf.Y
        if l == L - 1 and fused:
            loss = _softmax_cross_entropy(Z, T, out)
        elif acts[l].__class__ is str:
            activations.forward(acts[l], Z, out=out)
        else:  # contiguous run slices: views, no copies; element-wise, so the same bits
            for g, Zg, Vg, _ in _group_views(buf, l, acts[l]):
                g.forward(Zg, Vg)
        A = out
    Z, Y, D = buf.Z[-1], buf.Y, buf.D[-1]
    # D = ∂(mean loss)/∂Z = −δ/n: the 1/n and the sign are applied once here
    inv_n = 1.0 / max(buf.n, 1)
    np.subtract(Y, T, out=D)
    if kind == "mse":
        loss = _half_sq(D) * inv_n
        if acts[-1] != "linear":
            D *= activations.derivative(acts[-1], Z, Y, out=buf.G[-1])
        D *= inv_n
    else:
        if not fused:
            loss = run_loss(kind, Z, T)
        D *= inv_n / Y.shape[-1] if kind == "bce" else inv_n
    for l in range(L - 1, 0, -1):
        # ∂E/∂W of this layer and δ of the one below are independent: with a pair, at once
        both = pair is not None and buf.n * p.W[l].size >= _pair_min()
        if both:
            pair.submit(_weight_grads, mm, buf.VT[l - 1], D, p.gW[l], buf.ones, p.gb[l])
        else:
            _weight_grads(mm, buf.VT[l - 1], D, p.gW[l], buf.ones, p.gb[l])
        Dp = buf.D[l - 1]
        WT = p.WT[l]
        if p.WTc[l] is not None:
            if buf.lead and D.shape[-1] == 1:
                # a stacked layer of one unit: numpy's matmul does not call BLAS for an
                # inner dimension of 1 (16 runs of 200×1 · 1×8: 60 µs); padded to 2 by a
                # zero column and a zero row it does (5 µs), and d·w + 0·0 = d·w.  Wᵀ
                # goes straight into the padding's row: the same values as ``WTc``
                Dz, Wz = buf.padded(l, WT)
                np.copyto(Dz[..., :1], D)
                np.copyto(Wz[..., :1, :], WT)
                WT, D = Wz, Dz
            else:
                WT = p.WTc[l]
                np.copyto(WT, p.WT[l])
            mm(D, WT, out=Dp)
        elif buf.lead:
            # large stacked layers: (W · Dᵀ)ᵀ on contiguous copies, the same bits as
            # D · Wᵀ, whose transposed-B gemm is ~45 % slower here (16 runs of
            # 32 × 64 · 64 × 128: 222 µs against 12 + 151 µs + the copy back)
            DT, DpT = buf.transposed(l)
            np.copyto(DT, np.swapaxes(D, -1, -2))
            mm(p.W[l], DT, out=DpT)
            np.copyto(Dp, np.swapaxes(DpT, -1, -2))
        else:
            mm(D, WT, out=Dp)
        a = acts[l - 1]
        if a.__class__ is not str:  # g′ per run group, then one product
            for g, Zg, Vg, Gg in _group_views(buf, l - 1, a):
                g.derivative(Zg, Vg, Gg)
            Dp *= buf.G[l - 1]
        elif a != "linear":
            Dp *= activations.derivative(a, buf.Z[l - 1], buf.V[l - 1], out=buf.G[l - 1])
        if both:
            pair.wait()
        D = Dp
    g0 = p.gaug[0]
    if pair is not None and buf.n * g0.size >= _pair_min():  # two row blocks of ∂E/∂[W; b]
        m = g0.shape[0] // 2
        pair.submit(mm, Xa[:, :m].T, D, out=g0[:m])
        mm(Xa[:, m:].T, D, out=g0[m:])
        pair.wait()
    else:
        mm(Xa.T, D, out=g0)
    return loss


def _hidden_rows(mm, Xa, p: LayerViews, buf: LayerBuffers, acts, r0: int, r1: int) -> None:
    """One network's hidden layers (all but the output) on batch rows r0:r1, into
    those rows of the buffers (row blocks of C-ordered arrays: contiguous)."""
    A = Xa[r0:r1]
    for l in range(len(acts) - 1):
        Z = buf.Z[l][r0:r1]
        if l == 0:
            mm(A, p.aug[0], out=Z)
        else:
            mm(A, p.W[l], out=Z)
            Z += p.b[l]
        A = buf.V[l][r0:r1]
        activations.forward(acts[l], Z, out=A)


def _weight_grads(mm, VT, D, gW, ones, gb) -> None:
    mm(VT, D, out=gW)
    mm(ones, D, out=gb)  # Σ over samples: BLAS, 5-7× faster than np.sum(axis=-2) here


def _pair_min() -> int:
    return 0 if parallel_update.FORCE else parallel_update.PAIR_MIN_MACS


def _half_sq(D: np.ndarray):
    """½·Σ D² over each run's (n, k) block: a float, or (K,)."""
    if D.ndim == 2:
        return 0.5 * float(np.vdot(D, D))
    Dr = D.reshape(len(D), -1)  # one gufunc call (einsum parses its subscripts each time)
    return 0.5 * np.vecdot(Dr, Dr).astype(np.float64, copy=False)


def _softmax_cross_entropy(Z: np.ndarray, T: np.ndarray, Y: np.ndarray):
    """Softmax of ``Z`` into ``Y`` and the mean cross-entropy: a float for one
    network (n, k), (K,) float64 per run for a stack (K, n, k).  The same
    operations, in the same order, as the activation's softmax followed by
    :func:`run_loss` (so the same bits), but the max, the exponentials and
    their sums computed once (digits, 16 runs: ~100 → ~55 µs)."""
    m = Z.max(axis=-1, keepdims=True)
    np.subtract(Z, m, out=Y)
    np.exp(Y, out=Y)
    s = Y.sum(axis=-1, keepdims=True)
    Y /= s
    lse = m + np.log(s)
    if Z.ndim == 2:  # one network: as losses.loss_value
        return float(np.sum(T * (lse - Z))) / max(len(T), 1)
    return ((T * (lse - Z)).sum(axis=(1, 2)) / max(len(T), 1)).astype(np.float64, copy=False)


def run_loss(kind: str, Z: np.ndarray, T: np.ndarray):
    """Mean bce / cross-entropy loss from the output pre-activations ``Z``
    (..., n, k), as :func:`model.nn.losses.loss_value`: a float for one
    network, (K,) float64 for a stack."""
    if Z.ndim == 2:
        return losses.loss_value(kind, Z, None, T)
    n = max(len(T), 1)
    if kind == "bce":
        return (np.logaddexp(0.0, Z) - T * Z).mean(axis=(1, 2)).astype(np.float64)
    m = Z.max(axis=2, keepdims=True)
    lse = m + np.log(np.exp(Z - m).sum(axis=2, keepdims=True))
    return ((T * (lse - Z)).sum(axis=(1, 2)) / n).astype(np.float64)
