"""Run by test_presentation.py in a subprocess: the XOR window on a 1920×1080
offscreen screen, normal and in presentation mode; prints the heights (px)
of node values, plot tick labels and menu text measured in grabbed images.

    python tests/gui/presentation_probe.py
"""

import json
import os
import sys
import time

import numpy as np

from tests.gui.probe_common import start_app

W, H = 1920, 1080
app, settle = start_app(W, H)
import pyqtgraph as pg  # noqa: E402

from app.main_window import MainWindow  # noqa: E402


def layout_state(w):
    """What the grabbed picture depends on: window, canvas viewport, fit scale, chip strip."""
    c, strip = w.canvas, w.features.strip
    return (
        w.geometry().getRect(),
        c.viewport().size().toTuple(),
        round(c.transform().m11(), 6),
        c.top_reserve,
        strip.sizeHint().height(),
        tuple(d.isVisible() for d in w.docks.values()),
    )


def settled(w, cond=lambda: True, timeout=120.0):
    """Process events until ``cond()`` holds, the strip's room is reserved and the layout
    stopped changing for five rounds: wait on the state, never on a fixed number of rounds
    (under load, full-screen and dock changes arrive later)."""
    end, last, same = time.monotonic() + timeout, None, 0
    while time.monotonic() < end:
        app.processEvents()
        state = layout_state(w)
        ok = cond() and state[3] == state[4]
        same = same + 1 if ok and state == last else 0
        if same >= 5:
            return
        last = state
        time.sleep(0.005)
    raise AssertionError(f"the window did not settle: {layout_state(w)}")


def rgb(img):
    img = img.convertToFormat(img.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), [2, 1, 0]].astype(int)


def ink_height(region, background) -> int:
    """Rows that hold pixels far from the background colour: the text's height."""
    diff = np.abs(region - np.asarray(background)).sum(axis=2) > 150
    rows = np.flatnonzero(diff.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def node_value_height(win) -> int:
    c = win.canvas
    img = rgb(win.grab().toImage())
    heights = []
    for node in (n for n in c._nodes[1] if n.text()):
        centre = c.viewport().mapTo(win, c.mapFromScene(node.scenePos()))
        r = int(node.rect().width() / 2 * c.transform().m11())
        x, y = centre.x(), centre.y()
        fill = img[y - int(0.8 * r), x]
        box = img[y - int(0.6 * r) : y + int(0.6 * r), x - int(0.7 * r) : x + int(0.7 * r)]  # inside the ring
        heights.append(ink_height(box, fill))
    return min(heights) if heights else 0


def tick_height(win, panel="loss") -> int:
    plot = next(p for p in win.plots.panels[panel].findChildren(pg.PlotWidget) if p.isVisible())
    axis = plot.getPlotItem().getAxis("bottom")
    rect = plot.mapFromScene(axis.sceneBoundingRect()).boundingRect()
    top_left = plot.mapTo(win, rect.topLeft())
    img = rgb(win.grab().toImage())
    y0 = top_left.y() + int(rect.height() * 0.25)  # below the axis line and its ticks
    strip = img[y0 : top_left.y() + rect.height(), top_left.x() + 20 : top_left.x() + rect.width() - 20]
    return ink_height(strip, strip[-1, 0])


def chip_height(win) -> int:
    """The ink height of the unchecked x₁² chip's text, inside its border."""
    chip = win.features.strip.chips["x1^2"]
    top_left = chip.mapTo(win, chip.rect().topLeft())
    img = rgb(win.grab().toImage())
    w, h = chip.width(), chip.height()
    box = img[top_left.y() + 2 : top_left.y() + h - 2, top_left.x() + w // 4 : top_left.x() + 3 * w // 4]
    return ink_height(box, box[0, 0])


def chips_clear_of_nodes(win) -> bool:
    """No node of the network lies under the chip strip (the network is fitted below it)."""
    c, strip = win.canvas, win.features.strip
    bottom = c.viewport().mapFrom(c, strip.mapTo(c, strip.rect().bottomLeft())).y()
    tops = [c.mapFromScene(n.sceneBoundingRect()).boundingRect().top() for col in c._nodes for n in col]
    return min(tops) > bottom


def menu_height(win) -> int:
    bar = win.menuBar()
    img = rgb(bar.grab().toImage())
    return ink_height(img[:, : bar.actionGeometry(bar.actions()[0]).right()], img[0, 0])


win = MainWindow()
win.show()
settled(win)
win.canvas.fit_view()
settled(win)
strip = win.features.strip
out = {"normal": {"node": node_value_height(win), "tick": tick_height(win), "menu": menu_height(win)}}
out["normal"]["chip"] = chip_height(win)
win.classroom.set_presentation(True)
settled(win, lambda: win.geometry().getRect() == (0, 0, W, H))
out["presentation_geometry"] = list(win.geometry().getRect())
out["hidden_docks"] = sorted(k for k, d in win.docks.items() if not d.isVisible())
out["presentation"] = {"node": node_value_height(win), "menu": menu_height(win), "chip": chip_height(win)}
out["chip_clear"] = chips_clear_of_nodes(win)
bar = win.status.progress  # the read-outs whose widest text does not fit their width
widest = bar.format().replace("%v", f"{bar.maximum():,}")
out["status_short"] = [widest] if bar.width() < bar.fontMetrics().horizontalAdvance(widest) + 8 else []
out["status_short"] += [
    t for t, lab in win.status.labels.items() if lab.width() < lab.fontMetrics().horizontalAdvance(lab.text())
]
win.grab().save(sys.argv[1]) if len(sys.argv) > 1 else None
win.show_panel("loss")
settled(win)
out["presentation"]["tick"] = tick_height(win)
assert "gradients" not in win.plots.built()
win.show_panel("gradients")  # built for the first time while presenting
settled(win)
out["lazy"] = {"built_presenting": tick_height(win, "gradients")}
pen_width = lambda: round(pg.mkPen(win.plots.panels["gradients"].profile_curves[0].opts["pen"]).widthF(), 2)  # noqa: E731
out["lazy"]["pen_presenting"] = pen_width()
out["zoom"] = win.canvas.zoom
win.classroom.set_presentation(False)
settled(win, lambda: not win.isFullScreen())
out["after"] = {"zoom": win.canvas.zoom, "node": node_value_height(win)}
out["after_chip"] = chip_height(win)
win.show_panel("gradients")
settled(win)
out["lazy"]["after"] = tick_height(win, "gradients")
out["lazy"]["pen_after"] = pen_width()
win.doc.undo_stack.setClean()
win.shutdown()

# a wide network (spiral 2-16x4-1): its nodes are small, the values keep their own size
from app.document import Document  # noqa: E402

doc = Document()
doc.open(os.path.join(os.path.dirname(__file__), "..", "..", "resources", "examples", "spiral.json"))
wide = MainWindow(doc)
wide.show()
settled(wide)
wide.classroom.set_presentation(True)
settled(wide, lambda: wide.geometry().getRect() == (0, 0, W, H))
wide.canvas.fit_view()
settled(wide)
c = wide.canvas
img = rgb(wide.grab().toImage())
heights = []
# the nodes that carry a value (every k-th when the pills would cover each other)
labelled = [n for n in c._nodes[1] if n.text()][:3]
for node in labelled:
    centre = c.viewport().mapTo(wide, c.mapFromScene(node.scenePos()))
    x, y = centre.x(), centre.y()
    # inside the value's pill, off its border and right of the small node's circle
    box = img[y - 11 : y + 12, x + int(node.rect().width() * c.transform().m11()) : x + 22]
    fill = node.brush().color()
    heights.append(ink_height(box, (fill.red(), fill.green(), fill.blue())))
out["wide_labelled"] = [n.index for n in labelled]
out["wide_node"] = min(heights) if heights else 0
out["wide_node_diameter"] = round(node.rect().width() * c.transform().m11(), 1)
wide.doc.undo_stack.setClean()
wide.shutdown()
print(json.dumps(out))
