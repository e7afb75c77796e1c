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

from model.nn import activations
from model.nn.network import Network
from model.teaching.stepthrough_text import (
    activation_text,
    fac,
    gprime_text,
    joined,
    node_sym,
    num,
    sub,
    sup,
    w_sym,
)

__all__ = ["Stage", "StepThrough", "describe_node", "describe_edge", "KINDS"]

IND = "    "  # continuation lines of an equation
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


class StepThrough:
    """Precomputed stages of one training update on ``X[indices]``.

    ``loss_name`` None uses the network's own loss. The network is not
    modified; :meth:`apply` returns the updated weights and biases.
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
            **kw,
        )
        if st.equations:
            st.equation = st.equations[st.highlight or 0]
        self.stages.append(st)
        return st

    def _pattern_stages(self, k: int) -> None:
        L, mu = self.L, self.indices[k]
        V, b, d, grad, contrib = self._sample(k)
        tag = f" — μ = {mu + 1}" + (f" ({k + 1} of {len(self.indices)})" if len(self.indices) > 1 else "")
        none = [None] * (L + 1)
        zeros = [np.zeros_like(w) for w in self.W]
        t = self.T[k]
        # 1. input
        x = ", ".join(num(v) for v in V[0])
        eq = f"pattern μ = {mu + 1}:\nV⁽⁰⁾ ← x⁽μ⁾ = ({x})\ntarget t⁽μ⁾ = ({', '.join(num(v) for v in t)})"
        rows = [[str(i + 1), num(v)] for i, v in enumerate(V[0])]
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
            table_headers=["node", "V = x"],
            table_rows=rows,
        )
        # 2. forward, ℓ = 1…L
        fscale = max(float(np.abs(c).max()) for c in contrib) or 1.0
        for lay in range(1, L + 1):
            l = lay - 1
            eqs = {j: self._forward_eq(lay, j, V, b) for j in range(len(V[lay]))}
            rows = [
                [str(j + 1), num(-self.B[l][j]), num(b[lay][j]), num(V[lay][j])] for j in range(len(V[lay]))
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
                equations=eqs,
                table_headers=["node", "θ", "b", "V"],
                table_rows=rows,
            )
        # 3. output errors
        bscale = max(float(np.abs(g).max()) for g in grad) or 1.0
        eqs = {i: self._output_eq(i, V, b, d, t) for i in range(len(V[L]))}
        rows = [[str(i + 1), num(b[L][i]), num(V[L][i]), num(t[i]), num(d[L][i])] for i in range(len(V[L]))]
        self._stage(
            "output_error",
            L,
            "Output errors δ⁽ᴸ⁾" + tag,
            mu,
            V,
            b,
            none[:L] + [d[L]],
            edge_values=zeros[: L - 1] + [grad[L - 1]],
            edge_mode="backward",
            edge_scale=bscale,
            grad_W=[None] * (L - 1) + [grad[L - 1]],
            equations=eqs,
            table_headers=["node", "b", "V", "t", "δ"],
            table_rows=rows,
        )
        # 4. backward, ℓ = L−1…1
        for lay in range(L - 1, 0, -1):
            eqs = {j: self._backward_eq(lay, j, V, b, d) for j in range(len(V[lay]))}
            rows = [[str(j + 1), num(b[lay][j]), num(V[lay][j]), num(d[lay][j])] for j in range(len(V[lay]))]
            known = [None] * (lay - 1) + grad[lay - 1 :]
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
                grad_W=known,
                equations=eqs,
                table_headers=["node", "b", "V", "δ"],
                table_rows=rows,
            )

    def _forward_eq(self, lay: int, j: int, V, b) -> str:
        l, act = lay - 1, self.acts[lay - 1]
        terms = [f"{fac(self.W[l][k, j])}·{fac(V[l][k])}" for k in range(len(V[l]))]
        theta = -self.B[l][j]
        g = activation_text(act, b[lay][j], b[lay])
        return (
            f"{node_sym('b', lay, j)} = Σₖ w·V − θ\n{IND}= {joined(terms)} − θ({num(theta)})\n"
            f"{IND}= {num(b[lay][j])}\n{node_sym('V', lay, j)} = g(b) = {g}"
            + (f"\n{IND}= " if act == "softmax" else " = ")
            + num(V[lay][j])
        )

    def _output_eq(self, i: int, V, b, d, t) -> str:
        L, act = self.L, self.acts[-1]
        s = node_sym("δ", L, i)
        diff = f"({num(t[i])} − {fac(V[L][i])})"
        if self.loss_name == "cross_entropy":
            return (
                f"softmax + cross-entropy: g′(b) cancels, δ = t − V\n"
                f"{s} = {num(t[i])} − {fac(V[L][i])} = {num(d[L][i])}"
            )
        if self.loss_name == "bce":
            k = len(V[L])
            head = "bce with a sigmoid output: g′(b) cancels, δ = (t − V)"
            if k == 1:
                return f"{head}\n{s} = {num(t[i])} − {fac(V[L][i])} = {num(d[L][i])}"
            return f"{head}/K (mean over K = {k} outputs)\n{s} = {diff}/{k} = {num(d[L][i])}"
        gp = float(d[L][i] / (t[i] - V[L][i])) if t[i] != V[L][i] else None
        gp_val = f" = {num(gp)}·{fac(t[i] - V[L][i])}" if gp is not None and act != "linear" else ""
        return (
            f"{s} = g′(b)·(t − V)\n{IND}= {gprime_text(act, b[L][i], V[L][i])}·{diff}\n"
            f"{IND}{gp_val[1:] + ' ' if gp_val else ''}= {num(d[L][i])}"
        )

    def _backward_eq(self, lay: int, j: int, V, b, d) -> str:
        act, Wn = self.acts[lay - 1], self.W[lay]
        terms = [f"{fac(d[lay + 1][i])}·{fac(Wn[j, i])}" for i in range(len(d[lay + 1]))]
        s = float(d[lay + 1] @ Wn[j])
        gp = gprime_text(act, b[lay][j], V[lay][j])
        gv = float(activations.derivative(act, b[lay][j : j + 1], V[lay][j : j + 1])[0])
        return (
            f"{node_sym('δ', lay, j)} = g′(b)·Σᵢ δᵢ⁽{sup(lay + 1)}⁾·wᵢ{sub(j + 1)}⁽{sup(lay + 1)}⁾\n"
            f"{IND}= {gp}·[{joined(terms)}]\n{IND}= {num(gv)}·{fac(s)} = {num(d[lay][j])}"
        )

    def _update_stages(self) -> None:
        L, n, eta = self.L, len(self.indices), self.lr
        V_last = [v[self.n_shown - 1].copy() for v in self.trace.V]
        b_last = [None] + [a[self.n_shown - 1].copy() for a in self.trace.b]
        mean_d = [None] + [x.mean(axis=0) for x in self.back.deltas]
        lines = []
        for l in range(L):
            dsym, vsym = node_sym("δ", l + 1, 0), node_sym("V", l, 0)
            dw, dth = self.delta_W[l][0, 0], self.delta_theta[l][0]
            if n == 1:
                lines.append(
                    f"{w_sym(l, 0, 0, 'Δw')} = η·{dsym}·{vsym}\n{IND}= {num(eta)}·"
                    f"{fac(mean_d[l + 1][0])}·{fac(self.trace.V[l][0, 0])} = {num(dw)}"
                )
                lines.append(
                    f"{node_sym('Δθ', l + 1, 0)} = −η·{dsym} = −{num(eta)}·"
                    f"{fac(mean_d[l + 1][0])} = {num(dth)}"
                )
            else:
                prods = self.back.deltas[l][:, 0] * self.trace.V[l][:, 0]
                lines.append(
                    f"{w_sym(l, 0, 0, 'Δw')} = η·(1/{n})·Σ_μ {dsym}·{vsym}\n{IND}= {num(eta)}·(1/{n})·"
                    f"({joined([fac(p) for p in prods])})\n{IND}= {num(dw)}"
                )
                lines.append(
                    f"{node_sym('Δθ', l + 1, 0)} = −η·(1/{n})·Σ_μ {dsym}\n{IND}= −η·⟨δ⟩ = −{num(eta)}·"
                    f"{fac(mean_d[l + 1][0])} = {num(dth)}"
                )
        head = (
            "Δw = η·δ·V,  Δθ = −η·δ\n(shown: w₁₁ and θ₁ of each layer)"
            if n == 1
            else f"averaged over the batch of {n}"
            + (f"  ({self.n_shown} of {n} patterns shown step by step)" if self.n_shown < n else "")
            + ":\nΔw = −η·∂E/∂w = η·⟨δ·V⟩,  Δθ = −η·⟨δ⟩"
        )
        rows, rows_new = [], []
        for l in range(L):
            for j in range(len(self.B[l])):
                lab = f"ℓ{l + 1} #{j + 1}"
                rows.append(
                    [
                        lab,
                        num(mean_d[l + 1][j]),
                        num(self.delta_theta[l][j]),
                        num(float(np.abs(self.delta_W[l][:, j]).sum())),
                    ]
                )
                rows_new.append([lab, num(-self.B[l][j]), num(-self.biases_after[l][j])])
        # edges show ∂E/∂w (the canvas legend's quantity); Δw = −η·∂E/∂w is in the text
        dscale = max(float(np.abs(g).max()) for g in self.grad_W) or 1.0
        kw = dict(
            grad_W=list(self.grad_W), delta_W=self.delta_W, delta_theta=self.delta_theta, highlight=None
        )
        st = self._stage(
            "update",
            None,
            "Weight changes Δw, Δθ" + (f" (batch of {n})" if n > 1 else ""),
            None,
            V_last,
            b_last,
            mean_d,
            edge_values=list(self.grad_W),
            edge_mode="backward",
            edge_scale=dscale,
            table_headers=["node", "δ" if n == 1 else "mean δ", "Δθ", "Σ|Δw| in"],
            table_rows=rows,
            **kw,
        )
        st.equation = head + "\n" + "\n".join(lines)
        new_lines = []
        for l in range(L):
            new_lines.append(
                f"{w_sym(l, 0, 0)} ← {num(self.W[l][0, 0])} + {fac(self.delta_W[l][0, 0])} "
                f"= {num(self.weights_after[l][0, 0])}"
            )
            new_lines.append(
                f"{node_sym('θ', l + 1, 0)} ← {num(-self.B[l][0])} + "
                f"{fac(self.delta_theta[l][0])} = {num(-self.biases_after[l][0])}"
            )
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
            table_headers=["node", "θ before", "θ after"],
            table_rows=rows_new,
            weights_after=self.weights_after,
            biases_after=self.biases_after,
            **kw,
        )
        st.equation = "w ← w + Δw,  θ ← θ + Δθ\n" + "\n".join(new_lines)


# --------------------------------------------------------------- hover text
def describe_node(stage: Stage, layer: int, index: int) -> str:
    """Tooltip for node ``index`` of node layer ``layer``: what is known at ``stage``."""
    L = len(stage.weights)
    name = "input" if layer == 0 else ("output" if layer == L else f"hidden layer {layer}")
    lines = [f"{name}, node {index + 1}" + (f" ({stage.activations[layer - 1]})" if layer else "")]
    if layer:
        w = stage.weights[layer - 1][:, index]
        lines.append(f"θ = −bias = {num(-stage.biases[layer - 1][index])}")
        lines.append("incoming w: " + joined([num(v) for v in w], ", "))
        if stage.b[layer] is not None:
            lines.append(f"b = {num(stage.b[layer][index])}")
    if stage.node_values[layer] is not None:
        lines.append(f"V = {num(stage.node_values[layer][index])}")
    if layer and stage.deltas[layer] is not None:
        lines.append(
            ("mean δ" if stage.kind in ("update", "new_weights") else "δ")
            + f" = {num(stage.deltas[layer][index])}"
        )
    if layer and stage.delta_theta is not None:
        lines.append(f"Δθ = {num(stage.delta_theta[layer - 1][index])}")
    if layer and stage.biases_after is not None:
        lines.append(f"new θ = {num(-stage.biases_after[layer - 1][index])}")
    return "\n".join(lines)


def describe_edge(stage: Stage, layer: int, i: int, j: int) -> str:
    """Tooltip for ``weights[layer][i, j]`` (node i of layer ``layer`` → node j of
    layer ``layer + 1``, the canvas's edge key): w, w·V, ∂E/∂w, Δw once known."""
    w = float(stage.weights[layer][i, j])
    lines = [
        f"{w_sym(layer, i, j)} = {num(w)}   (layer {layer} node {i + 1} → layer {layer + 1} node {j + 1})"
    ]
    V = stage.node_values[layer]
    if V is not None and stage.kind not in ("update", "new_weights"):
        lines.append(f"w·V = {num(w)}·{fac(V[i])} = {num(w * V[i])}")
    g = stage.grad_W[layer] if layer < len(stage.grad_W) else None
    if g is not None:
        lines.append(
            f"∂E/∂w = {num(g[i, j])}"
            + ("  (batch mean)" if stage.delta_W is not None else "  (this pattern)")
        )
    if stage.delta_W is not None:
        lines.append(f"Δw = {num(stage.delta_W[layer][i, j])}")
    if stage.weights_after is not None:
        lines.append(f"new w = {num(stage.weights_after[layer][i, j])}")
    return "\n".join(lines)


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
