"""Weight export/import: the .npz contract, .json round trip, refusal of bad files."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from model.io.weights_io import (
    WeightSet,
    apply_weights,
    check_compatible,
    export_json,
    export_npz,
    load_weights,
)
from model.nn.network import Network
from model.nn.spec import NetworkSpec

SIZES = [3, 5, 4, 2]
ACTS = ["tanh", "leaky_relu", "sigmoid"]


def make_net(seed=0, sizes=SIZES, acts=ACTS):
    return Network(NetworkSpec(layer_sizes=list(sizes), activations=list(acts), loss="mse", seed=seed))


def X(n=7, d=SIZES[0]):
    return np.random.default_rng(42).normal(size=(n, d))


def test_npz_contract(tmp_path):
    net = make_net()
    path = tmp_path / "w.npz"
    export_npz(net, path)
    with np.load(path, allow_pickle=False) as z:
        files = set(z.files)
        L = len(SIZES) - 1
        assert files == {f"W{l}" for l in range(1, L + 1)} | {f"b{l}" for l in range(1, L + 1)} | {
            "layer_sizes",
            "activations",
        }
        for l in range(1, L + 1):
            assert z[f"W{l}"].shape == (SIZES[l - 1], SIZES[l])
            assert z[f"b{l}"].shape == (SIZES[l],)
            assert z[f"W{l}"].dtype == np.float64
            np.testing.assert_array_equal(z[f"W{l}"], net.weights[l - 1])
            np.testing.assert_array_equal(z[f"b{l}"], net.biases[l - 1])
        assert z["layer_sizes"].dtype.kind == "i"
        assert z["layer_sizes"].tolist() == SIZES
        assert z["activations"].dtype.kind == "U"
        assert z["activations"].tolist() == ACTS
    assert [f.name for f in tmp_path.iterdir()] == ["w.npz"]  # no temp file left


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_round_trip_reproduces_predictions(tmp_path, suffix):
    src = make_net(seed=1)
    path = tmp_path / f"w{suffix}"
    (export_npz if suffix == ".npz" else export_json)(src, path)
    ws = load_weights(path)
    assert ws.layer_sizes == SIZES
    assert ws.activations == ACTS
    for a, b in zip(ws.weights + ws.biases, src.weights + src.biases):
        np.testing.assert_array_equal(a, b)  # exact: npz is binary, JSON floats use repr
    dst = make_net(seed=2)
    assert not np.allclose(dst.predict(X()), src.predict(X()))
    apply_weights(dst, ws)
    np.testing.assert_array_equal(dst.predict(X()), src.predict(X()))


def test_json_file_is_readable(tmp_path):
    export_json(make_net(), tmp_path / "w.json")
    d = json.loads((tmp_path / "w.json").read_text())
    assert d["format"] == "mlp-studio-weights" and d["layer_sizes"] == SIZES
    assert [np.array(layer["W"]).shape for layer in d["layers"]] == [(3, 5), (5, 4), (4, 2)]


def test_pickled_object_array_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, W1=np.array([{"a": 1}, None], dtype=object), b1=np.zeros(2))
    with pytest.raises(ValueError, match="pickled object arrays.*refused"):
        load_weights(path)


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_npz_is_refused(tmp_path, keep):
    export_npz(make_net(), tmp_path / "w.npz")
    data = (tmp_path / "w.npz").read_bytes()
    (tmp_path / "t.npz").write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="t.npz"):
        load_weights(tmp_path / "t.npz")


def test_garbage_and_empty_files_are_refused(tmp_path):
    (tmp_path / "g.npz").write_bytes(b"this is not a zip file at all")
    (tmp_path / "e.npz").write_bytes(b"")
    (tmp_path / "g.json").write_text("{ nope")
    for name in ("g.npz", "e.npz", "g.json"):
        with pytest.raises(ValueError):
            load_weights(tmp_path / name)
    with pytest.raises(ValueError, match="cannot open"):
        load_weights(tmp_path / "missing.npz")


def test_npz_without_w1_or_bias_is_refused(tmp_path):
    np.savez(tmp_path / "a.npz", weights=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="no W1"):
        load_weights(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", W1=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="W1 but no b1"):
        load_weights(tmp_path / "b.npz")


def test_text_arrays_are_refused(tmp_path):
    np.savez(tmp_path / "s.npz", W1=np.array([["a", "b"]]), b1=np.zeros(2))
    with pytest.raises(ValueError, match="W1 must hold numbers"):
        load_weights(tmp_path / "s.npz")


def test_wrong_shape_names_layer_and_shapes(tmp_path):
    other = make_net(sizes=[3, 6, 4, 2])
    export_npz(other, tmp_path / "w.npz")
    ws = load_weights(tmp_path / "w.npz")
    net = make_net()
    before = [w.copy() for w in net.weights]
    with pytest.raises(ValueError) as ei:
        apply_weights(net, ws)
    msg = str(ei.value)
    assert "layer 1" in msg and "W1" in msg and "(3, 6)" in msg and "(3, 5)" in msg
    for a, b in zip(net.weights, before):  # unchanged after the refusal
        np.testing.assert_array_equal(a, b)


def test_wrong_layer_count_and_bias_shape():
    net = make_net()
    ws = WeightSet([w.copy() for w in net.weights[:2]], [b.copy() for b in net.biases[:2]])
    with pytest.raises(ValueError, match="2 weight layers but the network has 3"):
        check_compatible(ws, SIZES)
    ws = WeightSet([w.copy() for w in net.weights], [b.copy() for b in net.biases])
    ws.biases[2] = np.zeros(3)
    with pytest.raises(ValueError, match=r"layer 3: b3 .*\(3,\).*\(2,\)"):
        check_compatible(ws, SIZES)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_are_refused(tmp_path, bad):
    net = make_net()
    W2 = net.weights[1].copy()
    W2[1, 1] = bad
    np.savez(
        tmp_path / "n.npz",
        W1=net.weights[0],
        b1=net.biases[0],
        W2=W2,
        b2=net.biases[1],
        W3=net.weights[2],
        b3=net.biases[2],
    )
    with pytest.raises(ValueError, match="W2 contains NaN or infinite"):
        load_weights(tmp_path / "n.npz")
    d = {"layers": [{"W": net.weights[0].tolist(), "b": [bad] * 5}]}
    (tmp_path / "n.json").write_text(json.dumps(d))  # Python writes NaN / Infinity literals
    with pytest.raises(ValueError, match="n.json: NaN and Infinity are not allowed"):
        load_weights(tmp_path / "n.json")


def test_json_structure_errors(tmp_path):
    for i, d in enumerate(
        [
            [],
            {"layers": []},
            {"layers": [{"W": [[1.0]]}]},
            {"layers": [{"W": [[1.0], [1.0, 2.0]], "b": [0.0]}]},
            {"layers": [{"W": [1.0], "b": [0.0]}]},
        ]
    ):
        (tmp_path / f"{i}.json").write_text(json.dumps(d))
        with pytest.raises(ValueError):
            load_weights(tmp_path / f"{i}.json")


def test_npz_written_by_hand_with_float32_and_int_arrays_loads(tmp_path):
    buf = io.BytesIO()
    np.savez(
        buf,
        W1=np.ones((3, 5), np.float32),
        b1=np.zeros(5, np.int32),
        W2=np.ones((5, 4)),
        b2=np.zeros(4),
        W3=np.ones((4, 2)),
        b3=np.zeros(2),
    )
    (tmp_path / "h.npz").write_bytes(buf.getvalue())
    ws = load_weights(tmp_path / "h.npz")
    assert ws.layer_sizes is None and ws.activations is None
    assert all(w.dtype == np.float64 for w in ws.weights + ws.biases)
    net = make_net()
    apply_weights(net, ws)
    np.testing.assert_array_equal(net.weights[0], np.ones((3, 5)))


def test_export_is_a_valid_zip_with_npy_members(tmp_path):
    export_npz(make_net(), tmp_path / "w.npz")
    with zipfile.ZipFile(tmp_path / "w.npz") as zf:
        assert all(n.endswith(".npy") for n in zf.namelist())
