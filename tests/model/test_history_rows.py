"""History rows travel between histories: copies, cursors, refusal of gaps."""

import numpy as np
import pytest

from model.data.datasets import make_dataset
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.history import History
from model.train.trainer import Trainer, TrainSettings


def _trained(epochs=5, batch_size=1):
    ds = make_dataset("xor")
    net = Network(NetworkSpec([2, 3, 1], ["tanh", "sigmoid"], seed=2))
    tr = Trainer(net, ds.X, ds.T, TrainSettings(lr=0.5, batch_size=batch_size, seed=4))
    tr.train(epochs=epochs)
    return tr


def test_rows_since_then_append_rebuilds_the_same_history():
    tr = _trained()
    h = tr.history
    h.mark("lr", "η₀ = 0.5")
    mid = (2, 8, 0)
    a = History(2)
    a.append_rows(h.rows_since((0, 0, 0)))
    assert a.to_dict() == h.to_dict()
    # in two chunks: the second starts where the first ended
    c = History(2)
    part = h.rows_since((0, 0, 0))
    c.append_rows(
        type(part)(
            start=(0, 0, 0),
            epoch_data={k: v[:2] for k, v in part.epoch_data.items()},
            grad_norms=part.grad_norms[:2],
            weight_norms=part.weight_norms[:2],
            update_loss=part.update_loss[:8],
            update_lr=part.update_lr[:8],
            events=(),
        )
    )
    assert c.cursor == mid
    c.append_rows(h.rows_since(mid))
    assert c.to_dict() == h.to_dict() == a.to_dict()
    assert len(c.update_loss) == 20 and len(c) == 5 and c.events == [(20, "lr", "η₀ = 0.5")]


def test_rows_are_copies_and_copy_is_independent():
    tr = _trained(epochs=2)
    rows = tr.history.rows_since((0, 0, 0))
    before = rows.update_loss.copy()
    h2 = tr.history.copy()
    tr.stop_reason = None
    tr.train(epochs=2)  # the original grows and its buffers may be reallocated
    assert np.array_equal(rows.update_loss, before)
    assert len(h2) == 2 and len(tr.history) == 4
    h2.add_update(1.0, 0.1)
    assert len(tr.history.update_loss) == 16 and len(h2.update_loss) == 9


def test_rows_that_do_not_continue_the_history_are_refused():
    tr = _trained(epochs=3)
    h = History(2)
    with pytest.raises(ValueError, match="start at"):
        h.append_rows(tr.history.rows_since((1, 4, 0)))
    assert len(h) == 0 and len(h.update_loss) == 0
    wide = History(3)
    with pytest.raises(ValueError, match="2 layers"):
        wide.append_rows(tr.history.rows_since((0, 0, 0)))
    assert len(wide) == 0


def test_extend_grows_in_one_step():
    h = History(2)
    h.update_loss.extend(np.arange(10_000.0))
    assert len(h.update_loss) == 10_000 and h.update_loss.values[-1] == 9999.0
