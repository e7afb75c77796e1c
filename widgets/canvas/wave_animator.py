"""WaveAnimator: forward activity and backward error travelling along the
network canvas's edges, layer by layer, while the network trains.

One *cycle* is a forward wave (input → output) followed by a backward wave
(output → input), then it repeats:

* forward, front at layer pair ℓ: the edges of pair ℓ carry their
  contribution |w·V| (``ProbeRecord.contrib[ℓ]``); pairs already passed stay
  as a dimmed trail (× ``TRAIL``; no trail when the canvas's level of detail
  is active), pairs ahead are 0. Nodes of layers 0…ℓ+1
  show their activation V (the canvas's own node colours), the rest are blank.
* backward, front at pair ℓ (ℓ = L−1 … 0): edges carry |∂E/∂w| (``grad_W``),
  same trail rule; nodes of layers ℓ…L (input excluded) are filled on a
  white → purple ramp by |δ|, scaled to the largest |δ| of the record.

Cost: the timer only advances a clock, and not even that while the canvas
cannot be seen (hidden, minimised, covered: :meth:`WaveAnimator.canvas_seen`). Overlay arrays and node colours are
rebuilt only when the front moves to another layer pair — one
``canvas.set_edge_overlay`` call per layer change, never per frame — and the
next front's picture is prepared while the current one shows: binned at once
and rasterised in slices of ~2 ms on the frames between
(``EdgeLayer.prepare``), so the frame where the front moves swaps pictures
instead of drawing thousands of lines. Waves never slow training (the
animator only reads records it is handed).

Records: ``set_probe`` stores the newest ``ProbeRecord``; the animator takes
it for the next cycle when the last front of a backward wave starts (so that
cycle's first front can be prepared) and shows it from the next *forward*
wave, so forward and backward of one cycle show the same sample's pass (the
backward δ belong to that forward pass). Records arriving mid-cycle replace
each other: fast training drops records.

Colour scales (the value of the strongest bin) come from a high percentile
of each pair's values (:func:`scale_percentile`: 95th … 99th), not its max,
so a few outliers do not leave every other edge in the palest bin. Forward:
each pair on its own scale (activity magnitudes of different layers are not
comparable; the legend shows the front's scale). Backward: one scale for the
whole wave (the largest pair's), so gradients shrinking towards the input —
vanishing gradients — show as paler layers. Trail values are for display
(each passed pair at ``TRAIL`` of its own strength); the front's values are
the record's exactly.

Level of detail: the canvas draws only its ``lod_threshold`` (3,000)
strongest edges. With LOD active there is no trail, so the drawn edges are
the front's (all of them when the front pair has ≤ 3,000 edges); instead the
wave travels as layer-to-layer bands (``canvas.set_layer_bands``: the front
pair at full strength, passed pairs at ``TRAIL``, pairs ahead blank) — one
polygon per pair, so the frame cost stays bounded whatever the edge count.
Bands are cleared when the animation stops and never set without LOD.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor

from widgets.canvas import canvas_layout as lay
from widgets.canvas.dropout_marks import mark_dropped
from widgets.canvas.node_item import NEUTRAL_FILL, NODE_RADIUS
from widgets.canvas.wave_frames import TRAIL, cycle_arrays, front_overlay, next_front, scale_percentile
from widgets.common.turn_frame import turn_frame

__all__ = ["WaveAnimator", "TRAIL", "DELTA_COLOURS", "delta_colour", "delta_shades", "scale_percentile"]

FPS = 30.0
DELTA_SHADES = 32
_WHITE = np.array([255.0, 255.0, 255.0])
_PURPLE = np.array([0x8E, 0x24, 0xAA], float)  # the backward ramp's strongest colour
DELTA_COLOURS = [
    QColor(*(int(round(c)) for c in _WHITE + (_PURPLE - _WHITE) * (k / DELTA_SHADES)))
    for k in range(DELTA_SHADES + 1)
]


def delta_colour(t: float) -> QColor:
    """Fill for a node whose |δ| is ``t`` of the largest (0…1): white → purple."""
    return DELTA_COLOURS[int(round(float(np.clip(t, 0.0, 1.0)) * DELTA_SHADES))]


def delta_shades(t: np.ndarray) -> np.ndarray:
    """Indices into DELTA_COLOURS of ``delta_colour(|t|)`` for every element (NaN: white)."""
    t = np.clip(np.nan_to_num(np.abs(np.asarray(t, dtype=np.float64))), 0.0, 1.0)
    return np.round(t * DELTA_SHADES).astype(np.intp)


def _short(x: float) -> str:
    """A node label that fits a 26-px circle: 0.73, -0.12, 3e-03."""
    return f"{x:.2f}" if abs(x) >= 0.01 or x == 0 else f"{x:.0e}"


class WaveAnimator(QObject):
    """Drives a :class:`~widgets.canvas.network_canvas.NetworkCanvas` overlay.

    ``attach(canvas)``, ``set_enabled(bool)``, ``set_speed(waves_per_second)``,
    ``set_probe(record)``; ``tick(dt=None)`` advances the clock (the timer
    calls it every 1/30 s; tests call it directly). Read-only state:
    ``phase`` ("forward" | "backward"), ``front_layer`` (layer pair index ℓ,
    edges W[ℓ]; −1 before the first record), ``frame_count`` (ticks done),
    ``overlay_calls`` (``set_edge_overlay`` calls made), ``record`` (the
    record of the current cycle), ``enabled``, ``speed``.
    """

    frontChanged = Signal(str, int)  # phase, front_layer — once per layer change

    def __init__(self, parent=None, *, speed: float = 0.75, fps: float = FPS):
        super().__init__(parent)
        self.canvas = None
        self.enabled = False
        self.speed = 0.0
        self.set_speed(speed)
        self.phase = "forward"
        self.front_layer = -1
        self.frame_count = 0
        self.overlay_calls = 0
        self.record = None
        self._pending = None
        self.hold = False  # slow motion: records come only through start_cycle, one per update
        self.dropped = self._pending_dropped = None  # dropout: the units dropped in the shown update
        self._clock = 0.0  # seconds into the current wave
        self._shown: tuple[str, int] | None = None
        self._next_cycle = None  # (record, flat, scale, dmax): the next cycle's, chosen ahead
        self._prepared = None  # (record, phase, front, values, scale, bands) handed to the canvas ahead
        self._prepare_due = False
        self._flat: dict[str, list[np.ndarray]] = {}  # mode -> per-pair |values|, edge order
        self._scale: dict[str, list[float]] = {}  # mode -> per-pair colour scale
        self._dmax = 1.0
        self.hidden_frames = 0  # timer frames skipped because nobody could see the canvas
        self.turn = None  # the window's GuiTurn (app/gui_turn.py): its frames keep the training worker out
        self._timer = QTimer(self)
        self._timer.setInterval(int(round(1000.0 / fps)))
        self._timer.timeout.connect(self._on_timer)

    # ---------------------------------------------------------------- setup
    def attach(self, canvas) -> None:
        """Animate ``canvas`` (a NetworkCanvas); a previous canvas is cleared."""
        if self.canvas is not None and self.canvas is not canvas:
            self._clear()
        self.canvas = canvas
        self._restart()

    def set_enabled(self, on: bool) -> None:
        """Start (from a fresh forward wave) or stop the animation."""
        on = bool(on)
        if on == self.enabled:
            return
        self.enabled = on
        if on:
            self._restart()
            self._timer.start()
        else:
            self.stop()

    def set_speed(self, waves_per_second: float) -> None:
        """Waves per second (a forward or a backward wave each count as one)."""
        v = float(waves_per_second)
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"speed must be a positive number of waves per second, got {v!r}")
        self.speed = v

    def set_probe(self, record) -> None:
        """Hand over the newest ProbeRecord (cheap: stored, used at the next
        forward wave). None is ignored."""
        if record is not None and not self.hold:
            self._pending = record

    def drive_manually(self) -> None:
        """Keep the animation on but stop the timer: the caller ticks (a recording
        advances exactly one frame's time per frame)."""
        self._timer.stop()

    def start_cycle(self, record, dropped=None) -> None:
        """Start a fresh forward wave with ``record`` now (slow-motion training:
        each update's own forward and backward pass). ``dropped``: per hidden
        layer, the units dropout removed in that update (drawn crossed out).
        None is ignored."""
        if record is None:
            return
        self._restart()
        self._pending, self._pending_dropped = record, dropped

    def stop(self) -> None:
        """Stop the timer, clear the overlay and show plain activations again."""
        self.enabled = False
        self._timer.stop()
        self._clear()
        self._restart()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def layer_seconds(self) -> float:
        """How long the front stays on one layer pair."""
        return 1.0 / (self.speed * max(self._n_pairs(), 1))

    # ---------------------------------------------------------------- clock
    def canvas_seen(self) -> bool:
        """Whether any of the canvas is on screen: shown, its window not
        minimised, not wholly covered (a tabbed-away dock, a panel on top)."""
        c = self.canvas
        return (
            c is not None
            and c.isVisible()
            and not c.window().isMinimized()
            and not c.visibleRegion().isEmpty()
        )

    def _on_timer(self) -> None:
        """The timer's frame: none while the canvas cannot be seen — no front
        shown, none binned or rasterised ahead (the GUI thread's time, and the
        interpreter lock, stay with training); the wave resumes where it was."""
        if self.canvas is not None and not self.canvas_seen():
            self.hidden_frames += 1
            return
        turn_frame(self.turn, self, self.tick)

    def tick(self, dt: float | None = None) -> None:
        """Advance by ``dt`` seconds (default one timer interval). Fixed steps
        rather than wall time: a busy GUI slows the wave, never skips a layer."""
        if self.canvas is None:
            return
        self.frame_count += 1
        if self.record is None and not self._begin_cycle():
            return
        self._clock += self._timer.interval() / 1000.0 if dt is None else float(dt)
        L = self._n_pairs()
        step = int(self._clock / self.layer_seconds)
        while step >= L:  # wave finished: the next one starts
            self._clock -= L * self.layer_seconds
            if self.phase == "forward":
                self.phase = "backward"
            else:
                self.phase = "forward"
                if not self._begin_cycle():
                    return
                L = self._n_pairs()
            step = int(self._clock / self.layer_seconds)
        self.front_layer = step if self.phase == "forward" else L - 1 - step
        if self._shown != (self.phase, self.front_layer):
            self._show()
        elif self._prepare_due:  # the frame after a front: bin the next front's picture
            self._prepare_due = False
            self._prepare_next()
        else:  # the frames between fronts: rasterise it a slice at a time
            self.canvas.edge_layer.prepare_step()

    # ------------------------------------------------------------ internals
    def _n_pairs(self) -> int:
        return len(self.record.grad_W) if self.record is not None else 0

    def _restart(self) -> None:
        self.phase, self.front_layer, self._clock, self._shown = "forward", -1, 0.0, None
        self.record = self._next_cycle = self._prepared = None

    def _begin_cycle(self) -> bool:
        """Take the newest record for a new forward wave (the one chosen ahead
        when the previous cycle's last front was prepared); False when there is
        none that fits the canvas's current topology."""
        ahead, self._next_cycle = self._next_cycle, None
        if ahead is not None:
            rec = ahead[0]
        else:
            rec = self._pending if self._pending is not None else self.record
        self.phase, self._clock, self._shown = "forward", 0.0, None
        sizes = [len(v) for v in rec.V] if rec is not None else None
        if rec is None or sizes != self.canvas.layer_sizes:
            self.record, self.front_layer = None, -1
            return False
        same = rec is self.record and self._flat
        if rec is self._pending:
            self.dropped, self._pending_dropped = self._pending_dropped, None
            self._pending = None
        self.record = rec
        if ahead is not None:
            self._flat, self._scale, self._dmax = ahead[1:]
        elif not same:  # a newer record: its arrays (else the last cycle's still hold)
            self._flat, self._scale, self._dmax = cycle_arrays(rec, self.canvas.max_visible)
        return True

    def _show(self) -> None:
        """Push the overlay and node colours for the current front (one
        set_edge_overlay call); the next frame prepares the next front."""
        c, phase, front = self.canvas, self.phase, self.front_layer
        if c.layer_sizes != [len(v) for v in self.record.V]:  # topology changed mid-wave
            self._restart()
            return
        ready = self._prepared
        if ready is not None and ready[0] is self.record and ready[1:3] == (phase, front):
            values, scale, bands = ready[3:]  # the same objects: the canvas swaps in the prepared picture
        else:
            values, scale, bands = front_overlay(
                self._flat, self._scale, phase, front, c.edge_layer.lod_active
            )
        c.set_edge_overlay(values, phase, scale)
        self.overlay_calls += 1
        c.set_layer_bands(bands, phase)
        if phase == "forward":
            self._show_forward_nodes(front)
        else:
            self._show_backward_nodes(front)
        mark_dropped(c, self.dropped)
        self._shown = (phase, front)
        self.frontChanged.emit(phase, front)
        self._prepare_due = True  # on the next frame, not this one

    def _prepare_next(self) -> None:
        """Hand the canvas the next front's overlay to rasterise ahead; at the
        last front of a cycle, the next cycle's record is chosen now."""
        c, rec = self.canvas, self.record
        flat, scales = self._flat, self._scale
        phase, front, new_cycle = next_front(self.phase, self.front_layer, self._n_pairs())
        if new_cycle:  # the next cycle's record: the newest now (later ones wait a cycle)
            if self._pending is not None:
                rec = self._pending
                if [len(v) for v in rec.V] != c.layer_sizes:
                    return
                flat, scales, dmax = cycle_arrays(rec, c.max_visible)
            else:
                dmax = self._dmax
            self._next_cycle = (rec, flat, scales, dmax)
        lod = c.edge_layer.lod_active
        values, scale, bands = front_overlay(flat, scales, phase, front, lod)
        self._prepared = (rec, phase, front, values, scale, bands)
        c.prepare_edge_overlay(values, phase, scale, bands)

    def _layer_nodes(self, l: int):
        c = self.canvas
        for i in lay.visible_node_indices(c.layer_sizes[l], c.max_visible):
            node = c.node_item(l, int(i))
            if node is not None:
                yield node

    def _show_forward_nodes(self, front: int) -> None:
        self.canvas.set_node_values(self.record.V)
        for l in range(front + 2, len(self.record.V)):  # not reached yet
            for node in self._layer_nodes(l):
                node.set_fill(QColor(NEUTRAL_FILL))
                node.set_text("")

    def _show_backward_nodes(self, front: int) -> None:
        legible = 2 * NODE_RADIUS * self.canvas.transform().m11() >= 18
        neutral = QColor(NEUTRAL_FILL)
        for l in range(len(self.record.V)):
            nodes = list(self._layer_nodes(l))
            if l < max(front, 1):  # not reached yet
                for node in nodes:
                    node.set_fill(neutral)
                    node.set_text("")
                continue
            # the shades in one pass per layer (delta_colour per node, np.clip on each
            # scalar, cost a 2-64-64-64-1 net ~7 ms of the GUI thread a backward front)
            x = np.asarray(self.record.deltas[l - 1], dtype=np.float64)[[n.index for n in nodes]]
            for node, xi, k in zip(nodes, x.tolist(), delta_shades(x / self._dmax).tolist()):
                node.set_fill(DELTA_COLOURS[k])
                node.set_text(_short(xi) if legible else "")

    def _clear(self) -> None:
        c = self.canvas
        if c is None or not c.layer_sizes:
            return
        c.set_edge_overlay(None)
        c.set_layer_bands(None)
        mark_dropped(c, None)
        rec = self.record or self._pending
        if rec is not None and [len(v) for v in rec.V] == c.layer_sizes:
            c.set_node_values(rec.V)
