"""Run by test_laptop_layout.py in a subprocess: the spiral window's first-start
layout on a W×H offscreen screen; prints the visible size (px) of the plots
dock, the canvas and each panel's largest plot, and which side docks are in
front before and after a node is selected on the canvas.

    python tests/gui/layout_probe.py 1366 768
"""

import json
import sys

from tests.gui.probe_common import ROOT, open_window

W, H = int(sys.argv[1]), int(sys.argv[2])
app, win, settle = open_window(W, H, str(ROOT / "resources" / "examples" / "spiral.json"))
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QTabBar  # noqa: E402

settle()


def visible(w) -> list[int]:
    """The part of ``w`` inside every widget above it, as [width, height]."""
    r = QRect(w.mapTo(win, QPoint(0, 0)), w.size())
    p = w.parentWidget()
    while p is not None and p is not win:
        r = r.intersected(QRect(p.mapTo(win, QPoint(0, 0)), p.size()))
        p = p.parentWidget()
    return [max(0, r.width()), max(0, r.height())]


def in_front() -> dict:
    return {k: not win.docks[k].visibleRegion().isEmpty() for k in ("data", "inspector", "training")}


out = {"plots": visible(win.docks["plots"]), "canvas": visible(win.canvas.viewport()), "panels": {}}
for name in ("loss", "lr", "optimizers", "gradients", "predict", "hidden"):
    win.show_panel(name)
    settle()
    views = [v for v in win.plots.panels[name].findChildren(pg.GraphicsView) if v.isVisible()]
    out["panels"][name] = max((visible(v) for v in views), key=lambda s: s[0] * s[1])
out["front"] = in_front()
# dock-area tab bars: a tab reaching past its bar's edge is cut off (behind scroll arrows)
bars = [b for b in win.findChildren(QTabBar) if b.parent() is win and b.isVisible()]
out["tabs_cut"] = [b.tabText(i) for b in bars for i in range(b.count()) if b.tabRect(i).right() > b.width()]
out["optimizer_combo"] = visible(win.training_panel.optimizer_combo)
win.canvas.nodeSelected.emit(1, 0)
settle()
out["front_after_select"] = in_front()
print(json.dumps(out))
win.shutdown()
