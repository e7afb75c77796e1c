"""Canaries for the two PySide6 traps in ARCHITECTURE.md (Dependencies)."""

import sys


def test_none_refcount_is_stable(qapp):
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for i in range(10_000):
        obj.setObjectName(f"n{i % 7}")
    # PySide6 6.12 on 3.10/3.11 drops one None reference per call
    assert abs(sys.getrefcount(None) - before) < 100


def test_svg_export_of_closed_path(qapp, tmp_path):
    import pyqtgraph as pg
    from pyqtgraph.exporters import SVGExporter

    pw = pg.PlotWidget()
    pw.plot([0, 1, 2, 0], [0, 1, 0, 0], fillLevel=0, brush=(50, 50, 200, 100))
    out = tmp_path / "p.svg"
    SVGExporter(pw.plotItem).export(str(out))
    text = out.read_text()
    assert "<svg" in text and "path" in text
