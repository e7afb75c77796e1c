"""Optimizer trajectories: optimizers race across a 2-D error surface.

The surface is a filled, log-coloured contour plot with isolines; every
racer draws its path, a head marker and the steepest-descent arrow −∇E at its
current point (perpendicular to the contours: the axes keep a 1:1 aspect).
Clicking the plot restarts every racer from the clicked point. The network
surfaces are computed in a worker thread (the GUI thread polls a one-slot
result box) so a big network never freezes the window.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from model.analysis.loss_slices import NetworkSlice, RandomDirections
from model.analysis.race import RACERS, OptimizerRace, loss_text, racer_default_lr
from model.analysis.surfaces import (
    ANALYTIC,
    get_surface,
)
from model.optim.optimizers import DEFAULTS
from widgets.common import theme as themes
from widgets.common.contours import contour_segments  # noqa: F401 (re-exported)
from widgets.common.fit import scroll_body
from widgets.common.jobs import JobManager
from widgets.common.themed import Pen, paint
from widgets.common.themed_widgets import set_sheet
from widgets.panels.convexity_view import ConvexityView
from widgets.panels.race_state_table import RaceStateTable
from widgets.panels.race_surfaces import NET_DIRS, NET_SLICE, RaceSurfaces
from widgets.panels.racer_controls import COLORS, HYPER_LABELS, LABELS, RacerRow  # noqa: F401 (re-export)

# low loss pale, high loss dusky blue: the coloured paths stay readable everywhere
CMAP_STOPS = ("#fffdf2", "#d8ecd9", "#a3c6de", "#7290bd")  # made for white; dark themes deepen them
CMAP = pg.ColorMap([0.0, 0.35, 0.7, 1.0], list(CMAP_STOPS))


def surface_colours(t) -> tuple[pg.ColorMap, QColor]:
    """The error surface's colour map and its contour ink in theme ``t``."""
    if not t.dark:
        return CMAP, QColor(60, 80, 110, 150)
    stops = [themes.mix(c, t.plot_background, 0.72) for c in CMAP_STOPS]
    ink = QColor(t.ink)
    ink.setAlpha(150)
    return pg.ColorMap([0.0, 0.35, 0.7, 1.0], stops), ink


STACK_BELOW = 900  # px of panel width: below it the racers go under the surface plot
MAX_STEPS = 5000
FRAME_MS, FRAME_BUDGET_S = 33, 0.020


class OptimizerPanel(RaceSurfaces, QWidget):
    """Optimizer trajectories on analytic surfaces and on the real network's loss."""

    def __init__(self, parent=None, jobs: JobManager | None = None):
        super().__init__(parent)
        self.jobs = jobs if jobs is not None else JobManager(self)
        self._net = self._X = self._T = None
        self._chosen = None
        self._surfaces: dict[str, object] = {}
        self._live: dict[str, list] = {NET_SLICE: [], NET_DIRS: []}
        self._job = None  # the surface grid being computed (a BackgroundJob)
        self._grid_ready = False
        # what the network surfaces were computed on (widgets/common/stamp.py)
        self._stamp = self._shown_stamp = None
        self._surface_stamps: dict[str, tuple] = {}
        self.race: OptimizerRace | None = None

        self.combo = QComboBox()
        for key in ANALYTIC:
            self.combo.addItem(get_surface(key).title, key)
        self.combo.addItem(NetworkSlice.title, NET_SLICE)
        self.combo.addItem(RandomDirections.title, NET_DIRS)
        self._enable_network_items(False)
        self.combo.setToolTip("The error surface the optimizers race on")
        self.play_button = QPushButton("Play", toolTip="Run the race: every optimizer steps at once")
        self.play_button.setCheckable(True)
        self.step_button = QPushButton("Step", toolTip="One step of every optimizer")
        self.reset_button = QPushButton("Reset", toolTip="Back to the start point, step 0")
        self.speed = QSpinBox(minimum=1, maximum=50, value=3, suffix=" steps/frame")
        self.speed.setToolTip("Optimizer steps per animation frame while playing")
        self.state_toggle = QCheckBox("show internal state")
        self.state_toggle.setToolTip(
            "List velocities, accumulated squared gradients and Adam's effective step"
        )
        self.batch = QSpinBox(minimum=0, maximum=6, value=0, prefix="batch ", specialValueText="exact ∇E")
        self.batch.setToolTip(
            "Linear-neuron bowl only: each step uses the gradient of a mini-batch of this many of its "
            "6 samples (1 = online / stochastic learning). The grey dashed path is batch learning "
            "(steepest descent with the first racer's η): online learning zig-zags around it."
        )
        self.batch.valueChanged.connect(lambda _v: self._load_lrs())
        self.batch_path = paint(pg.PlotDataItem(), pen=Pen("muted", width=2, dashed=True))
        self.batch_path.setZValue(9)
        self.step_label = QLabel("step 0")
        self.progress = QLabel("")
        set_sheet(self.progress, "color: @warn;")
        self.description = QLabel("")
        self.description.setWordWrap(True)
        set_sheet(self.description, "color: @hint;")

        self.plot = pg.PlotWidget(background="default")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        for side in ("bottom", "left"):
            self.plot.getAxis(side).setPen("k")
            self.plot.getAxis(side).setTextPen("k")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(CMAP)
        self.isolines = pg.PlotCurveItem(pen=pg.mkPen((60, 80, 110, 150), width=1), connect="pairs")
        self.minima = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("k"), brush="w")
        self.start_marker = pg.ScatterPlotItem(symbol="o", size=13, pen=pg.mkPen("k", width=2), brush=None)
        self.live_path = pg.PlotDataItem(
            pen=pg.mkPen("k", width=2, style=Qt.PenStyle.DashLine), name="network (live)"
        )
        for item in (
            self.image,
            self.isolines,
            self.minima,
            self.start_marker,
            self.live_path,
            self.batch_path,
        ):
            self.plot.addItem(item)
        self.minima.setZValue(15)  # above the paths, below the heads
        # the legend sits in its own column right of the axes, never over a path
        self.legend = pg.LegendItem(
            brush=(255, 255, 255, 230), labelTextColor="k", pen=pg.mkPen((0, 0, 0, 80))
        )
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.plot.getPlotItem().layout.addItem(self.legend, 2, 3, Qt.AlignmentFlag.AlignTop)
        self.rows = {name: RacerRow(self, name) for name in RACERS}
        self.theme_changed(themes.current_theme())

        self.table = RaceStateTable()

        # two rows: all of it on one needed 940 px, wider than a laptop's plots dock
        bar, bar2 = QHBoxLayout(), QHBoxLayout()
        for w in (QLabel("Surface:"), self.combo, self.play_button, self.step_button, self.reset_button):
            bar.addWidget(w)
        for w in (self.speed, self.state_toggle, self.batch, self.step_label, self.progress):
            bar2.addWidget(w)
        bar.addStretch(1)
        bar2.addStretch(1)
        side = QGridLayout()
        side.addWidget(QLabel("<b>Racers</b> — arrows: −∇E, ○ start, ☆ minima"), 0, 0, 1, 4)
        for r, (name, row) in enumerate(self.rows.items(), start=1):
            side.addWidget(row.check, r, 0)
            side.addWidget(row.lr, r, 1)
            if row.hyper is not None:
                side.addWidget(row.hyper, r, 2)
            side.addWidget(row.status, r, 3)
        self.convexity = ConvexityView(self.plot)
        right = QVBoxLayout()
        right.addLayout(side)
        right.addWidget(self.convexity)
        right.addWidget(self.table, 1)
        right.addStretch(0)
        # racers beside the surface on a wide dock, under it on a narrow one (resizeEvent)
        body = self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.addWidget(self.plot, 3)
        body.addLayout(right, 2)
        lay = QVBoxLayout(scroll_body(self))
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addLayout(bar2)
        lay.addWidget(self.description)
        lay.addLayout(body, 1)

        self.timer = QTimer(self, interval=FRAME_MS)
        self.timer.timeout.connect(self._tick)
        self.play_button.toggled.connect(self._on_play)
        self.step_button.clicked.connect(lambda: self.step(1))
        self.reset_button.clicked.connect(lambda: self.reset(self.surface.start))
        self.state_toggle.toggled.connect(self.set_show_state)
        self.combo.currentIndexChanged.connect(lambda _i: self._load_surface())
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self._load_surface()

    # ------------------------------------------------------------ public API
    @property
    def surface(self):
        return self._surfaces[self.combo.currentData()]

    @property
    def grid_ready(self) -> bool:
        return self._grid_ready

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        d = QBoxLayout.Direction
        narrow = self.width() < STACK_BELOW
        self.body.setDirection(d.TopToBottom if narrow else d.LeftToRight)
        self.plot.setMinimumHeight(320 if narrow else 0)

    def theme_changed(self, t) -> None:
        """Surface, contours and markers in the theme's colours (a pastel map stays under dark text)."""
        if hasattr(self, "convexity"):
            self.convexity.theme_changed(t)
        cmap, contour = surface_colours(t)
        self.image.setColorMap(cmap)
        self.isolines.setPen(pg.mkPen(contour, width=1))
        self.minima.setPen(pg.mkPen(t.ink))
        self.minima.setBrush(pg.mkBrush(t.plot_background))
        self.start_marker.setPen(pg.mkPen(t.ink, width=2))
        self.live_path.setPen(pg.mkPen(t.ink, width=2, style=Qt.PenStyle.DashLine))

    def set_surface(self, key: str) -> None:
        idx = self.combo.findData(key)
        if idx < 0 or not self.combo.model().item(idx).isEnabled():
            raise ValueError(f"surface {key!r} is not available")
        self.combo.setCurrentIndex(idx)

    def set_start(self, x: float, y: float) -> None:
        """Restart every racer from (x, y)."""
        self.reset((x, y))

    def reset(self, start=None) -> None:
        """Rebuild the race from the controls; start defaults to the current one."""
        start = start if start is not None else (self.race.start if self.race else self.surface.start)
        specs = [row.spec(n) for n, row in self.rows.items() if row.check.isChecked()]
        on_bowl = hasattr(self.surface, "batch_gradient")
        self.batch.setVisible(on_bowl)
        b = self.batch.value() if on_bowl else 0
        self.race = OptimizerRace(self.surface, start, specs, batch_size=b or None)
        self._g0 = {n: float(np.hypot(*self.race.gradient(n))) for n in self.race.names}
        self._draw_race()

    def step(self, n: int = 1) -> None:
        if self.race is not None:
            self.race.step(n)
            self._draw_race()

    def play(self) -> None:
        self.play_button.setChecked(True)

    def pause(self) -> None:
        self.play_button.setChecked(False)

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_show_state(self, on: bool) -> None:
        if self.state_toggle.isChecked() != on:
            self.state_toggle.setChecked(on)  # re-enters through the signal
            return
        self.table.setVisible(on)
        self._fill_table()

    # ------------------------------------------------------------ surfaces
    def _load_lrs(self, hyper: bool = False) -> None:
        """Every racer's default η for the surface and batch size (a stochastic SGD
        racer below its worst batch's 2/λ_max), then restart the race."""
        key, s = self.combo.currentData(), self.surface
        b = (self.batch.value() or None) if hasattr(s, "batch_gradient") else None
        for name, row in self.rows.items():
            pairs = [(row.lr, racer_default_lr(key, name, s, b))]
            if hyper:
                pairs.append((row.hyper, DEFAULTS[name].get(row.key or "", 0.0)))
            for w, value in pairs:
                if w is not None:
                    w.blockSignals(True)
                    w.setValue(value)
                    w.blockSignals(False)
        if not hyper:
            self.reset()

    def _load_surface(self) -> None:
        key = self.combo.currentData()
        s = self._make_surface(key)
        self._load_lrs(hyper=True)
        self.plot.setLabel("bottom", s.xlabel, **{"font-size": "11pt"})
        self.plot.setLabel("left", s.ylabel, **{"font-size": "11pt"})
        self.plot.setTitle(s.title, color=themes.current_theme().ink, size="11pt")
        self.description.setText(s.description)
        x0, x1, y0, y1 = s.extent
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.minima.setData([m[0] for m in s.minima], [m[1] for m in s.minima])
        self.race = None
        self.convexity.set_surface(s)
        self.reset(s.start)
        self._draw_live()
        self._start_grid(s)

    def shutdown(self) -> None:
        """Stop the race and every surface computation (closing)."""
        self.pause()
        self.jobs.shutdown()

    # ------------------------------------------------------------- drawing
    def _draw_race(self) -> None:
        race = self.race
        bp = race.batch_path
        if bp is None:
            self.batch_path.setData([], [])
        else:
            self.batch_path.setData(bp[:, 0], bp[:, 1])
        self.legend.clear()
        self.start_marker.setData([race.start[0]], [race.start[1]])
        x0, x1 = self.surface.extent[:2]
        L = 0.07 * (x1 - x0)
        paths, losses = race.paths, race.losses
        for name, row in self.rows.items():
            on = name in paths
            row.set_visible(on)
            if not on:
                row.status.setText("")
                continue
            p = paths[name]
            row.path.setData(p[:, 0], p[:, 1])
            self.legend.addItem(row.path, LABELS[name])
            x, y = p[-1]
            dead = race.diverged(name)
            row.head.setData([x], [y], symbol="x" if dead else "o")
            row.set_arrow(p[-1], race.gradient(name), L, dead, self._g0.get(name, 0.0))
            row.status.setText(
                f"✗ {race.racer(name).reason}" if dead else f"E = {loss_text(losses[name][-1])}"
            )
        if self.live_path.isVisible() and len(self.live_points):
            self.legend.addItem(self.live_path, "network (live)")
        self.step_label.setText(f"step {race.steps}")
        self._fill_table()

    def _fill_table(self) -> None:
        if self.table.isVisible() and self.race is not None:
            self.table.show_race(self.race)

    # -------------------------------------------------------------- events
    def _on_play(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        self.play_button.setIcon(
            self.style().standardIcon(
                QStyle.StandardPixmap.SP_MediaPause if on else QStyle.StandardPixmap.SP_MediaPlay
            )
        )
        if on:
            self.timer.start()
        else:
            self.timer.stop()

    def _tick(self) -> None:
        race = self.race
        if race is None or not race.running or race.steps >= MAX_STEPS:
            self.pause()
            return
        t0 = time.perf_counter()
        for _ in range(self.speed.value()):  # several steps, within a frame budget
            race.step(1)
            if time.perf_counter() - t0 > FRAME_BUDGET_S:
                break
        self._draw_race()

    def _on_click(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.plot.getViewBox()
        pos = ev.scenePos()
        if not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        ev.accept()
        if self.convexity.active:  # chord mode: the click is an end point, not a start
            self.convexity.add_point(p.x(), p.y())
        else:
            self.set_start(p.x(), p.y())
