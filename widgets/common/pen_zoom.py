"""Presentation line widths for every line, whenever it is made.

The presentation zoom scales line widths; lines a panel makes or re-pens
while presenting (a sweep's curves, a race, ghost curves, event markers, a
panel opened then) must get it too. Every line pen of pyqtgraph's curve and
line items passes through their ``setPen`` or ``PlotDataItem.setData(pen=)``,
so those are wrapped once (on the first zoom): each remembers the width it was
asked for (``_mlp_base_width``) and is drawn at that width times the zoom.
"""

from __future__ import annotations

__all__ = ["set_factor", "factor", "widens", "widened", "zoom_text"]

_zoom = {"factor": 1.0}


def set_factor(f: float) -> None:
    _install()
    _zoom["factor"] = float(f)


def factor() -> float:
    return _zoom["factor"]


def widens(item) -> bool:
    """Lines whose width the zoom scales (a PlotDataItem's own curve follows its parent)."""
    import pyqtgraph as pg

    if isinstance(item, (pg.PlotDataItem, pg.InfiniteLine)):
        return True
    return isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem)


def widened(item, pen):
    """``pen`` remembered as the width the item asked for, and widened by the zoom."""
    import pyqtgraph as pg

    pen = pg.mkPen(pen)
    base = item.__dict__["_mlp_base_width"] = pen.widthF() or 1.0
    if _zoom["factor"] != 1.0:
        pen.setWidthF(base * _zoom["factor"])
    return pen


def zoom_text(item) -> None:
    """A TextItem (bar values, "diverged", the μ label) at its own size times the zoom."""
    font = item.textItem.font()
    base = item.__dict__.setdefault("_mlp_base_pt", font.pointSizeF() if font.pointSizeF() > 0 else 9.0)
    font.setPointSizeF(base * _zoom["factor"])
    item.setFont(font)


def _install() -> None:
    """Presenting widens lines made later too (a sweep's curves, a race, a panel
    opened or a pen changed while presenting): every line pen of pyqtgraph's
    curve and line items passes through their ``setPen`` or ``setData(pen=)``,
    so those are wrapped once to widen by the current zoom."""
    import pyqtgraph as pg

    if _zoom.get("installed"):
        return
    _zoom["installed"] = True

    def wrap_set_pen(cls):
        original = cls.setPen

        def setPen(self, *args, **kwargs):
            if (len(args) == 1 and args[0] is None and not kwargs) or not widens(self):
                return original(self, *args, **kwargs)
            return original(self, widened(self, pg.mkPen(*args, **kwargs)))

        cls.setPen = setPen

    for cls in (pg.PlotDataItem, pg.PlotCurveItem, pg.InfiniteLine):
        wrap_set_pen(cls)
    set_data = pg.PlotDataItem.setData

    def setData(self, *args, **kwargs):
        if kwargs.get("pen") is not None:
            kwargs["pen"] = widened(self, kwargs["pen"])
        return set_data(self, *args, **kwargs)

    pg.PlotDataItem.setData = setData
    text_init = pg.TextItem.__init__

    def text_item_init(self, *args, **kwargs):
        text_init(self, *args, **kwargs)
        # made while presenting: its font is the (zoomed) application font already
        pt = self.textItem.font().pointSizeF()
        if _zoom["factor"] != 1.0 and pt > 0:
            self.__dict__["_mlp_base_pt"] = pt / _zoom["factor"]

    pg.TextItem.__init__ = text_item_init
