"""The generated MNIST-size digits (model.data.strokes via make_dataset)."""

import numpy as np

from model.data.datasets import make_dataset
from model.data.strokes import SIDE, render


def test_mnist_like_is_learnable_but_not_trivial():
    ds = make_dataset("mnist_like", n=3000, seed=2)
    assert ds.X.shape == (3000, 784) and ds.feature_names[29] == "p1_1"
    assert 0.0 <= ds.X.min() and ds.X.max() <= 1.0
    y = ds.labels()
    assert np.bincount(y).tolist() == [300] * 10
    # nearest class mean on held-out half: far above chance, far from perfect (jitter matters)
    mu = np.stack([ds.X[:1500][y[:1500] == c].mean(0) for c in range(10)])
    pred = ((ds.X[1500:, None, :] - mu[None]) ** 2).sum(-1).argmin(1)
    acc = float(np.mean(pred == y[1500:]))
    assert 0.5 < acc < 0.99


def test_strokes_drawn_where_the_digit_is():
    rng = np.random.default_rng(0)
    one = render(np.array([1]), rng, noise=0.0).reshape(SIDE, SIDE)
    zero = render(np.array([0]), rng, noise=0.0).reshape(SIDE, SIDE)
    rows, cols = np.mgrid[0:SIDE, 0:SIDE]

    def spread(img, axis_index):
        w = img / img.sum()
        mean = (w * axis_index).sum()
        return mean, np.sqrt((w * (axis_index - mean) ** 2).sum())

    # a one is a tall thin bar: its ink spreads far more down than across
    (_, across), (_, down) = spread(one, cols), spread(one, rows)
    assert down > 2.5 * across and one[:2].sum() == 0 and one[-2:].sum() == 0
    # a zero is a ring: empty at its centre, inked left and right of it on the centre row
    (c, _), (r, _) = spread(zero, cols), spread(zero, rows)
    r, c = round(r), round(c)
    assert zero[r, c] == 0 and zero[r, : c - 2].max() > 0.9 and zero[r, c + 3 :].max() > 0.9
