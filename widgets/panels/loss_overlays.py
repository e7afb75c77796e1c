"""The loss panel's overlays: event markers (divergence, learning-rate and
settings changes, resets, early stop) and the faint ghost curves of earlier runs.

``LossOverlays`` is a mixin of ``LossPanel``: it draws on the panel's ``plot``
and keeps ``_markers``/``_event_key`` and ``_ghosts``/``_ghost_key`` there.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from widgets.common.plot_style import screen_decimated
from widgets.common.themed import LABEL_FILL_ALPHA, Ink, Pen, paint
from widgets.panels.loss_updates import update_epochs

GHOST_ALPHA = 70  # earlier runs: the theme's muted grey, faint
# marker colours as made for white; each theme keeps them readable on its plots (themed.readable)
EVENT_COLOURS = {
    "diverged": "#c0392b",
    "lr": "#8e44ad",
    "reset": "#555555",
    "optimizer": "#d35400",  # live settings changes (app/training_controller.py)
    "schedule": "#16a085",
    "batch": "#2471a3",
    "regularization": "#7d3c98",
    "early_stop": "#1e8449",
}
EVENT_LABELS = {"diverged": "diverged", "reset": "reset"}


class LossOverlays:
    """Event markers and ghost curves, redrawn only when their count changes."""

    def markers(self) -> list[tuple[float, str, str]]:
        """(epoch position, kind, label text) of the event markers drawn."""
        return [(m.value(), m.kind, m.label.textItem.toPlainText()) for m in self._markers]

    def ghost_count(self) -> int:
        return len(self._ghosts)

    def _set_events(self, history) -> None:
        key = (len(history.events), len(history))
        if key == self._event_key:
            return
        self._event_key = key
        for m in self._markers:
            self.plot.removeItem(m)
        self._markers = []
        events = list(history.events)
        if not events:
            return
        xs = update_epochs(history, [e[0] for e in events])
        n = len(history)
        mid = 0.5 * (history["epoch"][0] + history["epoch"][n - 1]) if n else 0.0
        for x, (_, kind, text) in zip(xs, events):
            side = (1, 0.5) if x > mid else (0, 0.5)  # text towards the middle, never off the edge
            label = EVENT_LABELS.get(kind, text or kind)
            label = label if len(label) <= 24 else label[:23] + "…"
            line = pg.InfiniteLine(
                pos=float(x),
                angle=90,
                movable=False,
                label=label,
                labelOpts={
                    "position": 0.55 - 0.1 * (len(self._markers) % 3),  # clear of the legend
                    "anchors": [side, side],
                },
            )
            role = EVENT_COLOURS.get(kind, "muted")
            paint(
                line,
                pen=Pen(role, width=1.5, dashed=True),
                text=Ink(role),
                fill=Ink("plot_background", LABEL_FILL_ALPHA),
            )
            line.kind = kind
            line.setToolTip(text or kind)
            self.plot.addItem(line, ignoreBounds=True)
            self._markers.append(line)

    def _set_ghosts(self, ghosts) -> None:
        key = tuple(len(g) for g in ghosts)
        if key != self._ghost_key:
            self._ghost_key = key
            for g in self._ghosts:
                self.plot.removeItem(g)
            self._ghosts = []
            for g in ghosts:
                g = np.asarray(g, dtype=float)
                # add to the plot first: clipping needs the view box
                item = paint(self.plot.plot(np.arange(1, len(g) + 1), g), pen=Pen("muted", GHOST_ALPHA))
                screen_decimated(item)
                item.setZValue(-10)
                self._ghosts.append(item)
            self._legend_key = None
            self._update_legend(self._has_val())
        self.clear_ghosts.setEnabled(bool(self._ghosts))
