"""The per-update history stays bounded over a million updates and keeps its envelope."""

import numpy as np
import pytest

from model.io.project import Project, load_project, save_project
from model.nn.spec import NetworkSpec
from model.train.history import History
from model.train.update_series import FOLD, MAX_BUCKETS, RECENT, UpdateSeries

MILLION = 1_000_000


def _noisy(n, seed=0):
    rng = np.random.default_rng(seed)
    y = np.exp(-np.arange(n) / 2e5) + 0.05 * rng.standard_normal(n)
    if n == MILLION:
        y[123_457] = 9.0  # one spike deep in the decimated part
        y[700_001] = -3.0
    return y


@pytest.fixture(scope="module")
def million():
    y = _noisy(MILLION)
    s = UpdateSeries()
    rng = np.random.default_rng(1)
    i = 0
    while i < MILLION:  # uneven chunks, as snapshots arrive on the GUI thread
        k = int(rng.integers(1, 5000))
        s.extend(y[i : i + k])
        i += k
    return y, s


def test_a_million_updates_stay_under_the_cap(million):
    y, s = million
    assert len(s) == MILLION
    assert RECENT <= len(s.values) < RECENT + FOLD
    assert len(s.buckets[0]) <= MAX_BUCKETS + 1
    assert s.start == s.bucket * len(s.buckets[0])
    assert s.nbytes() < 1_000_000  # the full series would be 8 MB
    # the full-resolution rows are exactly the newest updates
    np.testing.assert_array_equal(s.values, y[s.start :])
    assert s.first == y[0]


def test_buckets_hold_the_min_max_and_mean_of_their_updates(million):
    y, s = million
    mn, mx, mean = s.buckets
    raw = y[: s.start].reshape(-1, s.bucket)
    np.testing.assert_array_equal(mn, raw.min(axis=1))
    np.testing.assert_array_equal(mx, raw.max(axis=1))
    np.testing.assert_allclose(mean, raw.mean(axis=1), rtol=1e-12)


def test_the_plotted_curve_keeps_the_envelope(million):
    y, s = million
    x, c = s.curve()
    assert len(x) == len(c) < 2 * MAX_BUCKETS + 2 + RECENT + FOLD
    assert np.all(np.diff(x) >= 0)
    assert c.max() == 9.0 and c.min() == -3.0  # both spikes survive decimation
    # over any window of whole buckets, the curve's extremes are the data's
    b = s.bucket
    for lo in (0, 37, 1000):
        hi = lo + 50
        in_win = (x > lo * b) & (x <= hi * b)
        assert c[in_win].max() == y[lo * b : hi * b].max()
        assert c[in_win].min() == y[lo * b : hi * b].min()
    # and the bucket positions are where their updates were
    assert x[0] == pytest.approx((b + 1) / 2)


def test_append_one_by_one_equals_chunked_extend():
    y = _noisy(MILLION)[: 3 * (RECENT + FOLD) + 17]
    a, b = UpdateSeries(), UpdateSeries()
    for v in y:
        a.append(v)
    b.extend(y[:10])
    b.extend(y[10:50_000])
    b.extend(y[50_000:])
    assert (a.start, a.bucket) == (b.start, b.bucket)
    for p, q in zip(a.buckets, b.buckets):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.values, b.values)


def _long_history(n_updates=MILLION, per_epoch=1000):
    h = History(2)
    loss = _noisy(n_updates)
    for e in range(n_updates // per_epoch):
        h.update_loss.extend(loss[e * per_epoch : (e + 1) * per_epoch])
        h.update_lr.extend(np.full(per_epoch, 0.01 if e < 500 else 0.001))
        h.add_epoch(
            {"epoch": e + 1, "train_loss": loss[e * per_epoch], "updates": (e + 1) * per_epoch},
            [1, 2],
            [3, 4],
        )
    h.mark("lr", "η = 0.001")
    return h, loss


def test_history_rows_and_copies_after_decimation():
    h, loss = _long_history()
    c = h.copy()
    assert c.to_dict() == h.to_dict()
    assert c.cursor == h.cursor == (1000, MILLION, 1)
    with pytest.raises(ValueError, match="full resolution"):
        h.rows_since((0, 0, 0))
    rows = h.rows_since((999, MILLION - 10, 1))
    np.testing.assert_array_equal(rows.update_loss, loss[-10:])
    # rows from a trainer continuing the copy join the document's history
    c.add_update(0.5, 0.001)
    c.add_epoch({"epoch": 1001}, [1, 2], [3, 4])
    h.append_rows(c.rows_since(h.cursor))
    assert h.to_dict() == c.to_dict()


def test_a_project_after_a_million_updates_saves_bounded_and_loads(tmp_path):
    h, loss = _long_history()
    p = Project(spec=NetworkSpec([2, 3, 1], ["tanh", "sigmoid"]), history=h)
    path = tmp_path / "long.json"
    save_project(p, path)
    assert path.stat().st_size < 3_000_000  # a million plain updates would be ~22 MB
    back = load_project(path).history
    assert len(back.update_loss) == len(back.update_lr) == MILLION
    assert back.update_loss.first == loss[0]
    x, c = back.update_loss.curve()
    x0, c0 = h.update_loss.curve()
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(c, c0)
    assert back.to_dict() == h.to_dict()


@pytest.mark.parametrize(
    "bad",
    [
        "nope",
        {"size": 0},
        {"size": 8, "loss_min": [1.0]},
        {
            "size": 8,
            **{k: [1.0] for k in ("loss_min", "loss_max", "loss_mean", "lr_min", "lr_max")},
            "lr_mean": [],
        },
        {
            "size": 8,
            **{k: ["x"] for k in ("loss_min", "loss_max", "loss_mean", "lr_min", "lr_max", "lr_mean")},
        },
        {"size": True},
    ],
)
def test_bad_buckets_are_one_clear_error(bad):
    h, _ = _long_history(n_updates=RECENT + FOLD + 8 * 40, per_epoch=8)
    d = h.to_dict()
    d["update_buckets"] = bad
    with pytest.raises(ValueError, match="update_buckets"):
        History.from_dict(d, 2)
