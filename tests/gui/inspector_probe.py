"""Run by test_inspector_in_view.py in a subprocess: the hand-wired XOR window on a
W×H offscreen screen, a hidden neuron selected; for each Inspector row label, its
text, height and the height its wrapped text needs (a squashed row cuts lines off).

    python tests/gui/inspector_probe.py 1366 768
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from probe_common import open_window  # noqa: E402

W, H = int(sys.argv[1]), int(sys.argv[2])
XOR = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "examples", "xor_hand_wired.json")
app, win, settle = open_window(W, H, XOR)
win.doc.set_probe(1)
win.views.select(("node", 1, 0))
settle()
ins = win.inspector
out = {
    lab.objectName() or lab.text()[:30]: [
        lab.height(),
        lab.heightForWidth(lab.width()),
        lab.fontMetrics().height(),
    ]
    for lab in (ins.node_where, ins.node_act, ins.node_bias, ins.node_b, ins.node_V, ins.node_delta)
}
win.doc.undo_stack.setClean()
win.shutdown()
print(json.dumps(out))
