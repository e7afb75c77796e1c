"""Weight export/import: ``.npz`` (contract) and readable ``.json``.

``.npz`` keys: ``W1…WL``, ``b1…bL`` (1-based), ``layer_sizes`` (int array),
``activations`` (unicode array); read with ``allow_pickle=False`` only.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.io import safe_read
from model.io.atomic import atomic_write_bytes, atomic_write_text
from model.io.numbers import check_array
from model.nn.network import Network
from model.nn.spec import MAX_WIDTH

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
    """Read ``.npz`` or ``.json`` weights; ValueError with one clear line on any problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".json"):
        raise ValueError(f"{path.name}: weights files must end in .npz or .json")
    try:
        if suffix == ".json":
            return _load_json(path)
        return _load_npz(path)
    except (OverflowError, RecursionError, MemoryError, TypeError) as e:
        raise ValueError(f"{path.name}: cannot read these weights ({type(e).__name__})") from None


MAX_ARRAY_ELEMENTS = 50_000_000
#: all arrays of one file together: a network's parameters plus its small metadata
MAX_FILE_ELEMENTS = MAX_ARRAY_ELEMENTS + 100_000
MAX_HEADER_BYTES = 10_000
#: deflate cannot compress better than about 1032:1; a member claiming more is corrupt or a bomb
MAX_COMPRESSION_RATIO = 1100


def _npy_header(f, name: str, member: str):
    """(shape, dtype) from a member's .npy header, reading at most MAX_HEADER_BYTES."""
    from numpy.lib import format as npy_format

    try:
        major, _minor = npy_format.read_magic(f)
    except ValueError:
        raise ValueError(f"{name}: {member} is not a .npy array (bad magic bytes)") from None
    width = 2 if major == 1 else 4
    raw = f.read(width)
    if len(raw) != width:
        raise ValueError(f"{name}: {member} is truncated inside its header")
    length = int.from_bytes(raw, "little")
    if length > MAX_HEADER_BYTES:
        raise ValueError(
            f"{name}: {member} has a {length:,}-byte .npy header; at most {MAX_HEADER_BYTES:,} bytes are read"
        )
    header = f.read(length)
    if len(header) != length:
        raise ValueError(f"{name}: {member} is truncated inside its header")
    import ast

    try:
        d = ast.literal_eval(header.decode("latin1"))
        shape, dtype = tuple(int(n) for n in d["shape"]), np.dtype(d["descr"])
    except (ValueError, TypeError, KeyError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"{name}: {member} has a malformed .npy header") from None
    if any(n < 0 for n in shape) or len(shape) > 32:
        raise ValueError(f"{name}: {member} declares an impossible shape {shape}")
    return shape, dtype, f.tell()


def _check_npz_members(zf: zipfile.ZipFile, name: str) -> None:
    """Check every member by name, sizes and .npy header before anything is inflated:
    a tiny file may declare a huge shape, hide a bomb under another name, or
    spread the bomb over many arrays (so the element budget is per file)."""
    total = 0
    for info in zf.infolist():
        member = info.filename
        if not member.endswith(".npy"):
            raise ValueError(
                f"{name}: member {member!r} is not a .npy array; a weights file holds only .npy arrays"
            )
        if info.compress_size * MAX_COMPRESSION_RATIO < info.file_size:
            raise ValueError(
                f"{name}: {member} claims {info.file_size:,} bytes from {info.compress_size:,} compressed "
                "(an impossible ratio: corrupt or a zip bomb)"
            )
        with zf.open(info) as f:
            shape, dtype, start = _npy_header(f, name, member)
        if dtype.hasobject:
            raise ValueError(f"{name}: {member} holds pickled object arrays, which are refused")
        n = int(np.prod(shape, dtype=np.float64))
        if n > MAX_ARRAY_ELEMENTS:
            raise ValueError(
                f"{name}: {member} declares shape {shape}, larger than "
                f"the {MAX_ARRAY_ELEMENTS:,} values a network may have"
            )
        total += n
        if total > MAX_FILE_ELEMENTS:
            raise ValueError(
                f"{name}: the arrays together hold more than {MAX_FILE_ELEMENTS:,} values, "
                "more than any network's weights"
            )
        body = info.file_size - start
        if n * dtype.itemsize > body:
            raise ValueError(f"{name}: {member} is truncated ({body} of {n * dtype.itemsize} bytes)")
        if body > n * dtype.itemsize + 64:
            raise ValueError(f"{name}: {member} is {body - n * dtype.itemsize:,} bytes longer than its shape")


def _load_npz(path: Path) -> WeightSet:
    from numpy.lib import format as npy_format

    name = path.name
    files = {}
    with safe_read.open_regular(path, "weights file") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_WEIGHT_FILE_BYTES:
            raise safe_read.too_large(path, MAX_WEIGHT_FILE_BYTES, "weights file")
        try:
            with zipfile.ZipFile(fh) as zf:
                _check_npz_members(zf, name)
                for info in zf.infolist():
                    with zf.open(info) as f:
                        files[info.filename[:-4]] = npy_format.read_array(
                            f, allow_pickle=False, max_header_size=MAX_HEADER_BYTES
                        )
        except ValueError as e:
            if str(e).startswith(name):
                raise
            raise ValueError(f"{name} is not a valid .npz file: {str(e).splitlines()[0]}") from None
        except (OSError, zipfile.BadZipFile, EOFError, NotImplementedError) as e:
            raise ValueError(f"{name} is not a valid .npz file (truncated or corrupt): {e}") from None
    L = 0
    while f"W{L + 1}" in files:
        L += 1
    if L == 0:
        raise ValueError(f"{name} has no W1 array; expected keys W1…WL and b1…bL")
    Ws, bs = [], []
    for l in range(1, L + 1):
        if f"b{l}" not in files:
            raise ValueError(f"{name} has W{l} but no b{l}")
        Ws.append(_numeric(files[f"W{l}"], f"W{l}", 2))
        bs.append(_numeric(files[f"b{l}"], f"b{l}", 1))
    sizes = acts = None
    if "layer_sizes" in files:
        sizes = _layer_sizes(files["layer_sizes"], name)
    if "activations" in files:
        acts = [str(v) for v in np.asarray(files["activations"]).ravel()]
    return WeightSet(Ws, bs, sizes, acts)


def _layer_sizes(raw, name: str) -> list[int]:
    a = np.asarray(raw).ravel()
    if a.dtype.kind not in "iuf" or not np.isfinite(a.astype(np.float64)).all():
        raise ValueError(f"{name}: layer_sizes must be whole numbers from 1 to {MAX_WIDTH}")
    if ((a < 1) | (a > MAX_WIDTH) | (a != np.round(a))).any():
        raise ValueError(
            f"{name}: layer_sizes must be whole numbers from 1 to {MAX_WIDTH}, got {a.tolist()[:8]}"
        )
    return [int(v) for v in a]


def _load_json(path: Path) -> WeightSet:
    text = safe_read.read_text(path, MAX_WEIGHT_FILE_BYTES, "weights file")
    d = safe_read.parse_json(text, path.name)
    if "true" in text or "false" in text:
        where, _ = safe_read.find_first(d, lambda x: isinstance(x, bool))
        if where is not None:
            raise ValueError(f"{path.name}: {where}: must be a number, not true/false")
    if not isinstance(d, dict) or not isinstance(d.get("layers"), list) or not d["layers"]:
        raise ValueError(f'{path.name}: expected an object with a non-empty list "layers"')
    Ws, bs = [], []
    total = 0
    for l, layer in enumerate(d["layers"], start=1):
        if not isinstance(layer, dict) or "W" not in layer or "b" not in layer:
            raise ValueError(f"{path.name}: layers[{l - 1}] needs W and b")
        try:
            Ws.append(_numeric(check_array(layer["W"], f"layers[{l - 1}].W", ndim=2), f"W{l}", 2))
            bs.append(_numeric(check_array(layer["b"], f"layers[{l - 1}].b", ndim=1), f"b{l}", 1))
        except ValueError as e:
            raise ValueError(f"{path.name}: {e}") from None
        total += Ws[-1].size + bs[-1].size
        if total > MAX_FILE_ELEMENTS:
            raise ValueError(f"{path.name}: the layers hold more than {MAX_FILE_ELEMENTS:,} values")
    sizes = d.get("layer_sizes")
    if sizes is not None:
        if not isinstance(sizes, list):
            raise ValueError(f"{path.name}: layer_sizes must be a list of whole numbers")
        sizes = _layer_sizes(check_array(sizes, "layer_sizes", ndim=1), path.name)
    acts = d.get("activations")
    if acts is not None and not (isinstance(acts, list) and all(isinstance(a, str) for a in acts)):
        raise ValueError(f"{path.name}: activations must be a list of names")
    return WeightSet(Ws, bs, sizes, acts)


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
