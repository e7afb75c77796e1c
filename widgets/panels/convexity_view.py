"""The bowl's convexity on the race panel: click two points, see the chord lie above.

A checkable "Chord" button puts the race plot into chord mode: the next two
clicks are the end points a, b (instead of a new start). The segment is drawn
on the contour plot and a small profile plot beside it shows the surface
E(λa + (1−λ)b) along the segment with the straight chord λE(a) + (1−λ)E(b)
above it, the gap shaded (:func:`model.analysis.convexity.chord`).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from model.analysis.convexity import Chord, chord
from widgets.common import theme as themes
from widgets.common.themed import readable
from widgets.common.themed_widgets import set_sheet

__all__ = ["ConvexityView"]

CHORD_COLOUR = "#7a1fa2"  # purple: no racer uses it
SURFACE_COLOUR = "#1b6f3a"


class ConvexityView(QWidget):
    """Chord mode's button, the profile plot and the segment on ``plot`` (the race plot)."""

    def __init__(self, plot: pg.PlotWidget, parent=None):
        super().__init__(parent)
        self._plot = plot
        self._surface = None
        self._points: list[tuple[float, float]] = []
        self.result: Chord | None = None
        self.button = QPushButton("Chord: click 2 points")
        self.button.setCheckable(True)
        self.button.setToolTip(
            "Convexity: the next two clicks on the surface are the end points a and b; the profile "
            "below shows E along the segment and the chord λE(a) + (1−λ)E(b). On the linear neuron's "
            "bowl the chord always lies above: E(λa + (1−λ)b) ≤ λE(a) + (1−λ)E(b)."
        )
        self.button.toggled.connect(self._on_toggled)
        self.segment = pg.PlotDataItem(
            pen=pg.mkPen(CHORD_COLOUR, width=2.5), symbol="s", symbolSize=9, symbolPen=CHORD_COLOUR
        )
        self.segment.setSymbolBrush(pg.mkBrush(CHORD_COLOUR))
        self.segment.setZValue(25)
        plot.addItem(self.segment)
        self.profile = pg.PlotWidget(background="w")
        self.profile.setMenuEnabled(False)
        self.profile.setMouseEnabled(False, False)
        self.profile.setMinimumHeight(130)
        self.profile.setMaximumHeight(230)  # the racers' state table keeps its room below
        self.profile.setLabel("bottom", "λ  (a at 1, b at 0)")
        self.profile.setLabel("left", "E")
        self.profile.getViewBox().invertX(True)  # a on the left, like clicking a first
        self.surface_curve = self.profile.plot(pen=pg.mkPen(SURFACE_COLOUR, width=2.5), name="E(λa + (1−λ)b)")
        self.chord_curve = self.profile.plot(
            pen=pg.mkPen(CHORD_COLOUR, width=2, style=Qt.PenStyle.DashLine), name="λE(a) + (1−λ)E(b)"
        )
        self.fill = pg.FillBetweenItem(self.surface_curve, self.chord_curve, brush=(122, 31, 162, 50))
        self.profile.addItem(self.fill)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.button)
        lay.addWidget(self.profile)
        lay.addWidget(self.summary)
        self.theme_changed(themes.current_theme())
        self._show()

    @property
    def active(self) -> bool:
        return self.button.isChecked()

    def theme_changed(self, t) -> None:
        self.profile.setBackground(t.plot_background)
        for side in ("bottom", "left"):
            self.profile.getAxis(side).setPen(t.ink)
            self.profile.getAxis(side).setTextPen(t.ink)
        set_sheet(self.summary, "color: @ink;")
        # the key in the title (a legend box would sit on the chord's high end), in the
        # colours the curves are drawn in on this theme's plot
        surface, chord_ink = readable(SURFACE_COLOUR, t), readable(CHORD_COLOUR, t)
        self.profile.setTitle(
            f"<span style='color:{surface}'>━ E(λa + (1−λ)b)</span>&nbsp;&nbsp;"
            f"<span style='color:{chord_ink}'>╍ chord λE(a) + (1−λ)E(b)</span>",
            size="9pt",
        )
        self.surface_curve.setPen(pg.mkPen(surface, width=2.5))
        self.chord_curve.setPen(pg.mkPen(chord_ink, width=2, style=Qt.PenStyle.DashLine))

    def set_surface(self, surface) -> None:
        """A new surface clears the chord (its numbers belong to the old one)."""
        self._surface = surface
        self.clear()

    def clear(self) -> None:
        self._points = []
        self.result = None
        self._show()

    def add_point(self, x: float, y: float) -> None:
        """The next end point (a third click starts a new chord)."""
        if len(self._points) >= 2:
            self._points = []
        self._points.append((float(x), float(y)))
        self.result = None
        if len(self._points) == 2 and self._surface is not None:
            self.result = chord(self._surface, *self._points)
        self._show()

    def set_chord(self, a, b) -> None:
        """Both end points at once (for scripts and tests)."""
        self._points = []
        self.add_point(*a)
        self.add_point(*b)

    def _on_toggled(self, on: bool) -> None:
        self.profile.setVisible(on)
        self.summary.setVisible(on)
        if not on:
            self.clear()
        else:
            self._show()

    def _show(self) -> None:
        pts = self._points
        self.segment.setData([p[0] for p in pts], [p[1] for p in pts])
        c = self.result
        on = self.active
        self.profile.setVisible(on)
        self.summary.setVisible(on)
        if c is None:
            self.surface_curve.setData([], [])
            self.chord_curve.setData([], [])
            self.summary.setText(
                ("Click the end point b." if len(pts) == 1 else "Click the end point a on the surface.")
                if on
                else ""
            )
            return
        self.surface_curve.setData(c.lam, c.surface)
        self.chord_curve.setData(c.lam, c.chord)
        self.summary.setText(
            f"a = ({c.a[0]:.2f}, {c.a[1]:.2f}), E(a) = {c.surface[0]:.3g};  "
            f"b = ({c.b[0]:.2f}, {c.b[1]:.2f}), E(b) = {c.surface[-1]:.3g}.\n{c.summary()}"
        )
