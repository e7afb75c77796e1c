"""Weight export/import: ``.npz`` (contract) and readable ``.json``.

``.npz`` keys: ``W1…WL``, ``b1…bL`` (1-based), ``layer_sizes`` (int array),
``activations`` (unicode array); read with ``allow_pickle=False`` only.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.io.project import atomic_write_bytes, atomic_write_text
from model.nn.network import Network

MAX_WEIGHT_FILE_BYTES = 1024 * 1024 * 1024


@dataclass
class WeightSet:
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    layer_sizes: list[int] | None = None
    activations: list[str] | None = None


def export_npz(net: Network, path) -> None:
    arrays = {}
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        arrays[f"W{l}"] = np.asarray(W, np.float64)
        arrays[f"b{l}"] = np.asarray(b, np.float64)
    arrays["layer_sizes"] = np.array(net.layer_sizes, dtype=np.int64)
    arrays["activations"] = np.array(net.spec.activations, dtype=np.str_)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def export_json(net: Network, path) -> None:
    d = {
        "format": "mlp-studio-weights",
        "version": 1,
        "layer_sizes": list(net.layer_sizes),
        "activations": list(net.spec.activations),
        "layers": [{"W": W.tolist(), "b": b.tolist()} for W, b in zip(net.weights, net.biases)],
    }
    atomic_write_text(path, json.dumps(d, indent=1, allow_nan=False))


def load_weights(path) -> WeightSet:
    """Read ``.npz`` or ``.json`` weights; ValueError with a clear message on any problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ValueError(f"cannot open {path}: {e.strerror or e}") from None
    if size > MAX_WEIGHT_FILE_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_WEIGHT_FILE_BYTES // 2**20} MiB")
    if path.suffix.lower() == ".json":
        return _load_json(path)
    return _load_npz(path)


MAX_ARRAY_ELEMENTS = 50_000_000


def _check_npz_headers(path: Path) -> None:
    """Read each member's .npy header before any array is allocated: a tiny
    file may declare a huge shape (a memory bomb) or a body it does not have."""
    from numpy.lib import format as npy_format

    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with zf.open(info) as f:
                version = npy_format.read_magic(f)
                reader = (
                    npy_format.read_array_header_1_0
                    if version == (1, 0)
                    else npy_format.read_array_header_2_0
                )
                shape, _fortran, dtype = reader(f, max_header_size=10_000)
                n = int(np.prod(shape, dtype=np.float64))
                if n > MAX_ARRAY_ELEMENTS:
                    raise ValueError(
                        f"{path.name}: {info.filename} declares shape {shape}, larger than "
                        f"the {MAX_ARRAY_ELEMENTS:,} values a network may have"
                    )
                if dtype.hasobject:
                    raise ValueError(f"{path.name} holds pickled object arrays, which are refused")
                body = info.file_size - f.tell()
                if n * dtype.itemsize > body:
                    raise ValueError(
                        f"{path.name}: {info.filename} is truncated ({body} of {n * dtype.itemsize} bytes)"
                    )


def _load_npz(path: Path) -> WeightSet:
    try:
        _check_npz_headers(path)
        with np.load(path, allow_pickle=False) as z:
            files = {k: z[k] for k in z.files}
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ValueError(f"{path.name} holds pickled object arrays, which are refused") from None
        raise ValueError(f"{path.name} is not a valid .npz file: {e}") from None
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        raise ValueError(f"{path.name} is not a valid .npz file (truncated or corrupt): {e}") from None
    L = 0
    while f"W{L + 1}" in files:
        L += 1
    if L == 0:
        raise ValueError(f"{path.name} has no W1 array; expected keys W1…WL and b1…bL")
    Ws, bs = [], []
    for l in range(1, L + 1):
        if f"b{l}" not in files:
            raise ValueError(f"{path.name} has W{l} but no b{l}")
        Ws.append(_numeric(files[f"W{l}"], f"W{l}", 2))
        bs.append(_numeric(files[f"b{l}"], f"b{l}", 1))
    sizes = acts = None
    if "layer_sizes" in files:
        sizes = [int(v) for v in np.asarray(files["layer_sizes"]).ravel()]
    if "activations" in files:
        acts = [str(v) for v in np.asarray(files["activations"]).ravel()]
    return WeightSet(Ws, bs, sizes, acts)


def _load_json(path: Path) -> WeightSet:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path.name} is not valid JSON: {e}") from None
    if not isinstance(d, dict) or not isinstance(d.get("layers"), list) or not d["layers"]:
        raise ValueError(f'{path.name}: expected an object with a non-empty list "layers"')
    Ws, bs = [], []
    for l, layer in enumerate(d["layers"], start=1):
        if not isinstance(layer, dict) or "W" not in layer or "b" not in layer:
            raise ValueError(f"{path.name}: layers[{l - 1}] needs W and b")
        try:
            Ws.append(_numeric(np.array(layer["W"], dtype=float), f"W{l}", 2))
            bs.append(_numeric(np.array(layer["b"], dtype=float), f"b{l}", 1))
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path.name}: {e}") from None
    return WeightSet(Ws, bs, d.get("layer_sizes"), d.get("activations"))


def _numeric(a: np.ndarray, name: str, ndim: int) -> np.ndarray:
    if a.dtype.kind not in "fiu":
        raise ValueError(f"{name} must hold numbers, not {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def check_compatible(ws: WeightSet, layer_sizes: list[int]) -> None:
    """ValueError naming the first layer whose shape differs from the topology."""
    L = len(layer_sizes) - 1
    if len(ws.weights) != L:
        raise ValueError(f"the file has {len(ws.weights)} weight layers but the network has {L}")
    for l in range(L):
        want = (layer_sizes[l], layer_sizes[l + 1])
        if ws.weights[l].shape != want:
            raise ValueError(
                f"layer {l + 1}: W{l + 1} in the file has shape {ws.weights[l].shape}, "
                f"the network needs {want}"
            )
        if ws.biases[l].shape != (want[1],):
            raise ValueError(
                f"layer {l + 1}: b{l + 1} in the file has shape {ws.biases[l].shape}, "
                f"the network needs ({want[1]},)"
            )


def apply_weights(net: Network, ws: WeightSet) -> None:
    check_compatible(ws, net.layer_sizes)
    net.set_parameters(ws.weights, ws.biases)
