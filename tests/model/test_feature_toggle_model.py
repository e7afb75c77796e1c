"""Switching engineered inputs on and off: the feature list and the input layer."""

import numpy as np
import pytest

from model.data.features import toggled
from model.nn.network import initial_parameters
from model.nn.spec import NetworkSpec
from model.nn.topology import select_inputs

COLS = ["x1", "x2"]


def test_toggled_keeps_the_playground_order_and_folds_back_to_raw():
    on = toggled(None, COLS, "x1*x2", True)
    assert on == ["x1", "x2", "x1*x2"]
    assert toggled(on, COLS, "x1^2", True) == ["x1", "x2", "x1^2", "x1*x2"]
    assert toggled(on, COLS, "x1*x2", False) is None  # the raw columns again
    assert toggled(["x1", "x1^3"], COLS, "x2", True) == ["x1", "x2", "x1^3"]  # typed ones follow
    with pytest.raises(ValueError, match="at least one input"):
        toggled(["x1"], COLS, "x1", False)


def test_select_inputs_keeps_the_rows_of_inputs_that_stay():
    spec = NetworkSpec(layer_sizes=[3, 4, 1], activations=["tanh", "sigmoid"], seed=3)
    W, b = initial_parameters(spec)
    new, W2, b2, msg = select_inputs(spec, W, b, [2, None, 0])
    assert new.layer_sizes == [3, 4, 1]
    np.testing.assert_array_equal(W2[0][0], W[0][2])
    np.testing.assert_array_equal(W2[0][2], W[0][0])
    assert not np.allclose(W2[0][1], W[0][1])  # a new input: fresh weights
    np.testing.assert_array_equal(W2[1], W[1])
    np.testing.assert_array_equal(b2[0], b[0])
    assert "2 kept" in msg and "1 new" in msg
