"""Hostile ONNX files: external tensor data (a device, a path outside the
folder, a FIFO) and tensors that lie about their size are one line, never
onnx's own exception types, and nothing named by the file is opened."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from hostile_onnx import _gemm_model, _model  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from app.onnx_project import project_from_onnx  # noqa: E402


def _external(tmp_path, location, dims=(2, 1)):
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=list(dims))
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", location
    b = numpy_helper.from_array(np.zeros(1, np.float32), "b")
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["y"])]
    p = tmp_path / "ext.onnx"
    p.write_bytes(_model(nodes, [t, b]).SerializeToString())
    return p


@pytest.mark.parametrize("location", ["/dev/zero", "../../../../etc/passwd", "pipe.bin", "weights.bin"])
def test_external_tensor_data_is_refused_without_opening_it(tmp_path, location):
    os.mkfifo(tmp_path / "pipe.bin")  # opening it would block: the refusal must come first
    (tmp_path / "weights.bin").write_bytes(b"\0" * 8)
    with pytest.raises(ValueError) as e:
        project_from_onnx(_external(tmp_path, location))
    assert str(e.value) == (
        "ext.onnx: tensor 'W' keeps its values in an external file; only self-contained ONNX files open"
    )


def test_a_tensor_declaring_more_values_than_it_holds_is_one_line(tmp_path):
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[10**6, 10**6], raw_data=b"\0" * 8)
    b = numpy_helper.from_array(np.zeros(1, np.float32), "b")
    p = tmp_path / "lie.onnx"
    p.write_bytes(_model([helper.make_node("Gemm", ["x", "W", "b"], ["y"])], [t, b]).SerializeToString())
    with pytest.raises(ValueError) as e:
        project_from_onnx(p)
    assert str(e.value).startswith("lie.onnx: tensor 'W' cannot be read") and "\n" not in str(e.value)


def test_a_plain_file_still_opens(tmp_path):
    p = tmp_path / "ok.onnx"
    p.write_bytes(_gemm_model([[1.0], [2.0]]).SerializeToString())
    assert project_from_onnx(p).spec.layer_sizes == [2, 1]
