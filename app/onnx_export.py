"""ONNX export (optional dependency ``onnx``)."""
from __future__ import annotations


def check_available() -> None:
    raise ValueError("ONNX export is not available yet")


def export_onnx(net, path, scaler=None) -> None:  # pragma: no cover - replaced by the export issue
    check_available()
