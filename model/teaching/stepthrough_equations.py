"""The step-through's equation texts, in the lecture's notation or the code's.

Each function takes the :class:`~model.teaching.stepthrough.StepThrough` walk
(weights ``W``, biases ``B``, activations ``acts``, loss, rate) and a
:class:`~model.teaching.stepthrough_text.Symbols` and writes one equation with
every number filled in.  Lecture: b = Σ w·V − θ, δ = g′(b)·(t − V), Δw = η·δ·V,
Δθ = −η·δ.  Code: z = Σ a·W + b, ∂L/∂z = g′(z)·(a − t) = −δ, ΔW = −η·a·∂L/∂z,
Δb = −η·∂L/∂z.  The numbers are the same quantities; only sign and name differ.
"""

from __future__ import annotations

from model.nn import activations
from model.teaching.stepthrough_text import activation_text, fac, joined, num, sub, sup

__all__ = [
    "IND",
    "input_eq",
    "forward_eq",
    "output_eq",
    "backward_eq",
    "update_head",
    "update_lines",
    "new_weight_lines",
]

IND = "    "  # continuation lines of an equation


def input_eq(sym, mu: int, x, t) -> str:
    xs, ts = ", ".join(num(v) for v in x), ", ".join(num(v) for v in t)
    if sym.lecture:
        return f"pattern μ = {mu + 1}:\nV⁽⁰⁾ ← x⁽μ⁾ = ({xs})\ntarget t⁽μ⁾ = ({ts})"
    return f"sample x[{mu}] (row {mu}, 0-based):\na0 = x[{mu}] = ({xs})\ntarget t[{mu}] = ({ts})"


def forward_eq(walk, sym, lay: int, j: int, V, b) -> str:
    l, act = lay - 1, walk.acts[lay - 1]
    W, B = walk.W[l], walk.B[l]
    g = activation_text(act, b[lay][j], b[lay])
    tail = (f"\n{IND}= " if act == "softmax" else " = ") + num(V[lay][j])
    if sym.lecture:
        terms = [f"{fac(W[k, j])}·{fac(V[l][k])}" for k in range(len(V[l]))]
        return (
            f"{sym.z(lay, j)} = Σₖ w·V − θ\n{IND}= {joined(terms)} − θ({num(-B[j])})\n"
            f"{IND}= {num(b[lay][j])}\n{sym.a(lay, j)} = g(b) = {g}" + tail
        )
    terms = [f"{fac(V[l][k])}·{fac(W[k, j])}" for k in range(len(V[l]))]
    return (
        f"{sym.z(lay, j)} = Σᵢ a{l}[i]·W{lay}[i, {j}] + b{lay}[{j}]\n{IND}= {joined(terms)} + b({num(B[j])})\n"
        f"{IND}= {num(b[lay][j])}\n{sym.a(lay, j)} = g(z) = {g}" + tail
    )


def output_eq(walk, sym, i: int, V, b, d, t) -> str:
    L, act = walk.L, walk.acts[-1]
    s, y, ti, di = sym.d(L, i), V[L][i], t[i], d[L][i]
    lec = sym.lecture
    diff = f"({num(ti)} − {fac(y)})" if lec else f"({num(y)} − {fac(ti)})"
    shown = num(sym.delta(di))
    if walk.loss_name == "cross_entropy":
        if lec:
            return f"softmax + cross-entropy: g′(b) cancels, δ = t − V\n{s} = {num(ti)} − {fac(y)} = {shown}"
        return f"softmax + cross-entropy: g′(z) cancels, ∂L/∂z = a − t\n{s} = {num(y)} − {fac(ti)} = {shown}"
    if walk.loss_name == "bce":
        k = len(V[L])
        g = "g′(b) cancels, δ = (t − V)" if lec else "g′(z) cancels, ∂L/∂z = (a − t)"
        head = f"bce with a sigmoid output: {g}"
        if k == 1:
            pair = f"{num(ti)} − {fac(y)}" if lec else f"{num(y)} − {fac(ti)}"
            return f"{head}\n{s} = {pair} = {shown}"
        return f"{head}/K (mean over K = {k} outputs)\n{s} = {diff}/{k} = {shown}"
    gp = float(di / (ti - y)) if ti != y else None
    err = (ti - y) if lec else (y - ti)
    gp_val = f" = {num(gp)}·{fac(err)}" if gp is not None and act != "linear" else ""
    rule = "g′(b)·(t − V)" if lec else "g′(z)·(a − t)"
    return (
        f"{s} = {rule}\n{IND}= {sym.gprime(act, b[L][i], y)}·{diff}\n"
        f"{IND}{gp_val[1:] + ' ' if gp_val else ''}= {shown}"
    )


def backward_eq(walk, sym, lay: int, j: int, V, b, d) -> str:
    act, Wn = walk.acts[lay - 1], walk.W[lay]
    s = float(d[lay + 1] @ Wn[j])
    gp = sym.gprime(act, b[lay][j], V[lay][j])
    gv = float(activations.derivative(act, b[lay][j : j + 1], V[lay][j : j + 1])[0])
    if sym.lecture:
        terms = [f"{fac(d[lay + 1][i])}·{fac(Wn[j, i])}" for i in range(len(d[lay + 1]))]
        return (
            f"{sym.d(lay, j)} = g′(b)·Σᵢ δᵢ⁽{sup(lay + 1)}⁾·wᵢ{sub(j + 1)}⁽{sup(lay + 1)}⁾\n"
            f"{IND}= {gp}·[{joined(terms)}]\n{IND}= {num(gv)}·{fac(s)} = {num(d[lay][j])}"
        )
    terms = [f"{fac(Wn[j, i])}·{fac(-d[lay + 1][i])}" for i in range(len(d[lay + 1]))]
    return (
        f"{sym.d(lay, j)} = g′(z)·Σₖ W{lay + 1}[{j}, k]·∂L/∂z{lay + 1}[k]\n"
        f"{IND}= {gp}·[{joined(terms)}]\n{IND}= {num(gv)}·{fac(-s)} = {num(-d[lay][j])}"
    )


def update_head(sym, n: int, n_shown: int) -> str:
    shown = f"  ({n_shown} of {n} patterns shown step by step)" if n_shown < n else ""
    if sym.lecture:
        if n == 1:
            return "Δw = η·δ·V,  Δθ = −η·δ\n(shown: w₁₁ and θ₁ of each layer)"
        return f"averaged over the batch of {n}{shown}:\nΔw = −η·∂E/∂w = η·⟨δ·V⟩,  Δθ = −η·⟨δ⟩"
    if n == 1:
        return "ΔW = −η·a·∂L/∂z,  Δb = −η·∂L/∂z\n(shown: W[0, 0] and b[0] of each layer)"
    return f"averaged over the batch of {n}{shown}:\nΔW = −η·∂L/∂W = −η·⟨a·∂L/∂z⟩,  Δb = −η·⟨∂L/∂z⟩"


def update_lines(walk, sym, mean_d) -> list[str]:
    """Δw and Δθ (Δb) of unit 0 ← unit 0 of every layer, with the numbers."""
    n, eta, lines = len(walk.indices), walk.lr, []
    V = walk.trace.V
    for l in range(walk.L):
        dsym, vsym = sym.d(l + 1, 0), sym.a(l, 0)
        dw, dth = walk.delta_W[l][0, 0], walk.delta_theta[l][0]
        md = sym.delta(mean_d[l + 1][0])
        db = num(dth if sym.lecture else -dth)
        dW, dB = sym.w(l, 0, 0, "Δ"), sym.b(l + 1, 0, "Δ")
        if n == 1:
            if sym.lecture:
                lines.append(
                    f"{dW} = η·{dsym}·{vsym}\n{IND}= {num(eta)}·{fac(md)}·{fac(V[l][0, 0])} = {num(dw)}"
                )
                lines.append(f"{dB} = −η·{dsym} = −{num(eta)}·{fac(md)} = {db}")
            else:
                lines.append(
                    f"{dW} = −η·{vsym}·{dsym}\n{IND}= −{num(eta)}·{fac(V[l][0, 0])}·{fac(md)} = {num(dw)}"
                )
                lines.append(f"{dB} = −η·{dsym} = −{num(eta)}·{fac(md)} = {db}")
            continue
        prods = walk.back.deltas[l][:, 0] * V[l][:, 0]
        if sym.lecture:
            lines.append(
                f"{dW} = η·(1/{n})·Σ_μ {dsym}·{vsym}\n{IND}= {num(eta)}·(1/{n})·"
                f"({joined([fac(p) for p in prods])})\n{IND}= {num(dw)}"
            )
            lines.append(f"{dB} = −η·(1/{n})·Σ_μ {dsym}\n{IND}= −η·⟨δ⟩ = −{num(eta)}·{fac(md)} = {db}")
        else:
            lines.append(
                f"{dW} = −η·(1/{n})·Σ_μ {vsym}·{dsym}\n{IND}= −{num(eta)}·(1/{n})·"
                f"({joined([fac(-p) for p in prods])})\n{IND}= {num(dw)}"
            )
            lines.append(f"{dB} = −η·(1/{n})·Σ_μ {dsym}\n{IND}= −η·⟨∂L/∂z⟩ = −{num(eta)}·{fac(md)} = {db}")
    return lines


def new_weight_lines(walk, sym) -> list[str]:
    lines = []
    for l in range(walk.L):
        lines.append(
            f"{sym.w(l, 0, 0)} ← {num(walk.W[l][0, 0])} + {fac(walk.delta_W[l][0, 0])} "
            f"= {num(walk.weights_after[l][0, 0])}"
        )
        change = walk.delta_theta[l][0] if sym.lecture else -walk.delta_theta[l][0]
        before, after = sym.bias(walk.B[l][0]), sym.bias(walk.biases_after[l][0])
        lines.append(f"{sym.b(l + 1, 0)} ← {num(before)} + {fac(change)} = {num(after)}")
    return lines
