"""Canvas repaint cost, the batched renderer against the per-item one, same run.

Run from the repository root::

    QT_QPA_PLATFORM=offscreen python tests/bench/canvas_repaint.py [--reference COMMIT] [--size WxH]

Not a pytest test. The scene is what the GUI-stall figure trains: a
2-64-64-64-1 network (8,384 edges, level of detail: 3,000 drawn) on a
1400×900 canvas (``--size``; the main window's canvas at 1400×900 is about
660×330), repainted synchronously (``viewport().repaint()``, the real
paint path). Frames:

- ``wave_front``: the waves' front moves to the next layer pair (overlay
  recoloured, node fills changed) and the view repaints — 3×/s at 0.75 waves/s,
  after the 9 animation frames in between (30 Hz) that the new renderer uses
  to prepare the next front;
- ``wave_between``: the costliest of those 9 frames (binning the next front,
  rasterising it in slices; nothing in the reference);
- ``nodes_only``: new node values (the probe sample, waves off) and a repaint;
- ``training_step``: weights moved by one small step (edges stay in their
  bins), new node values, repaint — each display frame with waves off;
- ``expose``: a repaint with nothing changed (selection, hover, an expose).

Each frame runs in a fresh subprocess for the reference tree (``git archive``
of ``--reference``, default: the last commit with the per-item renderer) and
for this tree, interleaved (ref, new, ref, new) so a change of machine load hits
both. GUI-thread CPU time (``time.thread_time``) is the figure the load affects
least; wall time is printed too. Also, with a Python thread training beside it
(as the app's worker does), the wall time of the ``wave_front`` frame, the
longest one. The last line is one JSON object; ratios are new ÷ reference.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "c94f376"  # main before the batched renderer (nodes painted one item at a time)
SIZES = [2, 64, 64, 64, 1]
W, H = 1400, 900
FRAMES = ("wave_front", "wave_between", "nodes_only", "training_step", "expose")
BETWEEN = 9  # animation frames between two fronts at 0.75 waves/s, 4 pairs, 30 Hz
REPEATS = 24


def _child(frame: str, busy: bool) -> dict:
    import threading

    import numpy as np
    from PySide6.QtWidgets import QApplication

    from model.nn.network import Network, NetworkSpec
    from model.nn.probe import probe
    from widgets.canvas.network_canvas import NetworkCanvas
    from widgets.canvas.wave_animator import WaveAnimator

    app = QApplication.instance() or QApplication([])
    acts = ["tanh"] * (len(SIZES) - 2) + ["sigmoid"]
    net = Network(NetworkSpec(SIZES, acts, seed=0))
    c = NetworkCanvas()
    c.resize(W, H)
    c.set_network(SIZES, acts, net.weights, net.biases)
    c.show()
    for _ in range(5):
        app.processEvents()
    rng = np.random.default_rng(0)
    values = [[rng.standard_normal(n) for n in SIZES] for _ in range(4)]
    anim = WaveAnimator(speed=0.75)
    anim.attach(c)
    anim.set_probe(probe(net, [0.3, -0.2], [1.0]))
    anim.tick(0.0)
    k = [0]

    def between() -> tuple[float, float]:
        """The frames between two fronts (each ticks, nothing to repaint): the
        costliest one's (CPU ms, wall ms)."""
        worst = (0.0, 0.0)
        for _ in range(BETWEEN):
            t0, c0 = time.perf_counter(), time.thread_time()
            anim.tick(anim.layer_seconds / (BETWEEN + 1))
            worst = max(worst, (1000 * (time.thread_time() - c0), 1000 * (time.perf_counter() - t0)))
        return worst

    def change():
        k[0] += 1
        if frame == "wave_front":
            anim.tick(anim.layer_seconds - BETWEEN * anim.layer_seconds / (BETWEEN + 1))
        elif frame == "nodes_only":
            c.set_node_values(values[k[0] % 4])
        elif frame == "training_step":
            f = 1 + 1e-6 * (k[0] % 2)
            c.set_weights([w * f for w in net.weights], net.biases)
            c.set_node_values(values[k[0] % 4])

    if not frame.startswith("wave"):
        anim.stop()
    stop = threading.Event()

    def train():  # small NumPy steps, as a 2-64-64-64-1 batch-16 update takes
        a, w = np.random.randn(16, 64), np.random.randn(64, 64) * 0.1
        while not stop.is_set():
            a = np.tanh(a @ w)

    worker = threading.Thread(target=train, daemon=True)
    if busy:
        worker.start()
    cpu, wall = [], []
    for i in range(REPEATS + 2):
        if frame.startswith("wave"):
            worst = between()
            if frame == "wave_between" and i >= 2:
                cpu.append(worst[0])
                wall.append(worst[1])
        t0, c0 = time.perf_counter(), time.thread_time()
        change()
        c.viewport().repaint()
        if i >= 2 and frame != "wave_between":  # warm-up frames
            cpu.append(1000 * (time.thread_time() - c0))
            wall.append(1000 * (time.perf_counter() - t0))
    stop.set()
    if busy:
        worker.join(5)
    return {
        "cpu_ms": float(np.median(cpu)),
        "wall_ms": float(np.median(wall)),
        "wall_max_ms": float(np.max(wall)),
    }


def _tree(ref: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix="mlp-canvas-ref-"))
    tar = out / "ref.tar"
    subprocess.run(["git", "archive", "-o", str(tar), ref, "widgets", "model"], cwd=ROOT, check=True)
    with tarfile.open(tar) as t:
        t.extractall(out, filter="data")
    return out


def _run(tree: Path, frame: str, busy: bool, size: str) -> dict:
    env = dict(
        os.environ, PYTHONPATH=str(tree), QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen")
    )
    args = [sys.executable, __file__, "--child", frame, "busy" if busy else "idle", size]
    out = subprocess.run(args, capture_output=True, text=True, cwd=tree, env=env, timeout=600)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        global W, H
        W, H = (int(x) for x in argv[3].split("x"))
        print(json.dumps(_child(argv[1], argv[2] == "busy")))
        sys.stdout.flush()
        os._exit(0)
    ref = argv[argv.index("--reference") + 1] if "--reference" in argv else REFERENCE
    size = argv[argv.index("--size") + 1] if "--size" in argv else f"{W}x{H}"
    trees = {"reference": _tree(ref), "new": ROOT}
    plan = [(f, False) for f in FRAMES] + [("wave_front", True)]
    results: dict = {}
    for frame, busy in plan:
        name = frame + ("_with_training" if busy else "")
        runs = {"reference": [], "new": []}
        for _ in range(2):
            for who, tree in trees.items():
                runs[who].append(_run(tree, frame, busy, size))
        best = {
            who: min((r for r in rs if "error" not in r), key=lambda r: r["cpu_ms"], default=rs[0])
            for who, rs in runs.items()
        }
        r, n = best["reference"], best["new"]
        row = {"reference": r, "new": n}
        if "cpu_ms" in r and "cpu_ms" in n:
            row["cpu_ratio"] = n["cpu_ms"] / r["cpu_ms"]
            row["wall_ratio"] = n["wall_ms"] / r["wall_ms"]
            print(
                f"{name:<26} reference cpu {r['cpu_ms']:6.2f} ms wall {r['wall_ms']:6.2f} (max {r['wall_max_ms']:6.1f})"
                f" | new cpu {n['cpu_ms']:6.2f} ms wall {n['wall_ms']:6.2f} (max {n['wall_max_ms']:6.1f})"
                f" | new/ref cpu {row['cpu_ratio']:.2f} wall {row['wall_ratio']:.2f}",
                flush=True,
            )
        else:
            print(f"{name}: {row}", flush=True)
        results[name] = row
    shutil.rmtree(trees["reference"], ignore_errors=True)  # the reference's checkout
    load = os.getloadavg()
    print(f"{SIZES} on {size}; reference {ref}; load {load[0]:.2f}")
    print(json.dumps({"frames": results, "reference": ref, "sizes": SIZES, "canvas": size, "loadavg": load}))


if __name__ == "__main__":
    main(sys.argv[1:])
