"""The step-through panel's fixed texts: Algorithm 4's six phases (in order), the
notation legend and its tooltip for the lecture's and the code's notation, the
equation card's style (colour roles, resolved in the current theme)."""

from __future__ import annotations

__all__ = ["PHASES", "LEGENDS", "EQUATION_STYLE"]

PHASES = {
    "input": "apply the pattern",
    "forward": "propagate forward",
    "output_error": "errors of the output layer",
    "backward": "propagate errors backward",
    "update": "weight and threshold changes",
    "new_weights": "updated network",
}


EQUATION_STYLE = (  # colour roles, resolved in the current theme (widgets/common/ui_roles.py)
    "QLabel { background: @card; border: 1px solid @card_border; border-radius: 5px; padding: 8px; color: @ink; }"
)

LEGENDS = {  # use_theta: (legend, tooltip)
    True: (
        "Lecture notation: b = Σ w·V − θ, V = g(b), δ = g′(b)·(t − V) at the output "
        "(δ = −∂E/∂b, so Δw = +η·δ·V); w_ij from unit j to unit i; units counted from 1.",
        "View ▸ Code Notation switches every label to a = xW + b, ∂L/∂z.",
    ),
    False: (
        "Code notation: z = a·W + b, a = g(z), ∂L/∂z = g′(z)·(a − t) at the output "
        "(= −δ of the lecture), ΔW = −η·aᵀ·∂L/∂z; Wℓ[i, j] from unit i to unit j; units counted from 0.",
        "View ▸ Code Notation off: back to the lecture's notation (θ = −b, δ, 1-based).",
    ),
}
