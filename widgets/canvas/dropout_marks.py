"""Dropped units on the canvas: during a wave of an update trained with
dropout, the probe sample's dropped units are drawn grey and crossed out,
with a legend line and a tooltip saying what that means."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF

from widgets.canvas.node_item import ui_font
from widgets.common.themed_widgets import ink

__all__ = ["mark_dropped", "dropped_set", "draw_dropout_legend", "LEGEND", "TIP"]

LEGEND = "✕ grey = dropped in this update (dropout)"
TIP = "Dropped in this update (dropout): it output 0 and passed no error back."


def mark_dropped(canvas, dropped) -> None:
    """``dropped``: per hidden layer a bool (width,) array (None: no marks)."""
    if dropped is None and getattr(canvas, "dropped_units", None) is None:
        return  # none marked, none to mark: each wave front of a net without dropout (~1.4 ms)
    canvas.dropped_units = None if dropped is None else [np.asarray(d, bool) for d in dropped]
    for l in range(1, len(canvas.layer_sizes) - 1):
        d = None if dropped is None or l - 1 >= len(dropped) else np.asarray(dropped[l - 1], bool)
        for i in range(canvas.layer_sizes[l]):
            node = canvas.node_item(l, i)
            if node is not None:
                node.set_dropped(d is not None and i < d.size and bool(d[i]))


def dropped_set(canvas) -> set[tuple[int, int]]:
    """(layer, index) of the nodes drawn as dropped."""
    d = getattr(canvas, "dropped_units", None) or []
    return {(l + 1, int(i)) for l, m in enumerate(d) for i in np.flatnonzero(m)}


def draw_dropout_legend(painter, canvas, x: float, y: float) -> None:
    """The legend line (screen coordinates, before the zoom) while any unit is marked."""
    if not dropped_set(canvas):
        return
    painter.setFont(ui_font(8.5))
    painter.setPen(ink("hint"))
    painter.drawText(QPointF(x, y), LEGEND)
