"""Network.predict runs many rows in blocks: the same outputs as one forward pass,
a block's memory instead of a whole trace's."""

import tracemalloc

import numpy as np
import pytest

from model.nn import network
from model.nn.network import Network, NetworkSpec


def _net():
    spec = NetworkSpec([16, 128, 128, 4], ["relu", "tanh", "softmax"], loss="cross_entropy", seed=3)
    return Network(spec)


@pytest.mark.parametrize(
    "n", [1, network.PREDICT_ROWS, network.PREDICT_ROWS + 1, 3 * network.PREDICT_ROWS + 17]
)
def test_predict_equals_one_forward_pass(n):
    net = _net()
    X = np.random.default_rng(n).normal(size=(n, 16))
    whole = net.forward(X).output
    got = net.predict(X)
    assert got.shape == (n, 4) and got.dtype == whole.dtype
    np.testing.assert_allclose(got, whole, rtol=1e-13, atol=1e-15)
    assert (got.argmax(axis=1) == whole.argmax(axis=1)).all()
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-12)  # each row a whole softmax


def test_predict_holds_a_block_not_the_whole_trace():
    net = _net()
    X = np.random.default_rng(0).normal(size=(20_000, 16))
    trace_mb = 20_000 * (128 + 128 + 128 + 128 + 4 + 4) * 8 / 1e6  # b and V of every layer: 83 MB
    net.predict(X[:10])  # warm
    tracemalloc.start()
    try:
        out = net.predict(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.shape == (20_000, 4)
    assert peak / 1e6 < 25 < trace_mb  # one block's trace (~9 MB) and the output


def test_predict_still_checks_its_input():
    net = _net()
    with pytest.raises(ValueError, match="inputs must have shape"):
        net.predict(np.zeros((3 * network.PREDICT_ROWS, 5)))
