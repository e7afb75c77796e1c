"""Shared pieces of the hostile-input corpus (tests/model/test_hostile_files.py and
tests/bench/hostile_counts.py): the numeric fields of a project, a JSON-path
setter and a bare .npy header writer."""

from __future__ import annotations

import io

import numpy as np

HUGE = "9" * 400
GIANT = "9" * 5000

NUMERIC_FIELDS = [
    "version",
    "network.layer_sizes[1]",
    "network.seed",
    "network.init_range",
    "data.val_fraction",
    "data.split_seed",
    "data.params.noise",
    "data.params.n",
    "data.params.seed",
    "training.lr",
    "training.hyper.momentum",
    "training.batch_size",
    "training.epochs",
    "training.target_loss",
    "training.seed",
    "training.schedule.gamma",
    "training.schedule.step_size",
    "training.schedule.decay",
    "training.schedule.period",
    "training.schedule.min_lr",
    "weights.W[0][0][0]",
    "weights.b[1][0]",
]


def set_path(d, path: str, value) -> None:
    """Set the value at a JSON path like ``training.lr`` or ``weights.W[0][1][2]``."""
    keys = path.replace("[", ".[").split(".")
    obj = d
    for k in keys[:-1]:
        obj = obj[int(k[1:-1])] if k.startswith("[") else obj.setdefault(k, {})
    last = keys[-1]
    if last.startswith("["):
        obj[int(last[1:-1])] = value
    else:
        obj[last] = value


def npy_header(shape, dtype="<f8") -> bytes:
    """A version-1.0 .npy header declaring ``shape`` (no body)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def write_forged_ratio_npz(path) -> None:
    """An npz whose member declares 2 GB uncompressed from a few bytes (a lying zip bomb)."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("W1.npy", npy_header((1000,)) + b"\0" * 8000)
    data = bytearray(path.read_bytes())
    cd = data.rfind(b"PK\x01\x02")  # the central directory's declared uncompressed size
    data[cd + 24 : cd + 28] = (2_000_000_000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
