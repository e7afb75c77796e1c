"""The optimizer race runs the real model.optim.optimizers on 2-D surfaces."""

import numpy as np
import pytest

from model.analysis import surfaces as S
from model.analysis.race import DEFAULT_LR, RACERS, OptimizerRace, default_racers
from model.optim.optimizers import DEFAULTS, STATE_KEYS, make_optimizer

BOWL = S.get_surface("bowl")
HYPER = {
    "sgd": {},
    "momentum": {"momentum": 0.8},
    "nesterov": {"momentum": 0.7},
    "adagrad": {},
    "rmsprop": {"rho": 0.95},
    "adam": {"beta1": 0.85, "beta2": 0.99},
}


@pytest.mark.parametrize("name", RACERS)
def test_path_equals_optimizer_stepped_by_hand(name):
    lr, start = 0.07, (3.0, 1.5)
    race = OptimizerRace(BOWL, start, [(name, lr, HYPER[name])])
    race.step(25)
    race.step()
    opt = make_optimizer(name, lr, **HYPER[name])
    p = np.array(start)
    want = [p.copy()]
    for _ in range(26):
        gx, gy = BOWL.grad(*p)
        opt.step([p], [np.array([gx, gy])])
        want.append(p.copy())
    got = race.paths[name]
    assert got.shape == (27, 2)
    np.testing.assert_array_equal(got, np.array(want))
    np.testing.assert_array_equal(race.gradient(name), BOWL.grad(*p))
    st = race.state(name)
    assert tuple(st) == STATE_KEYS[name]
    for k, arrays in opt.state().items():
        np.testing.assert_array_equal(st[k], arrays[0])
    np.testing.assert_allclose(race.losses[name], BOWL.f(got[:, 0], got[:, 1]))


def test_sgd_diverges_above_two_over_lambda_max_and_not_below():
    crit = BOWL.lr_critical
    lrs = {"above": 3.0 * crit, "just above": 1.05 * crit, "below": 0.95 * crit}
    races = {k: OptimizerRace(BOWL, BOWL.start, [("sgd", lr, {})]) for k, lr in lrs.items()}
    for r in races.values():
        r.step(600)
    assert races["above"].diverged("sgd") and races["just above"].diverged("sgd")
    assert races["above"].racer("sgd").reason in ("left the surface", "non-finite value")
    below = races["below"]
    assert not below.diverged("sgd") and below.running == ["sgd"]
    np.testing.assert_allclose(below.position("sgd"), BOWL.minima[0], atol=1e-6)
    frozen = len(races["above"].paths["sgd"])
    races["above"].step(10)  # a diverged racer stops
    assert len(races["above"].paths["sgd"]) == frozen


def test_non_finite_gradient_stops_a_racer():
    class Hole(S.AnalyticSurface):
        pass

    hole = Hole(
        "hole",
        "hole",
        lambda x, y: x * x + y * y,
        lambda x, y: (np.where(x < 0, np.nan, 2 * x), 2 * y),
        (-1, 1, -1, 1),
        (0.5, 0.5),
    )
    race = OptimizerRace(hole, (0.5, 0.5), [("sgd", 1.0, {}), ("adam", 0.01, {})])
    race.step(5)
    assert race.diverged("sgd") and race.racer("sgd").reason == "non-finite value"
    assert not race.diverged("adam") and race.steps == 5
    assert np.isfinite(race.paths["sgd"]).all()


def test_reset_and_validation():
    race = OptimizerRace(BOWL, (0.0, 0.0), default_racers("bowl"))
    assert race.names == list(RACERS)
    assert race.optimizer("adam").lr == DEFAULT_LR["bowl"]["adam"]
    race.step(10)
    race.reset((1.0, 2.0))
    assert race.steps == 0 and race.start == (1.0, 2.0)
    assert all(p.shape == (1, 2) for p in race.paths.values())
    assert np.all(race.state("momentum")["velocity"] == 0)
    assert race.state("sgd") == {}
    race.step(1)
    assert race.paths["sgd"].shape == (2, 2)
    with pytest.raises(ValueError):
        OptimizerRace(BOWL, (0, 0), [("sgd", 0.1, {}), ("sgd", 0.2, {})])
    with pytest.raises(ValueError):
        race.state("lbfgs")
    assert default_racers("unknown", ["adam"]) == [("adam", DEFAULTS["adam"]["lr"], {})]


@pytest.mark.parametrize("name,steps", [("rosenbrock", 1000), ("plateau", 200)])
def test_default_race_is_instructive(name, steps):
    """Adam arrives where plain SGD crawls (the story each surface tells)."""
    s = S.get_surface(name)
    race = OptimizerRace(s, s.start, default_racers(name))
    race.step(steps)
    final = {n: L[-1] for n, L in race.losses.items()}
    assert final["adam"] < 1e-3 and final["sgd"] > 10 * final["adam"]
    assert not any(race.diverged(n) for n in race.names)


def test_stochastic_racers_zig_zag_around_the_batch_path():
    """The lecture's figure: online learning zig-zags around the direction of steepest descent."""
    from model.analysis.surfaces import get_surface

    bowl = S.get_surface("bowl")
    lr = 0.3
    exact = OptimizerRace(bowl, bowl.start, [("sgd", lr, {})])
    online = OptimizerRace(bowl, bowl.start, [("sgd", lr, {})], batch_size=1, seed=0)
    exact.step(40)
    online.step(40)
    assert exact.batch_path is None and online.batch_size == 1
    # the batch path is plain gradient descent with the exact gradient
    np.testing.assert_allclose(online.batch_path, exact.paths["sgd"])
    p, b = online.paths["sgd"], online.batch_path
    off = np.linalg.norm(p - b, axis=1)
    assert off[1:].max() > 0.05  # it leaves the steepest-descent path…
    # …but stays around it and ends near the same minimum
    assert np.linalg.norm(p[-1] - np.array(bowl.minima[0])) < 0.5
    # each step follows one sample's gradient: with all six samples it is the batch path again
    full = OptimizerRace(bowl, bowl.start, [("sgd", lr, {})], batch_size=6)
    full.step(5)
    assert full.batch_size is None and full.batch_path is None
    with pytest.raises(ValueError):
        OptimizerRace(get_surface("rosenbrock"), (0, 0), [("sgd", 0.1, {})], batch_size=2)


def test_loss_text_clamps_rounding_noise():
    from model.analysis.race import loss_text

    assert loss_text(-5.551e-17) == "0" and loss_text(3e-13) == "0"
    assert loss_text(0.01234567) == "0.01235" and loss_text(-0.5) == "-0.5"


def test_batch_lr_limit_is_two_over_the_worst_batch_curvature():
    from itertools import combinations

    from model.analysis.race import batch_lr_limit

    bowl = S.get_surface("bowl")
    X = bowl.samples[0]
    # one sample: its Hessian x xᵀ has the single non-zero eigenvalue |x|²
    assert batch_lr_limit(bowl, 1) == pytest.approx(2 / max((X**2).sum(1)))
    assert batch_lr_limit(bowl, 1) == pytest.approx(2 / 3.4)
    worst = max(np.linalg.eigvalsh(X[list(c)].T @ X[list(c)] / 2)[-1] for c in combinations(range(6), 2))
    assert batch_lr_limit(bowl, 2) == pytest.approx(2 / worst)
    assert batch_lr_limit(bowl, None) == pytest.approx(bowl.lr_critical)


def test_online_sgd_converges_on_the_bowl_with_the_default_settings():
    from model.analysis.race import racer_default_lr

    bowl = S.get_surface("bowl")
    # the full batch keeps the table's edge-of-stability η (the zig-zag figure)
    assert racer_default_lr("bowl", "sgd", bowl, None) == DEFAULT_LR["bowl"]["sgd"] == 1.3
    assert racer_default_lr("bowl", "sgd", bowl, 6) == 1.3
    # the table's η on single samples flies off: the reason for the cap
    wild = OptimizerRace(bowl, bowl.start, [("sgd", 1.3, {})], batch_size=1)
    wild.step(300)
    assert wild.diverged("sgd")
    lr1 = racer_default_lr("bowl", "sgd", bowl, 1)
    assert lr1 == pytest.approx(0.5 * 2 / 3.4) and 0.25 < lr1 < 0.35
    for b in (1, 2, 3, 4, 5):
        race = OptimizerRace(
            bowl, bowl.start, default_racers("bowl", surface=bowl, batch_size=b), batch_size=b
        )
        race.step(400)
        assert race.running == race.names, b
        assert race.losses["sgd"][-1] < 1e-4 * race.losses["sgd"][0], b
