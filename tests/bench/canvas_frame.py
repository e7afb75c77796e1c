"""Canvas frame cost: update edge values + paint one 1280×800 frame offscreen.

Run: ``QT_QPA_PLATFORM=offscreen python tests/bench/canvas_frame.py``.
Not a pytest test (no ``test_`` names; tests/bench is outside testpaths).
Prints one line per network and, last, one JSON object.
Targets (ARCHITECTURE.md): ≤ 16 ms at ~4,000 edges, ≤ 33 ms at ~40,000.

``throughput_kept``: training updates/s of a 2-64-64-64-1 network (circles,
batch 16, Adam) in a worker thread while the GUI thread animates waves on a
shown NetworkCanvas (WaveAnimator, fed a ``model.nn.probe.probe`` record at
30 Hz through a one-slot mailbox — no weight copies), divided by the same run
with the animator off (same worker, same feed). Conditions are interleaved
(off, on, off, on; ~1.5 s each) so drift hits both. Target ≥ 0.8.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QLineF, QRectF, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsScene,  # noqa: E402
    QGraphicsView,
)

from model.data.datasets import make_dataset  # noqa: E402
from model.nn.network import Network, NetworkSpec  # noqa: E402
from model.nn.probe import probe  # noqa: E402
from model.train.trainer import Trainer, TrainSettings  # noqa: E402
from widgets.canvas import canvas_layout as lay  # noqa: E402
from widgets.canvas.network_canvas import NetworkCanvas  # noqa: E402
from widgets.canvas.wave_animator import WaveAnimator  # noqa: E402

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
    k = iter(range(10**9))
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
    k = iter(range(10**9))

    def update():
        v = frames[next(k) % 4]
        m = np.abs(v).max()
        for item, x in zip(lines, v):
            c = QColor("#2f6fdf" if x >= 0 else "#e4572e")
            c.setAlpha(int(55 + 200 * abs(x) / m))
            item.setPen(QPen(c, 0.6 + 3 * abs(x) / m))

    return _median_ms(lambda: (update(), _render(view, img)), repeats)


THROUGHPUT_SIZES = [2, 64, 64, 64, 1]
FEED_HZ = 30.0


class _Training(threading.Thread):
    """Trains until stopped; publishes a probe record into a one-slot mailbox
    every 1/30 s (as the app's worker does, minus the weight copies)."""

    def __init__(self, trainer: Trainer, x, t):
        super().__init__(daemon=True)
        self.trainer, self.x, self.t = trainer, x, t
        self.stop = threading.Event()
        self.counting = threading.Event()
        self.count = 0
        self.lock = threading.Lock()
        self.slot = None

    def run(self) -> None:
        tr, last = self.trainer, 0.0
        while not self.stop.is_set():
            for _ in tr.updates():
                if self.counting.is_set():
                    self.count += 1
                now = time.perf_counter()
                if now - last >= 1.0 / FEED_HZ:
                    last = now
                    rec = probe(tr.net, self.x, self.t)
                    with self.lock:
                        self.slot = rec
                if self.stop.is_set():
                    return

    def take(self):
        with self.lock:
            rec, self.slot = self.slot, None
            return rec


def bench_throughput(seconds: float = 3.0, speed: float = 0.75) -> tuple[float, float]:
    """(updates/s with the animator off, with it on); see the module docstring."""
    app = QApplication.instance()
    ds = make_dataset("circles", seed=0)
    acts = ["tanh"] * (len(THROUGHPUT_SIZES) - 2) + ["sigmoid"]
    net = Network(NetworkSpec(THROUGHPUT_SIZES, acts, loss="bce", seed=0))
    trainer = Trainer(
        net, ds.X, ds.T, TrainSettings(optimizer="adam", lr=1e-3, batch_size=16, epochs=10_000_000)
    )
    canvas = NetworkCanvas()
    canvas.resize(W, H)
    canvas.set_network(THROUGHPUT_SIZES, acts, net.weights, net.biases)
    canvas.show()
    anim = WaveAnimator(speed=speed)
    anim.attach(canvas)
    worker = _Training(trainer, ds.X[0], ds.T[0])
    feed = QTimer()
    feed.setInterval(int(1000 / FEED_HZ))
    feed.timeout.connect(lambda: anim.set_probe(worker.take()))
    feed.start()
    worker.start()
    rates = {False: [], True: []}

    def run(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    run(300)  # warm-up: caches, first paint
    for on in (False, True) * 2:
        anim.set_enabled(on)
        run(100)
        worker.count = 0
        t0 = time.perf_counter()
        worker.counting.set()
        run(int(seconds * 500))
        worker.counting.clear()
        rates[on].append(worker.count / (time.perf_counter() - t0))
    frames, changes = anim.frame_count, anim.overlay_calls
    anim.stop()
    feed.stop()
    worker.stop.set()
    worker.join(5)
    canvas.close()
    app.processEvents()
    off, on = float(np.mean(rates[False])), float(np.mean(rates[True]))
    print(
        f"training {THROUGHPUT_SIZES} circles b16 adam: animation off {off:8.0f} updates/s, "
        f"on {on:8.0f} updates/s ({frames} frames, {changes} overlay updates, "
        f"{speed:g} waves/s)"
    )
    return off, on


def main() -> dict:
    app = QApplication.instance() or QApplication(sys.argv)  # noqa: F841
    rng = np.random.default_rng(0)
    out = {}
    for target, sizes in NETWORKS.items():
        upd, paint, frame, edges, drawn = bench_canvas(sizes, rng)
        out[f"frame_ms_{target}"] = round(frame, 2)
        print(
            f"{edges:>6,} edges {str(sizes):<28} drawn {drawn:>5,}: set_values {upd:6.2f} ms"
            f"  paint {paint:6.2f} ms  frame {frame:6.2f} ms"
        )
    naive = bench_naive(NETWORKS[200], rng)
    out["naive_frame_ms_200"] = round(naive, 2)
    print(f"   200 edges, one QGraphicsLineItem per edge: frame {naive:6.2f} ms")
    off, on = bench_throughput()
    out["throughput_kept"] = round(on / off, 3) if off > 0 else None
    print(f"   throughput kept with waves animating: {out['throughput_kept']}")
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
