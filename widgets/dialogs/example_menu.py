"""The Examples menu's entries: a one-line description and a thumbnail per
shipped example, both generated at run time from the example's JSON (so a new
example needs no picture drawn by hand)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap

__all__ = ["ExampleEntry", "example_entries", "network_thumbnail", "one_line"]

THUMB_W, THUMB_H = 56, 36
MAX_DOTS = 6


@dataclass(frozen=True)
class ExampleEntry:
    stem: str
    title: str
    description: str  # one line
    layer_sizes: tuple[int, ...]
    path: Path


def one_line(text: str, limit: int = 90) -> str:
    """The first sentence of ``text``, at most ``limit`` characters."""
    text = " ".join(str(text).split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    first = m.group(1) if m else text
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def example_entries(folder: Path) -> list[ExampleEntry]:
    """Every readable ``*.json`` example in ``folder``, sorted by file name."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            sizes = tuple(int(n) for n in d["network"]["layer_sizes"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a broken example is left out of the menu, not a crash
        title = str(d.get("name") or path.stem.replace("_", " "))
        out.append(ExampleEntry(path.stem, title, one_line(d.get("description", "")), sizes, path))
    return out


def network_thumbnail(layer_sizes, dpr: float = 1.0) -> QIcon:
    """A small picture of the network: columns of dots joined by thin edges."""
    img = QImage(int(THUMB_W * dpr), int(THUMB_H * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    L = len(layer_sizes)
    xs = [6 + (THUMB_W - 12) * (l / max(L - 1, 1)) for l in range(L)]
    cols = []
    for x, n in zip(xs, layer_sizes):
        k = min(int(n), MAX_DOTS)
        gap = (THUMB_H - 8) / max(k - 1, 1) if k > 1 else 0
        top = THUMB_H / 2 - gap * (k - 1) / 2
        cols.append([QPointF(x, top + i * gap) for i in range(k)])
    p.setPen(QPen(QColor(47, 111, 223, 110), 0.7))
    for a, b in zip(cols, cols[1:]):
        for u in a:
            for v in b:
                p.drawLine(u, v)
    p.setPen(QPen(QColor("#5b6270"), 0.8))
    p.setBrush(QColor("#e69f00"))
    for l, col in enumerate(cols):
        p.setBrush(QColor("#e69f00") if l in (0, L - 1) else QColor("#ffffff"))
        for pt in col:
            p.drawEllipse(pt, 2.6, 2.6)
    p.end()
    return QIcon(QPixmap.fromImage(img))
