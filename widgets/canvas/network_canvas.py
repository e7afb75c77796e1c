"""NetworkCanvas: the node-and-edge view of a multilayer perceptron.

The canvas only *displays* and emits *requests*; it never edits a document.
The app applies a request (through its undo stack) and calls the setters back.

Mouse and keys (one consistent scheme):

* left click on a node selects it (Ctrl+click toggles) → ``nodeSelected``;
  left click on an edge selects it → ``edgeSelected``; left click on empty
  space clears → ``selectionCleared``;
* left drag on empty space draws a rubber band that selects nodes
  (Ctrl+drag adds) → ``nodesSelected`` once, on release (or ``nodeSelected``
  when it caught exactly one node);
* middle drag pans; the wheel zooms around the mouse; F fits, +/− zoom,
  Esc clears the selection;
* right click on a layer column opens its menu (add / remove layer,
  activation).

Layer numbering: node layer ``l`` is column ``l`` of ``layer_sizes`` (0 =
input); its activation is ``activations[l - 1]``. ``addLayerRequested(k)``
asks to insert a hidden layer at position ``k`` of ``layer_sizes``.
Programmatic ``select_*``/``clear_selection`` calls emit nothing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView

from widgets.canvas import canvas_layout as lay
from widgets.canvas import decor_fit
from widgets.canvas.canvas_foreground import draw_foreground
from widgets.canvas.canvas_interaction import CanvasInteraction
from widgets.canvas.canvas_values import CanvasValues
from widgets.canvas.dropout_marks import TIP as DROPPED_TIP
from widgets.canvas.edge_layer import BACKGROUND as EDGE_BACKGROUND
from widgets.canvas.edge_layer import EdgeLayer
from widgets.canvas.node_item import (
    NODE_RADIUS,
    HandleButton,
    Label,
    NodeItem,
    ui_font,
)
from widgets.canvas.node_layer import NodeLayer

__all__ = ["NetworkCanvas"]

BACKGROUND = QColor(EDGE_BACKGROUND)
MUTED = QColor("#6b7280")
OVERLAY_TITLES = {
    "weight": "weight w",
    "forward": "forward activity |w·V|",
    "backward": "backward error |∂E/∂w|",
}


class NetworkCanvas(CanvasValues, CanvasInteraction, QGraphicsView):
    """Zoomable, selectable picture of a network; see the module docstring.
    The mouse, key and zoom handlers come from :class:`CanvasInteraction`, the
    setters that recolour edges and nodes from :class:`CanvasValues`."""

    layerWidthRequested = Signal(int, int)  # layer, new width
    addLayerRequested = Signal(int)  # insert position in layer_sizes
    removeLayerRequested = Signal(int)  # layer
    activationRequested = Signal(int, str)  # layer (≥ 1), activation name
    inputFeatureToggled = Signal(str, bool)  # engineered input (e.g. "x1*x2") on / off
    nodeSelected = Signal(int, int)  # layer, index
    nodesSelected = Signal(list)  # [(layer, index), ...] — rubber band, ≥ 2 nodes
    edgeSelected = Signal(int, int, int)  # layer, i, j  (weight W[layer][i, j])
    selectionCleared = Signal()

    def __init__(
        self,
        parent=None,
        *,
        layer_gap: float = 160.0,
        node_gap: float = 44.0,
        max_visible: int = 64,
        lod_threshold: int = 3000,
    ):
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._scene.setBackgroundBrush(BACKGROUND)
        self._scene.selectionChanged.connect(self._on_selection_changed)
        self.setScene(self._scene)
        self.layer_gap, self.node_gap, self.max_visible = layer_gap, node_gap, max_visible
        self.edge_layer = EdgeLayer(lod_threshold=lod_threshold)
        self._scene.addItem(self.edge_layer)
        self.node_layer = NodeLayer()  # paints every node in one call (the nodes have no contents)
        self._scene.addItem(self.node_layer)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        # the whole viewport: a region repaint would pay only when the nodes alone change, and
        # while training (waves off) an edge changed bin in 46 of 48 frames (2-64-64-64-1), which
        # re-rasterises the edge picture under the whole canvas anyway (1.7 of the 3.3 ms paint)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFont(ui_font(9.0))
        self._sizes: list[int] = []
        self._acts: list[str] = []
        self._weights: list[np.ndarray] = []
        self._biases: list[np.ndarray] = []
        self._values: list[np.ndarray] | None = None
        self._overlay_mode: str | None = None
        self._vis: list[np.ndarray] = []
        self._pos: list[np.ndarray] = []
        self._gap = layer_gap
        self._nodes: list[list[NodeItem]] = []
        self._lookup: dict[tuple[int, int], NodeItem] = {}
        self._decor: list[QGraphicsItem] = []
        self._handles: dict[int, tuple[HandleButton, HandleButton]] = {}
        self._editable: set[int] | None = None  # None: the hidden layers
        self._edge_l = self._edge_i = self._edge_j = np.empty(0, dtype=np.int64)
        self._pan_from: QPointF | None = None
        self._band_active = self._band_pending = self._suppress = False
        self._auto_fit = True
        self._names: list[str] | None = None
        self._input_labels: list = []  # decor_fit places them (and the −/+ buttons) by the zoom
        self.zoom = 1.0  # presentation zoom: labels, buttons and the largest fit scale

    # ------------------------------------------------------------- setters
    def set_network(self, layer_sizes, activations, weights, biases) -> None:
        """Rebuild the whole picture for a new topology.

        When only one layer's width changed (its −/+ clicked) the view is
        shifted so that layer's buttons stay at the same screen spot: two
        clicks at one place add two neurons."""
        anchor = self._handle_anchor([int(n) for n in layer_sizes])
        self._sizes = [int(n) for n in layer_sizes]
        self._acts = list(activations)
        self._vis = [lay.visible_node_indices(n, self.max_visible) for n in self._sizes]
        L = len(self._sizes) - 1
        tallest = (min(max(self._sizes), self.max_visible) - 1) * self.node_gap
        # spread tall networks sideways (towards a landscape picture) so the
        # fans of edges between wide layers stay legible
        self._gap = float(np.clip(tallest * 1.4 / max(L, 1), self.layer_gap, 6 * self.layer_gap))
        kw = dict(layer_gap=self._gap, node_gap=self.node_gap, max_visible=self.max_visible)
        self._pos = lay.node_positions(self._sizes, **kw)
        seg, self._edge_l, self._edge_i, self._edge_j = lay.edge_segments(self._pos, self._vis)
        self.edge_layer.set_geometry(seg)
        for item in [n for col in self._nodes for n in col] + self._decor:
            self._scene.removeItem(item)
        self._nodes, self._lookup, self._decor, self._headers = [], {}, [], []
        for l, (pos, idx) in enumerate(zip(self._pos, self._vis)):
            col = [NodeItem(l, int(i), x, y) for (x, y), i in zip(pos, idx)]
            for node in col:
                # presenting: values at a screen size of their own, however small the node
                node.value_px = decor_fit.value_px(self)
                self._scene.addItem(node)
                self._lookup[node.key] = node
            self._nodes.append(col)
            # two lines ("Hidden 1" / "tanh · 8") so neighbouring headers do not collide
            header = Label(lay.layer_title(l, self._sizes, self._acts).replace(" · ", "\n", 1), "bottom")
            header.setTransform(QTransform.fromTranslate(0, -6))  # screen pixels
            self._add_decor(header, l * self._gap, pos[:, 1].min() - NODE_RADIUS)
            self._headers.append(header)
        self._input_labels = decor_fit.make_input_labels(self)  # placed by fit_decor
        for label in self._input_labels:
            self._add_decor(label, label.pos().x(), label.pos().y())
        for l, mark in enumerate(lay.ellipsis_positions(self._sizes, **kw)):
            if mark is not None:
                # two short lines: one line ("⋮  449 more") ran under the next column's at 1366 px
                self._add_decor(Label(f"⋮ {mark[2]:,}\nmore", "center", 8.5, MUTED), mark[0], mark[1])
        self.node_layer.set_nodes(n for col in self._nodes for n in col)
        self._values, self._overlay_mode = None, None
        for item in self._decor:
            if isinstance(item, Label) and item not in self._input_labels:
                item.set_zoom(self.zoom)
                item.setTransform(
                    QTransform.fromTranslate(
                        item.transform().dx() * self.zoom, item.transform().dy() * self.zoom
                    )
                )
        self._make_handles()
        self._scene.setSceneRect(self._scene.itemsBoundingRect().adjusted(-4000, -4000, 4000, 4000))
        self.set_weights(weights, biases)
        self._auto_fit = True
        self.fit_view()
        if anchor is not None and anchor[0] in self._handles:
            layer, spot = anchor
            moved = self._on_screen(self._handles[layer][1]) - spot
            for bar, d in ((self.horizontalScrollBar(), moved.x()), (self.verticalScrollBar(), moved.y())):
                bar.setValue(bar.value() + round(d))  # scroll by the pixels the button moved

    def _handle_anchor(self, new_sizes: list[int]):
        """(layer, viewport point of its + button) when ``new_sizes`` changes one layer's width."""
        if len(new_sizes) != len(self._sizes) or not self.isVisible():
            return None
        changed = [l for l, (a, b) in enumerate(zip(self._sizes, new_sizes)) if a != b]
        if len(changed) != 1 or changed[0] not in self._handles:
            return None
        return changed[0], self._on_screen(self._handles[changed[0]][1])

    # headers are drawn at a fixed screen size: when zooming out brings the layers
    # closer than the headers are wide, they switch to their short form
    def setTransform(self, matrix, combine: bool = False) -> None:
        super().setTransform(matrix, combine)
        self._fit_headers()

    def scale(self, sx: float, sy: float) -> None:
        super().scale(sx, sy)
        self._fit_headers()

    def _fit_headers(self, scale: float | None = None) -> None:
        """Headers, −/+ buttons, input names and values in the forms that fit at ``scale``
        (default: the view's); the diagram export asks for scale 1, where it draws the scene."""
        decor_fit.fit_decor(self, scale)

    def header_texts(self) -> list[str]:
        """The layer headers as drawn now (full or short form)."""
        return [h.text for h in getattr(self, "_headers", [])]

    def _on_screen(self, item) -> QPointF:
        """Where ``item``'s origin is drawn in the viewport (its screen-pixel offset included)."""
        return item.deviceTransform(self.viewportTransform()).map(QPointF(0, 0))

    def set_zoom(self, zoom: float) -> None:
        """Presentation zoom: labels, −/+ buttons and node values grow together
        (node values through a larger largest fit scale)."""
        self.zoom = float(zoom)
        self.setFont(ui_font(9.0 * self.zoom))
        if self._sizes:
            values = self._values
            self.set_network(self._sizes, self._acts, self._weights, self._biases)
            if values is not None:
                self.set_node_values(values)

    def set_background(self, colour: str) -> None:
        """Theme: the background colour, also the one weak edges fade into."""
        from widgets.canvas import edge_layer

        edge_layer.set_background(colour)
        self._scene.setBackgroundBrush(QColor(colour))
        for item in self._scene.items():
            item.update()  # labels and buttons are cached pictures drawn in the old theme's colours
        if self._sizes:
            self.set_weights(self._weights, self._biases)

    def set_input_names(self, names) -> None:
        """Feature names beside the input nodes (CSV column names); None: x₁, x₂, …"""
        names = None if names is None else [str(n) for n in names]
        if names == self._names:
            return
        self._names = names
        if self._sizes and (names is None or len(names) == self._sizes[0]):
            self.set_network(self._sizes, self._acts, self._weights, self._biases)

    def input_names(self) -> list[str]:
        """The names shown beside the visible input nodes."""
        if not self._sizes:
            return []
        names = self._names if self._names is not None and len(self._names) == self._sizes[0] else None
        return [lay.feature_label(names[i]) if names else lay.feature_symbol(int(i)) for i in self._vis[0]]

    def _add_decor(self, item: QGraphicsItem, x: float, y: float) -> None:
        item.setPos(x, y)
        self._scene.addItem(item)
        self._decor.append(item)

    def set_editable_layers(self, layers) -> None:
        """Layers that get +/− width handles (default: the hidden layers)."""
        self._editable = set(int(l) for l in layers)
        self._make_handles()

    def editable_layers(self) -> set[int]:
        if self._editable is not None:
            return set(self._editable)
        return set(range(1, len(self._sizes) - 1))

    def _make_handles(self) -> None:
        for minus, plus in self._handles.values():
            self._scene.removeItem(minus)
            self._scene.removeItem(plus)
        self._handles = {}
        for l in sorted(self.editable_layers()):
            if not 0 <= l < len(self._sizes):
                continue
            n, y = self._sizes[l], self._pos[l][:, 1].max() + NODE_RADIUS
            minus = HandleButton("−", f"one neuron fewer ({n} → {n - 1})")
            plus = HandleButton("+", f"one neuron more ({n} → {n + 1})")
            minus.setEnabled(n > 1)
            minus.clicked.connect(lambda l=l, n=n: self.layerWidthRequested.emit(l, n - 1))
            plus.clicked.connect(lambda l=l, n=n: self.layerWidthRequested.emit(l, n + 1))
            for item in (minus, plus):
                self._scene.addItem(item)
                item.setPos(l * self._gap, y)  # offsets from here: decor_fit, by the view's scale
            self._handles[l] = (minus, plus)
        decor_fit.fit_decor(self)

    def width_handles(self, layer: int) -> tuple[HandleButton, HandleButton]:
        """The (−, +) buttons of a layer (KeyError if it has none)."""
        return self._handles[layer]

    # ------------------------------------------------------------- queries
    @property
    def layer_sizes(self) -> list[int]:
        return list(self._sizes)

    def node_item(self, layer: int, index: int) -> NodeItem | None:
        """The item of a node, or None when it is hidden in a compressed layer."""
        return self._lookup.get((layer, index))

    def header_text(self, layer: int) -> str:
        return lay.layer_title(layer, self._sizes, self._acts)

    def edge_key(self, edge: int) -> tuple[int, int, int]:
        """(layer, i, j) of edge number ``edge`` (edge_segments order)."""
        return int(self._edge_l[edge]), int(self._edge_i[edge]), int(self._edge_j[edge])

    def edge_index(self, layer: int, i: int, j: int) -> int | None:
        hit = np.flatnonzero((self._edge_l == layer) & (self._edge_i == i) & (self._edge_j == j))
        return int(hit[0]) if hit.size else None

    def selected_nodes(self) -> list[tuple[int, int]]:
        return sorted(it.key for it in self._scene.selectedItems() if isinstance(it, NodeItem))

    def selected_edge(self) -> tuple[int, int, int] | None:
        e = self.edge_layer.highlighted
        return None if e is None else self.edge_key(e)

    def lod_notice(self) -> str:
        """The level-of-detail note shown on screen ("" when everything is drawn)."""
        el = self.edge_layer
        return lay.lod_notice(self._sizes, el.n_edges, el.n_drawn)

    def layer_at(self, scene_point: QPointF) -> int | None:
        """The column under a scene point (within half a layer gap), or None."""
        if not self._sizes:
            return None
        l = int(round(scene_point.x() / self._gap))
        return l if 0 <= l < len(self._sizes) else None

    def node_tooltip(self, layer: int, index: int) -> str:
        bias = self._biases[layer - 1][index] if 0 < layer <= len(self._biases) else None
        value = None if self._values is None else self._values[layer][index]
        node = self._lookup.get((layer, index))
        dropped = f"\n{DROPPED_TIP}" if node is not None and node.dropped else ""
        return lay.node_caption(layer, index, self._sizes, self._acts, bias, value) + dropped

    def edge_tooltip(self, edge: int) -> str:
        l, i, j = self.edge_key(edge)
        text = f"W{l + 1}[{i + 1}, {j + 1}] = {float(self._weights[l][i, j]):+.4g}"
        if self._overlay_mode is not None and self.edge_layer.values is not None:
            text += f"\n{OVERLAY_TITLES[self._overlay_mode]}: {self.edge_layer.values[edge]:.4g}"
        return text

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """Legend (bottom left) and level-of-detail notice (bottom right), in
        screen pixels; the full-viewport update mode keeps them in place."""
        if self._sizes:
            draw_foreground(self, painter, self._overlay_mode or "weight")
