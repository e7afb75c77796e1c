"""Worksheets: the step-through trace of one update, in the lecture's notation.

``worksheet_data(net, X, T, patterns, lr)`` runs :class:`StepThrough` on the
chosen patterns (0-based rows; one pattern, or several = one batch update) and
returns a plain dict (the ``--format json`` output) with 1-based indices,
node layer 0 = the input::

    {"pattern": K | "all", "patterns": [μ…], "eta": η, "loss": …, "activations": […],
     "given": {"weights": [{"layer": ℓ, "to": i, "from": j, "w": …}],
               "thresholds": [{"layer": ℓ, "node": i, "theta": …}],
               "inputs": [{"pattern": μ, "x": […], "t": […]}]},
     "forward": [{"pattern": μ, "layer": ℓ, "node": i, "b": … | None, "V": …}],
     "derivatives": [{"pattern": μ, "layer": ℓ, "node": i, "gprime": …}],
     "deltas": [{"pattern": μ, "layer": ℓ, "node": i, "delta": …}],
     "weight_changes": [{"layer": ℓ, "to": i, "from": j, "dw": …}],
     "threshold_changes": [{"layer": ℓ, "node": i, "dtheta": …}]}

δ has the lecture's sign (δ⁽ᴸ⁾ = g′(b)(t − V) for mse); Algorithm 4's update
Δw_ij = η·δ_i·V_j, Δθ_i = −η·δ_i (a batch: the mean over its patterns).
``worksheet_markdown(data, blank)`` renders it as Markdown with LaTeX maths:
the answer key substitutes every number; the blank version substitutes only
the givens (weights, thresholds, inputs, targets, η) and leaves a blank line
for each value to compute.
"""

from __future__ import annotations

import json

import numpy as np

from model.nn import activations
from model.nn.network import Network
from model.teaching.stepthrough import StepThrough

__all__ = [
    "worksheet_data",
    "worksheet_markdown",
    "worksheet_text",
    "blank_data",
    "answer_values",
    "fmt",
    "BLANK",
    "MAX_PATTERNS",
]

MAX_PATTERNS = 16  # a printed worksheet of a batch stays a few pages
BLANK = r"\underline{\hspace{2.5em}}"
TH, DE, DW, DTH = (
    r"\theta",
    r"\delta",
    r"\Delta w",
    r"\Delta\theta",
)  # (no backslashes inside f-strings on 3.11)


def fmt(x: float) -> str:
    """6 significant digits, plain ASCII minus (LaTeX typesets it)."""
    s = f"{float(x):.6g}"
    return "0" if s == "-0" else s


def worksheet_data(net: Network, X, T, patterns, lr: float, loss_name: str | None = None) -> dict:
    """The numbers of one update on ``X[patterns]`` (see the module docstring)."""
    idx = [int(p) for p in patterns]
    if len(idx) > MAX_PATTERNS:
        raise ValueError(
            f"a worksheet covers at most {MAX_PATTERNS} patterns, the batch has {len(idx)} "
            "(choose one pattern with --pattern K)"
        )
    st = StepThrough(net, X, T, idx, lr, loss_name=loss_name, max_patterns_shown=len(idx))
    L, acts = st.L, st.acts
    given_w = [
        {"layer": l + 1, "to": i + 1, "from": j + 1, "w": float(st.W[l][j, i])}
        for l in range(L)
        for i in range(st.W[l].shape[1])
        for j in range(st.W[l].shape[0])
    ]
    given_t = [
        {"layer": l + 1, "node": i + 1, "theta": float(-st.B[l][i])}
        for l in range(L)
        for i in range(len(st.B[l]))
    ]
    inputs, fwd, gps, dels = [], [], [], []
    for k, mu in enumerate(idx):
        V = [v[k] for v in st.trace.V]
        b = [a[k] for a in st.trace.b]
        inputs.append({"pattern": mu + 1, "x": [float(v) for v in V[0]], "t": [float(v) for v in st.T[k]]})
        fwd += [
            {"pattern": mu + 1, "layer": 0, "node": i + 1, "b": None, "V": float(v)}
            for i, v in enumerate(V[0])
        ]
        for lay in range(1, L + 1):
            gp = _gprime(acts[lay - 1], b[lay - 1], V[lay])
            for i in range(len(V[lay])):
                fwd.append(
                    {
                        "pattern": mu + 1,
                        "layer": lay,
                        "node": i + 1,
                        "b": float(b[lay - 1][i]),
                        "V": float(V[lay][i]),
                    }
                )
                gps.append({"pattern": mu + 1, "layer": lay, "node": i + 1, "gprime": gp[i]})
                dels.append(
                    {
                        "pattern": mu + 1,
                        "layer": lay,
                        "node": i + 1,
                        "delta": float(st.back.deltas[lay - 1][k, i]),
                    }
                )
    dws = [
        {"layer": l + 1, "to": i + 1, "from": j + 1, "dw": float(st.delta_W[l][j, i])}
        for l in range(L)
        for i in range(st.W[l].shape[1])
        for j in range(st.W[l].shape[0])
    ]
    dths = [
        {"layer": l + 1, "node": i + 1, "dtheta": float(st.delta_theta[l][i])}
        for l in range(L)
        for i in range(len(st.B[l]))
    ]
    return {
        "pattern": idx[0] + 1 if len(idx) == 1 else "all",
        "patterns": [mu + 1 for mu in idx],
        "eta": float(lr),
        "loss": st.loss_name,
        "layer_sizes": list(net.layer_sizes),
        "activations": list(acts),
        "given": {"weights": given_w, "thresholds": given_t, "inputs": inputs},
        "forward": fwd,
        "derivatives": gps,
        "deltas": dels,
        "weight_changes": dws,
        "threshold_changes": dths,
    }


def _gprime(act: str, b: np.ndarray, V: np.ndarray) -> list[float | None]:
    if act == "softmax":  # only used fused with cross-entropy: δ = t − V
        return [None] * len(b)
    return [float(g) for g in activations.derivative(act, b, V)]


def answer_values(data: dict) -> list[float]:
    """Every number the student computes (b, V of layers ≥ 1, g′, δ, Δw, Δθ)."""
    out = [e["b"] for e in data["forward"] if e["layer"] > 0]
    out += [e["V"] for e in data["forward"] if e["layer"] > 0]
    out += [e["gprime"] for e in data["derivatives"] if e["gprime"] is not None]
    out += [e["delta"] for e in data["deltas"]]
    out += [e["dw"] for e in data["weight_changes"]] + [e["dtheta"] for e in data["threshold_changes"]]
    return out


# ---------------------------------------------------------------- Markdown
def _sym(name: str, layer: int | str, i: int | str, j: int | str | None = None) -> str:
    ij = f"{i}{j}" if j is not None else f"{i}"
    return f"{name}_{{{ij}}}^{{({layer})}}"


def _num(x: float) -> str:
    s = fmt(x)
    return f"({s})" if s.startswith("-") else s


class _Renderer:
    def __init__(self, data: dict, blank: bool):
        self.d, self.blank = data, blank
        self.L = len(data["layer_sizes"]) - 1
        self.w = {(e["layer"], e["to"], e["from"]): e["w"] for e in data["given"]["weights"]}
        self.th = {(e["layer"], e["node"]): e["theta"] for e in data["given"]["thresholds"]}
        self.lines: list[str] = []

    def ans(self, x: float) -> str:
        """An answer: a blank to fill in, or the value in bold."""
        return BLANK if self.blank else rf"\mathbf{{{fmt(x)}}}"

    def val(self, sym: str, x: float) -> str:
        """A computed value used later: its symbol on the blank sheet, its number in the key."""
        return sym if self.blank else _num(x)

    def eq(self, tex: str) -> None:
        self.lines += ["$$", tex, "$$", ""]

    def render(self) -> str:
        d = self.d
        n = len(d["patterns"])
        kind = "answer key" if not self.blank else "fill in the blanks"
        what = (
            f"pattern $\\mu = {d['pattern']}$"
            if n == 1
            else f"the batch of patterns $\\mu = {', '.join(map(str, d['patterns']))}$"
        )
        sizes = "–".join(map(str, d["layer_sizes"]))
        acts = ", ".join(f"$g^{{({l + 1})}}$ = {a}" for l, a in enumerate(d["activations"]))
        self.lines += [
            f"# Backpropagation worksheet ({kind})",
            "",
            f"One update of Algorithm 4 on {what}. Network {sizes}; {acts}; loss {d['loss']}; "
            f"learning rate $\\eta = {fmt(d['eta'])}$.",
            "",
            "Notation: $w_{ij}^{(\\ell)}$ is the weight to unit $i$ of layer $\\ell$ from unit $j$ of "
            "layer $\\ell-1$ (layer 0 is the input), $\\theta = -\\text{bias}$, "
            "$b_i^{(\\ell)} = \\sum_j w_{ij}^{(\\ell)} V_j^{(\\ell-1)} - \\theta_i^{(\\ell)}$, "
            "$V_i^{(\\ell)} = g(b_i^{(\\ell)})$.",
            "",
            "## Given",
            "",
            "| weight | value |",
            "|---|---|",
        ]
        self.lines += [f"| ${_sym('w', l, i, j)}$ | {fmt(v)} |" for (l, i, j), v in self.w.items()]
        self.lines += ["", "| threshold | value |", "|---|---|"]
        self.lines += [f"| ${_sym(TH, l, i)}$ | {fmt(v)} |" for (l, i), v in self.th.items()]
        self.lines.append("")
        for inp in d["given"]["inputs"]:
            x = ", ".join(fmt(v) for v in inp["x"])
            t = ", ".join(fmt(v) for v in inp["t"])
            self.lines += [f"Pattern $\\mu = {inp['pattern']}$: $x = ({x})$, target $t = ({t})$.", ""]
        for mu in d["patterns"]:
            self._pattern(mu, n)
        self._update(n)
        return "\n".join(self.lines).rstrip() + "\n"

    def _pattern(self, mu: int, n: int) -> None:
        d, L = self.d, self.L
        tag = f" (pattern $\\mu = {mu}$)" if n > 1 else ""
        f = {(e["layer"], e["node"]): e for e in d["forward"] if e["pattern"] == mu}
        g = {(e["layer"], e["node"]): e["gprime"] for e in d["derivatives"] if e["pattern"] == mu}
        de = {(e["layer"], e["node"]): e["delta"] for e in d["deltas"] if e["pattern"] == mu}
        t = next(e["t"] for e in d["given"]["inputs"] if e["pattern"] == mu)
        size = d["layer_sizes"]

        def V(l, j):
            x = f[(l, j)]["V"]
            return _num(x) if l == 0 else self.val(_sym("V", l, j), x)

        self.lines += [f"## Forward pass{tag}", ""]
        for l in range(1, L + 1):
            for i in range(1, size[l] + 1):
                terms = " + ".join(
                    f"{_num(self.w[(l, i, j)])} \\cdot {V(l - 1, j)}" for j in range(1, size[l - 1] + 1)
                )
                self.eq(f"{_sym('b', l, i)} = {terms} - {_num(self.th[(l, i)])} = {self.ans(f[(l, i)]['b'])}")
                self.eq(
                    f"{_sym('V', l, i)} = g({_sym('b', l, i) if self.blank else fmt(f[(l, i)]['b'])}) = {self.ans(f[(l, i)]['V'])}"
                )
        self.lines += [f"## Output errors{tag}", ""]
        loss = d["loss"]
        for i in range(1, size[L] + 1):
            Vi = self.val(_sym("V", L, i), f[(L, i)]["V"])
            if loss == "mse":
                self.eq(f"g'({_sym('b', L, i)}) = {self.ans(g[(L, i)])}")
                gp = self.val(f"g'({_sym('b', L, i)})", g[(L, i)])
                self.eq(
                    f"{_sym(DE, L, i)} = g'(b)\\,(t - V) = {gp} \\cdot ({fmt(t[i - 1])} - {Vi}) = {self.ans(de[(L, i)])}"
                )
            else:
                k = f" / {size[L]}" if loss == "bce" and size[L] > 1 else ""
                self.eq(
                    f"{_sym(DE, L, i)} = (t - V){k} = ({fmt(t[i - 1])} - {Vi}){k} = {self.ans(de[(L, i)])}"
                )
        for l in range(L - 1, 0, -1):
            self.lines += [f"## Backward pass, layer {l}{tag}", ""]
            for j in range(1, size[l] + 1):
                self.eq(f"g'({_sym('b', l, j)}) = {self.ans(g[(l, j)])}")
                gp = self.val(f"g'({_sym('b', l, j)})", g[(l, j)])
                terms = " + ".join(
                    f"{self.val(_sym(DE, l + 1, i), de[(l + 1, i)])} \\cdot {_num(self.w[(l + 1, i, j)])}"
                    for i in range(1, size[l + 1] + 1)
                )
                self.eq(
                    f"{_sym(DE, l, j)} = g'(b) \\sum_i \\delta_i^{{({l + 1})}} w_{{i{j}}}^{{({l + 1})}} "
                    f"= {gp} \\cdot [{terms}] = {self.ans(de[(l, j)])}"
                )

    def _update(self, n: int) -> None:
        d = self.d
        eta = fmt(d["eta"])
        mean = "" if n == 1 else f"\\tfrac{{1}}{{{n}}}\\sum_\\mu "
        self.lines += [
            "## Weight changes",
            "",
            f"$\\Delta w_{{ij}} = \\eta\\, {mean}\\delta_i V_j$ and $\\Delta\\theta_i = -\\eta\\, {mean}\\delta_i$"
            + (" (the mean over the batch)." if n > 1 else "."),
            "",
        ]
        single = n == 1
        mu = d["patterns"][0]
        V = {(e["layer"], e["node"]): e["V"] for e in d["forward"] if e["pattern"] == mu}
        de = {(e["layer"], e["node"]): e["delta"] for e in d["deltas"] if e["pattern"] == mu}
        for e in d["weight_changes"]:
            l, i, j = e["layer"], e["to"], e["from"]
            if single:
                Vj = _num(V[(l - 1, j)]) if l == 1 else self.val(_sym("V", l - 1, j), V[(l - 1, j)])
                rhs = f"{eta} \\cdot {self.val(_sym(DE, l, i), de[(l, i)])} \\cdot {Vj} = "
            else:
                rhs = ""
            self.eq(f"{_sym(DW, l, i, j)} = {rhs}{self.ans(e['dw'])}")
        for e in d["threshold_changes"]:
            l, i = e["layer"], e["node"]
            rhs = f"-{eta} \\cdot {self.val(_sym(DE, l, i), de[(l, i)])} = " if single else ""
            self.eq(f"{_sym(DTH, l, i)} = {rhs}{self.ans(e['dtheta'])}")
        self.lines += [
            "New values: $w \\leftarrow w + \\Delta w$, $\\theta \\leftarrow \\theta + \\Delta\\theta$.",
            "",
        ]


def worksheet_markdown(data: dict, blank: bool = False) -> str:
    """Markdown with LaTeX maths: the answer key, or (``blank``) the sheet to fill in."""
    return _Renderer(data, blank).render()


ANSWER_KEYS = {
    "forward": ("b", "V"),
    "derivatives": ("gprime",),
    "deltas": ("delta",),
    "weight_changes": ("dw",),
    "threshold_changes": ("dtheta",),
}


def blank_data(data: dict) -> dict:
    """The JSON worksheet with every value to compute set to None (layer 0's V is given)."""
    out = json.loads(json.dumps(data))
    for section, keys in ANSWER_KEYS.items():
        for e in out[section]:
            if section == "forward" and e["layer"] == 0:
                continue
            for k in keys:
                e[k] = None
    return out


def worksheet_text(data: dict, fmt: str = "md", blank: bool = False) -> str:
    """The file text: ``fmt`` "md" (Markdown + LaTeX) or "json"; ``blank`` leaves the answers out."""
    if fmt == "json":
        return json.dumps(blank_data(data) if blank else data, indent=1, allow_nan=False, ensure_ascii=False)
    if fmt == "md":
        return worksheet_markdown(data, blank=blank)
    raise ValueError(f"worksheet format must be md or json, got {fmt!r}")
