"""Run by test_loss_ranges.py in a subprocess: the circles window on a W×H
offscreen screen trained N epochs in steps (as frames would); after each step,
whether the last point of every loss and accuracy curve lies inside its plot's
view box on screen, and the view box's size.

    python tests/gui/loss_view_probe.py 1366 768
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from probe_common import open_window  # noqa: E402

W, H = int(sys.argv[1]), int(sys.argv[2])
ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))
from app.scratch import scratch_subdir  # noqa: E402
from model.io.project import load_project, save_project  # noqa: E402
from model.train.trainer import TrainSettings  # noqa: E402

proj = load_project(ROOT / "resources/examples/circles.json")
d = proj.training.to_dict()
d.update(epochs=100_000, target_loss=None)  # no early end: the run crosses several range steps
d.pop("early_stopping", None)
proj.training = TrainSettings.from_dict(d)
path = Path(scratch_subdir("loss-view")) / "circles.json"
save_project(proj, path)
app, win, settle = open_window(W, H, str(path))

from PySide6.QtCore import QPointF  # noqa: E402

from app.training_controller import train_in_place  # noqa: E402

win.show_panel("loss")
settle()
panel = win.plots.panels["loss"]
out = {"steps": [], "sizes": {}}
for epochs in (3, 15, 40, 120, 300):
    train_in_place(win.doc, epochs - len(win.doc.history))
    settle()
    panel.settle()  # the followers' staggered range, as a few frames later
    settle()
    step = {"epochs": len(win.doc.history)}
    for name in ("train", "val", "acc", "val_acc"):
        c = panel.curve(name)
        x, y = panel.curve_data(name)
        if not len(x) or not c.isVisible():
            continue
        vb = c.getViewBox()
        scene_pt = vb.mapViewToScene(QPointF(float(x[-1]), float(y[-1])))
        step[name] = bool(vb.sceneBoundingRect().contains(scene_pt))
        out["sizes"][name] = [round(vb.width()), round(vb.height())]
    out["steps"].append(step)
win.doc.undo_stack.setClean()
win.shutdown()
print(json.dumps(out))
