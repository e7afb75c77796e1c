"""Which units the trainer dropped for one sample in an update (what the canvas marks)."""

import numpy as np

from model.data import data_prep
from model.io.project import load_project
from model.nn.dropout import dropped_units, sample_row
from model.train.trainer import Trainer


def _trainer(batch_size):
    p = load_project("resources/examples/overfitting.json")
    p.spec = p.spec.replace(dropout=[0.5] * (len(p.spec.layer_sizes) - 2))
    p.training.batch_size = batch_size
    d = data_prep.prepare(p)
    return Trainer(p.network(), d.X_train, d.train.T, p.training, task=d.task)


def test_full_batch_rows_are_the_samples_in_order():
    tr = _trainer(None)
    next(tr.updates())
    assert tr.last_batch[:2] == (0, len(tr.X)) and tr.last_batch[2] is None
    for row in (0, 3, len(tr.X) - 1):
        d = dropped_units(tr.last_masks, tr.last_batch, row)
        for l, m in enumerate(tr.last_masks):
            np.testing.assert_array_equal(d[l], m[row] == 0)
            assert set(np.unique(m[row])) <= {0.0, 2.0}  # inverted dropout: kept units × 1/(1 − p)


def test_mini_batch_finds_the_row_through_the_permutation():
    tr = _trainer(4)
    gen = tr.updates()
    next(gen)
    start, stop, order = tr.last_batch
    assert (start, stop) == (0, 4)
    inside, outside = int(order[2]), int(order[-1])
    d = dropped_units(tr.last_masks, tr.last_batch, inside)
    np.testing.assert_array_equal(d[0], tr.last_masks[0][2] == 0)
    assert dropped_units(tr.last_masks, tr.last_batch, outside) is None  # not in this update
    assert dropped_units(None, None, 0) is None


def test_sample_row_matches_inputs_and_targets():
    X = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 1.0]])
    T = np.array([[1.0], [0.0], [0.0]])
    assert sample_row(X, T, [0.0, 1.0], [0.0]) == 2
    assert sample_row(X, T, [5.0, 1.0], [0.0]) is None


def test_thinned_probe_is_the_sample_through_the_thinned_network():
    from model.nn.dropout import gradients_with_masks, mask_rows, thinned_probe
    from model.nn.probe import probe

    tr = _trainer(None)
    net0 = tr.net.copy()  # the weights the first update is made from
    next(tr.updates())
    row = 3
    rows = mask_rows(tr.last_masks, tr.last_batch, row)
    rec = thinned_probe(net0, tr.X[row], tr.T[row], rows)
    loss, gW, gb, out = gradients_with_masks(
        net0, tr.X[row : row + 1], tr.T[row : row + 1], [r.reshape(1, -1) for r in rows]
    )
    assert rec.loss == loss
    for a, b in zip(rec.grad_W, gW):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    for l, r in enumerate(rows):
        dropped = r == 0
        assert dropped.any() and (rec.V[l + 1][dropped] == 0).all() and (rec.deltas[l][dropped] == 0).all()
    # nothing dropped and no scaling: the plain probe
    ones = [np.ones_like(r) for r in rows]
    plain, full = thinned_probe(net0, tr.X[row], tr.T[row], ones), probe(net0, tr.X[row], tr.T[row])
    for a, b in zip(plain.V + plain.deltas + plain.grad_W, full.V + full.deltas + full.grad_W):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
