"""Instruments: health badges, the stability limit and the gradient check, live.

Reads the document (and each adopted training snapshot) and feeds: the
canvas's health badges (``model.analysis.health``, one pass on ≤ 512 samples
on the GUI thread) and the loss panel's η·λ_max strip
(``model.analysis.stability``, on a private copy of the weights, warm-started
from the previous eigenvector, a few Hessian-vector products per timer tick:
a second computing thread would fight the training worker for the GIL and
stall the window). Both are throttled by their own measured cost (≤ ~5 % of
the time), so a large network just updates less often.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from model.analysis.health import network_health
from model.analysis.stability import stability_steps
from model.nn.network import Network
from widgets.canvas.health_badges import HealthBadges
from widgets.common.turn_frame import turn_frame

from . import change_kinds as K

RESET_KINDS = (K.DOCUMENT, K.NETWORK, K.DATA, K.HISTORY)
BUDGET = 20.0  # wait ≥ 20 × the last computation's cost before the next (≤ 5 % of the time)
MIN_GAP = 0.4  # seconds between live updates at most
MAX_WORK = 5e7  # parameters × samples above which λ_max is not followed (one product: 2 passes)
SLICE = 0.004  # seconds of λ_max work per timer tick (a Hessian-vector product is 2 gradients)
# a snapshot's analyses are shown half a display frame after it: their badges and strip point
# (2-5 ms with their repaints) then fall between two training frames, not on top of one
ANALYSES_DELAY_MS = 15


class _Throttle:
    def __init__(self):
        self.next = 0.0

    def due(self, force: bool) -> bool:
        return force or time.perf_counter() >= self.next

    def spent(self, t0: float) -> None:
        now = time.perf_counter()
        self.next = now + max(MIN_GAP, BUDGET * (now - t0))


class Instruments(QObject):
    def __init__(self, doc, canvas, plots, parent=None):
        super().__init__(parent)
        self.doc, self.canvas, self.plots = doc, canvas, plots
        self.badges = HealthBadges(canvas)
        self.health = None  # the HealthReport shown
        self.stability = None  # the newest StabilityResult
        self._health_t, self._stab_t = _Throttle(), _Throttle()
        self._vector = None  # warm start of the power iteration
        self._steps = None  # the λ_max generator under way (model.analysis.stability)
        self._steps_for = None  # (spec, epoch, start time, seconds spent)
        self._timer = QTimer(self)
        self._timer.setInterval(15)
        self._timer.timeout.connect(self._tick)
        self._analyses = None  # (analyses, epoch) of the newest snapshot, not yet shown
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(ANALYSES_DELAY_MS)
        self._show_timer.timeout.connect(self._analyses_frame)
        self.turn = None  # the window's GuiTurn (app/gui_turn.py): the frame keeps the worker out
        self.enabled = True
        self.training = lambda: False  # the window sets it: is the worker running?
        doc.changed.connect(self.on_changed)
        doc.adopted.connect(self.on_snapshot)
        self._feed_problem()

    # ------------------------------------------------------------ events
    def on_changed(self, kind: str) -> None:
        if kind in RESET_KINDS:
            self._drop_analyses()  # of a run that is gone
            self._vector = None
            self.plots.panels["loss"].stability.clear()
        if kind == K.PROBE:
            return
        if kind == K.SETTINGS_LR and self.stability is not None:
            self._show_stability(self.stability)  # same curvature, new η
            return
        if kind in K.SETTINGS:
            return
        self._feed_problem()
        self.refresh(force=True)

    def on_snapshot(self, snap) -> None:
        """While training the worker computes the analyses (``snap.analyses``); at the end
        of a run the GUI thread does, the worker being idle."""
        self._steps = None  # training: the worker measures (no GIL fight on this thread)
        if snap.analyses is not None and self.enabled:
            self._analyses = (snap.analyses, snap.epoch)  # a newer one replaces one not yet shown
            if not self._show_timer.isActive():
                self._show_timer.start()
        if snap.finished:
            self._show_analyses()  # the run's last, before the end-of-run refresh
            self.refresh(snap.weights, snap.biases, epoch=snap.epoch, force=True)

    def _analyses_frame(self) -> None:
        turn_frame(self.turn, self, self._show_analyses)

    def _show_analyses(self) -> None:
        pending, self._analyses = self._analyses, None
        self._show_timer.stop()
        if pending is None or not self.enabled:
            return
        a, epoch = pending
        self.health = a["health"]
        self.badges.show(self.health)
        if a["stability"] is not None:
            self.stability = a["stability"]
            self._vector = self.stability.vector
            self._show_stability(self.stability, epoch)

    def _drop_analyses(self) -> None:
        self._analyses = None
        self._show_timer.stop()

    def refresh(self, weights=None, biases=None, epoch: int | None = None, force: bool = False) -> None:
        """Badges now (one forward/backward pass on ≤ 512 samples); λ_max in the background."""
        if not self.enabled or (self.training() and not force):
            return
        d = self.doc
        health_due, stab_due = self._health_t.due(force), self._stab_t.due(force)
        if not (health_due or stab_due):
            return
        net = d.net.copy() if weights is None else Network(d.spec, weights, biases)
        if health_due:
            t0 = time.perf_counter()
            self.health = network_health(net, d.data.X_train, d.data.train.T)
            self.badges.show(self.health)
            self._health_t.spent(t0)
        if stab_due and len(d.data.train):
            self._start_stability(net, len(d.history) if epoch is None else epoch, live=weights is not None)

    def _start_stability(self, net, epoch: int, live: bool) -> None:
        """Begin a λ_max computation (replacing one under way): a few Hessian-vector
        products per timer tick, within ``SLICE`` seconds, on a private copy."""
        d = self.doc
        if sum(p.size for p in net.parameters()) * len(d.data.train) > MAX_WORK:
            self.plots.panels["loss"].stability.set_message(
                "η·λ_max: network × data too large to follow live (mlp-studio analyze stability computes it)"
            )
            return
        steps = 8 if live else 200  # live: warm-started from the previous vector
        self._steps = stability_steps(net, d.data.X_train, d.data.train.T, v0=self._vector, max_iter=steps)
        self._steps_for = (d.spec, epoch, time.perf_counter(), 0.0)
        if not self._timer.isActive():
            self._timer.start()

    def _tick(self) -> None:
        if self._steps is None or self.training():  # training: the worker measures instead
            self._steps = None
            self._timer.stop()
            return
        spec, epoch, t0, spent = self._steps_for
        t = time.perf_counter()
        try:
            while time.perf_counter() - t < SLICE:
                next(self._steps)
        except StopIteration as done:
            self._steps = None
            self._timer.stop()
            self._stab_t.next = time.perf_counter() + max(MIN_GAP, BUDGET * (spent + time.perf_counter() - t))
            if spec is self.doc.spec:  # not a network replaced meanwhile
                res = done.value
                self._vector = res.vector
                self.stability = res
                self._show_stability(res, epoch)
            return
        except (ValueError, FloatingPointError):
            self._steps = None
            self._timer.stop()
            return
        self._steps_for = (spec, epoch, t0, spent + time.perf_counter() - t)

    def shutdown(self) -> None:
        self._drop_analyses()
        self._steps = None
        self._timer.stop()
        self.badges.finish()  # no badge batch left waiting

    def _show_stability(self, res, epoch: int | None = None) -> None:
        strip = self.plots.panels["loss"].stability
        strip.add_point(len(self.doc.history) if epoch is None else epoch, res, self.doc.settings.lr)

    def select(self, sel) -> None:
        """The canvas selection: the gradient-check tab checks that weight or threshold."""
        self.plots.feed("gradcheck", "selection", lambda p: p.set_selection(sel))

    def _feed_problem(self) -> None:
        d = self.doc
        net, X, T = d.net.copy(), d.data.X_train, d.data.train.T
        self.plots.feed("gradcheck", "problem", lambda p: p.set_problem(net, X, T))
