"""Step-through mode: the lecture's Algorithm 4, one readable stage at a time.

``StepThrough(net, X, T, indices, lr)`` runs the real :class:`Network`
forward and backward pass on the batch ``X[indices]`` once and cuts the
numbers into a list of :class:`Stage` records:

1. ``input``        apply pattern x^(μ) to the input layer, V⁽⁰⁾ ← x^(μ)
2. ``forward``      one stage per layer ℓ = 1…L: b = Σ w·V − θ, V = g(b)
3. ``output_error`` δ^(L) = g′(b)(t − V) (bce / softmax+cross-entropy: as
                    ``model.nn.losses.output_delta`` defines it; the text says so)
4. ``backward``     one stage per layer ℓ = L−1…1: δ^(ℓ) = g′(b) Σᵢ δᵢ^(ℓ+1) wᵢⱼ
5. ``update``       Δw = η·δ·V, Δθ = −η·δ (a batch: averaged, Δw = −η ∂E/∂w)
6. ``new_weights``  w ← w + Δw, θ ← θ + Δθ

Stages 1–4 repeat for every pattern of a batch, for at most
``max_patterns_shown`` of them (the rest still count in the average).
Stepping to the end equals ONE plain-SGD update at learning rate η on the
batch (``Trainer`` with ``TrainSettings(optimizer="sgd", lr=η,
batch_size=len(indices))``). The lecture's threshold θ is −bias.

Layer numbering: ``Stage.layer`` and the per-layer lists ``node_values``,
``b`` and ``deltas`` use *node* layers 0 (input) … L (output), like the
canvas; ``edge_values``, ``grad_W`` and ``delta_W`` are per *weight* layer
0 … L−1 (``weights[l]`` connects node layer l to l+1).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from model.nn.network import Network
from model.teaching import stepthrough_equations as eqs
from model.teaching.stepthrough_hover import describe_edge, describe_node
from model.teaching.stepthrough_text import Symbols, num

__all__ = ["Stage", "StepThrough", "describe_node", "describe_edge", "KINDS"]

KINDS = ("input", "forward", "output_error", "backward", "update", "new_weights")
Arrays = list  # list[np.ndarray | None]


@dataclass
class Stage:
    """One step of Algorithm 4. Arrays are copies; None = not reached yet.

    ``equation`` is the text for the highlighted node (``highlight``, index
    in ``layer``); ``equations`` holds the same text for every node of the
    layer (empty for batch-wide stages). ``pattern`` is the 0-based row μ−1
    of the pattern the stage is about (None for update / new weights).
    ``edge_values`` (per weight layer, shape of ``weights[l]``) are signed
    w·V contributions (``edge_mode`` "forward") or ∂E/∂w ("backward": of the
    pattern, at the update stage of the batch mean; Δw = −η·∂E/∂w);
    ``edge_scale`` keeps colours steady across a pass.
    """

    kind: str
    layer: int | None
    title: str
    equation: str
    pattern: int | None
    node_values: Arrays
    b: Arrays
    deltas: Arrays
    edge_values: Arrays | None
    edge_mode: str | None
    edge_scale: float | None
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activations: list[str]
    grad_W: Arrays = field(default_factory=list)
    equations: dict[int, str] = field(default_factory=dict)
    highlight: int | None = 0
    table_headers: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    delta_W: list[np.ndarray] | None = None
    delta_theta: list[np.ndarray] | None = None
    weights_after: list[np.ndarray] | None = None
    biases_after: list[np.ndarray] | None = None
    notation: object = None  # the Notation of the texts (None: the lecture's)


class StepThrough:
    """Precomputed stages of one training update on ``X[indices]``.

    ``loss_name`` None uses the network's own loss. The network is not
    modified; :meth:`apply` returns the updated weights and biases.
    ``notation`` (a :class:`~model.teaching.notation.Notation`, None = the
    lecture's) is the language of every equation, table and hover text.
    """

    def __init__(
        self,
        net: Network,
        X,
        T,
        indices,
        lr: float,
        loss_name: str | None = None,
        max_patterns_shown: int = 4,
        notation=None,
    ):
        idx = [int(i) for i in np.asarray(indices, dtype=np.int64).reshape(-1)]
        X = np.asarray(X, dtype=net.dtype)
        T = np.asarray(T, dtype=net.dtype)
        if not idx:
            raise ValueError("step-through needs at least one pattern index")
        if min(idx) < 0 or max(idx) >= len(X):
            raise ValueError(f"pattern indices must be in 0…{len(X) - 1}, got {idx}")
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        loss_name = loss_name or net.spec.loss
        if loss_name != net.spec.loss:
            net = Network(dataclasses.replace(net.spec, loss=loss_name), net.weights, net.biases)
        else:
            net = net.copy()
        self.net, self.indices, self.lr, self.loss_name = net, idx, float(lr), loss_name
        self.notation = notation
        self.sym = Symbols(notation)
        self.acts = list(net.spec.activations)
        self.L = net.n_layers
        self.W = [w.copy() for w in net.weights]
        self.B = [b.copy() for b in net.biases]
        self.X, self.T = X[idx], T[idx]
        self.trace = net.forward(self.X)
        self.back = net.backward(self.trace, self.T)
        self.loss = self.back.loss
        self.grad_W, self.grad_b = self.back.grad_W, self.back.grad_b
        self.delta_W = [-self.lr * g for g in self.grad_W]  # = η·mean(δ V)
        self.delta_theta = [self.lr * g for g in self.grad_b]  # Δθ = −η·mean δ = η ∂E/∂b
        self.weights_after = [w + d for w, d in zip(self.W, self.delta_W)]
        self.biases_after = [b - d for b, d in zip(self.B, self.delta_theta)]
        self.n_shown = min(len(idx), max(1, int(max_patterns_shown)))
        self.stages: list[Stage] = []
        for k in range(self.n_shown):
            self._pattern_stages(k)
        self._update_stages()

    # ------------------------------------------------------------------ api
    def __len__(self) -> int:
        return len(self.stages)

    def __getitem__(self, i: int) -> Stage:
        return self.stages[i]

    def apply(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The weights and biases after this update (fresh copies)."""
        return [w.copy() for w in self.weights_after], [b.copy() for b in self.biases_after]

    # ------------------------------------------------------------- building
    def _sample(self, k: int):
        tr, bw = self.trace, self.back
        V = [v[k].copy() for v in tr.V]
        b = [None] + [a[k].copy() for a in tr.b]
        d = [None] + [x[k].copy() for x in bw.deltas]
        grad = [-np.outer(V[l], d[l + 1]) for l in range(self.L)]  # ∂E_μ/∂w (this pattern)
        contrib = [self.W[l] * V[l][:, None] for l in range(self.L)]
        return V, b, d, grad, contrib

    def _stage(self, kind, layer, title, pattern, V, b, d, **kw) -> Stage:
        st = Stage(
            kind=kind,
            layer=layer,
            title=title,
            equation="",
            pattern=pattern,
            node_values=V,
            b=b,
            deltas=d,
            weights=self.W,
            biases=self.B,
            activations=self.acts,
            notation=self.notation,
            **kw,
        )
        if st.equations:
            st.equation = st.equations[st.highlight or 0]
        self.stages.append(st)
        return st

    def _tag(self, k: int) -> str:
        mu, n = self.indices[k], len(self.indices)
        head = f" — μ = {mu + 1}" if self.sym.lecture else f" — sample {mu}"
        return head + (f" ({k + 1} of {n})" if n > 1 else "")

    def _pattern_stages(self, k: int) -> None:
        L, mu, sym = self.L, self.indices[k], self.sym
        V, b, d, grad, contrib = self._sample(k)
        tag = self._tag(k)
        none = [None] * (L + 1)
        zeros = [np.zeros_like(w) for w in self.W]
        t = self.T[k]
        node, dn = sym.unit_word, sym.d_name
        # 1. input
        eq = eqs.input_eq(sym, mu, V[0], t)
        self._stage(
            "input",
            0,
            "Input: apply pattern" + tag,
            mu,
            [V[0]] + none[1:],
            none,
            none,
            edge_values=None,
            edge_mode=None,
            edge_scale=None,
            grad_W=[None] * L,
            equations={i: eq for i in range(len(V[0]))},
            table_headers=[node, f"{sym.a_name} = x"],
            table_rows=[[sym.unit(i), num(v)] for i, v in enumerate(V[0])],
        )
        # 2. forward, ℓ = 1…L
        fscale = max(float(np.abs(c).max()) for c in contrib) or 1.0
        for lay in range(1, L + 1):
            l = lay - 1
            rows = [
                [sym.unit(j), num(sym.bias(self.B[l][j])), num(b[lay][j]), num(V[lay][j])]
                for j in range(len(V[lay]))
            ]
            name = "output" if lay == L else "hidden"
            self._stage(
                "forward",
                lay,
                f"Forward: layer {lay} ({name}){tag}",
                mu,
                V[: lay + 1] + none[lay + 1 :],
                b[: lay + 1] + none[lay + 1 :],
                none,
                edge_values=contrib[:lay] + zeros[lay:],
                edge_mode="forward",
                edge_scale=fscale,
                grad_W=[None] * L,
                equations={j: eqs.forward_eq(self, sym, lay, j, V, b) for j in range(len(V[lay]))},
                table_headers=[node, sym.bias_name, sym.z_name, sym.a_name],
                table_rows=rows,
            )
        # 3. output errors
        bscale = max(float(np.abs(g).max()) for g in grad) or 1.0
        rows = [
            [sym.unit(i), num(b[L][i]), num(V[L][i]), num(t[i]), num(sym.delta(d[L][i]))]
            for i in range(len(V[L]))
        ]
        self._stage(
            "output_error",
            L,
            ("Output errors δ⁽ᴸ⁾" if sym.lecture else f"Output gradients ∂L/∂z{L}") + tag,
            mu,
            V,
            b,
            none[:L] + [d[L]],
            edge_values=zeros[: L - 1] + [grad[L - 1]],
            edge_mode="backward",
            edge_scale=bscale,
            grad_W=[None] * (L - 1) + [grad[L - 1]],
            equations={i: eqs.output_eq(self, sym, i, V, b, d, t) for i in range(len(V[L]))},
            table_headers=[node, sym.z_name, sym.a_name, "t", dn],
            table_rows=rows,
        )
        # 4. backward, ℓ = L−1…1
        for lay in range(L - 1, 0, -1):
            rows = [
                [sym.unit(j), num(b[lay][j]), num(V[lay][j]), num(sym.delta(d[lay][j]))]
                for j in range(len(V[lay]))
            ]
            self._stage(
                "backward",
                lay,
                f"Backward: layer {lay}{tag}",
                mu,
                V,
                b,
                none[:lay] + d[lay:],
                edge_values=zeros[: lay - 1] + grad[lay - 1 :],
                edge_mode="backward",
                edge_scale=bscale,
                grad_W=[None] * (lay - 1) + grad[lay - 1 :],
                equations={j: eqs.backward_eq(self, sym, lay, j, V, b, d) for j in range(len(V[lay]))},
                table_headers=[node, sym.z_name, sym.a_name, dn],
                table_rows=rows,
            )

    def _update_stages(self) -> None:
        L, n, sym = self.L, len(self.indices), self.sym
        V_last = [v[self.n_shown - 1].copy() for v in self.trace.V]
        b_last = [None] + [a[self.n_shown - 1].copy() for a in self.trace.b]
        mean_d = [None] + [x.mean(axis=0) for x in self.back.deltas]
        lines = eqs.update_lines(self, sym, mean_d)
        head = eqs.update_head(sym, n, self.n_shown)
        rows, rows_new = [], []
        for l in range(L):
            for j in range(len(self.B[l])):
                lab = f"ℓ{l + 1} #{j + 1}" if sym.lecture else f"layer {l + 1} [{j}]"
                dth = self.delta_theta[l][j]
                rows.append(
                    [
                        lab,
                        num(sym.delta(mean_d[l + 1][j])),
                        num(dth if sym.lecture else -dth),
                        num(float(np.abs(self.delta_W[l][:, j]).sum())),
                    ]
                )
                rows_new.append([lab, num(sym.bias(self.B[l][j])), num(sym.bias(self.biases_after[l][j]))])
        # edges show ∂E/∂w (the canvas legend's quantity); Δw = −η·∂E/∂w is in the text
        dscale = max(float(np.abs(g).max()) for g in self.grad_W) or 1.0
        kw = dict(
            grad_W=list(self.grad_W), delta_W=self.delta_W, delta_theta=self.delta_theta, highlight=None
        )
        lec = sym.lecture
        st = self._stage(
            "update",
            None,
            ("Weight changes Δw, Δθ" if lec else "Weight changes ΔW, Δb")
            + (f" (batch of {n})" if n > 1 else ""),
            None,
            V_last,
            b_last,
            mean_d,
            edge_values=list(self.grad_W),
            edge_mode="backward",
            edge_scale=dscale,
            table_headers=[
                sym.unit_word,
                sym.d_name if n == 1 else f"mean {sym.d_name}",
                "Δθ" if lec else "Δb",
                "Σ|Δw| in" if lec else "Σ|ΔW| in",
            ],
            table_rows=rows,
            **kw,
        )
        st.equation = head + "\n" + "\n".join(lines)
        st = self._stage(
            "new_weights",
            None,
            "New weights",
            None,
            V_last,
            b_last,
            mean_d,
            edge_values=None,
            edge_mode=None,
            edge_scale=None,
            table_headers=[sym.unit_word, f"{sym.bias_name} before", f"{sym.bias_name} after"],
            table_rows=rows_new,
            weights_after=self.weights_after,
            biases_after=self.biases_after,
            **kw,
        )
        top = "w ← w + Δw,  θ ← θ + Δθ" if lec else "W ← W + ΔW,  b ← b + Δb"
        st.equation = top + "\n" + "\n".join(eqs.new_weight_lines(self, sym))


def history_after_update(history, walk: "StepThrough", n_train: int, weights_after, task: str):
    """A copy of ``history`` with the applied step-through update counted like the
    trainer counts one: an update (its loss is the batch loss before the step,
    as the trainer records it) and, when the batch was the whole training set,
    a completed epoch — so the status bar's counters and the loss plot move."""
    import numpy as _np

    h = history.copy()
    h.add_update(float(walk.loss), float(walk.lr))
    if len(walk.indices) >= n_train:
        Y = walk.trace.V[-1]
        if task == "classification":
            T = walk.T
            ok = (Y[:, 0] > 0.5) == (T[:, 0] > 0.5) if Y.shape[1] == 1 else Y.argmax(1) == T.argmax(1)
            acc = float(_np.mean(ok))
        else:
            acc = math.nan
        gn = [float(_np.linalg.norm(g)) for g in walk.grad_W]
        wn = [float(_np.linalg.norm(w)) for w in weights_after]
        h.add_epoch(
            {
                "epoch": len(h) + 1,
                "train_loss": float(walk.loss),
                "val_loss": math.nan,
                "train_acc": acc,
                "val_acc": math.nan,
                "lr": float(walk.lr),
                "updates": len(h.update_loss),
                "seconds": 0.0,
            },
            gn,
            wn,
        )
    return h
