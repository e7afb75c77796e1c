"""Gradients and losses against PyTorch autograd (float64), for every loss
and activation pairing; plus a guard that CI really has torch installed, so
these comparisons run there instead of being skipped."""

from __future__ import annotations

import os

import numpy as np
import pytest

from model.nn.network import Network
from model.nn.spec import NetworkSpec

NETS = [
    (["tanh", "sigmoid"], "mse"),
    (["relu", "linear"], "mse"),
    (["leaky_relu", "tanh"], "mse"),
    (["sigmoid", "sigmoid"], "bce"),
    (["tanh", "softmax"], "cross_entropy"),
]


def test_ci_has_the_pinned_cpu_torch():
    if not os.environ.get("CI"):
        pytest.skip("only enforced in CI (.ci/run sets CI=true)")
    import torch

    assert torch.__version__.split("+")[0] == "2.13.0"


@pytest.mark.parametrize("acts, loss", NETS)
def test_gradients_equal_torch_autograd(acts, loss):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    spec = NetworkSpec([3, 5, 4, 3 if acts[-1] == "softmax" else 2], ["tanh", *acts], loss=loss, seed=2)
    net = Network(spec)
    X = rng.normal(size=(11, 3))
    if loss == "cross_entropy":
        T = np.eye(3)[rng.integers(0, 3, 11)]
    elif loss == "bce":
        T = rng.integers(0, 2, (11, 2)).astype(float)
    else:
        T = rng.normal(size=(11, 2))
    E, gW, gb = net.loss_and_gradients(X, T)
    Ws = [torch.tensor(w, requires_grad=True) for w in net.weights]
    bs = [torch.tensor(b, requires_grad=True) for b in net.biases]
    V = torch.tensor(X)
    fns = {
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
        "linear": lambda z: z,
    }
    for l, (W, b, a) in enumerate(zip(Ws, bs, spec.activations)):
        z = V @ W + b
        if l == len(Ws) - 1:
            break
        V = fns[a](z)
    t = torch.tensor(T)
    if loss == "mse":
        ref = 0.5 * ((fns[acts[-1]](z) - t) ** 2).sum() / len(T)
    elif loss == "bce":
        ref = torch.nn.functional.binary_cross_entropy_with_logits(z, t)
    else:
        ref = torch.nn.functional.cross_entropy(z, t)
    ref.backward()
    assert E == pytest.approx(ref.detach().item(), rel=1e-12)
    for mine, theirs in zip(gW + gb, Ws + bs):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-13)
