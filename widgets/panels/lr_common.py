"""Shared pieces of the learning-rate panel's views: plots, lines, the problem they run on."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QComboBox,
)

from model.analysis.sweep_common import START_CURRENT, START_INITIAL, start_description, start_network
from widgets.common import theme as themes
from widgets.common.background import JobView
from widgets.common.plot_style import light_grid
from widgets.common.themed import LABEL_FILL_ALPHA, Ink, Pen, paint

LR_COLORMAP = pg.ColorMap(np.linspace(0, 1, 8), pg.colormap.get("plasma").map(np.linspace(0, 0.85, 8)))
# mini-batch reddish purple, not green: told apart from orange with every colour-vision deficiency
VARIANT_COLOURS = {"batch": "#2f6fdf", "stochastic": "#e4572e", "mini-batch": "#cc79a7"}
DIVERGED = "#d62728"
UNSTABLE = "#b8860b"
LIMIT = "#7b3fa0"  # the 2/λ_max line
TEXT = "#333333"  # the light theme's; plots use the current theme's ink


@dataclasses.dataclass(frozen=True)
class Problem:
    net: object
    X: np.ndarray
    T: np.ndarray
    settings: object
    task: str


def make_plot(title: str, x: str, y: str, log_x=False, log_y=False) -> pg.PlotWidget:
    t = themes.current_theme()
    w = pg.PlotWidget(background="default")
    w.setTitle(title, color=t.ink, size="10pt")
    w.setLabel("bottom", x, color=t.ink)
    w.setLabel("left", y, color=t.ink)
    w.setLogMode(x=log_x, y=log_y)
    light_grid(w)
    for ax in ("bottom", "left"):
        w.getAxis(ax).enableAutoSIPrefix(False)  # "(x0.001)" on a loss axis only confuses
    w.setMinimumSize(220, 160)
    return w


def auto_log_y(plot: pg.PlotWidget, *arrays) -> bool:
    """Log loss axis when the values span more than a factor 20, else linear
    (a log axis over less than a decade shows no tick labels)."""
    v = np.concatenate([np.ravel(a) for a in arrays])
    v = v[np.isfinite(v) & (v > 0)]
    log = bool(len(v)) and v.max() > 20 * v.min()
    plot.setLogMode(y=bool(log))
    return log


def marker_line(pos: float, angle: int, text: str, colour: str, dashed=True) -> pg.InfiniteLine:
    """A labelled line; ``colour`` a marker hex colour or a theme role (themed.paint)."""
    line = pg.InfiniteLine(
        pos=pos, angle=angle, label=text, labelOpts={"position": 0.7 if angle == 90 else 0.1}
    )
    return paint(
        line,
        pen=Pen(colour, width=1.5, dashed=dashed),
        text=Ink(colour),
        fill=Ink("plot_background", LABEL_FILL_ALPHA),
    )


class ProblemJobView(JobView):
    """A sub-tab computing on the panel's current problem."""

    def __init__(self, panel):  # the LearningRatePanel
        super().__init__()
        self._panel = panel

    def problem(self) -> Problem:
        if self._panel.problem is None:
            raise ValueError("No network and data yet.")
        return self._panel.problem

    def add_start_choice(self) -> None:
        """'start from: initial weights | current weights' (initial by default)."""
        self.start = QComboBox()
        self.start.addItem("initial weights", START_INITIAL)
        self.start.addItem("current weights", START_CURRENT)
        self.add_input(
            "from",
            self.start,
            "Initial weights: the seeded initialisation (as after Reset weights), so the result "
            "does not depend on how long the network has trained. Current: the weights as they are now.",
        )

    def start_net(self, p: Problem):
        return start_network(p.net, self.start.currentData())

    def start_text(self) -> str:
        p = self._panel.problem
        return start_description(p.net, self.start.currentData()) if p is not None else ""

    def mark_stale(self) -> None:
        if self.result is not None and not (self.job and self.job.is_running()):
            self.setProperty("analysisStale", True)  # Export Everything leaves it out
            self.say("The network, data or settings changed since this run: Run again to update.")


def limit_line(plot: pg.PlotWidget, curvature) -> None:
    """The vertical 2/λ_max line on a log-η axis, when the curvature is known or estimated."""
    if curvature is None or not math.isfinite(curvature.lr_limit):
        return
    line = marker_line(
        math.log10(curvature.lr_limit), 90, f"{curvature.label} = {curvature.lr_limit:.3g}", LIMIT
    )
    line.label.setPosition(0.4)
    line.setToolTip(
        "Batch gradient descent on a quadratic is stable only for η < 2/λ_max, λ_max the largest "
        "curvature (Hessian eigenvalue) of the loss"
        + ("." if curvature.exact else "; here estimated at the start weights by power iteration.")
    )
    plot.addItem(line)
