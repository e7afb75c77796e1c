"""Save pyqtgraph plots to files from code (no dialog): PNG, SVG or CSV.

The format follows the file suffix: ``.png`` (pyqtgraph ``ImageExporter``
at a chosen pixel width, antialiased), ``.svg`` (``SVGExporter``) and
``.csv`` (the plotted data: every visible curve's full, un-downsampled
x and y, and bar charts' x and heights, in full float precision — pyqtgraph's
``CSVExporter`` rounds to 10 digits after the point, which turns small losses
into 0). Files are written atomically. pyqtgraph's own context menu
(Export…) still offers the interactive version of the same exporters.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters as pgex
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
from PySide6.QtWidgets import QWidget

from model.io.project import atomic_write_bytes

__all__ = [
    "export_plot",
    "export_panel_plots",
    "find_plot_items",
    "plot_csv_text",
    "FORMATS",
    "write_bytes",
    "write_text",
]

FORMATS = ("png", "svg", "csv")
FALLBACK_SIZE = (800.0, 450.0)  # for plots that were never laid out (hidden tabs)


def write_bytes(path, data: bytes) -> None:
    """Atomic write with ordinary permissions (the temp file behind
    ``atomic_write_bytes`` is private, 0600; exported files are for sharing)."""
    atomic_write_bytes(path, data)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def write_text(path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def _plot_item(target):
    """The PlotItem (or graphics item) to export from a PlotWidget,
    GraphicsLayoutWidget, PlotItem or other QGraphicsItem."""
    if isinstance(target, pg.PlotWidget):
        return target.getPlotItem()
    if isinstance(target, pg.GraphicsLayoutWidget):
        return target.ci
    if hasattr(target, "scene") and hasattr(target, "sceneBoundingRect"):
        return target
    raise ValueError(
        f"cannot export a {type(target).__name__}; give a PlotWidget, GraphicsLayoutWidget or PlotItem"
    )


def _ensure_geometry(item) -> None:
    """Give a never-shown plot a size so the exporters have something to draw."""
    r = item.sceneBoundingRect()
    if r.width() < 16 or r.height() < 16:
        item.setGeometry(QRectF(0, 0, *FALLBACK_SIZE))


def export_plot(plot_item_or_widget, path, width_px: int | None = None) -> Path:
    """Write one plot to ``path``; the suffix (.png/.svg/.csv) picks the format.

    ``width_px``: PNG width in pixels (height keeps the plot's aspect ratio);
    default the plot's width on screen. Returns the path written. ValueError
    for an unknown suffix or bad width, OSError when the file cannot be written.
    """
    path = Path(os.fspath(path))
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{path.name}: unknown plot format {path.suffix!r}; use .png, .svg or .csv")
    item = _plot_item(plot_item_or_widget)
    if item.scene() is None or not item.scene().views():
        raise ValueError("the plot is not in a view, so it cannot be exported")
    if fmt == "csv":
        write_text(path, plot_csv_text(item))
        return path
    _ensure_geometry(item)
    if fmt == "svg":
        data = pgex.SVGExporter(item).export(toBytes=True)
        write_bytes(path, data if isinstance(data, bytes) else bytes(data))
        return path
    exporter = pgex.ImageExporter(item)
    if width_px is not None:
        if isinstance(width_px, bool) or not isinstance(width_px, (int, np.integer)) or width_px < 1:
            raise ValueError(f"PNG width must be a whole number of pixels ≥ 1, got {width_px!r}")
        if int(width_px) > 20_000:
            raise ValueError(f"PNG width {width_px} px is too large (at most 20,000)")
        # setting the same value emits no change signal: set the height explicitly too
        src = exporter.getSourceRect()
        exporter.parameters().param("width").setValue(int(width_px), blockSignal=exporter.widthChanged)
        exporter.parameters().param("height").setValue(
            max(1, int(round(int(width_px) * src.height() / src.width()))), blockSignal=exporter.heightChanged
        )
    write_png(path, exporter.export(toBytes=True))
    return path


def write_png(path: Path, image) -> None:
    """Encode a QImage as PNG in memory, then write it atomically."""
    buf = QByteArray()
    dev = QBuffer(buf)
    dev.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(dev, "PNG"):
        raise OSError(f"{path.name}: could not encode the PNG image")
    dev.close()
    write_bytes(path, bytes(buf.data()))


def _legend_names(item) -> dict[int, str]:
    legend = getattr(item, "legend", None)
    names = {}
    if legend is not None:
        for sample, label in legend.items:
            names[id(getattr(sample, "item", sample))] = label.text
    return names


def plot_csv_text(item) -> str:
    """CSV of a PlotItem's visible data: ``name_x, name_y`` column pairs per
    curve (bar charts: ``name_x, name_height``), ragged columns left blank."""
    if not isinstance(item, pg.PlotItem):
        raise ValueError("CSV export needs a PlotItem (a single plot)")
    legend = _legend_names(item)
    header, columns = [], []
    used: set[str] = set()

    def name_of(it, default: str) -> str:
        base = it.name() if hasattr(it, "name") and it.name() else legend.get(id(it), default)
        base, k = str(base), 2
        name = base
        while name in used:
            name, k = f"{base}{k}", k + 1
        used.add(name)
        return name

    for n, it in enumerate(item.items):
        if not it.isVisible():
            continue
        if isinstance(it, pg.PlotDataItem):
            x, y = it.getOriginalDataset()
            if x is None or y is None or len(x) == 0:
                continue
            name = name_of(it, f"curve{n}")
            header += [f"{name}_x", f"{name}_y"]
            columns += [np.asarray(x, float), np.asarray(y, float)]
        elif isinstance(it, pg.BarGraphItem):
            x, h = it.opts.get("x"), it.opts.get("height")
            if x is None or h is None or np.size(h) == 0:
                continue
            name = name_of(it, f"bars{n}")
            header += [f"{name}_x", f"{name}_height"]
            columns += [np.broadcast_to(np.asarray(x, float), np.shape(h)), np.asarray(h, float)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    rows = max((len(c) for c in columns), default=0)
    for i in range(rows):
        w.writerow(["" if i >= len(c) or not np.isfinite(c[i]) else repr(float(c[i])) for c in columns])
    return buf.getvalue()


def find_plot_items(widget: QWidget) -> list[pg.PlotItem]:
    """Every PlotItem in the pyqtgraph views inside ``widget`` (itself included)
    that would be visible with it — plots the panel hid (e.g. an accuracy plot
    during regression) are left out. In widget order, then top-to-bottom."""
    views = [widget] if isinstance(widget, pg.GraphicsView) else []
    views += widget.findChildren(pg.GraphicsView)
    out = []
    for view in views:
        if view is not widget and not view.isVisibleTo(widget):
            continue
        items = [it for it in view.scene().items() if isinstance(it, pg.PlotItem) and it.isVisible()]
        items.sort(key=lambda it: (it.scenePos().y(), it.scenePos().x()))
        out += [it for it in items if it not in out]
    return out


def _slug(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text or "")
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40]


def export_panel_plots(
    panel_widget: QWidget, folder, stem: str, width_px: int | None = None, formats=FORMATS
) -> list[Path]:
    """Write png + svg + csv for every plot in a panel into ``folder``.

    Files are named ``{stem}-{left axis label}.{ext}`` (or ``{stem}-{n}``);
    returns the paths written, in order.
    """
    folder = Path(os.fspath(folder))
    folder.mkdir(parents=True, exist_ok=True)
    written, names = [], set()
    for n, item in enumerate(find_plot_items(panel_widget), start=1):
        label = _slug(item.getAxis("left").labelText) if "left" in item.axes else ""
        name = f"{stem}-{label}" if label else f"{stem}-{n}"
        if name in names:
            name = f"{name}-{n}"
        names.add(name)
        for fmt in formats:
            written.append(export_plot(item, folder / f"{name}.{fmt}", width_px if fmt == "png" else None))
    return written
