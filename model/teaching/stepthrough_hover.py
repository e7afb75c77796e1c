"""Stage-aware hover text of the step-through canvas, in the stage's notation."""

from __future__ import annotations

from model.teaching.stepthrough_text import Symbols, fac, joined, num

__all__ = ["describe_node", "describe_edge"]


def describe_node(stage, layer: int, index: int) -> str:
    """Tooltip for node ``index`` of node layer ``layer``: what is known at ``stage``."""
    sym = Symbols(stage.notation)
    L = len(stage.weights)
    name = "input" if layer == 0 else ("output" if layer == L else f"hidden layer {layer}")
    lines = [
        f"{name}, {sym.unit_word} {sym.unit(index)}" + (f" ({stage.activations[layer - 1]})" if layer else "")
    ]
    batch = stage.kind in ("update", "new_weights")
    if layer:
        w = stage.weights[layer - 1][:, index]
        bias = stage.biases[layer - 1][index]
        lines.append(f"θ = −bias = {num(-bias)}" if sym.lecture else f"bias b = {num(bias)}")
        lines.append(("incoming w: " if sym.lecture else "incoming W: ") + joined([num(v) for v in w], ", "))
        if stage.b[layer] is not None:
            lines.append(f"{sym.z_name} = {num(stage.b[layer][index])}")
    if stage.node_values[layer] is not None:
        lines.append(f"{sym.a_name} = {num(stage.node_values[layer][index])}")
    if layer and stage.deltas[layer] is not None:
        lines.append(
            ("mean " if batch else "") + f"{sym.d_name} = {num(sym.delta(stage.deltas[layer][index]))}"
        )
    if layer and stage.delta_theta is not None:
        dth = stage.delta_theta[layer - 1][index]
        lines.append(f"Δθ = {num(dth)}" if sym.lecture else f"Δb = {num(-dth)}")
    if layer and stage.biases_after is not None:
        lines.append(f"new {sym.bias_name} = {num(sym.bias(stage.biases_after[layer - 1][index]))}")
    return "\n".join(lines)


def describe_edge(stage, layer: int, i: int, j: int) -> str:
    """Tooltip for ``weights[layer][i, j]`` (node i of layer ``layer`` → node j of
    layer ``layer + 1``, the canvas's edge key): w, w·V, ∂E/∂w, Δw once known."""
    sym = Symbols(stage.notation)
    w = float(stage.weights[layer][i, j])
    u = sym.unit_word
    lines = [
        f"{sym.w(layer, i, j)} = {num(w)}   (layer {layer} {u} {sym.unit(i)} → layer {layer + 1} {u} {sym.unit(j)})"
    ]
    V = stage.node_values[layer]
    if V is not None and stage.kind not in ("update", "new_weights"):
        if sym.lecture:
            lines.append(f"w·V = {num(w)}·{fac(V[i])} = {num(w * V[i])}")
        else:
            lines.append(f"a·W = {num(V[i])}·{fac(w)} = {num(w * V[i])}")
    g = stage.grad_W[layer] if layer < len(stage.grad_W) else None
    if g is not None:
        lines.append(
            f"{'∂E/∂w' if sym.lecture else '∂L/∂W'} = {num(g[i, j])}"
            + ("  (batch mean)" if stage.delta_W is not None else "  (this pattern)")
        )
    if stage.delta_W is not None:
        lines.append(f"{'Δw' if sym.lecture else 'ΔW'} = {num(stage.delta_W[layer][i, j])}")
    if stage.weights_after is not None:
        lines.append(f"new {'w' if sym.lecture else 'W'} = {num(stage.weights_after[layer][i, j])}")
    return "\n".join(lines)
