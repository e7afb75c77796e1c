"""Optimizers against hand-computed update sequences (scalar Python formulas).

The expected numbers are computed element by element with ``math`` — never by
calling ``model.optim.optimizers`` — so a mistake in the vectorised code can't hide
in the reference.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from model.optim.optimizers import DEFAULTS, OPTIMIZERS, STATE_KEYS, make_optimizer, optimizer_from_dict

P0 = [1.0, -2.0]
GRADS = [[0.5, -1.0], [0.2, 0.4], [-0.3, 0.1]]  # three fixed gradient vectors


def run(name, steps=GRADS, p0=P0, **kw):
    """Run the module's optimizer; return the parameter vector after each step."""
    opt = make_optimizer(name, **kw)
    p = np.array(p0, dtype=float)
    out = []
    for g in steps:
        opt.step([p], [np.array(g, dtype=float)])
        out.append(p.copy())
    return opt, out


def assert_seq(got, expected, rtol=1e-12):
    assert len(got) == len(expected)
    for k, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-15, err_msg=f"step {k + 1}")


# ------------------------------------------------------------ hand references


def ref_sgd(lr):
    p, out = list(P0), []
    for g in GRADS:
        p = [pi - lr * gi for pi, gi in zip(p, g)]
        out.append(p)
    return out


def ref_momentum(lr, mu, nesterov):
    p, buf, out = list(P0), None, []
    for g in GRADS:
        buf = list(g) if buf is None else [mu * b + gi for b, gi in zip(buf, g)]
        d = [gi + mu * b for gi, b in zip(g, buf)] if nesterov else buf
        p = [pi - lr * di for pi, di in zip(p, d)]
        out.append(p)
    return out


def ref_adagrad(lr, eps=1e-10):
    p, acc, out = list(P0), [0.0, 0.0], []
    for g in GRADS:
        acc = [a + gi * gi for a, gi in zip(acc, g)]
        p = [pi - lr * gi / (math.sqrt(a) + eps) for pi, gi, a in zip(p, g, acc)]
        out.append(p)
    return out


def ref_rmsprop(lr, rho, eps=1e-8):
    p, sq, out = list(P0), [0.0, 0.0], []
    for g in GRADS:
        sq = [rho * s + (1 - rho) * gi * gi for s, gi in zip(sq, g)]
        p = [pi - lr * gi / (math.sqrt(s) + eps) for pi, gi, s in zip(p, g, sq)]
        out.append(p)
    return out


def ref_adam(lr, b1, b2, eps=1e-8):
    p, m, v, out = list(P0), [0.0, 0.0], [0.0, 0.0], []
    for t, g in enumerate(GRADS, start=1):
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        p = [pi - (lr / bc1) * mi / (math.sqrt(vi) / math.sqrt(bc2) + eps) for pi, mi, vi in zip(p, m, v)]
        out.append(p)
    return out


def test_sgd_three_steps():
    # step 1 by hand: [1 - 0.1*0.5, -2 - 0.1*(-1)] = [0.95, -1.9]
    _, got = run("sgd", lr=0.1)
    np.testing.assert_allclose(got[0], [0.95, -1.9])
    assert_seq(got, ref_sgd(0.1))


def test_momentum_three_steps():
    # by hand, μ = 0.9, lr = 0.1: buf1 = [0.5, -1] -> p1 = [0.95, -1.9]
    # buf2 = [0.65, -0.5] -> p2 = [0.885, -1.85]
    # buf3 = [0.285, -0.35] -> p3 = [0.8565, -1.815]
    _, got = run("momentum", lr=0.1, momentum=0.9)
    assert_seq(got, [[0.95, -1.9], [0.885, -1.85], [0.8565, -1.815]])
    assert_seq(got, ref_momentum(0.1, 0.9, nesterov=False))


def test_nesterov_three_steps():
    # step 1: buf = g, d = g + 0.9 g = 1.9 g -> p1 = [1 - 0.095, -2 + 0.19]
    _, got = run("nesterov", lr=0.1, momentum=0.9)
    np.testing.assert_allclose(got[0], [0.905, -1.81])
    assert_seq(got, ref_momentum(0.1, 0.9, nesterov=True))


def test_nesterov_differs_from_momentum_as_expected():
    _, mom = run("momentum", lr=0.1, momentum=0.9)
    _, nes = run("nesterov", lr=0.1, momentum=0.9)
    # Nesterov's extra look-ahead term lr*μ*buf_t: after step 1 the gap is lr*μ*g1.
    np.testing.assert_allclose(mom[0] - nes[0], [0.1 * 0.9 * 0.5, 0.1 * 0.9 * -1.0])
    assert not np.allclose(mom[2], nes[2])
    # with μ = 0 both reduce to plain SGD
    _, n0 = run("nesterov", lr=0.1, momentum=0.0)
    assert_seq(n0, ref_sgd(0.1))


def test_adagrad_three_steps():
    # step 1 by hand: sum = g², so p -= lr * sign(g) (up to eps)
    _, got = run("adagrad", lr=0.1)
    np.testing.assert_allclose(got[0], [0.9, -1.9])
    assert_seq(got, ref_adagrad(0.1))


def test_rmsprop_three_steps():
    # step 1 by hand: sq = 0.1 g², p -= 0.01 * g / (sqrt(0.1)|g|) = 0.01/sqrt(0.1) * sign(g)
    _, got = run("rmsprop", lr=0.01, rho=0.9)
    d = 0.01 / math.sqrt(0.1)
    np.testing.assert_allclose(got[0], [1 - d, -2 + d], rtol=1e-7)
    assert_seq(got, ref_rmsprop(0.01, 0.9))


def test_adam_three_steps():
    _, got = run("adam", lr=0.001, beta1=0.9, beta2=0.999)
    assert_seq(got, ref_adam(0.001, 0.9, 0.999))
    _, got = run("adam", lr=0.05, beta1=0.5, beta2=0.8, eps=1e-3)
    assert_seq(got, ref_adam(0.05, 0.5, 0.8, eps=1e-3))


def test_adam_bias_correction_first_step_is_lr_times_sign():
    g = np.array([1e-3, -5.0, 200.0, -0.07])
    p = np.zeros(4)
    opt = make_optimizer("adam", lr=0.01)
    opt.step([p], [g])
    np.testing.assert_allclose(p, -0.01 * np.sign(g), rtol=1e-4)
    # effective_step * m is exactly the applied step; each ≈ lr / |g|
    eff = opt.state()["effective_step"][0]
    m = opt.state()["m"][0]
    np.testing.assert_allclose(eff * m, -p, rtol=1e-12)
    np.testing.assert_allclose(eff, 0.01 / ((1 - 0.9) * np.abs(g)), rtol=1e-4)
    assert np.all(eff > 0)


def test_lr_change_mid_run_takes_effect():
    opt = make_optimizer("sgd", lr=0.1)
    p = np.array([1.0, -2.0])
    g = np.array([0.5, -1.0])
    opt.step([p], [g])
    opt.lr = 0.5
    opt.step([p], [g])
    np.testing.assert_allclose(p, [1 - 0.05 - 0.25, -2 + 0.1 + 0.5])
    opt.lr = 0.0  # a schedule may decay to zero: no movement
    opt.step([p], [g])
    np.testing.assert_allclose(p, [0.7, -1.4])
    # Adam: the new lr scales the very next update
    a = make_optimizer("adam", lr=0.001)
    b = make_optimizer("adam", lr=0.001)
    pa, pb = np.array([1.0]), np.array([1.0])
    for k in range(3):
        if k == 2:
            b.lr = 0.002
        da, db = pa.copy(), pb.copy()
        a.step([pa], [np.array([0.3 + k])])
        b.step([pb], [np.array([0.3 + k])])
    np.testing.assert_allclose(pb - db, 2 * (pa - da), rtol=1e-12)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_returns_copies_with_documented_keys(name):
    opt = make_optimizer(name)
    assert opt.state() == {k: [] for k in STATE_KEYS[name]}
    params = [np.array([1.0, -2.0]), np.ones((2, 3), dtype=np.float32)]
    grads = [np.array([0.5, -1.0]), np.full((2, 3), 0.25, dtype=np.float32)]
    opt.step(params, grads)
    st = opt.state()
    assert set(st) == set(STATE_KEYS[name])
    for key, arrays in st.items():
        assert [a.shape for a in arrays] == [(2,), (2, 3)]
        assert [a.dtype for a in arrays] == [np.float64, np.float32]
        before = [a.copy() for a in arrays]
        opt.step(params, grads)
        for a, b in zip(arrays, before):  # our copies did not change with the step
            np.testing.assert_array_equal(a, b)
        arrays[0][...] = 123.0  # and writing to them does not reach the optimizer
        assert not np.any(opt.state()[key][0] == 123.0)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_reset_restarts_from_scratch(name):
    opt, first = run(name)
    assert opt.t == 3
    opt.reset()
    assert opt.t == 0
    assert all(v == [] for v in opt.state().values())
    p = np.array(P0)
    again = []
    for g in GRADS:
        opt.step([p], [np.array(g)])
        again.append(p.copy())
    assert_seq(again, first, rtol=0)
    # after reset, different shapes are fine
    opt.reset()
    opt.step([np.zeros(5)], [np.ones(5)])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_tiny_vectors_and_float32(name):
    p = np.array([0.5, -0.5], dtype=np.float32)
    opt = make_optimizer(name)
    opt.step([p], [np.array([1.0, -1.0], dtype=np.float32)])
    assert p.dtype == np.float32 and p[0] < 0.5 and p[1] > -0.5
    s = np.array(2.0)  # 0-d parameter
    make_optimizer(name).step([s], [np.array(1.0)])
    assert s < 2.0


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_is_in_place_and_reuses_buffers(name):
    p = np.array([1.0, -2.0])
    opt = make_optimizer(name)
    opt.step([p], [np.array([0.5, -1.0])])
    ids = {k: [id(a) for a in v] for k, v in opt._state.items()}
    scratch = [id(a) for a in opt._scratch]
    ref = p
    opt.step([p], [np.array([0.1, 0.1])])
    assert ref is p
    assert {k: [id(a) for a in v] for k, v in opt._state.items()} == ids
    assert [id(a) for a in opt._scratch] == scratch


def test_validation_errors():
    with pytest.raises(ValueError, match="allowed: sgd, momentum, nesterov, adagrad, rmsprop, adam"):
        make_optimizer("lbfgs")
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer(None)
    for bad in (0, -0.1, float("nan"), float("inf"), "fast", True):
        with pytest.raises(ValueError, match="lr"):
            make_optimizer("sgd", lr=bad)
    for bad in (-0.1, 1.0, 1.5, float("nan")):
        with pytest.raises(ValueError, match="momentum"):
            make_optimizer("momentum", momentum=bad)
        with pytest.raises(ValueError, match="rho"):
            make_optimizer("rmsprop", rho=bad)
        with pytest.raises(ValueError, match="beta1"):
            make_optimizer("adam", beta1=bad)
        with pytest.raises(ValueError, match="beta2"):
            make_optimizer("adam", beta2=bad)
    for bad in (0.0, -1e-8, float("inf")):
        with pytest.raises(ValueError, match="eps"):
            make_optimizer("adam", eps=bad)
    with pytest.raises(ValueError, match="unknown hyper-parameter.*momentum"):
        make_optimizer("sgd", momentum=0.9)
    with pytest.raises(ValueError, match="unknown hyper-parameter.*eps"):
        make_optimizer("momentum", eps=0.1)
    opt = make_optimizer("sgd")
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0
    with pytest.raises(ValueError, match="lr"):
        opt.lr = float("nan")
    with pytest.raises(ValueError, match="momentum"):
        make_optimizer("momentum").set_hyper(momentum=1.0)


def test_step_shape_validation():
    opt = make_optimizer("adam")
    with pytest.raises(ValueError, match="2 parameter arrays but 1 gradient"):
        opt.step([np.zeros(2), np.zeros(3)], [np.zeros(2)])
    with pytest.raises(ValueError, match="shape"):
        opt.step([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match="floating-point"):
        opt.step([np.zeros(2, dtype=int)], [np.zeros(2)])
    assert opt.t == 0  # failed steps change nothing
    opt.step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="reset"):
        opt.step([np.zeros(3)], [np.ones(3)])
    with pytest.raises(ValueError, match="reset"):
        opt.step([np.zeros(2), np.zeros(2)], [np.ones(2), np.ones(2)])
    with pytest.raises(ValueError, match="shape"):
        opt.step([np.zeros(2)], [np.ones(3)])
    assert opt.t == 1


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_to_dict_round_trip(name):
    opt = make_optimizer(name, lr=0.0123)
    d = opt.to_dict()
    assert d == {**DEFAULTS[name], "name": name, "lr": 0.0123}
    back = optimizer_from_dict(json.loads(json.dumps(d)))
    assert back.to_dict() == d and back.name == name and back.t == 0
    assert back.hyper == {k: v for k, v in d.items() if k not in ("name", "lr")}


def test_from_dict_custom_hyper_and_errors():
    opt = optimizer_from_dict({"name": "adam", "lr": 0.01, "beta1": 0.8, "eps": 1e-6})
    assert opt.hyper == {"beta1": 0.8, "beta2": 0.999, "eps": 1e-6}
    assert optimizer_from_dict({"name": "momentum"}).lr == DEFAULTS["momentum"]["lr"]
    with pytest.raises(ValueError, match="name"):
        optimizer_from_dict({"lr": 0.1})
    with pytest.raises(ValueError, match="unknown hyper-parameter"):
        optimizer_from_dict({"name": "sgd", "lr": 0.1, "rho": 0.9})


def test_hyper_is_a_copy_and_set_hyper_takes_effect():
    opt = make_optimizer("momentum", lr=0.1)
    opt.hyper["momentum"] = 0.0  # a copy: no effect
    assert opt.hyper["momentum"] == 0.9
    opt.set_hyper(momentum=0.0)
    p = np.array([1.0])
    opt.step([p], [np.array([1.0])])
    opt.step([p], [np.array([1.0])])
    np.testing.assert_allclose(p, [0.8])  # plain SGD with μ = 0


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_convex_quadratic_minimum_is_approached(name):
    # E(p) = ½ Σ a_i (p_i − c_i)², gradient a ⊙ (p − c); an ill-conditioned bowl
    a = np.array([1.0, 4.0])
    c = np.array([0.5, -1.5])
    lrs = {
        "sgd": 0.1,
        "momentum": 0.05,
        "nesterov": 0.05,
        "adagrad": 0.5,
        "rmsprop": 0.01,
        "adam": 0.05,
        "adamw": 0.05,
    }
    opt = make_optimizer(name, lr=lrs[name])
    p = np.array([3.0, 2.0])
    g = np.empty(2)
    start = np.linalg.norm(p - c)
    for _ in range(2000):
        np.multiply(a, p - c, out=g)
        opt.step([p], [g])
    assert np.linalg.norm(p - c) < 0.02 * start, (name, p)


def test_matches_torch_optim_for_20_steps():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    cases = [
        ("sgd", {"lr": 0.1}, lambda ps: torch.optim.SGD(ps, lr=0.1)),
        ("momentum", {"lr": 0.05, "momentum": 0.8}, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8)),
        (
            "nesterov",
            {"lr": 0.05, "momentum": 0.8},
            lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True),
        ),
        ("adagrad", {"lr": 0.2}, lambda ps: torch.optim.Adagrad(ps, lr=0.2, eps=1e-10)),
        (
            "rmsprop",
            {"lr": 0.01, "rho": 0.95},
            lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.95, eps=1e-8),
        ),
        (
            "adam",
            {"lr": 0.01, "beta1": 0.85, "beta2": 0.99},
            lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.85, 0.99), eps=1e-8),
        ),
    ]
    for name, kw, make_torch in cases:
        init = [rng.normal(size=(3, 2)), rng.normal(size=(2,))]
        grads = [[rng.normal(size=a.shape) for a in init] for _ in range(20)]
        ours = [a.copy() for a in init]
        theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in init]
        opt, topt = make_optimizer(name, **kw), make_torch(theirs)
        for gs in grads:
            opt.step(ours, gs)
            for tp, g in zip(theirs, gs):
                tp.grad = torch.tensor(g, dtype=torch.float64)
            topt.step()
        for a, tp in zip(ours, theirs):
            np.testing.assert_allclose(a, tp.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
