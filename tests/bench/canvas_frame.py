"""Canvas frame cost: update edge values + paint one 1280×800 frame offscreen.

Run: ``QT_QPA_PLATFORM=offscreen python tests/bench/canvas_frame.py``.
Not a pytest test (no ``test_`` names; tests/bench is outside testpaths).
Prints one line per network and, last, one JSON object.
Targets (ARCHITECTURE.md): ≤ 16 ms at ~4,000 edges, ≤ 33 ms at ~40,000.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QLineF, QRectF  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import (QApplication, QGraphicsLineItem, QGraphicsScene,  # noqa: E402
                               QGraphicsView)

from widgets import canvas_layout as lay  # noqa: E402
from widgets.network_canvas import NetworkCanvas  # noqa: E402

W, H = 1280, 800
NETWORKS = {200: [8, 12, 8, 1], 4000: [2, 62, 62, 1], 40000: [64] * 11}


def _render(view: QGraphicsView, img: QImage) -> None:
    img.fill(0xFFFFFF)
    p = QPainter(img)
    view.render(p, QRectF(0, 0, W, H), view.viewport().rect())
    p.end()


def _median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def bench_canvas(sizes, rng, repeats=15):
    """(update_ms, paint_ms, frame_ms, edges, drawn) for the batched canvas."""
    c = NetworkCanvas()
    c.resize(W, H)
    L = len(sizes) - 1
    acts = ["tanh"] * L
    frames = [[rng.standard_normal((a, b)) for a, b in zip(sizes, sizes[1:])] for _ in range(4)]
    biases = [np.zeros(b) for b in sizes[1:]]
    c.set_network(sizes, acts, frames[0], biases)
    img = QImage(W, H, QImage.Format.Format_RGB32)
    k = iter(range(10 ** 9))
    update = lambda: c.set_weights(frames[next(k) % 4], biases)  # noqa: E731
    update_ms = _median_ms(update, repeats)
    paint_ms = _median_ms(lambda: _render(c, img), repeats)
    frame_ms = _median_ms(lambda: (update(), _render(c, img)), repeats)
    return update_ms, paint_ms, frame_ms, c.edge_layer.n_edges, c.edge_layer.n_drawn


def bench_naive(sizes, rng, repeats=15):
    """The same, one QGraphicsLineItem per edge with its own pen."""
    scene = QGraphicsScene()
    view = QGraphicsView(scene)
    view.resize(W, H)
    pos = lay.node_positions(sizes)
    seg, *_ = lay.edge_segments(pos)
    lines = [scene.addLine(QLineF(*s)) for s in seg]
    for p in np.concatenate(pos):
        scene.addEllipse(p[0] - 13, p[1] - 13, 26, 26)
    view.fitInView(scene.itemsBoundingRect())
    img = QImage(W, H, QImage.Format.Format_RGB32)
    frames = [rng.standard_normal(len(seg)) for _ in range(4)]
    k = iter(range(10 ** 9))

    def update():
        v = frames[next(k) % 4]
        m = np.abs(v).max()
        for item, x in zip(lines, v):
            c = QColor("#2f6fdf" if x >= 0 else "#e4572e")
            c.setAlpha(int(55 + 200 * abs(x) / m))
            item.setPen(QPen(c, 0.6 + 3 * abs(x) / m))

    return _median_ms(lambda: (update(), _render(view, img)), repeats)


def main() -> dict:
    app = QApplication.instance() or QApplication(sys.argv)  # noqa: F841
    rng = np.random.default_rng(0)
    out = {}
    for target, sizes in NETWORKS.items():
        upd, paint, frame, edges, drawn = bench_canvas(sizes, rng)
        out[f"frame_ms_{target}"] = round(frame, 2)
        print(f"{edges:>6,} edges {str(sizes):<28} drawn {drawn:>5,}: set_values {upd:6.2f} ms"
              f"  paint {paint:6.2f} ms  frame {frame:6.2f} ms")
    naive = bench_naive(NETWORKS[200], rng)
    out["naive_frame_ms_200"] = round(naive, 2)
    print(f"   200 edges, one QGraphicsLineItem per edge: frame {naive:6.2f} ms")
    out["throughput_kept"] = None
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
