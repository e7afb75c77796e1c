"""The loss panel's axis ranges while training: grown in 1-2-5 steps, and the
plots that share the epoch axis re-ranged one per frame.

A range change makes pyqtgraph regenerate that plot's axes (tick values, tick
text measured) and repaint the whole plot twice (its view box updates its
transform during the first paint). The loss plot, the accuracy plot and the
stability strip share the epoch axis; re-ranged together they cost one event
loop pass 13-25 ms of GUI-thread CPU, which the training thread stretches
3-5x in wall time through the GIL: the longest GUI stalls while training.
So the followers take the new range ``FOLLOW_MS`` apart, one plot per frame.

``LossRanges`` is a mixin of ``LossPanel``: it uses the panel's ``plot``,
``acc_plot``, ``stability`` and ``log_y``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer

from widgets.common.turn_frame import turn_frame

FOLLOW_MS = 35  # between one follower's re-ranging and the next: about two 60 Hz frames


def next_nice(v: float) -> float:
    """The next value of the 1, 2, 5, 10, 20, 50 … sequence after v."""
    m = 10 ** np.floor(np.log10(v))
    for f in (2, 5, 10):
        if f * m > v * 1.0001:
            return float(f * m)
    return float(20 * m)


def _settle_matrix(plot) -> None:
    """The view box's new transform now, not in its next paint: updated during a
    paint, it dirtied the plot again and the whole plot was painted twice."""
    plot.getPlotItem().vb.updateMatrix()


class LossRanges:
    """Stepped ranges (``_fit_x``, ``_fit_y``) and the staggered epoch-axis followers."""

    def _make_range_followers(self) -> None:
        self._x_bound: float | None = None
        self._y_bound: float | None = None
        self._fitting = False  # True while _fit_x re-ranges: the followers are staggered
        self._follow_rng: tuple[float, float] | None = None
        self._follow_queue: list = []
        self._follow_armed = False  # a deferred _follow_next is on its way
        # the window's GuiTurn (app/gui_turn.py): a follower's 1-4 ms re-layout is one of the
        # GUI's frames, which the training worker waits out
        self.turn = None
        for p in (self.plot, *self.followers()):
            for name in ("left", "bottom"):
                # no third level of minor ticks: pyqtgraph's own note says they "eat up
                # CPU" (axis regeneration 1.2 -> 0.7 ms); the major and minor ticks stay
                p.getAxis(name).setStyle(maxTickLevel=1)
        # the same epoch range as the loss plot (by range, not XLink: XLink aligns by
        # pixel position, which skews plots of different widths)
        self.plot.sigXRangeChanged.connect(self._follow_x)

    def followers(self) -> list:
        """The plots that take the loss plot's epoch range."""
        return [self.acc_plot, self.stability.plot]

    def pending_followers(self) -> list:
        """Followers still to take the newest range (tests)."""
        return list(self._follow_queue)

    def settle(self) -> None:
        """Every follower takes the newest range now (before an export or a grab)."""
        while self._follow_queue:
            self._take_range(self._follow_queue.pop(0))

    def _follow_x(self, _view, rng) -> None:
        self._follow_rng = (float(rng[0]), float(rng[1]))
        if not self._fitting:  # the user pans or zooms: everything moves together
            self._follow_queue = []
            for p in self.followers():
                self._take_range(p)
            return
        shown = []
        for p in self.followers():
            if p.isVisible():
                shown.append(p)
            else:
                self._take_range(p)  # not painted: costs nothing now
        self._follow_queue = shown
        if shown:
            self._arm_follow()

    def _arm_follow(self) -> None:
        # a one-shot call bound to the panel (dropped with it), not a running timer
        if not self._follow_armed:
            self._follow_armed = True
            QTimer.singleShot(FOLLOW_MS, self, self._follow_next)

    def _follow_next(self) -> None:
        """One follower takes the newest range; the next one a frame or two later."""
        self._follow_armed = False
        if not self._follow_queue:
            return
        turn_frame(self.turn, self, lambda: self._take_range(self._follow_queue.pop(0)))
        if self._follow_queue:
            self._arm_follow()

    def _take_range(self, p) -> None:
        lo, hi = self._follow_rng
        p.setXRange(lo, hi, padding=0)
        _settle_matrix(p)

    def _fit_x(self, last_epoch: float) -> None:
        """Grow the epoch axis in 1-2-5 steps, not every epoch: each range
        change re-renders the plots' axes, the costliest part of a repaint."""
        bound = 10.0  # the first few epochs fit without re-ranging
        while bound < last_epoch * 1.02:
            bound = next_nice(bound)
        if bound != self._x_bound:
            self._x_bound = bound
            self._fitting = True
            try:
                self.plot.setXRange(0, bound, padding=0.02)
            finally:
                self._fitting = False
            _settle_matrix(self.plot)

    def _fit_y(self, *curves) -> None:
        """Linear loss axis from 0 to a 1-2-5 bound above the largest loss, so
        it changes rarely; the log axis keeps pyqtgraph's auto-range."""
        if self.log_y.isChecked():
            return
        vals = [c[np.isfinite(c)] for c in curves if len(c)]
        top = max((float(v.max()) for v in vals if len(v)), default=0.0)
        if top <= 0:
            return
        bound = 10.0 ** np.floor(np.log10(top)) / 10
        while bound < top * 1.02:
            bound = next_nice(bound)
        if bound != self._y_bound:
            self._y_bound = bound
            self.plot.setYRange(0, bound, padding=0.02)
            _settle_matrix(self.plot)
