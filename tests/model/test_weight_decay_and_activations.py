"""Weight decay (coupled, and AdamW's decoupled), the new activations and the
cyclic schedule: against hand formulas, central differences and torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.network import Network, NetworkSpec
from model.nn import activations
from model.nn.gradcheck import max_relative_error
from model.optim.optimizers import OPTIMIZERS, make_optimizer, optimizer_from_dict
from model.optim.schedules import Schedule

NEW = ("elu", "gelu", "silu", "softplus", "sine")


# ------------------------------------------------------------------ weight decay
def test_coupled_decay_adds_lambda_p_to_the_gradient_by_hand():
    opt = make_optimizer("sgd", lr=0.1, weight_decay=0.5)
    p, g = np.array([2.0, -1.0]), np.array([0.3, 0.0])
    opt.step([p], [g])
    # p − lr·(g + λp) = [2 − 0.1·(0.3 + 1), −1 − 0.1·(0 − 0.5)]
    np.testing.assert_allclose(p, [2.0 - 0.13, -1.0 + 0.05], rtol=1e-15)
    np.testing.assert_array_equal(g, [0.3, 0.0])  # the caller's gradient is untouched


def test_adamw_decays_the_parameter_not_the_gradient_by_hand():
    lr, wd = 0.1, 0.2
    opt = make_optimizer("adamw", lr=lr, weight_decay=wd)
    p = np.array([3.0])
    opt.step([p], [np.array([0.5])])
    # p·(1 − lr·λ) then Adam's first step, −lr·sign(g) up to eps
    want = 3.0 * (1 - lr * wd) - lr * 0.5 / (0.5 + 1e-8)
    assert p[0] == pytest.approx(want, rel=1e-14)
    assert make_optimizer("adamw").weight_decay == 0.01  # torch's default
    assert make_optimizer("adam").weight_decay == 0.0


def test_weight_decay_validation_and_round_trip():
    with pytest.raises(ValueError, match="weight_decay"):
        make_optimizer("sgd", weight_decay=-1)
    with pytest.raises(ValueError, match="weight_decay"):
        make_optimizer("sgd", weight_decay=math.inf)
    opt = make_optimizer("momentum", lr=0.05, weight_decay=1e-3)
    d = opt.to_dict()
    assert d["weight_decay"] == 1e-3
    assert optimizer_from_dict(d).weight_decay == 1e-3
    assert "weight_decay" not in make_optimizer("sgd").to_dict()  # default left out


def _torch_cases(torch, wd):
    T = torch.optim
    return {
        "sgd": ({"lr": 0.1}, lambda ps: T.SGD(ps, lr=0.1, weight_decay=wd)),
        "momentum": (
            {"lr": 0.05, "momentum": 0.8},
            lambda ps: T.SGD(ps, lr=0.05, momentum=0.8, weight_decay=wd),
        ),
        "nesterov": (
            {"lr": 0.05, "momentum": 0.8},
            lambda ps: T.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=wd),
        ),
        "adagrad": ({"lr": 0.2}, lambda ps: T.Adagrad(ps, lr=0.2, eps=1e-10, weight_decay=wd)),
        "rmsprop": (
            {"lr": 0.01, "rho": 0.95},
            lambda ps: T.RMSprop(ps, lr=0.01, alpha=0.95, eps=1e-8, weight_decay=wd),
        ),
        "adam": (
            {"lr": 0.01, "beta1": 0.85, "beta2": 0.99},
            lambda ps: T.Adam(ps, lr=0.01, betas=(0.85, 0.99), eps=1e-8, weight_decay=wd),
        ),
        "adamw": (
            {"lr": 0.01, "beta1": 0.85, "beta2": 0.99, "eps": 1e-7},
            lambda ps: T.AdamW(ps, lr=0.01, betas=(0.85, 0.99), eps=1e-7, weight_decay=wd),
        ),
    }


@pytest.mark.parametrize("flat", [False, True], ids=["separate-arrays", "network-buffer"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_weight_decay_matches_torch_for_30_steps(name, flat):
    torch = pytest.importorskip("torch")
    wd = 0.3
    kw, make_torch = _torch_cases(torch, wd)[name]
    rng = np.random.default_rng(1)
    if flat:  # a Network's parameters: views of one buffer, the optimizer's fast path
        net = Network(NetworkSpec([3, 2, 1], ["tanh", "linear"], seed=2))
        ours = net.parameters()
        grads = Network(NetworkSpec([3, 2, 1], ["tanh", "linear"], seed=2))._grads
    else:
        ours = [rng.normal(size=(3, 2)), rng.normal(size=(2,))]
        grads = [np.empty_like(a) for a in ours]
    theirs = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True) for a in ours]
    opt = make_optimizer(name, weight_decay=wd, **kw)
    topt = make_torch(theirs)
    for _ in range(30):
        for g in grads:
            g[...] = rng.normal(size=g.shape)
        opt.step(ours, grads)
        for t, g in zip(theirs, grads):
            t.grad = torch.tensor(g.copy(), dtype=torch.float64)
        topt.step()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a, t.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("name", NEW)
def test_new_activation_is_accepted_and_gradients_match_central_differences(name):
    rng = np.random.default_rng(3)
    spec = NetworkSpec(layer_sizes=[2, 4, 3, 1], activations=[name, name, "linear"], seed=4)
    net = Network(spec)
    X, T = rng.normal(size=(7, 2)) * 1.5, rng.normal(size=(7, 1))
    assert max_relative_error(net, X, T) < 1e-6
    # the fast training path agrees with the reference loss_and_gradients
    loss, gW, gb = net.loss_and_gradients(X, T)
    loss2, flat = net.gradients_into(X, T)
    assert loss2 == pytest.approx(loss, rel=1e-12)
    for a, b in zip(gW + gb, flat):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", NEW)
def test_derivative_equals_central_difference_of_forward(name):
    b = np.linspace(-6, 6, 241).reshape(1, -1)
    h = 1e-6
    numeric = (activations.forward(name, b + h) - activations.forward(name, b - h)) / (2 * h)
    V = activations.forward(name, b)
    np.testing.assert_allclose(activations.derivative(name, b, V), numeric, rtol=1e-6, atol=1e-8)
    assert name in activations.DESCRIPTIONS and name in activations.ACTIVATIONS


def test_new_activations_by_hand():
    b = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(activations.forward("elu", b), [[math.exp(-1) - 1, 0.0, 2.0]])
    np.testing.assert_allclose(
        activations.forward("softplus", b), [[math.log1p(math.exp(-1)), math.log(2), math.log1p(math.exp(2))]]
    )
    np.testing.assert_allclose(activations.forward("sine", b), np.sin(b))
    np.testing.assert_allclose(activations.forward("silu", b), b / (1 + np.exp(-b)))
    gelu = [x * 0.5 * (1 + math.erf(x / math.sqrt(2))) for x in b[0]]
    np.testing.assert_allclose(activations.forward("gelu", b), [gelu], rtol=1e-15)
    assert np.isfinite(activations.forward("softplus", np.array([[1000.0, -1000.0]]))).all()
    assert activations.forward("elu", np.array([[-1000.0]]))[0, 0] == -1.0


def test_unknown_activation_is_one_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*gelu"):
        NetworkSpec(layer_sizes=[2, 1], activations=["swish"])


@pytest.mark.parametrize("name", NEW)
def test_activation_and_derivative_match_torch(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    fn = {
        "elu": lambda t: F.elu(t, alpha=1.0),
        "gelu": lambda t: F.gelu(t),  # approximate="none": the exact erf form
        "silu": F.silu,
        "softplus": lambda t: F.softplus(t, beta=1.0),
        "sine": torch.sin,
    }[name]
    b = np.random.default_rng(5).normal(size=(50, 4)) * 4
    t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    V = activations.forward(name, b)
    np.testing.assert_allclose(V, y.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(activations.derivative(name, b, V), t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_float32_networks_use_the_new_activations():
    spec = NetworkSpec(layer_sizes=[2, 3, 1], activations=["gelu", "sigmoid"], dtype="float32")
    y = Network(spec).predict(np.ones((4, 2)))
    assert y.dtype == np.float32 and np.isfinite(y).all()


# ------------------------------------------------------------------ cyclic schedule
def test_cyclic_by_hand():
    s = Schedule("cyclic", base_lr=0.01, max_lr=0.11, step_size=5)
    got = [s.lr(123.0, e) for e in (0, 1, 5, 7, 10, 15, 20)]  # η₀ is ignored
    np.testing.assert_allclose(got, [0.01, 0.03, 0.11, 0.07, 0.01, 0.11, 0.01], rtol=1e-12)
    assert "0.01 ↗ 0.11" in s.describe()
    with pytest.raises(ValueError, match="base_lr"):
        Schedule("cyclic", base_lr=0.2, max_lr=0.1)
    assert Schedule.from_dict(s.to_dict()) == s


def test_cyclic_matches_torch_cycliclr_over_50_steps():
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    sched = torch.optim.lr_scheduler.CyclicLR(
        opt, base_lr=0.002, max_lr=0.05, step_size_up=7, mode="triangular", cycle_momentum=False
    )
    s = Schedule("cyclic", base_lr=0.002, max_lr=0.05, step_size=7)
    want, got = [], []
    for epoch in range(50):
        want.append(opt.param_groups[0]["lr"])
        got.append(s.lr(0.1, epoch))
        opt.step()
        sched.step()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(s.lr(0.1, np.arange(50)), want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NEW)
def test_new_activations_export_to_onnx(name, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from app.onnx_export import export_onnx

    net = Network(NetworkSpec([2, 3, 1], [name, "linear"], seed=1))
    export_onnx(net, tmp_path / "m.onnx")
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"))
    X = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    y = sess.run(None, {sess.get_inputs()[0].name: X})[0]
    np.testing.assert_allclose(y, net.predict(X), atol=1e-5)
