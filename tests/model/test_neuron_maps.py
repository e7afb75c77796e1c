"""Neuron maps: every neuron's activation over the input plane (no Qt)."""

import numpy as np
import pytest

from model.nn.network import Network, NetworkSpec
from model.teaching.neuron_maps import decision_line, grid_points, line_value, neuron_maps

W1 = np.array([[20.0, -20.0], [20.0, -20.0]])
B1 = np.array([-10.0, 30.0])


def xor_net() -> Network:
    spec = NetworkSpec([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    return Network(spec, [W1, np.array([[20.0], [20.0]])], [B1, np.array([-30.0])])


def test_grid_order_matches_meshgrid_rows():
    g = grid_points((0, 1, 10, 12), 3)
    assert g.shape == (9, 2)
    np.testing.assert_allclose(g[:3], [[0, 10], [0.5, 10], [1, 10]])  # row iy = 0: x varies
    np.testing.assert_allclose(g[3::3, 1], [11, 12])


def test_xor_hidden_unit_half_point_contour_is_the_analytic_line():
    r = 81
    X = grid_points((-0.5, 1.5, -0.5, 1.5), r)
    maps = neuron_maps(xor_net(), X, r)
    unit = maps[0][:, :, 0]
    line = decision_line(W1, B1, 0)
    assert line == (20.0, 20.0, -10.0)  # 20·x1 + 20·x2 − 10 = 0
    side = line_value(line, X).reshape(r, r)
    away = np.abs(side) > 1.0  # a few hundredths of a unit from the line
    assert away.sum() > 0.9 * r * r
    np.testing.assert_array_equal(np.sign(unit - 0.5)[away], np.sign(side)[away])
    # second unit: its own line, −20·x1 − 20·x2 + 30 = 0 (NAND-like)
    side2 = line_value(decision_line(W1, B1, 1), X).reshape(r, r)
    away2 = np.abs(side2) > 1.0
    np.testing.assert_array_equal(np.sign(maps[0][:, :, 1] - 0.5)[away2], np.sign(side2)[away2])


def test_xor_output_map_is_xor_on_the_corners():
    X = grid_points((0, 1, 0, 1), 2)  # (0,0) (1,0) (0,1) (1,1)
    out = neuron_maps(xor_net(), X, 2)[1][:, :, 0]
    np.testing.assert_array_equal(out > 0.5, [[False, True], [True, False]])


def test_shapes_for_deeper_nets_and_one_forward_pass():
    spec = NetworkSpec([2, 5, 4, 3], ["relu", "tanh", "softmax"], loss="cross_entropy", seed=3)
    net = Network(spec)
    r = 17
    X = grid_points((-2, 2, -1, 1), r)
    maps = neuron_maps(net, X, r)
    assert [m.shape for m in maps] == [(r, r, 5), (r, r, 4), (r, r, 3)]
    # the same numbers as a per-point prediction
    k = 5 * r + 11
    np.testing.assert_allclose(maps[-1][5, 11], net.predict(X[k : k + 1])[0])
    np.testing.assert_allclose(maps[-1].sum(axis=2), 1.0)
    assert (maps[0] >= 0).all()


def test_more_inputs_and_bad_grids():
    net = Network(NetworkSpec([3, 2, 1], ["tanh", "linear"], seed=0))
    X = np.zeros((16, 3))
    assert [m.shape for m in neuron_maps(net, X, 4)] == [(4, 4, 2), (4, 4, 1)]
    with pytest.raises(ValueError):
        neuron_maps(net, X, 5)
    with pytest.raises(ValueError):
        grid_points((0, 1, 0, 1), 1)
    with pytest.raises(ValueError):
        decision_line(np.zeros((3, 2)), np.zeros(2), 0)
