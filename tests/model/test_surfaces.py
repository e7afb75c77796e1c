"""Error surfaces: values and gradients against closed forms and central
differences; network slices against Network.loss itself."""

import numpy as np
import pytest

from model.analysis import loss_slices as LS
from model.analysis import surfaces as S
from model.nn.network import Network, NetworkSpec

RNG = np.random.default_rng(7)

FORMULAS = {  # written out again here, independently of the module
    "rosenbrock": (
        lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
    ),
    "beale": (
        lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
        None,
    ),
    "saddle": (lambda x, y: x**2 - y**2, lambda x, y: (2 * x, -2 * y)),
    "himmelblau": (
        lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        lambda x, y: (
            4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
            2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7),
        ),
    ),
    "plateau": (
        lambda x, y: 1 - np.exp(-(x**2 + y**2)),
        lambda x, y: (2 * x * np.exp(-(x**2 + y**2)), 2 * y * np.exp(-(x**2 + y**2))),
    ),
    "bowl": (
        lambda x, y: np.mean(
            [0.5 * (x * a + y * b - t) ** 2 for (a, b), t in zip(S.BOWL_X, S.BOWL_T)], axis=0
        ),
        None,
    ),
}


def points(surface, n=12):
    x0, x1, y0, y1 = surface.extent
    return RNG.uniform(x0, x1, n), RNG.uniform(y0, y1, n)


def fd_grad(f, x, y, h=1e-6):
    return ((f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h))


@pytest.mark.parametrize("name", S.ANALYTIC)
def test_analytic_values_and_gradients(name):
    s = S.get_surface(name)
    x, y = points(s)
    f, g = FORMULAS[name]
    np.testing.assert_allclose(s.f(x, y), f(x, y), rtol=1e-12, atol=1e-12)
    gx, gy = s.grad(x, y)
    assert gx.shape == gy.shape == x.shape
    if g is not None:
        np.testing.assert_allclose(gx, g(x, y)[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(gy, g(x, y)[1], rtol=1e-12, atol=1e-12)
    nx, ny = fd_grad(s.f, x, y)
    scale = 1 + np.abs(nx) + np.abs(ny)
    assert np.all(np.abs(gx - nx) < 1e-5 * scale) and np.all(np.abs(gy - ny) < 1e-5 * scale)
    v, vx, vy = s.value_and_grad(x[0], y[0])
    assert (v, vx, vy) == pytest.approx((f(x[0], y[0]), gx[0], gy[0]), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", S.ANALYTIC)
def test_known_minima_have_zero_gradient_and_default_start_is_inside(name):
    s = S.get_surface(name)
    x0, x1, y0, y1 = s.extent
    assert x0 < s.start[0] < x1 and y0 < s.start[1] < y1
    for mx, my in s.minima:
        gx, gy = s.grad(mx, my)
        assert abs(gx) < 1e-9 and abs(gy) < 1e-9
        assert s.f(mx, my) == pytest.approx(0.0, abs=1e-12)
        assert x0 < mx < x1 and y0 < my < y1
    assert len(S.get_surface("himmelblau").minima) == 4


def test_bowl_hessian_eigenvalues_match_numeric_hessian():
    s = S.get_surface("bowl")
    h, w = 1e-5, (0.3, -0.7)
    H = np.array(
        [
            [
                (s.grad(w[0] + h, w[1])[k] - s.grad(w[0] - h, w[1])[k]) / (2 * h),
                (s.grad(w[0], w[1] + h)[k] - s.grad(w[0], w[1] - h)[k]) / (2 * h),
            ]
            for k in (0, 1)
        ]
    )
    np.testing.assert_allclose(np.linalg.eigvalsh((H + H.T) / 2), s.eigenvalues, rtol=1e-7)
    np.testing.assert_allclose(s.hessian, S.BOWL_X.T @ S.BOWL_X / len(S.BOWL_X))
    assert s.lr_critical == pytest.approx(2 / s.eigenvalues.max())
    assert s.eigenvalues.max() / s.eigenvalues.min() > 5  # visibly elliptic contours
    np.testing.assert_allclose(np.linalg.lstsq(S.BOWL_X, S.BOWL_T, rcond=None)[0], s.minima[0])


def test_grid_is_meshgrid_xy_order():
    s = S.get_surface("himmelblau")
    X, Y, Z = S.grid(s, 7, extent=(0, 6, -3, 3))
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert X[2, 5] == 5 and Y[2, 5] == -1
    assert Z[2, 5] == pytest.approx(s.f(5.0, -1.0))
    with pytest.raises(ValueError):
        S.get_surface("nope")


def test_display_values_log_and_linear():
    Z = np.array([[0.0, 1.0], [10.0, np.inf]])
    D = S.display_values(Z)
    assert np.isfinite(D).all() and D[1, 1] == D.max()
    assert D[0, 1] == pytest.approx(0.0, abs=1e-4)
    np.testing.assert_allclose(S.display_values(np.array([-1.0, 2.0]), log=False), [-1, 2])


# ------------------------------------------------------------- the network
def make_net(sizes=(2, 4, 3, 2), acts=("tanh", "relu", "sigmoid"), loss="mse", seed=3, n=9):
    net = Network(NetworkSpec(list(sizes), list(acts), loss=loss, seed=seed))
    rng = np.random.default_rng(seed)
    for b in net.biases:
        b[...] = rng.normal(0, 0.3, b.shape)
    X = rng.normal(size=(n, sizes[0]))
    if loss == "cross_entropy":
        T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    else:
        T = rng.uniform(0, 1, (n, sizes[-1]))
    return net, X, T


def loss_with(net, X, T, changes):
    other = net.copy()
    for (l, i, j), v in changes:
        other.weights[l][i, j] = v
    return other.loss(X, T)


CASES = [
    (dict(), (0, 1, 2), (2, 2, 1)),
    (dict(), (1, 0, 0), (1, 2, 1)),  # same layer
    (dict(sizes=(3, 5, 3), acts=("leaky_relu", "softmax"), loss="cross_entropy"), (1, 4, 2), (0, 0, 3)),
    (dict(sizes=(2, 1), acts=("sigmoid",), loss="bce"), (0, 0, 0), (0, 1, 0)),
]


@pytest.mark.parametrize("kw,w1,w2", CASES)
def test_network_slice_equals_network_loss_and_its_gradient(kw, w1, w2):
    net, X, T = make_net(**kw)
    before = [W.copy() for W in net.weights]
    s = LS.NetworkSlice(net, X, T, w1, w2)
    assert s.start == (net.weights[w1[0]][w1[1:]], net.weights[w2[0]][w2[1:]])
    assert s.xlabel == f"W{w1[0] + 1}[{w1[1]},{w1[2]}]"
    xs, ys = points(s, 10)
    want = [loss_with(net, X, T, [(w1, a), (w2, b)]) for a, b in zip(xs, ys)]
    np.testing.assert_allclose(s.f(xs, ys), want, rtol=1e-10)
    X2, Y2, Z2 = S.grid(s, 9)
    np.testing.assert_allclose(Z2[4, 3], loss_with(net, X, T, [(w1, X2[4, 3]), (w2, Y2[4, 3])]), rtol=1e-10)
    for a, b in zip(xs[:4], ys[:4]):
        gx, gy = s.grad(a, b)
        f = lambda u, v: loss_with(net, X, T, [(w1, u), (w2, v)])  # noqa: E731
        nx, ny = fd_grad(f, a, b)
        assert gx == pytest.approx(nx, rel=1e-5, abs=1e-7) and gy == pytest.approx(ny, rel=1e-5, abs=1e-7)
    for W, W0 in zip(net.weights, before):
        np.testing.assert_array_equal(W, W0)  # the caller's network is untouched


def test_network_slice_rejects_bad_weights():
    net, X, T = make_net()
    for bad in [((0, 0, 0), (0, 0, 0)), ((3, 0, 0), (0, 0, 1)), ((0, 2, 0), (0, 0, 1)), ((0, 0), (0, 0, 1))]:
        with pytest.raises(ValueError):
            LS.NetworkSlice(net, X, T, *bad)


def test_random_directions_filter_normalised_values_and_gradients():
    net, X, T = make_net()
    s = LS.RandomDirections(net, X, T, seed=5)
    for W, u, v in zip(net.weights, s.d1, s.d2):
        assert np.linalg.norm(u) == pytest.approx(np.linalg.norm(W))
        assert np.linalg.norm(v) == pytest.approx(np.linalg.norm(W))
    again = LS.RandomDirections(net, X, T, seed=5)
    np.testing.assert_array_equal(again.d1[0], s.d1[0])
    assert not np.allclose(LS.RandomDirections(net, X, T, seed=6).d1[0], s.d1[0])

    def true_loss(a, b):
        other = net.copy()
        other.set_parameters([W + a * u + b * v for W, u, v in zip(net.weights, s.d1, s.d2)], net.biases)
        return other.loss(X, T)

    xs, ys = points(s, 8)
    np.testing.assert_allclose(s.f(xs, ys), [true_loss(a, b) for a, b in zip(xs, ys)], rtol=1e-10)
    assert s.f(0.0, 0.0) == pytest.approx(net.loss(X, T))
    for a, b in zip(xs[:4], ys[:4]):
        gx, gy = s.grad(a, b)
        nx, ny = fd_grad(true_loss, a, b)
        assert gx == pytest.approx(nx, rel=1e-5, abs=1e-7) and gy == pytest.approx(ny, rel=1e-5, abs=1e-7)
    assert s.project(s.weights_at(0.3, -0.2)) == pytest.approx((0.3, -0.2))


def test_network_grid_reports_progress_and_can_be_cancelled():
    net, X, T = make_net()
    s = LS.NetworkSlice(net, X, T, (0, 0, 0), (0, 1, 1))
    seen = []
    S.grid(s, 40, progress=seen.append)
    assert seen[-1] == 1.0 and len(seen) > 5 and seen == sorted(seen)
    with pytest.raises(S.GridCancelled):
        S.grid(s, 40, cancelled=lambda: True)
