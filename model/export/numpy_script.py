"""The NumPy training script: the lecture's Algorithm 4, vectorised over a batch.

Only the pieces the project uses are written (its activations, loss,
optimizer and schedule), so the script stays short enough to read in class.
"""

from __future__ import annotations

from model.export import snippets

#: name -> (g(b) body, g'(b) body given b and V = g(b))
ACTIVATIONS = {
    "linear": ("return b", "return np.ones_like(b)"),
    "sigmoid": (
        "return 0.5 * (1.0 + np.tanh(b * 0.5))  # = 1 / (1 + e^−b), without overflow",
        "return V * (1.0 - V)",
    ),
    "tanh": ("return np.tanh(b)", "return 1.0 - V * V"),
    "relu": ("return np.maximum(b, 0.0)", "return (b > 0).astype(b.dtype)"),
    "leaky_relu": ("return np.maximum(b, 0.01 * b)", "return np.where(b > 0, 1.0, 0.01).astype(b.dtype)"),
    "step": (
        "return (b >= 0).astype(b.dtype)",
        "return np.zeros_like(b)  # a threshold unit has no useful slope: not trainable",
    ),
    "softmax": (
        "e = np.exp(b - b.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)",
        "raise ValueError('softmax is only used fused with cross-entropy')",
    ),
    "elu": (
        "return np.where(b > 0, b, np.expm1(np.minimum(b, 0.0)))",
        "return np.where(b > 0, 1.0, V + 1.0)",
    ),
    "gelu": (
        "return b * normal_cdf(b)  # exact form, Φ = standard normal CDF",
        "return normal_cdf(b) + b * np.exp(-0.5 * b * b) / math.sqrt(2.0 * math.pi)",
    ),
    "silu": (
        "return b * (0.5 * (1.0 + np.tanh(b * 0.5)))  # b·σ(b)",
        "s = 0.5 * (1.0 + np.tanh(b * 0.5))\n    return s + V * (1.0 - s)",
    ),
    "softplus": (
        "return np.logaddexp(0.0, b)  # ln(1 + e^b)",
        "return 0.5 * (1.0 + np.tanh(b * 0.5))  # σ(b)",
    ),
    "sine": ("return np.sin(b)", "return np.cos(b)"),
}

NORMAL_CDF = (
    "_erf = np.frompyfunc(math.erf, 1, 1)\n\n\n"
    "def normal_cdf(b):\n"
    '    """Φ(b) = ½(1 + erf(b/√2)); NumPy has no erf, math.erf is exact."""\n'
    "    return 0.5 * (1.0 + _erf(b / math.sqrt(2.0)).astype(b.dtype))\n"
)

#: loss -> (E given B_L, V_L, T; δ^(L) given B_L, V_L, T)
LOSSES = {
    "mse": (
        "return 0.5 * float(np.sum((V - T) ** 2)) / len(T)",
        "return dg_{act}(b, V) * (T - V)",
    ),
    "bce": (
        "return float(np.mean(np.logaddexp(0.0, b) - T * b))  # = −[t log V + (1 − t) log(1 − V)]",
        "return (T - V) / T.shape[1]  # sigmoid and cross-entropy together; mean over outputs",
    ),
    "cross_entropy": (
        "m = b.max(axis=1, keepdims=True)\n"
        "    log_sum = m + np.log(np.exp(b - m).sum(axis=1, keepdims=True))\n"
        "    return float(np.sum(T * (log_sum - b))) / len(T)",
        "return T - V  # softmax and cross-entropy together",
    ),
}

# momentum's and Nesterov's velocity (torch: buf = g at the first step)
_VELOCITY = (
    "mu = HYPER['momentum']\n"
    "    if 'v' not in state:\n"
    "        state['v'] = [g.copy() for g in grads]\n"
    "    else:\n"
    "        for v, g in zip(state['v'], grads):\n"
    "            v *= mu\n"
    "            v += g\n"
)

#: optimizer -> body of update(params, grads, state, lr); torch.optim semantics
OPTIMIZERS = {
    "sgd": (
        "p ← p − η·∂E/∂p",
        "for p, g in zip(params, grads):\n        p -= lr * g",
    ),
    "momentum": (
        "v ← μ·v + ∂E/∂p (v = ∂E/∂p at the first step); p ← p − η·v",
        _VELOCITY + "    for p, v in zip(params, state['v']):\n        p -= lr * v",
    ),
    "nesterov": (
        "v ← μ·v + ∂E/∂p (v = ∂E/∂p at the first step); p ← p − η·(∂E/∂p + μ·v)",
        _VELOCITY + "    for p, g, v in zip(params, grads, state['v']):\n        p -= lr * (v * mu + g)",
    ),
    "adagrad": (
        "s ← s + (∂E/∂p)²; p ← p − η·∂E/∂p / (√s + ε)",
        "if 's' not in state:\n"
        "        state['s'] = [np.zeros_like(p) for p in params]\n"
        "    for p, g, s in zip(params, grads, state['s']):\n"
        "        s += g * g\n"
        "        p -= lr * (g / (np.sqrt(s) + HYPER['eps']))",
    ),
    "rmsprop": (
        "s ← ρ·s + (1 − ρ)·(∂E/∂p)²; p ← p − η·∂E/∂p / (√s + ε)",
        "rho = HYPER['rho']\n"
        "    if 's' not in state:\n"
        "        state['s'] = [np.zeros_like(p) for p in params]\n"
        "    for p, g, s in zip(params, grads, state['s']):\n"
        "        s *= rho\n"
        "        s += (1.0 - rho) * (g * g)\n"
        "        p -= lr * (g / (np.sqrt(s) + HYPER['eps']))",
    ),
    "adam": (
        "m ← β₁m + (1 − β₁)∂E/∂p; v ← β₂v + (1 − β₂)(∂E/∂p)²; p ← p − η/(1 − β₁ᵗ)·m / (√v/√(1 − β₂ᵗ) + ε)",
        "b1, b2 = HYPER['beta1'], HYPER['beta2']\n"
        "    if 'm' not in state:\n"
        "        state['m'] = [np.zeros_like(p) for p in params]\n"
        "        state['v'] = [np.zeros_like(p) for p in params]\n"
        "        state['t'] = 0\n"
        "    state['t'] += 1\n"
        "    t = state['t']\n"
        "    step_size = lr / (1.0 - b1**t)\n"
        "    bc2_sqrt = math.sqrt(1.0 - b2**t)\n"
        "    for p, g, m, v in zip(params, grads, state['m'], state['v']):\n"
        "        m *= b1\n"
        "        m += (1.0 - b1) * g\n"
        "        v *= b2\n"
        "        v += (1.0 - b2) * (g * g)\n"
        "        p -= m * (step_size / (np.sqrt(v) / bc2_sqrt + HYPER['eps']))",
    ),
}
# AdamW (torch.optim.AdamW): shrink p by (1 − η·λ), then Adam's step on the raw gradient
OPTIMIZERS["adamw"] = (
    "p ← p·(1 − η·λ); then Adam: " + OPTIMIZERS["adam"][0],
    "for p in params:\n        p *= 1.0 - lr * WEIGHT_DECAY\n    " + OPTIMIZERS["adam"][1],
)


def activation_block(names) -> str:
    out = [NORMAL_CDF] if "gelu" in names else []
    for name in dict.fromkeys(names):
        fwd, der = ACTIVATIONS[name]
        out.append(f"def g_{name}(b):\n    {fwd}\n\n\ndef dg_{name}(b, V):\n    {der}\n")
    table = ", ".join(f"{n!r}: (g_{n}, dg_{n})" for n in dict.fromkeys(names))
    out.append(f"G = {{{table}}}  # activation name -> (g, g')\n")
    return "\n\n".join(out)


def build(ctx) -> str:
    spec, t = ctx.spec, ctx.training
    loss_fn, delta_fn = LOSSES[spec.loss]
    delta_fn = delta_fn.format(act=spec.activations[-1])
    rule, body = OPTIMIZERS[t.optimizer]
    parts = snippets.opening(ctx, HEADER, f"np.{spec.dtype}") + [
        LOAD_WEIGHTS,
        "# ------------------------------------------------------------ activations g\n"
        + activation_block(spec.activations),
        FORWARD,
        f'def loss(b, V, T):\n    """E, {ctx.loss_text}."""\n    {loss_fn}\n',
        f'def output_delta(b, V, T):\n    """δ^(L), the lecture\'s sign (t − V direction)."""\n    {delta_fn}\n',
        BACKWARD,
        ctx.penalty_code("numpy"),
        f'def update(params, grads, state, lr):\n    """{t.optimizer}: {rule}."""\n    {body}\n',
        snippets.schedule_block(t.schedule),
        snippets.MINI_BATCHES,
        snippets.SAVE_WEIGHTS,
        TRAIN,
        snippets.ARGUMENTS,
        MAIN,
    ]
    return "\n\n\n".join(p.strip("\n") for p in parts if p) + "\n"


HEADER = '''#!/usr/bin/env python3
"""{title}: train this MLP Studio network with nothing but NumPy.

The lecture's Algorithm 4 (backpropagation), vectorised: each update feeds a
whole mini-batch forward, sends the errors δ back layer by layer and changes
every weight and threshold at once. Beside this script:
  {weights}   the initial weights W1…WL (inputs × outputs) and b1…bL
  {data}   the data, raw values (the preprocessing is applied below)

Run:   python {script} --epochs 100 --export-weights trained.npz
With the same settings the weights after N epochs equal those of
`mlp-studio train PROJECT --epochs N --export-weights W.npz`.
Notation: layer ℓ = 1…L; weights[ℓ−1] holds w_ij^(ℓ) at [j, i] (from unit j
to unit i); bias = −θ, so b = Σ w·V − θ = V @ W + bias.
"""

import argparse
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
'''

LOAD_WEIGHTS = '''
def load_weights():
    """Lists of weight matrices and bias vectors (bias = −θ) from the .npz."""
    with np.load(os.path.join(HERE, WEIGHTS_FILE), allow_pickle=False) as f:
        L = len(LAYER_SIZES) - 1
        weights = [f[f"W{l}"].astype(DTYPE) for l in range(1, L + 1)]
        biases = [f[f"b{l}"].astype(DTYPE) for l in range(1, L + 1)]
    return weights, biases
'''

FORWARD = '''
def forward(weights, biases, X):
    """Propagate forward: V^(0) = x, b^(ℓ) = V^(ℓ−1) W^(ℓ) − θ^(ℓ), V^(ℓ) = g(b^(ℓ)).

    Returns the lists b (one per layer) and V (V[0] is the input)."""
    V, B = [X], []
    for W, bias, name in zip(weights, biases, ACTIVATIONS):
        b = V[-1] @ W + bias
        B.append(b)
        V.append(G[name][0](b))
    return B, V
'''

BACKWARD = '''
def backward(weights, B, V, T):
    """Errors for the output layer, then propagate backward:
    δ^(ℓ−1) = (δ^(ℓ) W^(ℓ)ᵀ) · g′(b^(ℓ−1)).  Returns E and the gradients of
    the mean loss, ∂E/∂W^(ℓ) = −V^(ℓ−1)ᵀ δ^(ℓ) / n and ∂E/∂bias^(ℓ) = −Σ δ^(ℓ) / n."""
    n = len(T)
    E = loss(B[-1], V[-1], T)
    delta = output_delta(B[-1], V[-1], T)
    L = len(weights)
    grad_W, grad_b = [None] * L, [None] * L
    for l in range(L - 1, -1, -1):  # ℓ = L … 1
        grad_W[l] = -(V[l].T @ delta) / n
        grad_b[l] = -delta.sum(axis=0) / n
        if l > 0:
            name = ACTIVATIONS[l - 1]
            delta = (delta @ weights[l].T) * G[name][1](B[l - 1], V[l])
    return E, grad_W, grad_b
'''

TRAIN = '''
def train(epochs, quiet=False):
    """Train for ``epochs`` epochs; returns the weights and biases."""
    X, T, X_val, T_val = load_data()
    X, T, X_val, T_val = (a.astype(DTYPE) for a in (X, T, X_val, T_val))
    weights, biases = load_weights()
    params = weights + biases  # updated in place
    rng = np.random.default_rng(SEED)
    state = {}
    every = max(1, epochs // 20)
    for epoch in range(epochs):
        lr = learning_rate(epoch)
        total = 0.0
        for idx in mini_batches(rng, len(X)):
            B, V = forward(weights, biases, X[idx])
            E, grad_W, grad_b = backward(weights, B, V, T[idx])
            update(params, add_penalties(params, grad_W + grad_b), state, lr)
            total += E * len(idx)
        train_loss = total / len(X)
        if not (math.isfinite(train_loss) and all(np.isfinite(p).all() for p in params)):
            print(f"diverged at epoch {epoch + 1}: learning rate {lr:g} is probably too large", file=sys.stderr)
            break
        if not quiet and ((epoch + 1) % every == 0 or epoch + 1 == epochs):
            line = f"epoch {epoch + 1}/{epochs}  loss {train_loss:.6g}  lr {lr:.4g}"
            if len(X_val):
                B, V = forward(weights, biases, X_val)
                line += f"  validation loss {loss(B[-1], V[-1], T_val):.6g}"
            print(line, file=sys.stderr, flush=True)
        if TARGET_LOSS is not None and train_loss <= TARGET_LOSS:
            print(f"target loss reached after {epoch + 1} epochs", file=sys.stderr)
            break
    return weights, biases
'''

MAIN = """
def main():
    args = parse_args()
    weights, biases = train(args.epochs, args.quiet)
    if args.export_weights:
        save_weights(args.export_weights, weights, biases)
        print(f"wrote {args.export_weights}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""
