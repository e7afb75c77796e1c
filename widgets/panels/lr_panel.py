"""LearningRatePanel: the lecture's learning-rate effects, measured on the current problem.

Four sub-tabs: **Sweep** (same start, one run per η: too small is slow, too
large diverges), **Range test** (η grown exponentially during one run; the
steepest drop suggests an η), **Schedule** (the decay schedule η(epoch)) and
**GD variants** (batch / stochastic / mini-batch: loss per epoch, per update
and per second, with the measured trade-off table).  Long computations run
in a :class:`BackgroundJob` with a progress bar and Cancel; the panel keeps
its own copies of the network and data and never mutates the caller's.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from model.analysis import sweeps
from model.analysis.sweep_common import range_test_defaults, sweep_defaults
from widgets.common import theme as themes
from widgets.common.background import BackgroundJob, JobView
from widgets.common.fit import scroll_body
from widgets.common.jobs import JobManager
from widgets.common.themed import Ink, Pen, paint
from widgets.common.themed_widgets import set_rich
from widgets.forms.training_panel import SciSpinBox

from .lr_common import (
    DIVERGED,
    LR_COLORMAP,
    UNSTABLE,
    Problem,
    ProblemJobView,
    auto_log_y,
    limit_line,
    make_plot,
    marker_line,
)
from .lr_variants_view import VariantsView

__all__ = ["LearningRatePanel", "VariantsView"]


# plasma without its pale-yellow end, which vanishes on a white background
class SweepView(ProblemJobView):
    intro = (
        "Trains the same starting network once per learning rate η for K epochs. "
        "Too small: slow. Too large: diverges (dashed, ✕) or ends above its start (dotted, unstable)."
    )

    def __init__(self, panel):
        super().__init__(panel)
        self.lr_min, self.lr_max = SciSpinBox(1e-8, 1e4), SciSpinBox(1e-8, 1e4)
        self.lr_min.setValue(1e-3)
        self.lr_max.setValue(10.0)
        self.count = QSpinBox()
        self.count.setRange(2, 40)
        self.count.setValue(10)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(100)
        self.add_input("η from", self.lr_min, "Smallest learning rate of the sweep")
        self.add_input("to", self.lr_max, "Largest learning rate of the sweep")
        self.add_input("runs", self.count, "Number of learning rates, log-spaced")
        self.add_input("epochs", self.epochs, "Epochs per run (K)")
        self.add_start_choice()
        self.finish_controls()
        self.loss_plot = make_plot("Loss per epoch, one curve per η", "epoch", "training loss")
        self.final_plot = make_plot("Final loss vs η", "learning rate η", "final loss", log_x=True)
        self.colorbar = pg.ColorBarItem(
            values=(-3, 1),
            colorMap=LR_COLORMAP,
            label="log₁₀ η",
            interactive=False,
            width=14,
            colorMapMenu=False,
        )
        self.colorbar.axis.setTextPen(themes.current_theme().ink)
        item = self.loss_plot.getPlotItem()
        item.layout.addItem(self.colorbar, 2, 5)
        item.layout.setColumnFixedWidth(4, 5)
        row = QHBoxLayout()
        row.addWidget(self.loss_plot, 3)
        row.addWidget(self.final_plot, 2)
        self.body.addLayout(row)
        self.curves: list[pg.PlotDataItem] = []

    def showEvent(self, event) -> None:
        super().showEvent(event)
        sweeps.prewarm()  # a Popen, no wait: the first sweep finds its worker process up

    def job_function(self):
        p = self.problem()
        lo, hi, n, k = self.lr_min.value(), self.lr_max.value(), self.count.value(), self.epochs.value()
        if not lo < hi:
            raise ValueError("The smallest η must be below the largest.")
        lrs = sweeps.log_spaced(lo, hi, n)
        net = self.start_net(p)
        return lambda stop, prog: sweeps.lr_sweep(net, p.X, p.T, p.settings, lrs, k, stop, prog)

    def show_result(self, r: sweeps.SweepResult) -> None:
        lp, fp = self.loss_plot, self.final_plot
        lp.clear()
        fp.clear()
        self.curves = []
        if len(r.lrs) == 0:
            return
        logs = np.log10(r.lrs)
        lo, hi = logs.min(), logs.max()
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        self.colorbar.setLevels((lo, hi))
        auto_log_y(lp, r.initial_loss, r.losses)
        log_f = auto_log_y(fp, r.initial_loss, r.final_loss)
        ylog = (lambda v: math.log10(v)) if log_f else (lambda v: v)
        colours = [LR_COLORMAP.map((v - lo) / (hi - lo), mode="qcolor") for v in logs]
        x = np.arange(0, len(r.epochs) + 1)
        marks_x, marks_y = [], []
        for i, c in enumerate(colours):
            y = np.concatenate([[r.initial_loss], r.losses[i]])
            style = (
                Qt.PenStyle.DashLine
                if r.diverged[i]
                else (Qt.PenStyle.DotLine if r.unstable[i] else Qt.PenStyle.SolidLine)
            )
            curve = lp.plot(x, np.maximum(y, 1e-300), pen=pg.mkPen(c, width=2, style=style), connect="finite")
            curve.setToolTip(f"η = {r.lrs[i]:.3g}: {r.status(i)}")
            self.curves.append(curve)
            if r.diverged[i]:
                k = int(r.diverged_at[i])
                last = y[:k][np.isfinite(y[:k])]
                marks_x.append(k)
                marks_y.append(last[-1] if len(last) else r.initial_loss)
        if marks_x:
            paint(
                lp.plot(marks_x, marks_y, pen=None, symbol="x", symbolSize=13),
                symbolPen=Pen(DIVERGED, width=2),
                symbolBrush=Ink(DIVERGED),
            )
        ok = r.stable
        paint(
            fp.plot(
                r.lrs[ok],
                r.final_loss[ok],
                symbol="o",
                symbolSize=9,
                symbolBrush=[c for c, o in zip(colours, ok) if o],
            ),
            pen=Pen("muted"),
            symbolPen=Pen("plot_background"),
        )
        shaky = r.unstable & np.isfinite(r.final_loss)
        if shaky.any():
            paint(
                fp.plot(
                    r.lrs[shaky], r.final_loss[shaky], pen=None, symbol="t", symbolSize=11, symbolBrush=None
                ),
                symbolPen=Pen(UNSTABLE, width=2),
            )
        finite = r.final_loss[np.isfinite(r.final_loss)]
        top = max([r.initial_loss, *finite])
        ceiling = top * 2.0 if log_f else top * 1.15
        if r.diverged.any():
            d = r.diverged
            paint(
                fp.plot(r.lrs[d], np.full(d.sum(), ceiling), pen=None, symbol="x", symbolSize=13),
                symbolPen=Pen(DIVERGED, width=2),
                symbolBrush=Ink(DIVERGED),
            )
            t = paint(pg.TextItem("diverged", anchor=(1, 1)), text=Ink(DIVERGED))
            t.setPos(math.log10(r.lrs[d][0]), ylog(ceiling))
            fp.addItem(t)
        fp.addItem(marker_line(ylog(r.initial_loss), 0, "start", "muted"))
        if np.isfinite(r.best_lr):
            fp.addItem(marker_line(math.log10(r.best_lr), 90, f"best η = {r.best_lr:.3g}", "#2ca02c"))
        limit_line(fp, r.curvature)

    def summary(self, r) -> str:
        return sweep_summary(r, self.start_text())


def sweep_summary(r: sweeps.SweepResult, start: str) -> str:
    """The sweep's one-line verdict: how many runs diverged / were unstable, which η is best."""
    d, u = int(r.diverged.sum()), int(r.unstable.sum())
    if np.isfinite(r.best_lr):
        best = (
            f"best η = {r.best_lr:.3g} (fastest to within {r.tolerance:.0%} of the lowest loss; "
            "ties to the larger η)"
        )
    else:
        best = "no run was stable"
    limit = ""
    if r.curvature is not None and math.isfinite(r.curvature.lr_limit):
        limit = f"; {r.curvature.label} = {r.curvature.lr_limit:.3g}"
    return (
        f"{len(r.lrs)} runs of {len(r.epochs)} epochs {start}: {best}; "
        f"{d} diverged (dashed, ✕), {u} unstable (dotted, ended above the start){limit}."
    )


class RangeTestView(ProblemJobView):
    intro = (
        "One run in which η grows exponentially every update; the loss falls fastest "
        "near a good learning rate and blows up when η is too large."
    )

    def __init__(self, panel):
        super().__init__(panel)
        self.lr_min, self.lr_max = SciSpinBox(1e-10, 1e4), SciSpinBox(1e-10, 1e4)
        self.lr_min.setValue(1e-5)
        self.lr_max.setValue(10.0)
        self.updates = QSpinBox()
        self.updates.setRange(10, 1_000_000)
        self.updates.setValue(1000)
        self.add_input("η from", self.lr_min, "Learning rate of the first update")
        self.add_input("to", self.lr_max, "Learning rate of the last update")
        self.add_input("updates", self.updates, "Number of updates (mini-batches per your batch size)")
        self.add_start_choice()
        self.finish_controls()
        self.plot = make_plot("Loss while η grows", "learning rate η", "loss", log_x=True)
        t = themes.current_theme()
        self.plot.addLegend(offset=(10, -10), labelTextColor=t.ink, brush=pg.mkBrush(t.plot_background))
        self.raw = paint(self.plot.plot(name="loss per update"), pen=Pen("muted"))
        self.smooth = self.plot.plot(pen=pg.mkPen("#2f6fdf", width=2.5), name="smoothed")
        self.region = pg.LinearRegionItem(
            values=(0, 1), movable=False, brush=pg.mkBrush(44, 160, 44, 50), pen=pg.mkPen(None)
        )
        self.region.setZValue(-10)
        self.region.hide()
        self.plot.addItem(self.region)
        self.marker = marker_line(0, 90, "", "#2ca02c", dashed=False)
        self.marker.hide()
        self.plot.addItem(self.marker)
        self.suggested: float | None = None
        self._limit = None
        self.suggest_label = QLabel("Suggested η: —")
        self.use_button = QPushButton(
            "Use this learning rate", toolTip="Set η₀ of the training settings to the suggested rate"
        )
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self._use)
        row = QHBoxLayout()
        row.addWidget(self.suggest_label)
        row.addWidget(self.use_button)
        row.addStretch(1)
        self.body.addWidget(self.plot, 1)
        self.body.addLayout(row)

    def job_function(self):
        p = self.problem()
        lo, hi, n = self.lr_min.value(), self.lr_max.value(), self.updates.value()
        if not lo < hi:
            raise ValueError("The first η must be below the last.")
        net = self.start_net(p)
        return lambda stop, prog: sweeps.lr_range_test(net, p.X, p.T, p.settings, lo, hi, n, stop, prog)

    def show_result(self, r: sweeps.RangeTestResult) -> None:
        if len(r.lrs) < 3:
            return
        self.raw.setData(r.lrs, r.losses, connect="finite")
        self.smooth.setData(r.lrs, r.smoothed, connect="finite")
        lr, (a, b) = r.suggestion()
        self.suggested = lr
        self.region.setRegion((math.log10(a), math.log10(b)))
        self.region.show()
        self.marker.setValue(math.log10(lr))
        self.marker.show()  # before setFormat: a hidden label ignores new text
        self.marker.label.setFormat(f"η = {lr:.3g}")
        best = float(np.nanmin(r.smoothed))
        top = max(float(r.smoothed[0]), min(float(np.nanmax(r.losses)), 4.5 * best))
        self.plot.setYRange(min(best, float(np.nanmin(r.losses))) * 0.95, top * 1.05, padding=0)
        self.plot.setXRange(math.log10(r.lr_min), math.log10(r.lr_max), padding=0.02)
        if self._limit is not None:
            self.plot.removeItem(self._limit)
            self._limit = None
        before = set(self.plot.getPlotItem().items)
        limit_line(self.plot, r.curvature)
        added = [i for i in self.plot.getPlotItem().items if i not in before]
        self._limit = added[0] if added else None
        text = (
            f"Suggested η: <b>{lr:.3g}</b> (a quarter of the last η at which the loss is still near "
            f"its best, {b:.2g}; shaded: near the best)"
        )
        if r.drop < 0.05:
            text += " — <span style='color:@error'>no clear drop: try more updates or a narrower range</span>"
        set_rich(self.suggest_label, text)
        self.use_button.setEnabled(True)

    def summary(self, r) -> str:
        end = "stopped when the loss passed 4× its best" if r.stopped_early else "reached the last η"
        return f"{len(r.lrs)} updates {self.start_text()}; {end}."

    def _use(self) -> None:
        if self.suggested is not None:
            self._panel.learningRateChosen.emit(float(self.suggested))


class ScheduleView(QWidget):
    """η(epoch) of the current settings' schedule over the epoch limit."""

    MAX_POINTS = 20_000

    def __init__(self):
        super().__init__()
        self.plot = make_plot("η = η₀", "epoch", "learning rate η")
        self.curve = self.plot.plot(pen=pg.mkPen("#2f6fdf", width=2.5))
        self.info = QLabel("Learning-rate decay: large steps early, fine tuning later.")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.info)
        lay.addWidget(self.plot, 1)

    def set_settings(self, settings) -> None:
        E = int(settings.epochs)
        e = (
            np.arange(E)
            if E <= self.MAX_POINTS
            else np.unique(np.linspace(0, E - 1, self.MAX_POINTS).astype(int))
        )
        s = settings.schedule
        self.curve.setData(e, s.lr(settings.lr, e))
        self.plot.setTitle(s.describe(), color=themes.current_theme().ink, size="11pt")
        top = s.max_lr if s.kind == "cyclic" else settings.lr
        self.plot.setYRange(0, top * 1.05, padding=0)
        self.info.setText(
            f"η₀ = {settings.lr:g}, {E:,} epochs. Learning-rate decay: large steps early, fine tuning later."
        )


class LearningRatePanel(QWidget):
    """Learning-rate effects for the current problem.

    ``set_problem(net, X, T, settings, task)`` copies what it needs;
    ``shutdown()`` cancels and waits for running jobs; ``learningRateChosen(float)``
    fires when the user adopts the range test's suggestion.
    """

    learningRateChosen = Signal(float)

    def __init__(self, parent=None, jobs: JobManager | None = None):
        super().__init__(parent)
        self.job_manager = jobs if jobs is not None else JobManager(self)
        self.problem: Problem | None = None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.sweep, self.range_test = SweepView(self), RangeTestView(self)
        self.schedule, self.variants = ScheduleView(), VariantsView(self)
        self.views = {
            "sweep": self.sweep,
            "range": self.range_test,
            "schedule": self.schedule,
            "variants": self.variants,
        }
        for view, title in zip(self.views.values(), ("Sweep", "Range test", "Schedule", "GD variants")):
            self.tabs.addTab(view, title)
            if isinstance(view, JobView):
                view.jobs = self.job_manager
        lay = QVBoxLayout(scroll_body(self))
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)

    def set_problem(self, net, X, T, settings, task: str = "classification") -> None:
        first = self.problem is None
        self.problem = Problem(
            net.copy(),
            np.array(X, dtype=np.float64),
            np.array(T, dtype=np.float64),
            dataclasses.replace(settings),
            task,
        )
        self.schedule.set_settings(settings)
        if first:  # centre the η ranges on the current learning rate
            sd, rd = sweep_defaults(settings.lr), range_test_defaults(settings.lr)  # = the CLI's
            self.sweep.lr_min.setValue(sd["lr_from"])
            self.sweep.lr_max.setValue(sd["lr_to"])
            self.range_test.lr_min.setValue(rd["lr_from"])
            self.range_test.lr_max.setValue(rd["lr_to"])
        for v in (self.sweep, self.range_test, self.variants):
            v.mark_stale()

    def jobs(self) -> list[BackgroundJob]:
        return [v.job for v in (self.sweep, self.range_test, self.variants) if v.job is not None]

    def shutdown(self) -> None:
        for v in (self.sweep, self.range_test, self.variants):
            v.shutdown()
