"""TensorBoard's debiased EMA by hand; L1/L2 and weight decay changed mid-run."""

from __future__ import annotations

import numpy as np
import pytest

from model.analysis.smoothing import ema_smooth
from model.network import Network, NetworkSpec
from model.train.regularization import Regularization
from model.train.trainer import Trainer, TrainSettings


def test_ema_is_tensorboards_debiased_average_by_hand():
    y = [1.0, 3.0, float("nan"), 2.0]
    out, state = ema_smooth(y, 0.5)
    # s1 = 0.5, /(1−0.5) = 1; s2 = 0.25 + 1.5 = 1.75, /(1−0.25) = 7/3; NaN skipped; s3 = 0.875 + 1 = 1.875, /0.875
    np.testing.assert_allclose(out[[0, 1, 3]], [1.0, 7 / 3, 1.875 / 0.875])
    assert np.isnan(out[2])
    # continuing from the state equals smoothing everything at once
    a, st = ema_smooth(y[:2], 0.5)
    b, _ = ema_smooth(y[2:], 0.5, st)
    np.testing.assert_allclose(np.concatenate([a, b]), out, equal_nan=True)
    np.testing.assert_array_equal(ema_smooth([4.0, 5.0], 0.0)[0], [4.0, 5.0])
    with pytest.raises(ValueError):
        ema_smooth(y, 1.0)


def _ema_loop(y, w, last=0.0, n=0):
    """The recurrence point by point, as TensorBoard writes it."""
    out = []
    for v in y:
        if not np.isfinite(v):
            out.append(np.nan)
            continue
        last, n = last * w + (1 - w) * v, n + 1
        out.append(last / (1 - w**n))
    return np.array(out), (last, n)


@pytest.mark.parametrize("w", [0.0, 1e-300, 1e-12, 0.01, 0.6, 0.99])
def test_vectorised_ema_equals_the_point_by_point_recurrence(w):
    """Blocks of 32 (fewer for a tiny w) and a carry between them: the same numbers
    as the plain loop to 1e-12, for lengths around the block size and long ones,
    with NaN/inf left out, continuing from a state."""
    rng = np.random.default_rng(1)
    for m in (0, 1, 31, 32, 33, 65, 5000):
        y = 3 * rng.random(m)
        y[rng.random(m) < 0.05] = np.nan
        y[rng.random(m) < 0.02] = np.inf
        state = (0.4, 7) if m % 2 else (0.0, 0)
        want, want_state = _ema_loop(y, w, *state)
        got, got_state = ema_smooth(y, w, state)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, equal_nan=True)
        assert got_state[1] == want_state[1]
        assert got_state[0] == pytest.approx(want_state[0], rel=1e-12)


def test_regularization_and_weight_decay_change_mid_run_with_markers():
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    net = Network(NetworkSpec([2, 4, 1], ["tanh", "linear"], seed=1))
    tr = Trainer(net, X, T, TrainSettings(lr=0.1, epochs=10), task="regression")
    tr.run_epoch()
    assert tr.history["penalty"][-1] == 0.0
    tr.set_regularization(Regularization(l2=0.5))
    tr.set_weight_decay(0.1)
    # the next update uses them: by hand, SGD on g + l2·W (weights) then + λ·p (all parameters)
    W0 = [w.copy() for w in net.weights]
    b0 = [b.copy() for b in net.biases]
    _, gW, gb = net.loss_and_gradients(X, T)
    tr.run_epoch()
    for w, w0, g in zip(net.weights, W0, gW):
        np.testing.assert_allclose(w, w0 - 0.1 * (g + 0.5 * w0 + 0.1 * w0), rtol=1e-12)
    for b, bb, g in zip(net.biases, b0, gb):
        np.testing.assert_allclose(b, bb - 0.1 * (g + 0.1 * bb), rtol=1e-12)
    kinds = [e[1] for e in tr.history.events]
    assert kinds.count("regularization") == 2
    assert tr.history["penalty"][-1] == pytest.approx(0.25 * sum(float(np.vdot(w, w)) for w in net.weights))
