"""Run by test_chain_rule_in_view.py in a subprocess: the XOR window on a W×H
offscreen screen with the chain-rule panel in front; steps the lecture's
f = (x + y)·z backward pass with Next and reports, per stage, whether the
current node (box and ∂f/∂node label) lies inside the visible part of the
graph, and at the end whether every label does.

    python tests/gui/chain_rule_probe.py 1280 720
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from probe_common import open_window  # noqa: E402

W, H = int(sys.argv[1]), int(sys.argv[2])
EXAMPLE = sys.argv[3] if len(sys.argv) > 3 else "lecture_fxyz"
app, win, settle = open_window(W, H)

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QScrollArea  # noqa: E402


def visible_region(win, view) -> QRect:
    """The graph view's viewport, cut by every scroll area above it and the window."""
    vp = view.viewport()
    r = QRect(vp.mapTo(win, vp.rect().topLeft()), vp.size())
    p = view.parentWidget()
    while p is not None and p is not win:
        if isinstance(p, QScrollArea):
            v = p.viewport()
            r = r.intersected(QRect(v.mapTo(win, v.rect().topLeft()), v.size()))
        p = p.parentWidget()
    return r.intersected(win.rect())


def inside(win, view, scene_rect) -> bool:
    poly = view.mapFromScene(scene_rect).boundingRect()
    vp = view.viewport()
    r = QRect(vp.mapTo(win, poly.topLeft()), poly.size())
    return visible_region(win, view).contains(r)


win.show_panel("chain-rule")
settle()
panel = win.plots.panels["chain-rule"]
panel.load_example(EXAMPLE)
settle()
stages = []
while panel.next_button.isEnabled():
    panel.next_button.click()
    settle()
    stages.append(inside(win, panel.view, panel.current_rect()))
rects = panel.label_rects()
out = {
    "stages": stages,
    "all_labels": {k: inside(win, panel.view, r) for k, r in rects.items()},
    "scale": panel.view.transform().m11(),
    "side_by_side": panel.side_by_side,
}
win.doc.undo_stack.setClean()
win.shutdown()
print(json.dumps(out))
