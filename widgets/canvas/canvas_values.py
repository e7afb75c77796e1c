"""What the network canvas shows on its edges and nodes, as a mixin.

:class:`CanvasValues` holds the setters of
:class:`~widgets.canvas.network_canvas.NetworkCanvas` that recolour the picture
built for a topology without rebuilding it: the weights, the probe sample's
node values and thumbnails, the forward/backward edge overlays and their
layer bands, and the step-through panel's one-call teaching picture.
"""

from __future__ import annotations

import numpy as np

from model.teaching.notation import short
from widgets.canvas import canvas_layout as lay
from widgets.canvas import decor_fit
from widgets.canvas.node_item import LEVEL_COLOURS, NODE_RADIUS, value_levels, value_range

__all__ = ["CanvasValues"]


class CanvasValues:
    """Recolouring setters for a ``QGraphicsView`` subclass with the NetworkCanvas
    attributes (``edge_layer``, ``_sizes``, ``_acts``, ``_vis``, ``_pos``, ``_gap``,
    ``_nodes``, ``_weights``, ``_biases``, ``_values``, ``_overlay_mode``) and its
    selection methods."""

    def set_weights(self, weights, biases) -> None:
        """Recolour edges (and remember biases for tooltips); no rebuild."""
        self._weights = [np.asarray(w) for w in weights]
        self._biases = [np.asarray(b) for b in biases]
        if self._overlay_mode is None and self._sizes:
            # repainted only when an edge changes bin or the legend's scale moves
            if self.edge_layer.set_values(lay.edge_order_values(self._weights, self._vis), "weight"):
                self.viewport().update()

    def set_node_thumbnails(self, images_per_layer) -> None:
        """Per layer a list of QImages (or None) drawn inside the nodes — the
        neuron maps of a small network; None clears all."""
        for l, col in enumerate(self._nodes):
            imgs = None if images_per_layer is None or l >= len(images_per_layer) else images_per_layer[l]
            for node in col:
                node.set_thumbnail(None if imgs is None or node.index >= len(imgs) else imgs[node.index])

    def set_node_values(self, values_per_layer) -> None:
        """Fill nodes from the probe sample: one (n_l,) array per layer incl.
        the input (a leading batch axis of 1 is accepted); None clears."""
        self._values = (
            None
            if values_per_layer is None
            else [np.asarray(v, dtype=np.float64).reshape(-1) for v in values_per_layer]
        )
        for l, col in enumerate(self._nodes):
            if self._values is None:
                for node in col:
                    node.set_value(None)
                    node.set_text("")
                continue
            v = self._values[l]
            lo, hi = value_range(self._acts[l - 1] if l else "input", v)
            # numbers only on nodes big enough on screen to hold them (presenting: every
            # k-th node, so the value pills do not cover each other)
            stride = self._value_stride = decor_fit.value_stride(self)
            levels = value_levels(v, lo, hi)  # one vectorised pass per layer
            for row, node in enumerate(col):
                x = float(v[node.index])
                node.value = x
                node.set_fill(LEVEL_COLOURS[int(levels[node.index])])
                shown = stride and row % stride == 0 and np.isfinite(x)  # NaN: not reached
                node.set_text(short(x) if shown else "")

    def show_stage(self, node_values, weights=None, edges=None, selected=None) -> None:
        """One teaching picture in one call (how the step-through panel drives the canvas).

        ``node_values``: per layer an array, or None for a layer not reached yet
        (neutral fill, no number); None altogether: plain nodes. ``weights``:
        ``(W, B)`` to draw, or None to keep the current ones. ``edges``:
        ``(values_per_layer, mode, scale)`` overlay, or None for the weight view.
        ``selected``: ``(layer, index)`` of the node to highlight, or None."""
        if weights is not None:
            self._weights = [np.asarray(w) for w in weights[0]]
            self._biases = [np.asarray(b) for b in weights[1]]
        if edges is None:
            self.set_edge_overlay(None)
        else:
            self.set_edge_overlay(*edges)
        if node_values is not None:
            node_values = [np.full(n, np.nan) if v is None else v for v, n in zip(node_values, self._sizes)]
        self.set_node_values(node_values)
        if selected is None:
            self.clear_selection()
        else:
            self.select_node(*selected)

    def set_edge_overlay(self, values_per_layer, mode: str = "forward", scale: float | None = None) -> None:
        """Colour edges by an overlay ("forward" |w·V| or "backward" |∂E/∂w|).

        ``values_per_layer``: per layer a (n_l, n_{l+1}) matrix (like the
        weights) or a flat array in edge order, or one flat (E,) array in the
        order of ``edge_segments``. None returns to the weight view.
        """
        if values_per_layer is None:
            self._overlay_mode = None
            self.set_weights(self._weights, self._biases)
            return
        flat = (
            values_per_layer
            if isinstance(values_per_layer, np.ndarray) and values_per_layer.ndim == 1
            else lay.edge_order_values(values_per_layer, self._vis)
        )
        self._overlay_mode = mode
        if self.edge_layer.set_values(flat, mode, scale):
            self.viewport().update()

    def set_layer_bands(self, strengths, mode: str = "forward") -> None:
        """Per layer pair a band strength 0…1 (None: no bands): filled
        trapezoids joining consecutive columns (their visible nodes ± the node
        radius) under the edges — ≤ one polygon per pair, whatever the edge count."""
        if strengths is None or len(self._sizes) < 2:
            self.edge_layer.set_layer_bands(None)
        else:
            self.edge_layer.set_layer_bands(
                lay.layer_bands(self._pos, self._gap, NODE_RADIUS), strengths, mode
            )
        self.viewport().update()

    def prepare_edge_overlay(self, flat, mode: str, scale: float, band_strengths=None) -> None:
        """The overlay (one flat array in edge order) and bands coming next: the
        edge layer rasterises them ahead (``EdgeLayer.prepare``); showing them
        later with the same ``flat`` array swaps pictures."""
        bands = None
        if band_strengths is not None and len(self._sizes) >= 2:
            bands = lay.layer_bands(self._pos, self._gap, NODE_RADIUS)
        self.edge_layer.prepare(flat, mode, scale, bands, band_strengths)
