"""Export the network diagram as SVG and publication-quality PNG.

The SVG is written by hand from what the canvas shows — node positions and
fills, layer headers and ellipsis labels, every drawn edge coloured by the
canvas's own palette (weight: sign → hue, |w| → width and strength; or the
forward/backward overlay) — plus a legend. Edges sharing a colour bin are one
``<path>``, so the file stays small for big networks.

The PNG is that SVG rendered by QtSvg at ``scale`` × the diagram size, white
background, antialiased. Rendering the QGraphicsScene itself would not scale
well: the canvas's labels ignore zoom and its pens are cosmetic (screen
pixels), so at 2× the text and lines would come out half size.

The diagram size is the bounding box of nodes, labels, edges and legend plus
a margin, in scene units (1 unit = 1 px at zoom 1): :func:`diagram_size`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from PySide6.QtCore import QByteArray, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from widgets.canvas.edge_layer import _LEGEND_TITLES, BINS_PER_SIGN, palette
from widgets.canvas.node_item import NODE_RADIUS, OUTLINE, Label, NodeItem
from widgets.common.plot_export import write_png, write_text

__all__ = ["export_diagram", "diagram_svg", "diagram_size", "render_diagram_png"]

MARGIN = 24.0
FONT_FAMILY = "DejaVu Sans, Helvetica, Arial, sans-serif"
TEXT = "#30343b"
MUTED = "#6b7280"
MAX_SCALE = 16.0
MAX_PIXELS = 200_000_000  # ~800 MB of ARGB32: refuse before QImage fails obscurely


@dataclass
class _Text:
    lines: list[str]
    x: float  # centre
    y: float  # baseline of the first line
    step: float  # line spacing, px
    size: float  # px
    colour: str
    box: tuple[float, float, float, float] | None = None  # backdrop x, y, w, h


def _px(pt: float) -> float:
    return pt * 96.0 / 72.0


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _labels(canvas) -> list[_Text]:
    fit = getattr(canvas, "_fit_headers", None)
    if fit is not None:
        fit(scale=1.0)  # the diagram is drawn at scene scale: headers in the form that fits there
    try:
        return _collect_labels(canvas)
    finally:
        if fit is not None:
            fit()


def _collect_labels(canvas) -> list[_Text]:
    out = []
    for it in canvas.scene().items():
        if not isinstance(it, Label) or not it.isVisible():
            continue
        font = it._font
        fm = QFontMetricsF(font)
        r = it.boundingRect()
        ax = it.pos().x() + it.transform().dx()
        ay = it.pos().y() + it.transform().dy()
        box = (ax + r.left(), ay + r.top(), r.width(), r.height())
        lines = it.text.split("\n")
        # Label.paint centres the block of lines in its rect
        first = ay + r.center().y() - fm.height() * len(lines) / 2 + fm.ascent()
        out.append(
            _Text(
                lines, ax + r.center().x(), first, fm.height(), _px(font.pointSizeF()), it._colour.name(), box
            )
        )
    return out


def _edge_bins(canvas) -> list[tuple[str, float, np.ndarray]]:
    """(colour, width, (m, 4) segments) per palette bin, in draw order."""
    el = canvas.edge_layer
    seg, drawn = el.segments, el.drawn_indices
    if len(drawn) == 0:
        return []
    if el.values is None:
        return [("#9aa0a8", 1.2, seg[drawn])]
    v = el.values[drawn]
    t = np.clip(np.abs(v) / el.scale, 0.0, 1.0)
    pens = palette(el.mode, float(np.clip(np.sqrt(800 / max(len(drawn), 1)), 0.5, 1.0)))
    if el.mode == "weight":
        bins = np.minimum((t * BINS_PER_SIGN).astype(np.int64), BINS_PER_SIGN - 1)
        bins = bins + BINS_PER_SIGN * (v < 0)
        order = [k + s * BINS_PER_SIGN for k in range(BINS_PER_SIGN) for s in (1, 0)]
    else:
        bins = np.minimum((t * len(pens)).astype(np.int64), len(pens) - 1)
        order = list(range(len(pens)))
    out = []
    for k in order:
        sel = drawn[bins == k]
        if len(sel):
            out.append((pens[k].color().name(), pens[k].widthF(), seg[sel]))
    return out


def _legend_svg(canvas, x: float, y: float) -> tuple[list[str], float, float]:
    """Legend group at top-left (x, y); returns (svg lines, width, height)."""
    el = canvas.edge_layer
    mode = el.mode if el.values is not None else "weight"
    pens = palette(mode)
    font = QFont()
    font.setPointSizeF(8.5)
    fm = QFontMetricsF(font)
    size = _px(8.5)
    if mode == "weight":
        swatches = pens[2 * BINS_PER_SIGN - 1 : BINS_PER_SIGN - 1 : -1] + pens[:BINS_PER_SIGN]
        left, right = f"−{el.scale:.3g}", f"+{el.scale:.3g}"
        note = "blue: positive weight · orange: negative · thicker, stronger = larger |w|"
    else:
        swatches, left, right = pens, "0", f"{el.scale:.3g}"
        note = "thicker, stronger = larger value"
    title = _LEGEND_TITLES[mode]
    sw, gap = 9.0, 2.0
    ramp_w = len(swatches) * (sw + gap)
    line_h = fm.height()
    w = (
        max(
            fm.horizontalAdvance(title),
            fm.horizontalAdvance(left) + ramp_w + fm.horizontalAdvance(right) + 16,
            fm.horizontalAdvance(note),
        )
        + 20
    )
    has_nodes = any(isinstance(it, NodeItem) and it.value is not None for it in canvas.scene().items())
    h = line_h * (3 if not has_nodes else 4) + 30
    s = [
        f'<g id="legend" font-family="{FONT_FAMILY}" font-size="{_fmt(size)}">',
        f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}" rx="5" '
        f'fill="#ffffff" stroke="#d5d9e0" stroke-width="1"/>',
        f'<text x="{_fmt(x + 10)}" y="{_fmt(y + 6 + fm.ascent())}" fill="{TEXT}">{escape(title)}</text>',
    ]
    ym = y + 12 + line_h * 1.5
    cx = x + 10
    s.append(
        f'<text x="{_fmt(cx)}" y="{_fmt(ym + fm.ascent() / 2 - 1)}" fill="{MUTED}">{escape(left)}</text>'
    )
    cx += fm.horizontalAdvance(left) + 8
    for pen in swatches:
        s.append(
            f'<line x1="{_fmt(cx + sw / 2)}" y1="{_fmt(ym - 8)}" x2="{_fmt(cx + sw / 2)}" '
            f'y2="{_fmt(ym + 8)}" stroke="{pen.color().name()}" '
            f'stroke-width="{_fmt(pen.widthF() * 1.6)}"/>'
        )
        cx += sw + gap
    s.append(
        f'<text x="{_fmt(cx + 8)}" y="{_fmt(ym + fm.ascent() / 2 - 1)}" fill="{MUTED}">{escape(right)}</text>'
    )
    yn = ym + 10 + line_h
    s.append(
        f'<text x="{_fmt(x + 10)}" y="{_fmt(yn + fm.ascent() / 2)}" fill="{MUTED}">{escape(note)}</text>'
    )
    if has_nodes:
        yn += line_h
        s.append(
            f'<text x="{_fmt(x + 10)}" y="{_fmt(yn + fm.ascent() / 2)}" fill="{MUTED}">'
            f"{escape('node fill: activation of the probe sample (orange − · white 0 · blue +)')}</text>"
        )
    s.append("</g>")
    return s, w, h


def _bounds(canvas, labels: list[_Text]) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for it in canvas.scene().items():
        if isinstance(it, NodeItem):
            xs += [it.pos().x() - NODE_RADIUS, it.pos().x() + NODE_RADIUS]
            ys += [it.pos().y() - NODE_RADIUS, it.pos().y() + NODE_RADIUS]
    for t in labels:
        bx, by, bw, bh = t.box
        xs += [bx, bx + bw]
        ys += [by, by + bh]
    seg = canvas.edge_layer.segments
    if len(seg):
        xs += [float(seg[:, 0::2].min()), float(seg[:, 0::2].max())]
        ys += [float(seg[:, 1::2].min()), float(seg[:, 1::2].max())]
    if not xs:
        raise ValueError("the canvas shows no network to export")
    return min(xs), min(ys), max(xs), max(ys)


def diagram_svg(canvas, title: str | None = None) -> str:
    """The canvas's network as SVG text (see the module docstring)."""
    labels = _labels(canvas)
    x0, y0, x1, y1 = _bounds(canvas, labels)
    top = y0 - MARGIN - (22.0 if title else 0.0)
    legend, lw, lh = _legend_svg(canvas, x0, y1 + 18)
    notice = canvas.lod_notice()
    bottom = y1 + 18 + lh + (18 if notice else 0) + MARGIN
    left, right = x0 - MARGIN, max(x1, x0 + lw) + MARGIN
    W, H = right - left, bottom - top
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny" '
        f'width="{_fmt(W)}" height="{_fmt(H)}" viewBox="{_fmt(left)} {_fmt(top)} {_fmt(W)} {_fmt(H)}">',
        "<title>MLP Studio network diagram</title>",
        f'<rect x="{_fmt(left)}" y="{_fmt(top)}" width="{_fmt(W)}" height="{_fmt(H)}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text x="{_fmt(x0)}" y="{_fmt(top + MARGIN)}" font-family="{FONT_FAMILY}" '
            f'font-size="15" font-weight="bold" fill="{TEXT}">{escape(title)}</text>'
        )
    out.append('<g id="edges" fill="none" stroke-linecap="butt">')
    for colour, width, seg in _edge_bins(canvas):
        d = " ".join(f"M{_fmt(a)} {_fmt(b)}L{_fmt(c)} {_fmt(e)}" for a, b, c, e in seg)
        out.append(f'<path stroke="{colour}" stroke-width="{_fmt(width)}" d="{d}"/>')
    out.append("</g>")
    out.append(f'<g id="nodes" stroke="{OUTLINE.name()}" stroke-width="1">')
    node_text = []
    nodes = sorted((it for it in canvas.scene().items() if isinstance(it, NodeItem)), key=lambda n: n.key)
    for n in nodes:
        fill = n.brush().color()
        out.append(
            f'<circle cx="{_fmt(n.pos().x())}" cy="{_fmt(n.pos().y())}" r="{_fmt(NODE_RADIUS)}" '
            f'fill="{fill.name()}"><title>layer {n.layer}, node {n.index + 1}</title></circle>'
        )
        if n.text():
            colour = "#ffffff" if fill.lightnessF() < 0.55 else "#2b2f36"
            node_text.append(
                f'<text x="{_fmt(n.pos().x())}" y="{_fmt(n.pos().y() + 3)}" '
                f'fill="{colour}">{escape(n.text())}</text>'
            )
    out.append("</g>")
    if node_text:
        out.append(
            f'<g id="node-values" font-family="{FONT_FAMILY}" font-size="{_fmt(_px(6.5))}" '
            f'text-anchor="middle">'
        )
        out += node_text + ["</g>"]
    out.append(f'<g id="labels" font-family="{FONT_FAMILY}" text-anchor="middle">')
    for t in labels:
        bx, by, bw, bh = t.box
        out.append(
            f'<rect x="{_fmt(bx)}" y="{_fmt(by)}" width="{_fmt(bw)}" height="{_fmt(bh)}" rx="3" '
            f'fill="#fbfbfc" fill-opacity="0.85"/>'
        )
        for k, line in enumerate(t.lines):
            out.append(
                f'<text x="{_fmt(t.x)}" y="{_fmt(t.y + k * t.step)}" font-size="{_fmt(t.size)}" '
                f'fill="{t.colour}">{escape(line)}</text>'
            )
    out.append("</g>")
    out += legend
    if notice:
        out.append(
            f'<text x="{_fmt(x0)}" y="{_fmt(y1 + 18 + lh + 16)}" font-family="{FONT_FAMILY}" '
            f'font-size="{_fmt(_px(8.5))}" fill="#8a4b00">{escape(notice)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_size(svg: str) -> tuple[float, float]:
    head = svg[: svg.index(">", svg.index("<svg"))]
    w = float(head.split('width="', 1)[1].split('"', 1)[0])
    h = float(head.split('height="', 1)[1].split('"', 1)[0])
    return w, h


def diagram_size(canvas) -> tuple[float, float]:
    """(width, height) of the exported diagram in scene units."""
    return _svg_size(diagram_svg(canvas))


def render_diagram_png(svg: str, scale: float = 2.0) -> QImage:
    """Render diagram SVG text at ``scale`` × its size onto white, antialiased."""
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise ValueError(f"scale must be a number in (0, {MAX_SCALE:g}], got {scale!r}")
    w, h = _svg_size(svg)
    W, H = max(1, round(w * scale)), max(1, round(h * scale))
    if W * H > MAX_PIXELS:
        raise ValueError(f"a {W}×{H} px image is too large; use a smaller scale")
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError("the diagram SVG could not be rendered")
    image = QImage(W, H, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        renderer.render(painter, QRectF(0, 0, W, H))
    finally:
        painter.end()
    dpm = round(96 * scale / 0.0254)  # so the PNG prints at the on-screen size
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    return image


def export_diagram(canvas, path, scale: float = 2.0, title: str | None = None) -> Path:
    """Write the canvas's diagram to ``path``: ``.svg`` or ``.png`` (at
    ``scale`` × :func:`diagram_size`). Returns the path; ValueError for an
    unknown suffix or an empty canvas, OSError when writing fails."""
    path = Path(os.fspath(path))
    fmt = path.suffix.lower()
    if fmt not in (".svg", ".png"):
        raise ValueError(f"{path.name}: unknown diagram format {path.suffix!r}; use .svg or .png")
    svg = diagram_svg(canvas, title)
    if fmt == ".svg":
        write_text(path, svg)
        return path
    write_png(path, render_diagram_png(svg, scale))
    return path
