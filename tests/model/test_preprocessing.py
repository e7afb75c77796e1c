"""Tests for model.data.preprocessing (no Qt)."""

import json

import numpy as np
import pytest

from model.data.preprocessing import METHODS, Scaler, fit_scaler, one_hot, one_hot_categories


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal([5.0, -3.0, 100.0], [2.0, 0.5, 30.0], (50, 3))


@pytest.mark.parametrize("method", METHODS)
def test_round_trip(method):
    X = data()
    s = fit_scaler(X, method)
    Z = s.transform(X)
    assert Z.shape == X.shape and Z.dtype == np.float64
    assert np.allclose(s.inverse_transform(Z), X)
    # single sample (d,) works too
    assert np.allclose(s.transform(X[0]), Z[0])


def test_none_is_identity():
    X = data()
    assert np.array_equal(fit_scaler(X, "none").transform(X), X)


def test_normalize_range():
    Z = fit_scaler(data(), "normalize").transform(data())
    assert np.allclose(Z.min(axis=0), 0) and np.allclose(Z.max(axis=0), 1)


def test_standardize_moments():
    Z = fit_scaler(data(), "standardize").transform(data())
    assert np.allclose(Z.mean(axis=0), 0, atol=1e-12) and np.allclose(Z.std(axis=0), 1)


def test_scale_range():
    Z = fit_scaler(data(), "scale").transform(data())
    assert np.allclose(Z.min(axis=0), -1) and np.allclose(Z.max(axis=0), 1)


def test_fitted_on_training_only_applied_to_other_data():
    s = fit_scaler(data(0), "normalize")
    Z = s.transform(data(1))  # validation data may fall outside [0, 1]
    assert np.allclose(s.inverse_transform(Z), data(1))


@pytest.mark.parametrize("method", METHODS)
def test_constant_column_safe(method):
    X = np.column_stack([np.full(10, 7.0), np.arange(10.0)])
    s = fit_scaler(X, method)
    Z = s.transform(X)
    assert np.all(np.isfinite(Z)) and s.scale[0] == 1.0
    assert np.allclose(s.inverse_transform(Z), X)


@pytest.mark.parametrize("method", METHODS)
def test_dict_round_trip(method):
    s = fit_scaler(data(), method)
    d = json.loads(json.dumps(s.to_dict()))
    assert d["method"] == method and all(isinstance(v, float) for v in d["offset"] + d["scale"])
    s2 = Scaler.from_dict(d)
    assert s2.method == method
    assert np.array_equal(s2.offset, s.offset) and np.array_equal(s2.scale, s.scale)
    assert np.array_equal(s2.transform(data(2)), s.transform(data(2)))


@pytest.mark.parametrize(
    "bad, msg",
    [
        ([1, 2], "JSON object"),
        ({"method": "zscore", "offset": [0.0], "scale": [1.0]}, "unknown scaling method"),
        ({"offset": [0.0], "scale": [1.0]}, "missing key"),
        ({"method": "scale", "offset": [0.0, 1.0], "scale": [1.0]}, "differ in length"),
        ({"method": "scale", "offset": [0.0], "scale": [0.0]}, "zeros"),
        ({"method": "scale", "offset": [float("nan")], "scale": [1.0]}, "non-finite"),
        ({"method": "scale", "offset": [0.0], "scale": [float("inf")]}, "non-finite"),
        ({"method": "scale", "offset": ["0"], "scale": [1.0]}, "non-number"),
        ({"method": "scale", "offset": [True], "scale": [1.0]}, "non-number"),
        ({"method": "scale", "offset": 0.0, "scale": [1.0]}, "list of numbers"),
        ({"method": 3, "offset": [0.0], "scale": [1.0]}, "must be a string"),
    ],
)
def test_from_dict_rejects_malformed(bad, msg):
    with pytest.raises(ValueError, match=msg):
        Scaler.from_dict(bad)


def test_nan_inf_rejected_with_column():
    X = data()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite values in column 2"):
        fit_scaler(X, "standardize")
    s = fit_scaler(data(), "standardize")
    Y = data()
    Y[0, 1] = np.inf
    with pytest.raises(ValueError, match="column 1"):
        s.transform(Y)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown scaling method"):
        fit_scaler(data(), "robust")
    with pytest.raises(ValueError, match="2-D"):
        fit_scaler(np.zeros(5), "scale")
    with pytest.raises(ValueError, match="zero rows"):
        fit_scaler(np.zeros((0, 2)), "scale")
    with pytest.raises(ValueError, match="3 columns"):
        fit_scaler(data(), "scale").transform(np.zeros((2, 4)))


def test_one_hot():
    oh = one_hot(np.array([0, 2, 1, 2]))
    assert oh.dtype == np.float64 and oh.shape == (4, 3)
    assert oh.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert one_hot(np.array([0, 1]), n_classes=4).shape == (2, 4)
    with pytest.raises(ValueError):
        one_hot(np.array([0, 3]), n_classes=2)
    with pytest.raises(ValueError):
        one_hot(np.array([-1, 0]))
    with pytest.raises(ValueError):
        one_hot(np.array([0.5]))


def test_one_hot_categories():
    m, cats = one_hot_categories(["male", "female", "male"])
    assert cats == ["female", "male"]
    assert m.tolist() == [[0, 1], [1, 0], [0, 1]]
    m, cats = one_hot_categories([])
    assert m.shape == (0, 0) and cats == []


def test_one_hot_columns_stay_zero_one_by_default():
    """Penguins: island and sex are one-hot; standardising them gave 2.46 / −0.98."""
    from model.data.datasets import make_dataset
    from model.data.preprocessing import binary_columns

    ds = make_dataset("penguins")
    hot = np.array([n.startswith(("island=", "sex=")) for n in ds.feature_names])
    assert binary_columns(ds.X).tolist() == hot.tolist()
    Z = fit_scaler(ds.X, "standardize").transform(ds.X)
    np.testing.assert_array_equal(Z[:, hot], ds.X[:, hot])
    np.testing.assert_allclose(Z[:, ~hot].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, ~hot].std(axis=0), 1, atol=1e-12)
    # the old behaviour on request
    Z2 = fit_scaler(ds.X, "standardize", keep_binary=False).transform(ds.X)
    assert not np.isin(Z2[:, hot], (0.0, 1.0)).all()
