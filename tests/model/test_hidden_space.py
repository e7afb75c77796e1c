"""The hidden-space view's maths: its points are the layer's activations."""

from __future__ import annotations

import numpy as np
import pytest

from model.network import Network, NetworkSpec
from model.teaching.hidden_space import hidden_space, plane_lines


def test_two_unit_layer_points_equal_the_activations():
    net = Network(NetworkSpec([2, 2, 1], ["tanh", "sigmoid"], seed=1))
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    hs = hidden_space(net, X, 1)
    np.testing.assert_array_equal(hs.points, np.tanh(X @ net.weights[0] + net.biases[0]))
    assert hs.method == "units" and hs.axes == ("V₁^(1)", "V₂^(1)")


def test_wide_layer_uses_the_first_two_principal_components():
    rng = np.random.default_rng(0)
    net = Network(NetworkSpec([2, 6, 5, 1], ["tanh", "relu", "sigmoid"], seed=2))
    X = rng.normal(size=(50, 2))
    V = net.forward(X).V[2]
    lines = plane_lines((-1, 1, -2, 2), n_lines=5, n_points=7)
    hs = hidden_space(net, X, 2, lines)
    C = V - V.mean(axis=0)
    # the projection is onto orthonormal directions, keeps the most variance possible in 2-D
    cov = np.cov(C.T)
    evals, evecs = np.linalg.eigh(cov)
    top = evecs[:, ::-1][:, :2]
    np.testing.assert_allclose(np.abs(hs.points), np.abs(C @ top), atol=1e-9)
    assert hs.explained == pytest.approx(evals[::-1][:2].sum() / evals.sum())
    # the grid uses the same centre and directions as the points
    G = net.forward(lines.reshape(-1, 2)).V[2]
    comps = np.linalg.lstsq(C, hs.points, rcond=None)[0]
    np.testing.assert_allclose(hs.lines.reshape(-1, 2), (G - V.mean(axis=0)) @ comps, atol=1e-8)
    assert hs.lines.shape == (10, 7, 2)


def test_plane_lines_are_straight_grid_lines():
    L = plane_lines((0, 2, -1, 1), n_lines=3, n_points=5)
    np.testing.assert_array_equal(L[0][:, 0], 0.0)  # first vertical line at x = 0
    np.testing.assert_allclose(L[0][:, 1], np.linspace(-1, 1, 5))
    np.testing.assert_array_equal(L[3][:, 1], -1.0)  # first horizontal line at y = −1


def test_no_such_hidden_layer():
    net = Network(NetworkSpec([2, 1], ["sigmoid"]))
    with pytest.raises(ValueError, match="no|0 hidden"):
        hidden_space(net, np.zeros((1, 2)), 1)
