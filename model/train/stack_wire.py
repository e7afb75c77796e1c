"""The messages between a stack's parent process and its worker (no pickle).

A frame is one type byte, the payload's length (8 bytes, little-endian) and
the payload: a JSON header (4-byte length first) followed by the arrays the
header names, each as its length (8 bytes) and ``np.save`` bytes
(``allow_pickle=False`` both ways, so a frame can only ever carry numbers,
strings and plain arrays).  Settings and network specs travel as their
``to_dict`` forms: JSON writes floats with ``repr``, so they come back bit
for bit.
"""

from __future__ import annotations

import io
import json
import struct

import numpy as np

from model.nn.spec import NetworkSpec
from model.train.trainer import TrainSettings

# message types, parent -> worker
NEW = b"N"  # build a stack: header {specs, settings, divergence_factor, lrs}, arrays X, T, flats
TRAIN = b"T"  # train the stack: {epochs}
STOP = b"S"  # stop the training under way at its next poll
DROP = b"D"  # forget the stack (the lease ended)
# worker -> parent
READY = b"Y"  # the worker's interpreter is up: {pid}
BUILT = b"B"  # the stack was built (or dropped)
EPOCH = b"E"  # progress: {epoch, live}
RESULT = b"R"  # a train() call ended: see :func:`result_header`; arrays epoch_loss, flats
ERROR = b"X"  # an exception in the worker: {type, message, traceback}

_FRAME = struct.Struct("<cQ")
_LEN = struct.Struct("<Q")
_HEAD = struct.Struct("<I")

#: No frame is larger (bytes): a stack's data and weights stay far below it;
#: a corrupted length must not make the reader allocate the machine's memory.
MAX_FRAME = 4 << 30


class WireError(RuntimeError):
    """The other end closed its pipe or sent something that is no frame."""


def pack(kind: bytes, header: dict | None = None, arrays=()) -> bytes:
    """One frame: ``kind``, the JSON ``header`` and ``arrays`` in order."""
    head = json.dumps(header or {}, separators=(",", ":")).encode()
    parts = [_HEAD.pack(len(head)), head]
    for a in arrays:
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(a), allow_pickle=False)
        parts += [_LEN.pack(buf.tell()), buf.getbuffer()]
    payload = b"".join(parts)
    return _FRAME.pack(kind, len(payload)) + payload


def unpack(payload: bytes) -> tuple[dict, list[np.ndarray]]:
    """The header and arrays of a frame's payload."""
    view = memoryview(payload)
    (n,) = _HEAD.unpack_from(view, 0)
    header = json.loads(bytes(view[_HEAD.size : _HEAD.size + n]))
    at, arrays = _HEAD.size + n, []
    while at < len(view):
        (size,) = _LEN.unpack_from(view, at)
        at += _LEN.size
        arrays.append(np.load(io.BytesIO(view[at : at + size]), allow_pickle=False))
        at += size
    return header, arrays


def read_frame(stream) -> tuple[bytes, dict, list[np.ndarray]]:
    """The next frame from a binary ``stream`` (blocks); WireError at EOF."""
    kind, size = _FRAME.unpack(_read_exactly(stream, _FRAME.size))
    if size > MAX_FRAME:
        raise WireError(f"a frame of {size} bytes is no message of ours")
    header, arrays = unpack(_read_exactly(stream, size))
    return kind, header, arrays


def write_frame(stream, frame: bytes) -> None:
    try:
        stream.write(frame)
        stream.flush()
    except (BrokenPipeError, OSError, ValueError) as e:  # ValueError: the pipe was closed here
        raise WireError(f"the other end is gone ({e})") from e


def _read_exactly(stream, n: int) -> bytes:
    chunks, left = [], n
    while left:
        try:
            chunk = stream.read(left)
        except (OSError, ValueError) as e:
            raise WireError(f"the pipe broke ({e})") from e
        if not chunk:
            raise WireError("the other end closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ----------------------------------------------------------- the stack's spec
def stack_header(specs, settings: TrainSettings, lrs) -> dict:
    """What a worker needs besides the arrays to build the same stack."""
    return {
        "specs": [s.to_dict() for s in specs],
        "settings": settings.to_dict(),
        # not part of a saved project's settings, so not in to_dict
        "divergence_factor": settings.divergence_factor,
        "lrs": [float(v) for v in np.asarray(lrs, dtype=np.float64).reshape(-1)],
    }


def stack_from_header(h: dict) -> tuple[list[NetworkSpec], TrainSettings, np.ndarray]:
    settings = TrainSettings.from_dict(h["settings"])
    settings.divergence_factor = float(h["divergence_factor"])
    return [NetworkSpec.from_dict(d) for d in h["specs"]], settings, np.array(h["lrs"], dtype=np.float64)
