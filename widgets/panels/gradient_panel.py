"""Gradient-flow panel: per-layer gradient and weight norms over epochs, the
current network's activation histograms, and a side-by-side comparison of two
runs' gradient norms (deep sigmoid vs ReLU: the lecture's vanishing gradients).
"""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from model.analysis.gradient_flow import comparison_summary
from widgets.common.fit import scroll_body
from widgets.common.plot_style import light_grid, screen_decimated
from widgets.common.stamp import analysis_stamp, mark_stale
from widgets.common.themed import colour
from widgets.common.themed_widgets import set_sheet
from widgets.common.ui_roles import swatch

MAX_SAMPLES = 1000
BINS = 24
# layer 1 (dark blue) → layer L (orange): order reads as depth
_LAYER_MAP = pg.ColorMap([0.0, 0.5, 1.0], [(31, 78, 156), (28, 160, 140), (230, 110, 30)])
RUN_COLOURS = ("#6a3d9a", "#2f8f4f")


def layer_colours(n: int) -> list:
    return [_LAYER_MAP.map(t, mode="qcolor") for t in (np.linspace(0, 1, n) if n > 1 else [0.0])]


def _num(v: float) -> str:
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    m, e = f"{v:.0e}".split("e")
    return f"{m}e{int(e)}".replace("-", "−")


class TidyAxis(pg.AxisItem):
    """Log axes label only mantissas 1, 2 and 5 (pyqtgraph labels every minor
    tick, which overlap on short ranges), all in one number format."""

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        out = []
        for v in values:
            x = 10.0**v
            mant = round(x / 10.0 ** np.floor(np.log10(x)), 6)
            out.append(_num(x) if mant in (1.0, 2.0, 5.0) else "")
        return out


def _nice_ticks(lo: float, hi: float, n: int = 3) -> list[tuple[float, str]]:
    """About ``n`` round tick values in [lo, hi]."""
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10.0 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = np.ceil(lo / step - 1e-9) * step
    vals = np.arange(first, hi + step * 1e-9, step)
    return [(float(v), f"{v:.4g}".replace("-", "−")) for v in vals]


# value range of bounded activations: fixed histogram ranges make saturation visible
ACT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0), "step": (0.0, 1.0)}
MAX_HIST_COLS, MAX_HISTS = 5, 20  # five a row: a laptop's plots dock holds them without sideways scrolling


def _plot(y_label: str, log_y: bool = False, title: str | None = None) -> pg.PlotWidget:
    w = pg.PlotWidget(background="default", title=title, axisItems={"left": TidyAxis("left")})
    w.setLabel("bottom", "epoch")
    w.setLabel("left", y_label)
    light_grid(w)
    w.getAxis("left").enableAutoSIPrefix(False)
    w.setLogMode(y=log_y)
    return w


def legend_html(n: int) -> str:
    """Legend lines 'layer 1 … L' in the layer colours (at most 16, evenly spaced)."""
    shown = range(n) if n <= 16 else sorted(set(np.linspace(0, n - 1, 16).round().astype(int)))
    cols = layer_colours(n)
    rows = [f"{swatch(cols[l].name(), '━━')}&nbsp;layer&nbsp;{l + 1}" for l in shown]
    return "<br>".join(rows)


class _LayerCurves:
    """One curve per layer in a plot; new data only when the length changed."""

    def __init__(self, plot: pg.PlotWidget):
        self.plot = plot
        self.curves: list[pg.PlotDataItem] = []
        self._key = None

    def set(self, x: np.ndarray, values: np.ndarray, source=None) -> None:
        values = np.asarray(values, dtype=float)
        # no epochs yet: keep the layer count of the curves already there (reshape(0, -1) fails)
        values = values.reshape(len(x), -1) if len(x) else np.zeros((0, max(len(self.curves), 1)))
        L = values.shape[1]
        if len(self.curves) != L:
            for c in self.curves:
                self.plot.removeItem(c)
            self.curves = []
            for l, col in enumerate(layer_colours(L)):
                c = self.plot.plot(pen=pg.mkPen(col, width=2))
                screen_decimated(c)
                self.curves.append(c)
            self._key = None
        key = (id(source), len(x))
        if key == self._key and source is not None:
            return
        self._key = key
        for l, c in enumerate(self.curves):
            c.setData(x, values[:, l])

    def data(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        c = self.curves[layer]
        return (np.empty(0), np.empty(0)) if c.xData is None else (c.xData, c.yData)


class GradientFlowPanel(QWidget):
    """``set_history(history)``, ``set_network(net, X)`` / ``set_activations(V)``,
    ``set_comparison(label_a, history_a, label_b, history_b)``."""

    compareRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grad_plot = _plot("gradient norm", log_y=True)
        self.grad_plot.setToolTip("‖∂E/∂Wℓ‖ per layer at the end of each epoch (log scale)")
        self.weight_plot = _plot("weight norm")
        self.weight_plot.setToolTip("‖Wℓ‖ per layer at the end of each epoch")
        self.weight_plot.setXLink(self.grad_plot)
        for w in (self.grad_plot, self.weight_plot):
            w.setMinimumHeight(150)  # a short dock scrolls; squashed, the y ticks ran into each other
        self.grad_curves = _LayerCurves(self.grad_plot)
        self.weight_curves = _LayerCurves(self.weight_plot)
        self.legend = QLabel("")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignTop)
        set_sheet(self.legend, "QLabel { background: @base; padding: 4px; color: @text; font-size: 9pt; }")
        self._legend_n = 0
        self.hist_view = pg.GraphicsLayoutWidget()
        self.hist_view.setBackground("default")
        self.hist_view.setMinimumHeight(150)
        self._hist_plots: list[pg.PlotItem] = []
        self._hist_counts: list[np.ndarray] = []
        self._hist_edges: list[np.ndarray] = []
        self.hist_caption = QLabel("Activations of each layer on the training inputs")
        set_sheet(self.hist_caption, "color: @hint;")

        history_page = QWidget()
        lay = QVBoxLayout(history_page)
        lay.setContentsMargins(0, 0, 0, 0)
        plots = QHBoxLayout()
        plots.addWidget(self.grad_plot, 1)
        plots.addWidget(self.weight_plot, 1)
        lay.addLayout(plots, 3)
        lay.addWidget(self.hist_caption)
        lay.addWidget(self.hist_view, 2)

        # comparison page: run A, run B (shared log y), and the last-epoch profile by layer
        self.cmp_plots = [
            _plot("gradient norm", log_y=True, title="run A"),
            _plot("gradient norm", log_y=True, title="run B"),
        ]
        self.cmp_plots[1].setYLink(self.cmp_plots[0])
        self.cmp_curves = [_LayerCurves(p) for p in self.cmp_plots]
        self.profile_plot = _plot("gradient norm, last epoch", log_y=True, title="by layer")
        self.profile_plot.setLabel("bottom", "layer ℓ")
        self.profile_plot.addLegend(offset=(-5, -5), brush=pg.mkBrush(colour("plot_background", 210)))
        self.profile_curves = [
            self.profile_plot.plot(
                pen=pg.mkPen(c, width=2), symbol="o", symbolSize=6, symbolBrush=c, symbolPen=None, name=n
            )
            for c, n in zip(RUN_COLOURS, ("run A", "run B"))
        ]
        compare_page = self.compare_page = QWidget()
        self._stamp = self._compare_stamp = None
        row = QHBoxLayout(compare_page)
        row.setContentsMargins(0, 0, 0, 0)
        for p in self.cmp_plots + [self.profile_plot]:
            row.addWidget(p, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(history_page)
        self.pages.addWidget(compare_page)

        self.compare_button = QPushButton("Compare sigmoid vs ReLU")
        self.compare_button.setToolTip(
            "Train this topology a few epochs with sigmoid and with ReLU hidden "
            "layers and compare how large each layer's gradient is"
        )
        self.compare_button.clicked.connect(self.compareRequested)
        self.back_button = QPushButton("Back to this run", toolTip="Show this run's gradient flow again")
        self.back_button.clicked.connect(lambda: self.show_comparison(False))
        self.back_button.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        top = QHBoxLayout()  # buttons first: in view however narrow the dock
        top.addWidget(self.compare_button)
        top.addWidget(self.back_button)
        top.addWidget(self.status, 1)
        outer = QVBoxLayout(scroll_body(self))
        outer.setContentsMargins(2, 2, 2, 2)
        outer.addLayout(top)
        body = QHBoxLayout()
        body.addWidget(self.pages, 1)
        body.addWidget(self.legend, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(body, 1)

    # ------------------------------------------------------------ history
    def set_history(self, history) -> None:
        n = min(len(history["epoch"]), len(history["grad_norms"]), len(history["weight_norms"]))
        ep = history["epoch"][:n]
        self.grad_curves.set(ep, history["grad_norms"][:n], history)
        self.weight_curves.set(ep, history["weight_norms"][:n], history)
        self._set_legend(len(self.grad_curves.curves))

    def _set_legend(self, n: int) -> None:
        if n != self._legend_n:
            self._legend_n = n
            self.legend.setText(legend_html(n))

    def legend_labels(self) -> list[str]:
        """The layer names the legend shows ('layer 1' … 'layer L')."""
        return [f"layer {k}" for k in re.findall(r"layer&nbsp;(\d+)", self.legend.text())]

    def grad_curve_data(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, gradient norms) of layer ``layer`` (0-based)."""
        return self.grad_curves.data(layer)

    def weight_curve_data(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        return self.weight_curves.data(layer)

    # -------------------------------------------------------- activations
    def set_network(self, net, X) -> None:
        """Histogram every layer's activations for up to 1,000 of the inputs X."""
        X = np.asarray(X)
        self._stamp = analysis_stamp(net.spec, X)
        stale = self._compare_stamp is not None and self._compare_stamp != self._stamp
        mark_stale(self.compare_page, stale)
        if stale and self.comparison_shown():
            self.status.setText("The network or data changed since this comparison: Compare again to update.")
        if len(X) > MAX_SAMPLES:  # evenly spaced rows: deterministic and covers the set
            X = X[np.linspace(0, len(X) - 1, MAX_SAMPLES).astype(np.int64)]
        self.set_activations(net.forward(X).V, list(net.spec.activations))

    def set_activations(self, V: list, activations: list[str] | None = None) -> None:
        """``V`` is a forward trace's list (input first, which is skipped);
        one histogram of all unit values per hidden/output layer."""
        layers = [np.asarray(v, dtype=float) for v in V[1:]]
        shown = list(range(len(layers)))
        if len(shown) > MAX_HISTS:  # very deep: evenly spaced layers, first and last included
            shown = sorted(set(np.linspace(0, len(layers) - 1, MAX_HISTS).round().astype(int)))
        if shown != getattr(self, "_hist_layers", None):
            self._hist_layers = shown
            self.hist_view.clear()
            self._hist_plots = []
            cols = min(len(shown), MAX_HIST_COLS)
            for k in range(len(shown)):
                p = self.hist_view.addPlot(row=k // cols, col=k % cols)
                p.getAxis("left").setStyle(showValues=k % cols == 0)
                for ax in ("left", "bottom"):
                    p.getAxis(ax).enableAutoSIPrefix(False)
                p.setMouseEnabled(x=False, y=False)
                p.hideButtons()
                if k % cols == 0:
                    p.setLabel("left", "count")
                self._hist_plots.append(p)
            rows = -(-len(shown) // cols) if cols else 1
            self.hist_view.setMinimumHeight(150 * rows)
        self._set_legend(len(layers))
        colours = layer_colours(len(layers))
        uniform = activations is not None and len(set(activations[: len(layers)])) == 1
        self._hist_counts, self._hist_edges = [], []
        for p, l in zip(self._hist_plots, shown):
            vals = layers[l]
            vals = vals[np.isfinite(vals)].ravel()
            act = activations[l] if activations is not None and l < len(activations) else None
            if act in ACT_RANGE:
                lo, hi = ACT_RANGE[act]
            else:
                lo, hi = (float(vals.min()), float(vals.max())) if len(vals) else (0.0, 1.0)
            if hi - lo < 1e-9:
                lo, hi = lo - 0.5, hi + 0.5
            counts, edges = np.histogram(vals, bins=BINS, range=(lo, hi))
            self._hist_counts.append(counts)
            self._hist_edges.append(edges)
            p.clear()
            col = colours[l]
            p.addItem(
                pg.BarGraphItem(
                    x0=edges[:-1],
                    x1=edges[1:],
                    y0=0,
                    height=counts,
                    brush=pg.mkBrush(col.red(), col.green(), col.blue(), 170),
                    pen=colour("plot_background", 120),  # bars apart in any theme
                )
            )
            tag = f" · {act}" if act and not uniform else ""
            p.setTitle(f"<span style='font-size:8pt'>layer {l + 1}{tag}</span>")
            p.getAxis("bottom").setTicks([_nice_ticks(lo, hi)])
            p.setXRange(lo, hi, padding=0.08)  # room for the end tick labels
            p.setYRange(0, max(1, counts.max()), padding=0.05)
        n = len(V[0]) if len(V) else 0
        skipped = f" ({len(shown)} of {len(layers)} layers)" if len(shown) < len(layers) else ""
        what = f" ({activations[0]})" if uniform else ""
        self.hist_caption.setText(
            f"Activations{what} of every unit on {n} training inputs{skipped}: "
            "a pile-up at the ends means saturated units (g′ ≈ 0), at 0 for ReLU dead units"
        )

    def histogram_counts(self) -> list[np.ndarray]:
        """Bar heights per shown layer (layer 1 first); each sums to samples × units."""
        return [c.copy() for c in self._hist_counts]

    def histogram_edges(self) -> list[np.ndarray]:
        return [e.copy() for e in self._hist_edges]

    # --------------------------------------------------------- comparison
    def set_comparison(self, label_a: str, history_a, label_b: str, history_b, stamp=None) -> None:
        """Show two runs' per-layer gradient norms side by side (shared log axis);
        ``stamp`` (:func:`analysis_stamp`) says which network and data they were run on."""
        self._compare_stamp = stamp
        mark_stale(self.compare_page, stamp is not None and self._stamp is not None and stamp != self._stamp)
        profiles = []
        for p, curves, label, h in zip(
            self.cmp_plots, self.cmp_curves, (label_a, label_b), (history_a, history_b)
        ):
            n = min(len(h["epoch"]), len(h["grad_norms"]))
            g = np.asarray(h["grad_norms"][:n], dtype=float).reshape(n, -1)
            curves.set(h["epoch"][:n], g)
            p.setTitle(label)
            profiles.append(g[-1] if n else np.full(g.shape[1], np.nan))
        for curve, label, prof in zip(self.profile_curves, (label_a, label_b), profiles):
            curve.setData(np.arange(1, len(prof) + 1), prof)
        leg = self.profile_plot.getPlotItem().legend
        for (sample, text), label in zip(leg.items, (label_a, label_b)):
            text.setText(label)
        self.profile_plot.getAxis("bottom").setTicks(
            [[(i, str(i)) for i in range(1, max(len(p) for p in profiles) + 1)]]
        )
        self.status.setText(comparison_summary({label_a: history_a, label_b: history_b})["text"])
        self._set_legend(max(len(p) for p in profiles))  # the layer colours of the compared runs
        self.set_busy(False)
        self.show_comparison(True)

    def comparison_curve_data(self, run: int, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, gradient norms) of ``layer`` in run 0 (A) or 1 (B)."""
        return self.cmp_curves[run].data(layer)

    def show_comparison(self, on: bool) -> None:
        self.pages.setCurrentIndex(1 if on else 0)
        self.back_button.setVisible(on)
        if not on:
            self.status.setText("")

    def comparison_shown(self) -> bool:
        return self.pages.currentIndex() == 1

    def set_busy(self, busy: bool) -> None:
        """While the app trains the comparison runs in the background."""
        self.compare_button.setEnabled(not busy)
        if busy:
            self.status.setText("Training the sigmoid and ReLU variants…")
