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

import io
import os
import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters as pgex
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QWidget

from model.io.csv_safe import SafeWriter
from model.io.project import atomic_write_bytes
from widgets.common.background import JobView

__all__ = [
    "export_plot",
    "export_panel_plots",
    "plot_names",
    "is_stale",
    "DEFAULT_PNG_WIDTH",
    "find_plot_items",
    "plot_csv_text",
    "FORMATS",
    "write_bytes",
    "write_text",
]

FORMATS = ("png", "svg", "csv")
DEFAULT_PNG_WIDTH = 1600  # slide-ready: a plot fills a 1600-px-wide slide without upscaling
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


def export_plot(plot_item_or_widget, path, width_px: int | None = None, title: str = "") -> Path:
    """Write one plot to ``path``; the suffix (.png/.svg/.csv) picks the format.

    ``width_px``: PNG width in pixels (height keeps the plot's aspect ratio);
    default :data:`DEFAULT_PNG_WIDTH` (or the plot's width on screen if larger).
    PNG and SVG carry the plot's title (one is made from ``title`` when the
    plot has none), axis labels and a legend when it has several named curves. Returns the path written. ValueError
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
    with _slide_ready(item, title):
        if fmt == "svg":
            data = pgex.SVGExporter(item).export(toBytes=True)
            write_bytes(path, data if isinstance(data, bytes) else bytes(data))
            return path
        exporter = pgex.ImageExporter(item)
        if width_px is None:
            width_px = max(DEFAULT_PNG_WIDTH, int(exporter.getSourceRect().width()))
        _set_width(exporter, width_px)
        write_png(path, exporter.export(toBytes=True))
    return path


def _set_width(exporter, width_px) -> None:
    """Validate ``width_px`` and set the exporter to it (height keeps the aspect ratio)."""
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


class _slide_ready:
    """While exporting: a title (when the plot has none) and a legend (when it
    has several named curves but no legend); both removed afterwards."""

    def __init__(self, item, title: str):
        self.item, self.title = item, title
        self._titled = self._legend = None

    def __enter__(self):
        it = self.item
        if not isinstance(it, pg.PlotItem):
            return self
        if self.title and not (it.titleLabel.isVisible() and it.titleLabel.text):
            it.setTitle(self.title)
            self._titled = True
        named = [d for d in it.listDataItems() if d.name() and d.isVisible()]
        if len(named) >= 2 and (it.legend is None or not it.legend.isVisible()):
            self._legend = pg.LegendItem(offset=(-10, 10))
            self._legend.setParentItem(it.vb)
            for d in named:
                self._legend.addItem(d, d.name())
        return self

    def __exit__(self, *exc):
        if self._titled:
            self.item.setTitle(None)
            self.item.titleLabel.setText("")
        if self._legend is not None:
            self._legend.scene().removeItem(self._legend) if self._legend.scene() else None
        return False


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
    w = SafeWriter(buf)
    w.writerow(header)
    rows = max((len(c) for c in columns), default=0)
    for i in range(rows):
        w.writerow(["" if i >= len(c) or not np.isfinite(c[i]) else repr(float(c[i])) for c in columns])
    return buf.getvalue()


def find_plot_items(widget: QWidget) -> list[pg.PlotItem]:
    """Every PlotItem in the pyqtgraph views inside ``widget`` (itself included)
    that would be visible with it, on any of its tab pages — plots the panel
    hid (e.g. an accuracy plot during regression) are left out. In widget
    order, then top-to-bottom."""
    views = [widget] if isinstance(widget, pg.GraphicsView) else []
    views += widget.findChildren(pg.GraphicsView)
    out = []
    for view in views:
        if view is not widget and not _shown_with(view, widget):
            continue
        items = [it for it in view.scene().items() if isinstance(it, pg.PlotItem) and it.isVisible()]
        items.sort(key=lambda it: (it.scenePos().y(), it.scenePos().x()))
        out += [it for it in items if it not in out]
    return out


def _shown_with(view: QWidget, widget: QWidget) -> bool:
    """Visible when ``widget`` is, counting pages of tab/stacked widgets that are
    merely not in front (Export Everything writes every computed sub-tab)."""
    w = view
    while w is not None and w is not widget:
        if w.isHidden() and not isinstance(w.parentWidget(), QStackedWidget):
            return False
        w = w.parentWidget()
    return True


_ASCII = str.maketrans(
    {"η": "eta", "μ": "mu", "ρ": "rho", "β": "beta", "λ": "lambda", "θ": "theta", "δ": "delta", "ℓ": "l"}
    | {chr(0x2080 + d): str(d) for d in range(10)}
)


def _slug(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text or "").translate(_ASCII)
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40]


def _has_content(item) -> bool:
    """Something drawn: a curve with points, bars, an image… (an unrun analysis has none)."""
    for it in item.vb.addedItems:
        if isinstance(it, pg.PlotDataItem):
            if it.xData is not None and len(it.xData):
                return True
        elif not isinstance(it, pg.InfiniteLine):
            return True
    return False


def _tab_path(view, panel_widget) -> list[str]:
    """Titles of the tabs inside the panel that hold ``view`` (["Sweep"] in the LR panel)."""
    out, w = [], view
    while w is not None and w is not panel_widget:
        parent = w.parentWidget()
        tabs = parent.parentWidget() if isinstance(parent, QStackedWidget) else None
        if isinstance(tabs, QTabWidget) and tabs.indexOf(w) >= 0:
            out.insert(0, tabs.tabText(tabs.indexOf(w)))
        w = parent
    return out


def _join(*parts: str) -> str:
    words = [w for p in parts for w in _slug(p).split("-") if w]
    deduped = [w for k, w in enumerate(words) if k == 0 or w != words[k - 1]]
    return "-".join(deduped)[:80].strip("-")


def is_stale(view, panel_widget) -> bool:
    """A plot whose analysis was not computed on the current network and data:
    inside a widget marked ``analysisStale``, or a job view that has no result."""
    w = view
    while w is not None:
        if w.property("analysisStale") is True or (isinstance(w, JobView) and w.result is None):
            return True
        if w is panel_widget:
            return False
        w = w.parentWidget()
    return False


def plot_names(panel_widget: QWidget, stem: str, skip_stale: bool = False) -> list[tuple[pg.PlotItem, str]]:
    """Each plot of the panel with a file name that says what it shows:
    ``loss-per-epoch``, ``lr-sweep-final-loss``, ``lr-gd-variants-loss-per-updates``."""
    info = []
    items = find_plot_items(panel_widget)
    bottoms = [item.getAxis("bottom").labelText for item in items if "bottom" in item.axes]
    shared = next((b for b in bottoms if b), "")  # stacked plots label only the lowest x axis
    for item in items:
        view = item.scene().views()[0]
        if skip_stale and (is_stale(view, panel_widget) or not _has_content(item)):
            continue
        tabs = _tab_path(view, panel_widget)
        left = item.getAxis("left").labelText if "left" in item.axes else ""
        bottom = (item.getAxis("bottom").labelText if "bottom" in item.axes else "") or shared
        title = item.titleLabel.text if item.titleLabel.isVisible() else ""
        plain = _join(stem, *tabs, left)
        base = plain if left and _slug(left) != _slug(stem) else _join(stem, *tabs, left, "per", bottom)
        if title and len(_slug(left)) <= 3:  # a bare symbol (w₂) says less than the plot's title
            base = _join(stem, *tabs, title)
        info.append((item, base, bottom, title))
    out, taken = [], set()
    for n, (item, base, bottom, title) in enumerate(info, start=1):
        unique = sum(1 for row in info if row[1] == base) == 1
        options = ([base] if unique else []) + [_join(base, "per", bottom), _join(base, "per", bottom, title)]
        name = next((o for o in options if o and o not in taken), _join(base, str(n)))
        taken.add(name)
        out.append((item, name))
    return out


def title_of(name: str) -> str:
    """A title made from a file name: "loss-per-epoch" -> "Loss per epoch"."""
    text = name.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def export_panel_plots(
    panel_widget: QWidget,
    folder,
    stem: str,
    width_px: int | None = None,
    formats=FORMATS,
    skip_stale: bool = False,
) -> list[Path]:
    """Write png + svg + csv for every plot in a panel into ``folder``, each
    named by what it shows (:func:`plot_names`); ``skip_stale`` leaves out
    analyses not computed on the current network and data. Returns the paths
    written, in order.
    """
    folder = Path(os.fspath(folder))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item, name in plot_names(panel_widget, stem, skip_stale):
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            written.append(export_plot(item, path, width_px if fmt == "png" else None, title_of(name)))
    return written
