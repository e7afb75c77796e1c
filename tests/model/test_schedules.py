"""Learning-rate schedules against hand formulas."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from model.optim.schedules import SCHEDULE_FIELDS, SCHEDULES, Schedule

EPOCHS = [0, 1, 7, 99, 100, 101, 250, 999, 1000, 1500]


def hand(
    kind, lr0, e, step_size=100, gamma=0.5, decay=0.01, period=1000, min_lr=0.0, base_lr=0.001, max_lr=0.1
):
    if kind == "cyclic":  # up step_size epochs, down step_size epochs
        phase = e % (2 * step_size)
        frac = phase / step_size if phase <= step_size else 2 - phase / step_size
        return base_lr + (max_lr - base_lr) * frac
    if kind == "constant":
        return lr0
    if kind == "step":
        return lr0 * gamma ** (e // step_size)
    if kind == "exponential":
        return lr0 * math.exp(-decay * e)
    if kind == "inverse_time":
        return lr0 / (1 + decay * e)
    return min_lr + (lr0 - min_lr) * (1 + math.cos(math.pi * min(e, period) / period)) / 2


def test_hand_picked_values():
    assert Schedule().lr(0.1, 500) == 0.1
    s = Schedule("step", step_size=100, gamma=0.5)
    assert [s.lr(0.2, e) for e in (0, 99, 100, 199, 200, 350)] == [0.2, 0.2, 0.1, 0.1, 0.05, 0.025]
    assert Schedule("exponential", decay=0.1).lr(1.0, 10) == pytest.approx(math.exp(-1))
    assert Schedule("inverse_time", decay=0.5).lr(1.0, 2) == pytest.approx(0.5)
    c = Schedule("cosine", period=100, min_lr=0.01)
    assert c.lr(0.11, 0) == pytest.approx(0.11)
    assert c.lr(0.11, 50) == pytest.approx(0.06)
    assert c.lr(0.11, 100) == pytest.approx(0.01)
    assert c.lr(0.11, 5000) == pytest.approx(0.01)  # stays at min_lr after the period


@pytest.mark.parametrize("kind", SCHEDULES)
@pytest.mark.parametrize(
    "params", [{}, {"step_size": 7, "gamma": 0.9, "decay": 0.003, "period": 300, "min_lr": 1e-4}]
)
def test_against_hand_formula(kind, params):
    s = Schedule(kind, **params)
    for e in EPOCHS:
        got = s.lr(0.05, e)
        assert isinstance(got, float)
        assert got == pytest.approx(hand(kind, 0.05, e, **params), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("kind", SCHEDULES)
def test_vectorised_equals_scalar(kind):
    s = Schedule(kind, step_size=30, period=400, min_lr=0.001)
    epochs = np.arange(0, 600)
    arr = s.lr(0.1, epochs)
    assert isinstance(arr, np.ndarray) and arr.shape == epochs.shape
    assert arr.dtype == np.float64
    np.testing.assert_allclose(arr, [s.lr(0.1, int(e)) for e in epochs], rtol=1e-15)
    grid = s.lr(0.1, epochs.reshape(20, 30))
    assert grid.shape == (20, 30)
    assert isinstance(s.lr(0.1, np.int64(5)), float)
    assert isinstance(s.lr(0.1, np.array(5)), float)


@pytest.mark.parametrize("kind", [k for k in SCHEDULES if k != "cyclic"])
def test_never_increases_and_starts_at_lr0(kind):
    lrs = Schedule(kind).lr(0.3, np.arange(3000))
    assert lrs[0] == pytest.approx(0.3)
    assert np.all(np.diff(lrs) <= 1e-15)
    assert np.all(lrs >= 0)


def test_validation():
    with pytest.raises(ValueError, match="allowed: constant, step, exponential"):
        Schedule("linear")
    bad = [
        {"step_size": 0},
        {"step_size": 2.5},
        {"step_size": True},
        {"period": 0},
        {"period": -3},
        {"gamma": 0.0},
        {"gamma": 1.5},
        {"gamma": float("nan")},
        {"decay": -0.1},
        {"decay": float("inf")},
        {"min_lr": -1e-3},
        {"gamma": "half"},
    ]
    for kw in bad:
        with pytest.raises(ValueError):
            Schedule("step", **kw)
    s = Schedule("exponential")
    with pytest.raises(ValueError, match="epoch"):
        s.lr(0.1, -1)
    with pytest.raises(ValueError, match="epoch"):
        s.lr(0.1, np.array([0, 1, -2]))
    with pytest.raises(ValueError, match="lr0"):
        s.lr(float("nan"), 1)
    # integral floats (e.g. from a spin box or JSON) are normalised
    n = Schedule("step", step_size=50.0, period=200.0)
    assert n.step_size == 50 and isinstance(n.step_size, int) and isinstance(n.period, int)


def test_frozen():
    with pytest.raises(Exception):
        Schedule().kind = "step"


@pytest.mark.parametrize("kind", SCHEDULES)
def test_round_trip(kind):
    s = Schedule(kind, step_size=25, gamma=0.8, decay=0.02, period=500, min_lr=1e-5)
    d = json.loads(json.dumps(s.to_dict()))
    assert Schedule.from_dict(d) == s
    assert set(d) == {"kind", "step_size", "gamma", "decay", "period", "min_lr", "base_lr", "max_lr"}
    assert set(SCHEDULE_FIELDS[kind]) <= set(d)


def test_from_dict_defaults_and_errors():
    assert Schedule.from_dict({"kind": "cosine"}) == Schedule("cosine")
    assert Schedule.from_dict({}) == Schedule()
    with pytest.raises(ValueError, match="unknown schedule field"):
        Schedule.from_dict({"kind": "step", "warmup": 5})
    with pytest.raises(ValueError, match="unknown schedule kind"):
        Schedule.from_dict({"kind": "bogus"})
    with pytest.raises(ValueError, match="gamma"):
        Schedule.from_dict({"kind": "step", "gamma": -1})
    with pytest.raises(ValueError):
        Schedule.from_dict([("kind", "step")])


def test_describe():
    assert Schedule().describe() == "η = η₀"
    assert Schedule("step").describe() == "η = η₀ · 0.5^⌊epoch/100⌋"
    assert Schedule("exponential", decay=0.02).describe() == "η = η₀ · exp(−0.02 · epoch)"
    assert Schedule("inverse_time").describe() == "η = η₀ / (1 + 0.01 · epoch)"
    assert Schedule("cosine", period=50).describe() == "η = η₀ · (1 + cos(π · min(epoch, 50)/50)) / 2"
    assert Schedule("cosine", min_lr=0.001).describe().startswith("η = 0.001 + (η₀ − 0.001) · ")
    for kind in SCHEDULES:
        assert "\n" not in Schedule(kind).describe()
